/**
 * Conversions from the monitor's live state and store/'s proxy-client rows to the Monitoring API's JSON shapes
 * (web/monitoring_api_types.ts). Pure: the routes read, these only shape.
 */
import {
  type ClashLiveClient,
  type ClashLiveConnection,
  type ClashSample,
  type ClashStatus,
  ONLINE_WINDOW_SEC,
} from "../../clash/mod.ts";
import type {
  ClashClientInfo,
  ClashGroupTotals,
  ClashTotals,
  Granularity,
  LocalPeriod,
} from "../../store/mod.ts";
import type { ClashStatusJson } from "../api_types.ts";
import type {
  ClashBytesJson,
  MonitoringClientJson,
  MonitoringConnectionJson,
  MonitoringGroupJson,
  MonitoringHistoryJson,
  MonitoringOverviewJson,
  MonitoringSamplesJson,
} from "../monitoring_api_types.ts";

/** What a client row is built from: history of the range, the live snapshot and the stored client facts. */
export interface ClientSources {
  readonly totals: ReadonlyMap<string, ClashGroupTotals>;
  readonly live: ReadonlyMap<string, ClashLiveClient>;
  /** The chains each client used in the range. */
  readonly chains: ReadonlyMap<string, readonly string[]>;
  readonly infos: ReadonlyMap<string, ClashClientInfo>;
  readonly nowSec: number;
  /** The device of each client IP that maps to one (client_devices.ts); absent, none does. */
  readonly devices?: ReadonlyMap<string, { readonly id: number; readonly name: string | null }>;
}

/** The Clash connection state as /api/health and the Monitoring API show it. */
export function clashStatusJson(s: ClashStatus): ClashStatusJson {
  return { state: s.state, message: s.message, core: s.core, version: s.version, since: s.sinceSec };
}

/** The overview: live rate, connections and online clients now, and `today`'s bytes so far. */
export function overviewJson(live: {
  readonly status: ClashStatus;
  readonly sample: ClashSample | null;
  readonly clients: readonly ClashLiveClient[];
  readonly today: ClashBytesJson;
  readonly nowSec: number;
}): MonitoringOverviewJson {
  const { sample, clients, nowSec } = live;
  return {
    status: clashStatusJson(live.status),
    rate: sample && { ts: sample.tsSec, up_Bps: sample.upBytes, down_Bps: sample.downBytes },
    active_connections: clients.reduce((n, l) => n + l.activeConnections, 0),
    online_clients: clients.filter((l) => isOnline(l, nowSec)).length,
    today: live.today,
  };
}

/** A zero-filled series of periods and its sum. */
export function historyJson(
  granularity: Granularity,
  periods: readonly (LocalPeriod & ClashTotals)[],
): MonitoringHistoryJson {
  return {
    granularity,
    series: periods.map((p) => ({ label: p.label, start: p.startSec, end: p.endSec, ...clashBytesJson(p) })),
    summary: clashBytesJson(sumTotals(periods)),
  };
}

/**
 * The samples of `saved` and `recent` (the monitor's last minute, saved or not) with `ts` in [fromSec, toSec).
 * A second that `recent` holds is taken from it alone: its lines are the whole second, while a saved row may
 * hold only the part that a flush caught.
 */
export function samplesJson(
  saved: readonly ClashSample[],
  recent: readonly ClashSample[],
  span: { readonly fromSec: number; readonly toSec: number },
): MonitoringSamplesJson {
  const bySec = new Map<number, { up_bytes: number; down_bytes: number }>();
  for (const s of saved) bySec.set(s.tsSec, { up_bytes: s.upBytes, down_bytes: s.downBytes });
  const fromRecent = new Set<number>();
  for (const s of recent) {
    const sum = fromRecent.has(s.tsSec) ? bySec.get(s.tsSec)! : { up_bytes: 0, down_bytes: 0 };
    sum.up_bytes += s.upBytes;
    sum.down_bytes += s.downBytes;
    bySec.set(s.tsSec, sum);
    fromRecent.add(s.tsSec);
  }
  const samples = [...bySec]
    .filter(([ts]) => ts >= span.fromSec && ts < span.toSec)
    .sort(([a], [b]) => a - b)
    .map(([ts, s]) => ({ ts, ...s }));
  return { samples };
}

/** Every client with bytes in the range or live now: online first, then heaviest, then by IP. */
export function clientsJson(sources: ClientSources): MonitoringClientJson[] {
  return [...new Set([...sources.totals.keys(), ...sources.live.keys()])].map((ip) => clientJson(ip, sources))
    .sort((a, b) =>
      Number(b.online) - Number(a.online) || (b.up_bytes + b.down_bytes) - (a.up_bytes + a.down_bytes) ||
      (a.ip < b.ip ? -1 : 1)
    );
}

/** One client row; a client absent from `sources` gets zero bytes and only its stored facts. */
export function clientJson(ip: string, sources: ClientSources): MonitoringClientJson {
  const totals = sources.totals.get(ip);
  const live = sources.live.get(ip);
  const info = sources.infos.get(ip);
  const chains = new Set([...sources.chains.get(ip) ?? [], ...live?.chains ?? []]);
  const lastSeen = Math.max(info?.lastSeenSec ?? 0, live?.lastByteSec ?? 0);
  const device = sources.devices?.get(ip);
  return {
    ip,
    // One name per device: a mapped client shows (and is renamed as) its device.
    name: device === undefined ? info?.name ?? null : device.name,
    device_id: device?.id ?? null,
    online: live !== undefined && isOnline(live, sources.nowSec),
    active_connections: live?.activeConnections ?? 0,
    up_bytes: totals?.upBytes ?? 0,
    down_bytes: totals?.downBytes ?? 0,
    first_seen: info?.firstSeenSec ?? live?.lastByteSec ?? null,
    last_seen: lastSeen === 0 ? null : lastSeen,
    connection_duration_sec: live?.oldestStartSec == null
      ? null
      : Math.max(0, sources.nowSec - live.oldestStartSec),
    chains: [...chains].sort(),
  };
}

/** Bytes of one resource or chain. */
export function groupJson(g: ClashGroupTotals): MonitoringGroupJson {
  return { name: g.key, up_bytes: g.upBytes, down_bytes: g.downBytes, connections: g.connections };
}

/** A connection of the latest snapshot. */
export function connectionJson(l: ClashLiveConnection): MonitoringConnectionJson {
  return {
    id: l.id,
    resource: l.resource,
    destination: l.destination,
    chain: l.chain,
    rule: l.rule,
    network: l.network,
    inbound: l.inbound,
    start: l.startSec,
    up_bytes: l.upBytes,
    down_bytes: l.downBytes,
  };
}

function isOnline(live: ClashLiveClient, nowSec: number): boolean {
  return live.lastByteSec !== null && nowSec - live.lastByteSec <= ONLINE_WINDOW_SEC;
}

function clashBytesJson(t: ClashTotals): ClashBytesJson {
  return {
    up_bytes: t.upBytes,
    down_bytes: t.downBytes,
    unattributed_up_bytes: t.unattributedUpBytes,
    unattributed_down_bytes: t.unattributedDownBytes,
  };
}

function sumTotals(periods: readonly ClashTotals[]): ClashTotals {
  return periods.reduce((s, p) => ({
    upBytes: s.upBytes + p.upBytes,
    downBytes: s.downBytes + p.downBytes,
    unattributedUpBytes: s.unattributedUpBytes + p.unattributedUpBytes,
    unattributedDownBytes: s.unattributedDownBytes + p.unattributedDownBytes,
  }), { upBytes: 0, downBytes: 0, unattributedUpBytes: 0, unattributedDownBytes: 0 });
}
