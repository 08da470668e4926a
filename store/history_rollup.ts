/**
 * Sealing of the day and month history tables (docs/history-storage.md "Sealing"): once a span is over, per
 * span and outer key only the K heaviest rows are kept and every other row is added into the id-0 row
 * (`remote_id = 0`, `service_id = 0`) of the same span and outer key, so the sums of every span and outer
 * key are unchanged to the byte and the packet. A month's rows are made when it is sealed, from the day rows
 * that start in it. Also the clean-up of `remote_ips` entries no row references any more.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { inTransaction, type Store } from "./db.ts";
import { SpanCalendar } from "./history_spans.ts";

/** A table sealed to its K heaviest rows per span and outer key. */
export interface SealedTable {
  readonly name: string;
  /** Columns between the span and the ranked id (device_id), or none. */
  readonly outer: readonly string[];
  /** The ranked id column, whose id 0 is the exact remainder. */
  readonly id: "remote_id" | "service_id";
  /** Rows kept per span and outer key, besides the remainder. */
  readonly keep: number;
  readonly span: "day" | "month";
  /**
   * For a month table: the day table its rows are summed from when the month is sealed. The flush writes
   * only day rows: month rows of the running month would hold every key of the month until it ends, the
   * largest and most churned pages of a busy year (history_query_bench), and no query reads them.
   */
  readonly source?: string;
}

/**
 * Every sealed table, with K chosen for the size budget of tests/bench/store_size_bench.ts. Services keep at
 * least MAX_SERVICES_LIMIT (web/api/service_routes.ts, 1,000) per span and device, so a sealed day still
 * answers the longest list the API gives.
 */
export const SEALED_TABLES: readonly SealedTable[] = [
  { name: "remote_days", outer: [], id: "remote_id", keep: 1000, span: "day" },
  { name: "remote_months", outer: [], id: "remote_id", keep: 2000, span: "month", source: "remote_days" },
  { name: "device_remote_days", outer: ["device_id"], id: "remote_id", keep: 25, span: "day" },
  {
    name: "device_remote_months",
    outer: ["device_id"],
    id: "remote_id",
    keep: 100,
    span: "month",
    source: "device_remote_days",
  },
  { name: "service_days", outer: [], id: "service_id", keep: 1000, span: "day" },
  { name: "service_months", outer: [], id: "service_id", keep: 2000, span: "month", source: "service_days" },
  { name: "device_service_days", outer: ["device_id"], id: "service_id", keep: 1000, span: "day" },
];

/** The store_meta key holding the first span of `table` not yet sealed. */
export function sealMarkOf(table: string): string {
  return `${table}_sealed_until`;
}

/**
 * Lowers seal marks behind a write, so that the next retention pass seals those spans again: the mark of the
 * day table written and the marks of the month tables made from it (SEALED_TABLES `source`), whose months
 * are then made again. The writers call it inside their flush transaction.
 */
export class SealMarks {
  readonly #lower: StatementSync;
  readonly #calendar: SpanCalendar;

  constructor(db: DatabaseSync, calendar: SpanCalendar) {
    this.#lower = db.prepare("UPDATE store_meta SET value = min(value, ?) WHERE key = ?");
    this.#calendar = calendar;
  }

  /** Day rows of `dayTable` were written from `oldestSec` on. */
  lowerBehind(dayTable: string, oldestSec: number): void {
    this.#lower.run(this.#calendar.dayStartOf(oldestSec), sealMarkOf(dayTable));
    for (const table of SEALED_TABLES) {
      if (table.source === dayTable) {
        this.#lower.run(this.#calendar.monthStartOf(oldestSec), sealMarkOf(table.name));
      }
    }
  }
}

/** The first month span of `table` (remote_months by default) not sealed yet (0 when none is). */
export function sealedMonthsUntil(db: DatabaseSync, table = "remote_months"): number {
  const row = db.prepare("SELECT value FROM store_meta WHERE key = ?").get(sealMarkOf(table)) as
    | { value: number }
    | undefined;
  return row?.value ?? 0;
}

/**
 * Seals the spans of `table` that ended before `nowSec` in `timeZone`, from its mark on, at most `maxSpans`
 * of them, each in its own transaction with the mark. Returns rows folded and whether it reached the end.
 */
export function sealSpans(
  store: Store,
  table: SealedTable,
  options: { readonly nowSec: number; readonly timeZone: string; readonly maxSpans: number },
): { readonly rowsFolded: number; readonly isComplete: boolean } {
  const db = store.db;
  const calendar = new SpanCalendar(options.timeZone);
  const limitSec = table.span === "day"
    ? calendar.dayStartOf(options.nowSec)
    : calendar.monthStartOf(options.nowSec);
  const mark = sealMarkOf(table.name);
  const fromSec =
    (db.prepare("SELECT value FROM store_meta WHERE key = ?").get(mark) as { value: number } | undefined)
      ?.value ?? -Infinity;
  const spans = table.source === undefined
    ? db.prepare(
      `SELECT DISTINCT span_start AS s FROM ${table.name} WHERE span_start >= ? AND span_start < ?
       ORDER BY span_start LIMIT ?`,
    ).all(fromSec, limitSec, options.maxSpans + 1) as { s: number }[]
    : monthsOfDays(db, table.source, calendar, fromSec, limitSec, options.maxSpans + 1);
  const setMark = db.prepare("INSERT OR REPLACE INTO store_meta (key, value) VALUES (?, ?)");
  let rowsFolded = 0;
  const isComplete = spans.length <= options.maxSpans;
  for (const [i, { s }] of spans.slice(0, options.maxSpans).entries()) {
    inTransaction(db, () => {
      if (table.source !== undefined) buildMonthRows(db, table, s, nextMonthStart(calendar, s));
      rowsFolded += sealSpan(db, table, s);
      setMark.run(mark, spans[i + 1]?.s ?? limitSec);
    });
  }
  if (spans.length === 0 && fromSec < limitSec) setMark.run(mark, limitSec);
  return { rowsFolded, isComplete };
}

/** The months (starts, ascending, at most `limit`) in which day rows of `dayTable` in [fromSec, toSec) start. */
function monthsOfDays(
  db: DatabaseSync,
  dayTable: string,
  calendar: SpanCalendar,
  fromSec: number,
  toSec: number,
  limit: number,
): { s: number }[] {
  const days = db.prepare(
    `SELECT DISTINCT span_start AS s FROM ${dayTable} WHERE span_start >= ? AND span_start < ? ORDER BY 1`,
  ).all(fromSec, toSec) as { s: number }[];
  const months: { s: number }[] = [];
  for (const { s } of days) {
    const month = calendar.monthStartOf(s);
    if (months.at(-1)?.s !== month) months.push({ s: month });
    if (months.length > limit) break;
  }
  return months.slice(0, limit);
}

/** The local month after the one that starts at `monthStartSec` (months are under 32 days). */
function nextMonthStart(calendar: SpanCalendar, monthStartSec: number): number {
  return calendar.monthStartOf(monthStartSec + 32 * 86_400);
}

/**
 * Replaces the rows of month table `table` at `monthStartSec` by the sums of its source's day rows that start
 * in [monthStartSec, monthEndSec), per outer key and id: a month counts the day rows starting in it, as
 * every range does (planSpans), so a TZ change regroups at most one day at its edges. Made again whenever the
 * month is sealed again (a late write lowered its mark), so it never counts a day twice.
 */
export function buildMonthRows(
  db: DatabaseSync,
  table: SealedTable,
  monthStartSec: number,
  monthEndSec: number,
): void {
  const keys = [...table.outer, table.id].join(", ");
  const sums = ["up_bytes", "down_bytes", "up_packets", "down_packets"];
  db.prepare(`DELETE FROM ${table.name} WHERE span_start = ?`).run(monthStartSec);
  db.prepare(
    `INSERT INTO ${table.name} (span_start, ${keys}, ${sums.join(", ")})
     SELECT ?1, ${keys}, ${sums.map((c) => `sum(${c})`).join(", ")} FROM ${table.source}
     WHERE span_start >= ?1 AND span_start < ?2 GROUP BY ${keys}`,
  ).run(monthStartSec, monthEndSec);
}

/** Folds the rows of span `spanStart` past the K heaviest per outer key into its remainder; returns rows removed. */
export function sealSpan(db: DatabaseSync, table: SealedTable, spanStart: number): number {
  const outer = table.outer.length > 0 ? table.outer[0] : "0";
  const id = table.id;
  const sums = ["up_bytes", "down_bytes", "up_packets", "down_packets"];
  // Keyed, so that the join and the delete below probe it (unkeyed, sealing a month of 50 devices was
  // quadratic: tests/bench/history_query_bench.ts).
  db.exec(`CREATE TEMP TABLE IF NOT EXISTS fold_keys (
    o INTEGER NOT NULL, k INTEGER NOT NULL, PRIMARY KEY (o, k)) WITHOUT ROWID`);
  db.exec("DELETE FROM temp.fold_keys");
  db.prepare(
    `INSERT INTO temp.fold_keys (o, k)
     SELECT o, ${id} FROM (
       SELECT ${outer} AS o, ${id},
         row_number() OVER (PARTITION BY ${outer} ORDER BY up_bytes + down_bytes DESC, ${id}) AS rank
       FROM ${table.name} WHERE span_start = ? AND ${id} != 0)
     WHERE rank > ?`,
  ).run(spanStart, table.keep);
  const outerKey = table.outer.length > 0 ? `${outer}, ` : "";
  const join = table.outer.length > 0 ? `t.${outer} = f.o AND ` : "";
  db.prepare(
    `INSERT INTO ${table.name} (span_start, ${outerKey}${id}, ${sums.join(", ")})
     SELECT ?1, ${table.outer.length > 0 ? `t.${outer}, ` : ""}0, ${sums.map((c) => `sum(t.${c})`).join(", ")}
     FROM ${table.name} t JOIN temp.fold_keys f ON ${join}t.${id} = f.k
     WHERE t.span_start = ?1 ${table.outer.length > 0 ? `GROUP BY t.${outer}` : "HAVING count(*) > 0"}
     ON CONFLICT DO UPDATE SET ${sums.map((c) => `${c} = ${c} + excluded.${c}`).join(", ")}`,
  ).run(spanStart);
  const deleted = db.prepare(
    `DELETE FROM ${table.name} WHERE span_start = ? AND ${id} != 0 AND (${outer}, ${id}) IN
     (SELECT o, k FROM temp.fold_keys)`,
  ).run(spanStart).changes;
  db.exec("DELETE FROM temp.fold_keys");
  return Number(deleted);
}

/**
 * Deletes the `remote_ips` entries (id 0 kept) that no history row references: last used before
 * `fineFromSec`, before which every 15-minute row is already deleted, and in no day or month row nor in a
 * remote host name (`remote_host_days`, which keys by the id too). Returns
 * the entries deleted.
 */
export function pruneRemoteIps(store: Store, fineFromSec: number): number {
  return inTransaction(store.db, () =>
    Number(
      store.db.prepare(
        `DELETE FROM remote_ips WHERE id != 0 AND last_used < ?
         AND id NOT IN (SELECT remote_id FROM remote_days) AND id NOT IN (SELECT remote_id FROM remote_months)
         AND id NOT IN (SELECT remote_id FROM device_remote_days)
         AND id NOT IN (SELECT remote_id FROM device_remote_months)
         AND id NOT IN (SELECT remote_id FROM remote_host_days)`,
      ).run(fineFromSec).changes,
    ));
}
