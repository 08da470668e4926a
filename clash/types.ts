/**
 * Plain records that leave clash/: the connection state of the Clash API, attributed usage per UTC bucket,
 * the unattributed remainder, per-second samples and the resume state that makes a netledger restart exact.
 * They reach store/ as `import type`, so they hold only numbers, strings and arrays of those.
 * P<n> tags name the pitfalls of docs/clash-accounting.md.
 */

/** Connection state of the Clash API, as /api/health and the Monitoring page show it. */
export type ClashState =
  | "not_configured"
  | "connecting"
  | "connected"
  | "unauthorized"
  | "unreachable"
  | "incompatible";

/** Which core answers; told apart by `GET /` (`{"hello":"mihomo"}`) and `GET /version`. */
export type ClashCore = "sing-box" | "mihomo" | "clash";

/** The current connection state with a human message naming the fix when one is known. */
export interface ClashStatus {
  readonly state: ClashState;
  readonly message: string;
  readonly core: ClashCore | null;
  readonly version: string | null;
  /** UTC seconds when `state` last changed. */
  readonly sinceSec: number;
}

/** Bytes of one (client, resource, chain) in one UTC bucket, measured as per-connection deltas. */
export interface ClashUsageRow {
  /** UTC seconds, a multiple of BUCKET_SEC. */
  readonly bucketStartSec: number;
  /** Normalised source IP: lowercase, zone stripped, `::ffff:a.b.c.d` unwrapped. */
  readonly clientIp: string;
  /** `metadata.host`, else `metadata.destinationIP`, else UNKNOWN_RESOURCE. */
  readonly resource: string;
  /** Outbound chain from the matched group to the leaf, joined by CHAIN_SEPARATOR. */
  readonly chain: string;
  /** The rule of the latest connection that added to this row. */
  readonly rule: string;
  readonly upBytes: number;
  readonly downBytes: number;
  /** Connections first seen (and credited from 0) in this bucket. */
  readonly newConnections: number;
}

/** Bytes in the core's totals that no listed connection carried in one UTC bucket (closed tails, DNS). */
export interface ClashUnattributedRow {
  readonly bucketStartSec: number;
  readonly upBytes: number;
  readonly downBytes: number;
}

/** One `/traffic` line: bytes of one tick (about one second) received at `tsSec`. */
export interface ClashSample {
  /** UTC seconds, whole. */
  readonly tsSec: number;
  readonly upBytes: number;
  readonly downBytes: number;
}

/** Last counters of one live connection, persisted with the deltas they produced. */
export interface ClashCursor {
  readonly id: string;
  readonly upBytes: number;
  readonly downBytes: number;
}

/**
 * Everything needed to resume counting after a netledger restart without counting twice: the core totals
 * and per-connection counters that the committed history already includes.
 */
export interface ClashResumeState {
  /** The Clash API URL the state belongs to; state of another core is ignored (P7). */
  readonly apiUrl: string;
  readonly uploadTotal: number;
  readonly downloadTotal: number;
  /** Non-positive remainder carried while per-connection counters ran ahead of the totals (P10). */
  readonly carryUpBytes: number;
  readonly carryDownBytes: number;
  readonly cursors: readonly ClashCursor[];
}

/** First and last time a client IP carried bytes, in UTC seconds. */
export interface ClashClientSeen {
  readonly clientIp: string;
  readonly firstSeenSec: number;
  readonly lastSeenSec: number;
}

/** What one flush writes in one transaction. */
export interface ClashPendingBatch {
  readonly usage: readonly ClashUsageRow[];
  readonly unattributed: readonly ClashUnattributedRow[];
  readonly samples: readonly ClashSample[];
  readonly clients: readonly ClashClientSeen[];
  /** Null until the first snapshot of this run: then the stored state stays as it is. */
  readonly resume: ClashResumeState | null;
}

/** One connection the core lists now, as the Monitoring page shows it. */
export interface ClashLiveConnection {
  readonly id: string;
  readonly clientIp: string;
  readonly resource: string;
  readonly chain: string;
  readonly rule: string;
  readonly network: string;
  /** `metadata.type`: the inbound, e.g. `tun/tun-in` (shows traffic arriving through a second router, P4). */
  readonly inbound: string;
  readonly destination: string;
  /** UTC seconds from the core's `start`; null when it did not parse. */
  readonly startSec: number | null;
  readonly upBytes: number;
  readonly downBytes: number;
}

/** A client IP with live connections or recent bytes. */
export interface ClashLiveClient {
  readonly clientIp: string;
  readonly activeConnections: number;
  /** UTC seconds of the last snapshot in which one of its connections moved bytes; null if none yet. */
  readonly lastByteSec: number | null;
  /** UTC seconds of the start of its oldest live connection. */
  readonly oldestStartSec: number | null;
  readonly chains: readonly string[];
}

/** Separator of chain names in `ClashUsageRow.chain`. */
export const CHAIN_SEPARATOR = " > ";

/** Resource of a connection that has neither a host nor a destination IP (P3). */
export const UNKNOWN_RESOURCE = "(unknown)";

/** Chain of a connection whose `chains` is empty. */
export const NO_CHAIN = "(none)";
