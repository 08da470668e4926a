/**
 * The UTC hours that an import of another tool's hourly totals (NetTraffic-Sentinel's `traffic_hourly`) has put
 * into the traffic history, per source. They are written in the same transaction as that traffic
 * (TrafficLedger.recordImport), so importing the same file again, or a newer copy of it, adds only hours not
 * imported before. The schema is in interface_totals_migrations.ts (v8).
 */
import type { DatabaseSync } from "node:sqlite";
import type { Store } from "./db.ts";

/** Hours a save marks as imported from `source`. */
export interface ImportedHoursMark {
  readonly kind: "hours";
  /** The tool the hours came from, e.g. "sentinel". */
  readonly source: string;
  /** UTC seconds, multiples of 3600. */
  readonly hourStartSecs: readonly number[];
}

/** Inserts the marks (call inside the save's transaction); an hour marked before fails the save. */
export function writeImportedHours(db: DatabaseSync, mark: ImportedHoursMark): void {
  const insert = db.prepare("INSERT INTO imported_hours (source, hour_start) VALUES (?, ?)");
  for (const hourStartSec of mark.hourStartSecs) insert.run(mark.source, hourStartSec);
}

/** The UTC hour starts already imported from `source`. */
export function importedHourStarts(store: Store, source: string): Set<number> {
  const rows = store.db.prepare("SELECT hour_start FROM imported_hours WHERE source = ?").all(source) as {
    hour_start: number;
  }[];
  return new Set(rows.map((r) => r.hour_start));
}
