/**
 * Retention: old detail is rolled up into coarser rows whose sums are exact, never deleted.
 *
 * - traffic and bucket_health rows older than `fineDays` become one row per UTC hour, split at the local
 *   midnight of the configured zone when one falls inside the hour (+05:30, +05:45: the hour 18:00–19:00 UTC
 *   of Asia/Kolkata becomes 18:00–18:30 and 18:30–19:00).
 * - remote_traffic rows older than `remoteDays` are deleted: the flush wrote their sums to the local day
 *   rows too (docs/history-storage.md), and remote_ips entries nothing references go with them (after
 *   sealing, below); service_traffic rows likewise (their sums are in service_days);
 *   device_traffic rows become one row per device and UTC day, split at local midnight (its own mark, so
 *   history counted before devices existed, all of it the `other` device's, is rolled from its start).
 * - day rows of ended days are sealed to their K heaviest rows plus the exact remainder, and each ended
 *   month's rows are made from its day rows and sealed alike (history_rollup.ts).
 *
 * A rolled row keeps the start of its span as `bucket_start`, and queries assign a row to the period that
 * contains its start. Trade-off: in the zone configured when the rollup ran, local days and months stay
 * exact for ever; local hours of rolled data are exact only in whole-hour zones (in +05:30 a rolled UTC hour
 * lands in the local hour where it starts). After a TZ change, rolled data regroups with an error of at most
 * one span (an hour for traffic, a day for remotes) at each period edge; fine data regroups exactly.
 * Splitting at local midnight costs at most one extra row per day and family (or per remote and day).
 */
import { inTransaction, type Store } from "./db.ts";
import { addDays, localDateOf, localDateStartSec } from "./local_periods.ts";
import { pruneRemoteIps, SEALED_TABLES, sealSpans } from "./history_rollup.ts";

/** Retention settings (Config.retention) plus the zone and clock of this pass. */
export interface RetentionOptions {
  /** Days of 15-minute traffic and health buckets; 0 keeps them for ever. */
  readonly fineDays: number;
  /** Days of 15-minute per-remote rows; 0 keeps them for ever. */
  readonly remoteDays: number;
  readonly timeZone: string;
  readonly nowSec: number;
  /**
   * Most UTC days each kind rolls up in this pass (default 31), so that catching up a long backlog (a
   * retention turned on over a year of detail) never blocks the caller for long: call again while
   * `isComplete` is false.
   */
  readonly maxDays?: number;
}

/** What one pass changed. */
export interface RetentionResult {
  /** Rows removed from the table by merging them into their span's row. */
  readonly trafficRowsMerged: number;
  readonly healthRowsMerged: number;
  readonly remoteRowsMerged: number;
  readonly deviceRowsMerged: number;
  /** Day and month rows folded into their remainder by sealing (history_rollup.ts). */
  readonly sealedRowsFolded: number;
  /** False when `maxDays` stopped the pass before the cutoff. */
  readonly isComplete: boolean;
}

const DAY_SEC = 86_400;
const HOUR_SEC = 3_600;
const TRAFFIC_MARK = "traffic_rolled_until";
const REMOTE_MARK = "remote_rolled_until";
const DEVICE_MARK = "device_rolled_until";
const DEFAULT_MAX_DAYS = 31;

/**
 * Lowers both rollup marks to the bucket given as the only parameter: run by the ledger in every flush so
 * buckets written behind a mark (an imported pcap of last year) are rolled up by the next pass.
 */
export const LOWER_ROLLUP_MARKS_SQL =
  `UPDATE store_meta SET value = min(value, ?) WHERE key IN ('${TRAFFIC_MARK}', '${REMOTE_MARK}', '${DEVICE_MARK}')`;

interface RolledTable {
  readonly name: string;
  /** Columns that identify a row besides bucket_start. */
  readonly keys: readonly string[];
  readonly sums: readonly string[];
}

const TRAFFIC: RolledTable = {
  name: "traffic",
  keys: ["family"],
  sums: ["up_bytes", "down_bytes", "up_packets", "down_packets"],
};
const HEALTH: RolledTable = {
  name: "bucket_health",
  keys: [],
  sums: ["malformed_packets", "dropped_packets"],
};
const REMOTES: RolledTable = { ...TRAFFIC, name: "remote_traffic", keys: ["remote_id"] };
const DEVICES: RolledTable = { ...TRAFFIC, name: "device_traffic", keys: ["device_id"] };
const SERVICES: RolledTable = { ...TRAFFIC, name: "service_traffic", keys: ["service_id"] };

/**
 * Rolls up everything older than the retention windows. Work resumes where the previous pass stopped, one
 * UTC day per transaction, so a pass after a year offline is as safe as a daily one. Throws StoreError
 * conditions from SQLite unchanged (the caller logs them; nothing is lost, the next pass retries).
 */
export function applyRetention(store: Store, options: RetentionOptions): RetentionResult {
  let trafficRowsMerged = 0;
  let healthRowsMerged = 0;
  let remoteRowsMerged = 0;
  let deviceRowsMerged = 0;
  let isComplete = true;
  /** The cutoff of remote_traffic when its retention is done, for the dictionary clean-up below. */
  let remoteCutoffSec: number | null = null;
  const maxDays = options.maxDays ?? DEFAULT_MAX_DAYS;
  if (options.fineDays > 0) {
    const cutoffSec = floorTo(options.nowSec - options.fineDays * DAY_SEC, HOUR_SEC);
    isComplete &&= forEachDay(
      store,
      TRAFFIC_MARK,
      [TRAFFIC, HEALTH],
      cutoffSec,
      maxDays,
      (fromSec, toSec) => {
        for (const [start, end] of spans(fromSec, toSec, HOUR_SEC, options.timeZone)) {
          trafficRowsMerged += mergeSpan(store, TRAFFIC, start, end);
          healthRowsMerged += mergeSpan(store, HEALTH, start, end);
        }
      },
    );
  }
  if (options.remoteDays > 0) {
    const cutoffSec = floorTo(options.nowSec - options.remoteDays * DAY_SEC, DAY_SEC);
    const isRemoteComplete = forEachDay(
      store,
      REMOTE_MARK,
      [REMOTES, SERVICES],
      cutoffSec,
      maxDays,
      (fromSec, toSec) => {
        // The day and month rows hold these rows' sums since their flush (remote_writer.ts,
        // service_writer.ts): delete, no merge.
        remoteRowsMerged += Number(
          store.db.prepare("DELETE FROM remote_traffic WHERE bucket_start >= ? AND bucket_start < ?")
            .run(fromSec, toSec).changes,
        );
        store.db.prepare("DELETE FROM service_traffic WHERE bucket_start >= ? AND bucket_start < ?")
          .run(fromSec, toSec);
      },
    );
    isComplete &&= isRemoteComplete;
    if (isRemoteComplete) remoteCutoffSec = cutoffSec;
    const isDeviceComplete = forEachDay(
      store,
      DEVICE_MARK,
      [DEVICES],
      cutoffSec,
      maxDays,
      (fromSec, toSec) => {
        for (const [start, end] of spans(fromSec, toSec, DAY_SEC, options.timeZone)) {
          deviceRowsMerged += mergeSpan(store, DEVICES, start, end);
        }
      },
    );
    isComplete &&= isDeviceComplete;
  }
  let sealedRowsFolded = 0;
  for (const table of SEALED_TABLES) {
    const sealed = sealSpans(store, table, {
      nowSec: options.nowSec,
      timeZone: options.timeZone,
      maxSpans: maxDays,
    });
    sealedRowsFolded += sealed.rowsFolded;
    isComplete &&= sealed.isComplete;
  }
  // After sealing: the addresses only folded rows referenced go in the same pass.
  if (remoteCutoffSec !== null && remoteRowsMerged + sealedRowsFolded > 0) {
    pruneRemoteIps(store, remoteCutoffSec);
  }
  return {
    trafficRowsMerged,
    healthRowsMerged,
    remoteRowsMerged,
    deviceRowsMerged,
    sealedRowsFolded,
    isComplete,
  };
}

/**
 * Calls `work` for each UTC day from the mark up to `cutoffSec` (at most `maxDays`), each in one
 * transaction with the mark; returns whether the cutoff was reached.
 */
function forEachDay(
  store: Store,
  mark: string,
  tables: readonly RolledTable[],
  cutoffSec: number,
  maxDays: number,
  work: (fromSec: number, toSec: number) => void,
): boolean {
  const db = store.db;
  const markRow = db.prepare("SELECT value FROM store_meta WHERE key = ?").get(mark) as
    | { value: number }
    | undefined;
  let fromSec = markRow?.value ?? oldestBucketSec(store, tables) ?? cutoffSec;
  fromSec = floorTo(fromSec, DAY_SEC);
  const setMark = db.prepare("INSERT OR REPLACE INTO store_meta (key, value) VALUES (?, ?)");
  for (let days = 0; fromSec < cutoffSec; days++) {
    if (days >= maxDays) return false;
    const toSec = Math.min(fromSec + DAY_SEC, cutoffSec);
    inTransaction(db, () => {
      work(fromSec, toSec);
      setMark.run(mark, toSec);
    });
    fromSec = toSec;
  }
  return true;
}

function oldestBucketSec(store: Store, tables: readonly RolledTable[]): number | null {
  const starts = tables.map((t) =>
    (store.db.prepare(`SELECT min(bucket_start) AS s FROM ${t.name}`).get() as { s: number | null }).s
  ).filter((s): s is number => s !== null);
  return starts.length > 0 ? Math.min(...starts) : null;
}

/** [start, end) spans covering [fromSec, toSec): multiples of `unitSec`, split at local day starts. */
export function spans(fromSec: number, toSec: number, unitSec: number, timeZone: string): [number, number][] {
  const cuts = new Set<number>();
  for (let s = floorTo(fromSec, unitSec) + unitSec; s < toSec; s += unitSec) cuts.add(s);
  for (let date = localDateOf(fromSec, timeZone);; date = addDays(date, 1)) {
    const dayStartSec = localDateStartSec(date, timeZone);
    if (dayStartSec >= toSec) break;
    if (dayStartSec > fromSec) cuts.add(dayStartSec);
  }
  const edges = [fromSec, ...[...cuts].sort((a, b) => a - b), toSec];
  return edges.slice(1).map((end, i) => [edges[i], end]);
}

/** Merges the rows of [startSec, endSec) into one row per key at startSec; returns rows removed. */
function mergeSpan(store: Store, table: RolledTable, startSec: number, endSec: number): number {
  const db = store.db;
  const hasLater = db.prepare(
    `SELECT 1 FROM ${table.name} WHERE bucket_start > ? AND bucket_start < ? LIMIT 1`,
  ).get(startSec, endSec);
  if (!hasLater) return 0;
  const keys = table.keys.map((k) => `, ${k}`).join("");
  const sums = table.sums.map((c) => `, sum(${c})`).join("");
  const groupBy = table.keys.length > 0 ? `GROUP BY ${table.keys.join(", ")}` : "";
  const columns = `bucket_start${keys}, ${table.sums.join(", ")}`;
  const temp = `temp.rollup_${table.name}`;
  db.exec(
    `CREATE TEMP TABLE IF NOT EXISTS rollup_${table.name} AS SELECT ${columns} FROM ${table.name} WHERE 0`,
  );
  db.prepare(
    `INSERT INTO ${temp} (${columns}) SELECT ?${keys}${sums} FROM ${table.name}
     WHERE bucket_start >= ? AND bucket_start < ? ${groupBy}`,
  ).run(startSec, startSec, endSec);
  const deleted = db.prepare(`DELETE FROM ${table.name} WHERE bucket_start >= ? AND bucket_start < ?`)
    .run(startSec, endSec).changes;
  const inserted = db.prepare(`INSERT INTO ${table.name} (${columns}) SELECT ${columns} FROM ${temp}`).run()
    .changes;
  db.exec(`DELETE FROM ${temp}`);
  return Number(deleted) - Number(inserted);
}

function floorTo(sec: number, unitSec: number): number {
  return Math.floor(sec / unitSec) * unitSec;
}
