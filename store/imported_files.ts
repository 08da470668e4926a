/**
 * Capture files already imported with `--pcap`, keyed by the SHA-256 of their bytes. The marker is written in
 * the same transaction as the file's traffic (TrafficLedger.recordImport), so a file is counted exactly once:
 * a crash before the commit leaves neither, and a second import of the same bytes is refused. The table's
 * schema is in imported_files_migrations.ts.
 */
import type { Store } from "./db.ts";

/** One imported capture file. */
export interface ImportedFile {
  /** Lowercase hex SHA-256 of the whole file. */
  readonly sha256: string;
  readonly path: string;
  /** UTC seconds of the import. */
  readonly importedSec: number;
  readonly frames: number;
}

/** Inserts a marker; a second insert of the same hash fails with a constraint error. */
export const INSERT_IMPORTED_FILE_SQL =
  "INSERT INTO imported_files (sha256, path, imported_at, frames) VALUES (?, ?, ?, ?)";

/** The earlier import of the file with this hash, or null. */
export function findImportedFile(store: Store, sha256: string): ImportedFile | null {
  const row = store.db.prepare(
    "SELECT sha256, path, imported_at, frames FROM imported_files WHERE sha256 = ?",
  )
    .get(sha256) as { sha256: string; path: string; imported_at: number; frames: number } | undefined;
  if (row === undefined) return null;
  return { sha256: row.sha256, path: row.path, importedSec: row.imported_at, frames: row.frames };
}
