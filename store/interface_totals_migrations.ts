/**
 * v8, imports (issue 17 items 3-5): what `--pcap`, `--import-sentinel` and `--import-vnstat` need to count each
 * imported byte exactly once. Appended to MIGRATIONS in store/migrations.ts; its own file for the same reason as
 * imported_files_migrations.ts (no import cycle through db.ts). docs/imports.md explains the rules.
 *
 * - `imported_files.is_complete`: a capture file is now saved as it is read, so its marker says how many frames
 *   are already counted (`frames`) and whether the file was read to its end. Earlier markers were complete.
 * - `imported_hours`: the UTC hours an import of hourly totals (NetTraffic-Sentinel's `traffic_hourly`) already
 *   put into `traffic`, written in the same transaction, so a second import of the same or a newer copy of the
 *   file adds only the hours not seen before.
 * - `interface_totals`: vnStat's interface totals, LAN traffic included, kept apart from counted public
 *   traffic. One row per span vnStat kept (5 minutes, an hour, a local day or month), keyed by the interface
 *   name; spans of one interface never overlap (the importer skips a span that overlaps a stored one).
 */

/** v8: resumable capture imports, imported hours, imported interface totals. */
export const INTERFACE_TOTALS_SQL = `
ALTER TABLE imported_files ADD COLUMN is_complete INTEGER NOT NULL DEFAULT 1 CHECK (is_complete IN (0, 1));

CREATE TABLE imported_hours (
  source TEXT NOT NULL,
  hour_start INTEGER NOT NULL,
  PRIMARY KEY (source, hour_start)
) STRICT, WITHOUT ROWID;

CREATE TABLE interface_totals (
  interface TEXT NOT NULL,
  span_start INTEGER NOT NULL,
  span_sec INTEGER NOT NULL CHECK (span_sec > 0),
  rx_bytes INTEGER NOT NULL CHECK (rx_bytes >= 0),
  tx_bytes INTEGER NOT NULL CHECK (tx_bytes >= 0),
  PRIMARY KEY (interface, span_start)
) STRICT, WITHOUT ROWID;
`;
