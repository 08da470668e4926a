/**
 * v5, compact history (issue 17; docs/history-storage.md): remote addresses move into the dictionary
 * `remote_ips` (id 0 = the exact remainder `other`), and every remote delta is kept three ways, each
 * `(span, ids…)`-keyed and WITHOUT ROWID: 15-minute rows (`remote_traffic`, kept RETENTION_REMOTE_DAYS), local
 * day rows (`remote_days`) and local month rows (`remote_months`), the latter two sealed to the heaviest K
 * plus the remainder once their span is over (store/history_rollup.ts). Per-device remotes (issue 14 item 3)
 * live in `device_remote_days` and `device_remote_months`: per span and device, its remote rows plus its
 * `remote_id = 0` row equal its `device_traffic` rows.
 *
 * The SQL renames the old table; `rewriteHistory` moves its rows, in the zone given to openStore, in the same
 * transaction (an interrupted migration leaves the v4 file as it was).
 */
import type { DatabaseSync } from "node:sqlite";
import type { MigrationContext } from "./migration.ts";
import { SpanCalendar } from "./history_spans.ts";

/** Sums of every history row: 64-bit integers. */
const SUMS = `
  up_bytes INTEGER NOT NULL,
  down_bytes INTEGER NOT NULL,
  up_packets INTEGER NOT NULL,
  down_packets INTEGER NOT NULL`;

/** v5 schema; the rows of `remote_traffic_v4` are moved and the table dropped by rewriteHistory. */
export const HISTORY_SQL = `
ALTER TABLE remote_traffic RENAME TO remote_traffic_v4;

CREATE TABLE remote_ips (
  id INTEGER PRIMARY KEY,
  ip TEXT NOT NULL UNIQUE,
  last_used INTEGER NOT NULL
) STRICT;
INSERT INTO remote_ips (id, ip, last_used) VALUES (0, 'other', 0);

CREATE TABLE remote_traffic (
  bucket_start INTEGER NOT NULL,
  remote_id INTEGER NOT NULL,${SUMS},
  PRIMARY KEY (bucket_start, remote_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE remote_days (
  span_start INTEGER NOT NULL,
  remote_id INTEGER NOT NULL,${SUMS},
  PRIMARY KEY (span_start, remote_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE remote_months (
  span_start INTEGER NOT NULL,
  remote_id INTEGER NOT NULL,${SUMS},
  PRIMARY KEY (span_start, remote_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE device_remote_days (
  span_start INTEGER NOT NULL,
  device_id INTEGER NOT NULL,
  remote_id INTEGER NOT NULL,${SUMS},
  PRIMARY KEY (span_start, device_id, remote_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE device_remote_months (
  span_start INTEGER NOT NULL,
  device_id INTEGER NOT NULL,
  remote_id INTEGER NOT NULL,${SUMS},
  PRIMARY KEY (span_start, device_id, remote_id)
) STRICT, WITHOUT ROWID;
`;

/** Rows of the old table copied per statement: a progress line after each chunk on a large file. */
const CHUNK_ROWS = 500_000;
/** Files with fewer old rows than this migrate without progress lines. */
const PROGRESS_MIN_ROWS = 1_000_000;
const SUM_COLUMNS = "sum(up_bytes), sum(down_bytes), sum(up_packets), sum(down_packets)";

/**
 * Moves the v4 per-remote rows to compact keys and fills the day and month tables, remote and per-device,
 * from the 15-minute (and rolled) rows. Work is a fixed number of passes over the old rows, in chunks of
 * bucket order, each a single INSERT … SELECT; a file over PROGRESS_MIN_ROWS logs one line per chunk.
 */
export function rewriteHistory(db: DatabaseSync, context: MigrationContext): void {
  const total = (db.prepare("SELECT count(*) AS n FROM remote_traffic_v4").get() as { n: number }).n;
  const isLarge = total >= PROGRESS_MIN_ROWS;
  if (isLarge) context.log(`Migrating ${total} per-remote rows to compact keys (schema v5)`);
  db.exec(`
    INSERT INTO remote_ips (ip, last_used)
    SELECT remote_ip, max(bucket_start) FROM remote_traffic_v4 WHERE remote_ip != 'other' GROUP BY remote_ip`);
  fillBucketSpans(db, context.timeZone);
  const copy = db.prepare(`
    INSERT INTO remote_traffic (bucket_start, remote_id, up_bytes, down_bytes, up_packets, down_packets)
    SELECT r.bucket_start, i.id, r.up_bytes, r.down_bytes, r.up_packets, r.down_packets
    FROM remote_traffic_v4 r JOIN remote_ips i ON i.ip = r.remote_ip
    WHERE r.bucket_start >= ? AND r.bucket_start < ?`);
  let copied = 0;
  for (const [fromSec, toSec, rows] of chunks(db)) {
    copy.run(fromSec, toSec);
    copied += rows;
    if (isLarge) {
      context.log(
        `Migrating per-remote rows: ${Math.round((copied / total) * 100)}% (${copied} of ${total})`,
      );
    }
  }
  db.exec("DROP TABLE remote_traffic_v4");
  // The sums below take about as long as the copy (5 M rows: 9 s of 17): say so, so the log never stalls.
  if (isLarge) context.log("Migrating: summing the per-remote rows per local day and month");
  for (const [table, span] of [["remote_days", "day_start"], ["remote_months", "month_start"]]) {
    db.exec(`
      INSERT INTO ${table} (span_start, remote_id, up_bytes, down_bytes, up_packets, down_packets)
      SELECT s.${span}, r.remote_id, ${SUM_COLUMNS}
      FROM remote_traffic r JOIN temp.bucket_spans s USING (bucket_start) GROUP BY 1, 2`);
  }
  // Before v5 no remote was counted per device: each device's traffic is its remainder (remote_id 0).
  for (
    const [table, span] of [["device_remote_days", "day_start"], ["device_remote_months", "month_start"]]
  ) {
    db.exec(`
      INSERT INTO ${table} (span_start, device_id, remote_id, up_bytes, down_bytes, up_packets, down_packets)
      SELECT s.${span}, d.device_id, 0, ${SUM_COLUMNS}
      FROM device_traffic d JOIN temp.bucket_spans s USING (bucket_start) GROUP BY 1, 2`);
  }
  db.exec("DROP TABLE temp.bucket_spans");
  if (isLarge) context.log(`Migrated ${total} per-remote rows to compact keys`);
}

/** temp.bucket_spans: the local day and month start of every bucket start in the per-remote and device rows. */
function fillBucketSpans(db: DatabaseSync, timeZone: string): void {
  db.exec(`CREATE TEMP TABLE bucket_spans (
    bucket_start INTEGER PRIMARY KEY, day_start INTEGER NOT NULL, month_start INTEGER NOT NULL)`);
  const starts = db.prepare(
    "SELECT DISTINCT bucket_start AS s FROM remote_traffic_v4 UNION SELECT DISTINCT bucket_start FROM device_traffic",
  ).all() as { s: number }[];
  const calendar = new SpanCalendar(timeZone);
  const insert = db.prepare("INSERT INTO temp.bucket_spans VALUES (?, ?, ?)");
  for (const { s } of starts) insert.run(s, calendar.dayStartOf(s), calendar.monthStartOf(s));
}

/** [from, to, rows] ranges of bucket starts holding about CHUNK_ROWS old rows each, oldest first. */
function chunks(db: DatabaseSync): [number, number, number][] {
  const perBucket = db.prepare(
    "SELECT bucket_start AS s, count(*) AS n FROM remote_traffic_v4 GROUP BY bucket_start ORDER BY bucket_start",
  ).all() as { s: number; n: number }[];
  const result: [number, number, number][] = [];
  let from = -Infinity;
  let rows = 0;
  for (const { s, n } of perBucket) {
    if (rows >= CHUNK_ROWS) {
      result.push([from, s, rows]);
      from = s;
      rows = 0;
    }
    rows += n;
  }
  if (rows > 0) result.push([from, Infinity, rows]);
  return result;
}
