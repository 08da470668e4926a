/**
 * Schema of the import log of `--pcap` (store/imported_files.ts reads and writes it), appended to MIGRATIONS
 * in store/migrations.ts. Its own file because migrations.ts must not import imported_files.ts, which imports
 * db.ts, which applies MIGRATIONS: that was an import cycle.
 */

/** v3: the import log. */
export const IMPORTED_FILES_SQL = `
CREATE TABLE imported_files (
  sha256 TEXT PRIMARY KEY,
  path TEXT NOT NULL,
  imported_at INTEGER NOT NULL,
  frames INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
`;
