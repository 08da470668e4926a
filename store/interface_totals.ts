/**
 * Imported interface totals (vnStat, `--import-vnstat`): bytes received and sent by a whole interface, LAN
 * traffic included, kept apart from counted public traffic. One row per span the source kept (5 minutes, an
 * hour, a local day or month), keyed by interface name; the spans of one interface never overlap, so a second
 * import of the same or an overlapping history adds only spans not stored before. Schema in
 * interface_totals_migrations.ts (v8).
 */
import { inTransaction, type Store } from "./db.ts";
import type { LocalPeriod } from "./local_periods.ts";

/** The bytes of one interface over one span. */
export interface InterfaceTotalSpan {
  /** UTC seconds. */
  readonly spanStartSec: number;
  readonly spanSec: number;
  /** Received by the interface (download, on a WAN interface). */
  readonly rxBytes: number;
  /** Sent by the interface (upload). */
  readonly txBytes: number;
}

/** What a save of imported spans did. */
export interface InterfaceTotalsSaved {
  /** The spans added. */
  readonly inserted: readonly InterfaceTotalSpan[];
  /** Spans that overlap a span of the same interface already stored: not added. */
  readonly skippedSpans: number;
}

/** The longest span stored (a 31-day month with an hour of DST), to bound the overlap search. */
const MAX_SPAN_SEC = 31 * 86_400 + 3_600;

/** Stores `spans` of interface `name` in one transaction, skipping any that overlaps a stored span. */
export function saveInterfaceTotals(
  store: Store,
  name: string,
  spans: readonly InterfaceTotalSpan[],
): InterfaceTotalsSaved {
  const db = store.db;
  const overlaps = db.prepare(
    `SELECT 1 FROM interface_totals WHERE interface = ? AND span_start > ? AND span_start < ?
       AND span_start + span_sec > ? LIMIT 1`,
  );
  const insert = db.prepare(
    "INSERT INTO interface_totals (interface, span_start, span_sec, rx_bytes, tx_bytes) VALUES (?, ?, ?, ?, ?)",
  );
  return inTransaction(db, () => {
    const inserted: InterfaceTotalSpan[] = [];
    for (const s of spans) {
      const endSec = s.spanStartSec + s.spanSec;
      if (overlaps.get(name, s.spanStartSec - MAX_SPAN_SEC, endSec, s.spanStartSec) !== undefined) continue;
      insert.run(name, s.spanStartSec, s.spanSec, s.rxBytes, s.txBytes);
      inserted.push(s);
    }
    return { inserted, skippedSpans: spans.length - inserted.length };
  });
}

/** Imported interface bytes within one local period. */
export interface PeriodInterfaceTotals {
  readonly label: string;
  readonly rxBytes: number;
  readonly txBytes: number;
}

/** Imported interface totals over a series of periods, and the interfaces they come from. */
export interface InterfaceTotalsSeries {
  readonly interfaces: readonly string[];
  readonly periods: readonly PeriodInterfaceTotals[];
}

/**
 * The imported interface totals of every interface, summed per period of `periods` (contiguous, oldest
 * first), or null when none overlaps them. A span that reaches over a period's edge (a vnStat day in an hourly
 * series) is spread in proportion to time, rounded to whole bytes.
 */
export function interfaceTotalsByPeriod(
  store: Store,
  periods: readonly LocalPeriod[],
): InterfaceTotalsSeries | null {
  if (periods.length === 0) return null;
  const fromSec = periods[0].startSec;
  const toSec = periods[periods.length - 1].endSec;
  const rows = store.db.prepare(
    `SELECT interface, span_start, span_sec, rx_bytes, tx_bytes FROM interface_totals
     WHERE span_start > ? AND span_start < ? AND span_start + span_sec > ?`,
  ).all(fromSec - MAX_SPAN_SEC, toSec, fromSec) as {
    interface: string;
    span_start: number;
    span_sec: number;
    rx_bytes: number;
    tx_bytes: number;
  }[];
  if (rows.length === 0) return null;
  const rx = new Float64Array(periods.length);
  const tx = new Float64Array(periods.length);
  for (const row of rows) {
    const endSec = row.span_start + row.span_sec;
    for (let i = firstPeriodEndingAfter(periods, row.span_start); i < periods.length; i++) {
      const p = periods[i];
      if (p.startSec >= endSec) break;
      const share = (Math.min(p.endSec, endSec) - Math.max(p.startSec, row.span_start)) / row.span_sec;
      rx[i] += Math.round(row.rx_bytes * share);
      tx[i] += Math.round(row.tx_bytes * share);
    }
  }
  return {
    interfaces: [...new Set(rows.map((r) => r.interface))].sort(),
    periods: periods.map((p, i) => ({ label: p.label, rxBytes: rx[i], txBytes: tx[i] })),
  };
}

function firstPeriodEndingAfter(periods: readonly LocalPeriod[], sec: number): number {
  let low = 0;
  let high = periods.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (periods[mid].endSec <= sec) low = mid + 1;
    else high = mid;
  }
  return low;
}
