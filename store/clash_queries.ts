/**
 * Read queries over the proxy-client history. Every function adds the monitor's unsaved rows to what SQLite
 * holds, so answers never lag a save interval. A stored row counts toward the period containing its
 * `bucket_start` (rolled-up rows: store/clash_retention.ts). SQLite failures throw StoreError (Store.read).
 */
import type { ClashSample, ClashUnattributedRow, ClashUsageRow } from "../clash/mod.ts";
import type { Store } from "./db.ts";
import { type LocalPeriod, periodIndex } from "./local_periods.ts";
import type { RowSets } from "./read_pool.ts";
import type { ReadQuery } from "./read_worker.ts";

/** Unsaved rows of the ClashMonitor. */
export interface ClashPendingSource {
  pendingUsage(): readonly ClashUsageRow[];
  pendingUnattributed(): readonly ClashUnattributedRow[];
}

/** Attributed and unattributed bytes of a span; attributed + unattributed = the core's totals. */
export interface ClashTotals {
  readonly upBytes: number;
  readonly downBytes: number;
  readonly unattributedUpBytes: number;
  readonly unattributedDownBytes: number;
}

/** Bytes of one group (a client, resource or chain) in a span. */
export interface ClashGroupTotals {
  readonly key: string;
  readonly upBytes: number;
  readonly downBytes: number;
  /** Connections first seen in the span. */
  readonly connections: number;
}

/** A client IP's name and first/last seen times, from clash_clients. */
export interface ClashClientInfo {
  readonly clientIp: string;
  readonly name: string | null;
  readonly firstSeenSec: number | null;
  readonly lastSeenSec: number | null;
}

/** Which rows a group query covers; `clientIp` null means every client. */
export interface ClashGroupQuery {
  readonly fromSec: number;
  readonly toSec: number;
  readonly clientIp: string | null;
}

type Row = { t: number; up: number; down: number };

const HISTORY = "proxy-client history";

/** Sums per period (contiguous, oldest first); with `clientIp`, that client's bytes and no unattributed. */
export function clashByPeriod(
  store: Store,
  pending: ClashPendingSource,
  periods: readonly LocalPeriod[],
  clientIp: string | null,
): (LocalPeriod & ClashTotals)[] {
  if (periods.length === 0) return [];
  const queries = periodQueries(periods, clientIp);
  const rowSets = store.read(HISTORY, (db) => queries.map((q) => db.prepare(q.sql).all(...q.params)));
  return sumPeriods(periods, rowSets, pendingRows(pending, clientIp));
}

/**
 * clashByPeriod with the stored part read in the store's ReadPool, for long spans by hour (a year is some
 * 35,000 buckets): the event loop stays free, and the unsaved rows are taken at the Worker's snapshot.
 * Throws StoreError: "busy" (with retryAfterSec) when the pool's queue is full, or the database's.
 */
export function clashByPeriodOffThread(
  store: Store,
  pending: ClashPendingSource,
  periods: readonly LocalPeriod[],
  clientIp: string | null,
): Promise<(LocalPeriod & ClashTotals)[]> {
  if (periods.length === 0) return Promise.resolve([]);
  return store.readPool.read(HISTORY, () => {
    const unsaved = pendingRows(pending, clientIp);
    return {
      queries: periodQueries(periods, clientIp),
      answer: (rowSets) => sumPeriods(periods, rowSets, unsaved),
    };
  });
}

/** The unsaved rows a period sum adds: the client's usage, or every usage and the unattributed rows. */
interface PendingPeriodRows {
  readonly usage: readonly Row[];
  readonly unattributed: readonly Row[] | null;
}

function pendingRows(pending: ClashPendingSource, clientIp: string | null): PendingPeriodRows {
  return {
    usage: pending.pendingUsage().filter((r) => clientIp === null || r.clientIp === clientIp).map(toRow),
    unattributed: clientIp === null ? pending.pendingUnattributed().map(toRow) : null,
  };
}

/** The stored usage rows of the span, and with no `clientIp` the unattributed ones. */
function periodQueries(
  periods: readonly LocalPeriod[],
  clientIp: string | null,
): ReadQuery[] {
  const fromSec = periods[0].startSec;
  const toSec = periods[periods.length - 1].endSec;
  if (clientIp !== null) {
    return [{
      sql: `SELECT bucket_start AS t, up_bytes AS up, down_bytes AS down FROM clash_client_usage
            WHERE client_ip = ? AND bucket_start >= ? AND bucket_start < ?`,
      params: [clientIp, fromSec, toSec],
    }];
  }
  return [{
    sql: `SELECT bucket_start AS t, sum(up_bytes) AS up, sum(down_bytes) AS down FROM clash_client_usage
          WHERE bucket_start >= ? AND bucket_start < ? GROUP BY bucket_start`,
    params: [fromSec, toSec],
  }, {
    sql: `SELECT bucket_start AS t, up_bytes AS up, down_bytes AS down FROM clash_unattributed
          WHERE bucket_start >= ? AND bucket_start < ?`,
    params: [fromSec, toSec],
  }];
}

function sumPeriods(
  periods: readonly LocalPeriod[],
  rowSets: RowSets,
  unsaved: PendingPeriodRows,
): (LocalPeriod & ClashTotals)[] {
  const sums = periods.map(() => ({
    upBytes: 0,
    downBytes: 0,
    unattributedUpBytes: 0,
    unattributedDownBytes: 0,
  }));
  const [usage, unattributed] = rowSets as readonly (readonly Row[])[];
  for (const r of [...usage, ...unsaved.usage]) {
    const i = periodIndex(periods, r.t);
    if (i < 0) continue;
    sums[i].upBytes += r.up;
    sums[i].downBytes += r.down;
  }
  if (unsaved.unattributed !== null) {
    for (const r of [...unattributed, ...unsaved.unattributed]) {
      const i = periodIndex(periods, r.t);
      if (i < 0) continue;
      sums[i].unattributedUpBytes += r.up;
      sums[i].unattributedDownBytes += r.down;
    }
  }
  return periods.map((p, i) => ({ ...p, ...sums[i] }));
}

/** Totals of [fromSec, toSec) over every client, with the unattributed remainder. */
export function clashTotal(
  store: Store,
  pending: ClashPendingSource,
  fromSec: number,
  toSec: number,
): ClashTotals {
  const [p] = clashByPeriod(store, pending, [{ label: "", startSec: fromSec, endSec: toSec }], null);
  return {
    upBytes: p.upBytes,
    downBytes: p.downBytes,
    unattributedUpBytes: p.unattributedUpBytes,
    unattributedDownBytes: p.unattributedDownBytes,
  };
}

/** Bytes per client IP with bucket starts in [fromSec, toSec), heaviest first. */
export function clashClientTotals(
  store: Store,
  pending: ClashPendingSource,
  fromSec: number,
  toSec: number,
): ClashGroupTotals[] {
  const stored = store.read("proxy-client totals", (db) =>
    db.prepare(
      `SELECT client_ip AS key, sum(up_bytes) AS up, sum(down_bytes) AS down, sum(connections) AS n
       FROM clash_client_usage WHERE bucket_start >= ? AND bucket_start < ? GROUP BY client_ip`,
    ).all(fromSec, toSec)) as GroupRow[];
  return mergeGroups(
    stored,
    inRange(pending.pendingUsage(), { fromSec, toSec, clientIp: null }),
    (r) => r.clientIp,
  );
}

/** Bytes per resource (host, else destination IP) in the span, heaviest first, at most `limit`. */
export function clashResourceTotals(
  store: Store,
  pending: ClashPendingSource,
  query: ClashGroupQuery & { readonly limit: number },
): ClashGroupTotals[] {
  return groupBy(store, pending, query, "resource").slice(0, query.limit);
}

/** Bytes per outbound chain in the span, heaviest first. */
export function clashChainTotals(
  store: Store,
  pending: ClashPendingSource,
  query: ClashGroupQuery,
): ClashGroupTotals[] {
  return groupBy(store, pending, query, "chain");
}

/** The chains each client used in the span, sorted. */
export function clashChainsByClient(
  store: Store,
  pending: ClashPendingSource,
  fromSec: number,
  toSec: number,
): Map<string, string[]> {
  const rows = store.read("proxy-client chains", (db) =>
    db.prepare(
      `SELECT DISTINCT client_ip AS ip, chain FROM clash_usage WHERE bucket_start >= ? AND bucket_start < ?`,
    ).all(fromSec, toSec)) as { ip: string; chain: string }[];
  const pendingRows = inRange(pending.pendingUsage(), { fromSec, toSec, clientIp: null })
    .map((r) => ({ ip: r.clientIp, chain: r.chain }));
  const out = new Map<string, Set<string>>();
  for (const r of [...rows, ...pendingRows]) {
    let set = out.get(r.ip);
    if (!set) out.set(r.ip, set = new Set());
    set.add(r.chain);
  }
  return new Map([...out].map(([ip, set]) => [ip, [...set].sort()]));
}

/** Names and first/last seen times of every known client IP. */
export function clashClientInfos(store: Store): Map<string, ClashClientInfo> {
  const rows = store.read(
    "proxy-client names",
    (db) => db.prepare("SELECT client_ip, name, first_seen, last_seen FROM clash_clients").all(),
  ) as {
    client_ip: string;
    name: string | null;
    first_seen: number | null;
    last_seen: number | null;
  }[];
  return new Map(rows.map((r) => [r.client_ip, {
    clientIp: r.client_ip,
    name: r.name,
    firstSeenSec: r.first_seen,
    lastSeenSec: r.last_seen,
  }]));
}

/**
 * Saved `/traffic` samples with `ts` in [fromSec, toSec), oldest first, one per second. The monitor's unsaved
 * ones are its recentSamples(): callers that need the newest seconds merge those (web/api/monitoring_json.ts).
 */
export function clashSamples(store: Store, fromSec: number, toSec: number): ClashSample[] {
  const rows = store.read(
    "proxy-core samples",
    (db) =>
      db.prepare("SELECT ts, up_bytes, down_bytes FROM clash_samples WHERE ts >= ? AND ts < ? ORDER BY ts")
        .all(fromSec, toSec),
  ) as { ts: number; up_bytes: number; down_bytes: number }[];
  return rows.map((r) => ({ tsSec: r.ts, upBytes: r.up_bytes, downBytes: r.down_bytes }));
}

type GroupRow = { key: string; up: number; down: number; n: number };

function groupBy(
  store: Store,
  pending: ClashPendingSource,
  query: ClashGroupQuery,
  column: "resource" | "chain",
): ClashGroupTotals[] {
  const byClient = query.clientIp === null ? "" : "AND client_ip = ?";
  const params = query.clientIp === null
    ? [query.fromSec, query.toSec]
    : [query.fromSec, query.toSec, query.clientIp];
  const stored = store.read(`proxy-client ${column} totals`, (db) =>
    db.prepare(
      `SELECT ${column} AS key, sum(up_bytes) AS up, sum(down_bytes) AS down, sum(connections) AS n
       FROM clash_usage WHERE bucket_start >= ? AND bucket_start < ? ${byClient} GROUP BY ${column}`,
    ).all(...params)) as GroupRow[];
  return mergeGroups(stored, inRange(pending.pendingUsage(), query), (r) => r[column]);
}

function mergeGroups(
  stored: readonly GroupRow[],
  pending: readonly ClashUsageRow[],
  keyOf: (r: ClashUsageRow) => string,
): ClashGroupTotals[] {
  const totals = new Map<string, { upBytes: number; downBytes: number; connections: number }>();
  const add = (key: string, up: number, down: number, n: number) => {
    const t = totals.get(key);
    if (t) {
      t.upBytes += up;
      t.downBytes += down;
      t.connections += n;
    } else totals.set(key, { upBytes: up, downBytes: down, connections: n });
  };
  for (const r of stored) add(r.key, r.up, r.down, r.n);
  for (const r of pending) add(keyOf(r), r.upBytes, r.downBytes, r.newConnections);
  return [...totals].map(([key, t]) => ({ key, ...t }))
    .sort((a, b) => (b.upBytes + b.downBytes) - (a.upBytes + a.downBytes) || (a.key < b.key ? -1 : 1));
}

function inRange(rows: readonly ClashUsageRow[], q: ClashGroupQuery): ClashUsageRow[] {
  return rows.filter((r) =>
    r.bucketStartSec >= q.fromSec && r.bucketStartSec < q.toSec &&
    (q.clientIp === null || r.clientIp === q.clientIp)
  );
}

function toRow(r: { bucketStartSec: number; upBytes: number; downBytes: number }): Row {
  return { t: r.bucketStartSec, up: r.upBytes, down: r.downBytes };
}
