/**
 * JSON shapes of the Monitoring API (/api/monitoring/*, issue 5), shared by web/api (which produces them)
 * and web/ui (which reads them). Type-only: no runtime code. Times are UTC seconds; bytes are exact counts.
 */
import type { ClashStatusJson } from "./api_types.ts";

/** Attributed bytes plus the remainder no listed connection carried (clients + unattributed = core totals). */
export interface ClashBytesJson {
  readonly up_bytes: number;
  readonly down_bytes: number;
  readonly unattributed_up_bytes: number;
  readonly unattributed_down_bytes: number;
}

/** GET /api/monitoring/overview. */
export interface MonitoringOverviewJson {
  readonly status: ClashStatusJson;
  /** Bytes per second of the newest `/traffic` line; null before the first. */
  readonly rate: { readonly ts: number; readonly up_Bps: number; readonly down_Bps: number } | null;
  readonly active_connections: number;
  readonly online_clients: number;
  /** The local day so far. */
  readonly today: ClashBytesJson;
}

/** One period of GET /api/monitoring/history; `label` is "YYYY-MM-DD HH:00", "YYYY-MM-DD" or "YYYY-MM". */
export interface MonitoringPointJson extends ClashBytesJson {
  readonly label: string;
  readonly start: number;
  readonly end: number;
}

/** One second of the core's `/traffic` stream: bytes moved in that second. */
export interface MonitoringSampleJson {
  readonly ts: number;
  readonly up_bytes: number;
  readonly down_bytes: number;
}

/**
 * GET /api/monitoring/samples: the last minute of samples, saved and unsaved, oldest first; a second without a
 * line is absent. The Monitoring page's live chart starts from it instead of an empty minute.
 */
export interface MonitoringSamplesJson {
  readonly samples: readonly MonitoringSampleJson[];
}

/** GET /api/monitoring/history?start=&end=&granularity=[&client=]: zero-filled over the local dates. */
export interface MonitoringHistoryJson {
  readonly granularity: "hour" | "day" | "month";
  readonly series: readonly MonitoringPointJson[];
  readonly summary: ClashBytesJson;
}

/** One client IP (online, or with bytes in the range). */
export interface MonitoringClientJson {
  readonly ip: string;
  /** The name of its device when it maps to one (device_id), else the client's own name. */
  readonly name: string | null;
  /**
   * Added (issue 14 item 5): the device this IP belongs to (its captured addresses, else the neighbour
   * table's MAC), or null. A mapped client is renamed through PUT /api/devices/:id/name.
   */
  readonly device_id: number | null;
  /**
   * Moved bytes within the last minute (a listed idle UDP session alone does not count:
   * docs/clash-accounting.md P5).
   */
  readonly online: boolean;
  readonly active_connections: number;
  readonly up_bytes: number;
  readonly down_bytes: number;
  readonly first_seen: number | null;
  readonly last_seen: number | null;
  /** Seconds since the start of its oldest live connection; null when none is live. */
  readonly connection_duration_sec: number | null;
  readonly chains: readonly string[];
}

/** GET /api/monitoring/clients?start=&end=. */
export interface MonitoringClientsJson {
  readonly status: ClashStatusJson;
  readonly clients: readonly MonitoringClientJson[];
}

/** Bytes of one resource (host, else destination IP) or chain. */
export interface MonitoringGroupJson {
  readonly name: string;
  readonly up_bytes: number;
  readonly down_bytes: number;
  /** Connections first seen in the range. */
  readonly connections: number;
}

/** A live connection of a client. */
export interface MonitoringConnectionJson {
  readonly id: string;
  readonly resource: string;
  readonly destination: string;
  readonly chain: string;
  readonly rule: string;
  readonly network: string;
  /** The inbound (`metadata.type`), e.g. "tun/tun-in". */
  readonly inbound: string;
  readonly start: number | null;
  readonly up_bytes: number;
  readonly down_bytes: number;
}

/** GET /api/monitoring/clients/:ip?start=&end=&granularity=. */
export interface MonitoringClientDetailJson {
  readonly client: MonitoringClientJson;
  readonly resources: readonly MonitoringGroupJson[];
  readonly chains: readonly MonitoringGroupJson[];
  readonly connections: readonly MonitoringConnectionJson[];
  readonly history: MonitoringHistoryJson;
}

/** GET /api/monitoring/resources?client=&start=&end=&limit=. */
export interface MonitoringResourcesJson {
  readonly resources: readonly MonitoringGroupJson[];
}

/** PUT /api/monitoring/clients/:ip/name with body `{"name": "..."}` (null or "" removes it). */
export interface MonitoringClientNameJson {
  readonly ip: string;
  readonly name: string | null;
}
