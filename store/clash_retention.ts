/**
 * Retention of the proxy-client history (CLASH_RETENTION_DAYS): 15-minute rows older than the window are
 * merged into one row per key and UTC day, split at the local midnight of the configured zone (the spans of
 * store/retention.ts), so every sum stays exact and local days and months stay exact in that zone.
 * Per-second samples are only for recent charts and are deleted after SAMPLE_RETENTION_DAYS.
 */
import { inTransaction, type Store } from "./db.ts";
import { spans } from "./retention.ts";

/** store_meta key: history before this UTC second has been rolled up. */
export const CLASH_ROLLED_MARK = "clash_rolled_until";

/** Days of per-second `/traffic` samples kept (86 400 rows a day; history holds the exact totals). */
export const SAMPLE_RETENTION_DAYS = 2;

const DAY_SEC = 86_400;

interface RolledTable {
  readonly name: string;
  readonly keys: readonly string[];
  readonly sums: readonly string[];
  /** Columns kept from one of the merged rows (`max`), not summed. */
  readonly kept: readonly string[];
}

const TABLES: readonly RolledTable[] = [
  {
    name: "clash_usage",
    keys: ["client_ip", "resource", "chain"],
    sums: ["up_bytes", "down_bytes", "connections"],
    kept: ["rule"],
  },
  {
    name: "clash_client_usage",
    keys: ["client_ip"],
    sums: ["up_bytes", "down_bytes", "connections"],
    kept: [],
  },
  { name: "clash_unattributed", keys: [], sums: ["up_bytes", "down_bytes"], kept: [] },
];

/** What one pass changed. */
export interface ClashRetentionResult {
  readonly rowsMerged: number;
  readonly samplesDeleted: number;
}

/**
 * Rolls up history older than `clashDays` (0 keeps it fine for ever) and deletes old samples, one UTC day per
 * transaction, resuming from the mark. SQLite failures are thrown; the next pass retries, nothing is lost.
 */
export function applyClashRetention(
  store: Store,
  options: { readonly clashDays: number; readonly timeZone: string; readonly nowSec: number },
): ClashRetentionResult {
  const db = store.db;
  const samplesDeleted = Number(
    db.prepare("DELETE FROM clash_samples WHERE ts < ?").run(options.nowSec - SAMPLE_RETENTION_DAYS * DAY_SEC)
      .changes,
  );
  let rowsMerged = 0;
  if (options.clashDays <= 0) return { rowsMerged, samplesDeleted };
  const cutoffSec = Math.floor((options.nowSec - options.clashDays * DAY_SEC) / DAY_SEC) * DAY_SEC;
  const mark = db.prepare("SELECT value FROM store_meta WHERE key = ?").get(CLASH_ROLLED_MARK) as
    | { value: number }
    | undefined;
  let fromSec = mark?.value ?? oldestBucketSec(store) ?? cutoffSec;
  fromSec = Math.floor(fromSec / DAY_SEC) * DAY_SEC;
  const setMark = db.prepare("INSERT OR REPLACE INTO store_meta (key, value) VALUES (?, ?)");
  while (fromSec < cutoffSec) {
    const toSec = Math.min(fromSec + DAY_SEC, cutoffSec);
    inTransaction(db, () => {
      for (const [start, end] of spans(fromSec, toSec, DAY_SEC, options.timeZone)) {
        for (const table of TABLES) rowsMerged += mergeSpan(store, table, start, end);
      }
      setMark.run(CLASH_ROLLED_MARK, toSec);
    });
    fromSec = toSec;
  }
  return { rowsMerged, samplesDeleted };
}

function oldestBucketSec(store: Store): number | null {
  const row = store.db.prepare("SELECT min(bucket_start) AS s FROM clash_client_usage").get() as {
    s: number | null;
  };
  const unattributed = store.db.prepare("SELECT min(bucket_start) AS s FROM clash_unattributed").get() as {
    s: number | null;
  };
  const starts = [row.s, unattributed.s].filter((s): s is number => s !== null);
  return starts.length > 0 ? Math.min(...starts) : null;
}

/** Merges the rows of [startSec, endSec) into one row per key at startSec; returns rows removed. */
function mergeSpan(store: Store, table: RolledTable, startSec: number, endSec: number): number {
  const db = store.db;
  const hasLater = db.prepare(
    `SELECT 1 FROM ${table.name} WHERE bucket_start > ? AND bucket_start < ? LIMIT 1`,
  )
    .get(startSec, endSec);
  if (!hasLater) return 0;
  const columns = ["bucket_start", ...table.keys, ...table.kept, ...table.sums];
  const values = [
    "? AS span_start",
    ...table.keys,
    ...table.kept.map((c) => `max(${c}) AS ${c}`),
    ...table.sums.map((c) => `sum(${c}) AS ${c}`),
  ];
  const groupKeys = table.keys.map((k) => `, ${k}`).join("");
  const merged = db.prepare(
    `SELECT ${values.join(", ")} FROM ${table.name} WHERE bucket_start >= ? AND bucket_start < ?
     GROUP BY bucket_start >= 0${groupKeys}`,
  ).all(startSec, startSec, endSec) as Record<string, string | number>[];
  const removed = Number(
    db.prepare(`DELETE FROM ${table.name} WHERE bucket_start >= ? AND bucket_start < ?`).run(startSec, endSec)
      .changes,
  );
  const insert = db.prepare(
    `INSERT INTO ${table.name} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
  );
  for (const row of merged) insert.run(row.span_start, ...columns.slice(1).map((c) => row[c]));
  return removed - merged.length;
}
