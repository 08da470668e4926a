/**
 * Imported interface totals (vnStat, `--import-vnstat`): bytes received and sent by a whole interface, LAN
 * traffic included, kept apart from counted public traffic. One row per span the source kept (5 minutes, an
 * hour, a local day or month), keyed by interface name; the spans of one interface never overlap, so a second
 * import of the same or an overlapping history adds only spans not stored before. Schema in
 * interface_totals_migrations.ts (v8).
 */
import { inTransaction, type Store } from "./db.ts";

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
