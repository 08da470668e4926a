/**
 * Capture files imported with `--pcap`, keyed by the SHA-256 of their bytes. An import saves as it reads, and
 * each save commits, in the same transaction as its traffic (TrafficLedger.recordImport), a marker with the
 * number of frames counted so far. A crash therefore leaves a marker that matches the stored traffic exactly:
 * the next import of the same bytes skips those frames and goes on, and an import read to its end refuses the
 * same bytes again. The schema is in imported_files_migrations.ts (v3) and interface_totals_migrations.ts (v8).
 */
import type { DatabaseSync } from "node:sqlite";
import type { Store } from "./db.ts";

/** One imported capture file, complete or partly counted. */
export interface ImportedFile {
  /** Lowercase hex SHA-256 of the whole file. */
  readonly sha256: string;
  readonly path: string;
  /** UTC seconds of the import (of its latest save while partial). */
  readonly importedSec: number;
  /** Frames counted: the first `frames` frames of the file are in the stored traffic. */
  readonly frames: number;
  /** True once the file was read to its end. */
  readonly isComplete: boolean;
}

/** The marker a save commits: the file's new state, and the state it replaces (null: no marker yet). */
export interface CaptureFileMark extends ImportedFile {
  readonly kind: "capture_file";
  /** Frames of the partial marker this one replaces, or null for the file's first marker. */
  readonly previousFrames: number | null;
}

/** Raised inside the save's transaction when the stored marker is not the one this import continues. */
export class ImportMarkConflictError extends Error {
  constructor(readonly mark: CaptureFileMark) {
    super(
      `Cannot save the import of "${mark.path}": another import of the same file (sha256 ` +
        `${mark.sha256.slice(0, 12)}…) saved meanwhile; run the import again to continue from where it is`,
    );
    this.name = "ImportMarkConflictError";
  }
}

/**
 * Writes a capture file's marker (call inside the save's transaction). The first marker of a file is an INSERT, which fails
 * on a marker already there; a later one replaces only the partial marker it continues, so two imports of the
 * same file at once cannot both count the same frames. Throws ImportMarkConflictError otherwise.
 */
export function writeCaptureFileMark(db: DatabaseSync, mark: CaptureFileMark): void {
  const isComplete = mark.isComplete ? 1 : 0;
  if (mark.previousFrames === null) {
    db.prepare(
      "INSERT INTO imported_files (sha256, path, imported_at, frames, is_complete) VALUES (?, ?, ?, ?, ?)",
    ).run(mark.sha256, mark.path, mark.importedSec, mark.frames, isComplete);
    return;
  }
  const { changes } = db.prepare(
    `UPDATE imported_files SET path = ?, imported_at = ?, frames = ?, is_complete = ?
     WHERE sha256 = ? AND is_complete = 0 AND frames = ?`,
  ).run(mark.path, mark.importedSec, mark.frames, isComplete, mark.sha256, mark.previousFrames);
  if (changes !== 1) throw new ImportMarkConflictError(mark);
}

/** The marker of the file with this hash (complete or partial), or null. */
export function findImportedFile(store: Store, sha256: string): ImportedFile | null {
  const row = store.db.prepare(
    "SELECT sha256, path, imported_at, frames, is_complete FROM imported_files WHERE sha256 = ?",
  ).get(sha256) as
    | { sha256: string; path: string; imported_at: number; frames: number; is_complete: number }
    | undefined;
  if (row === undefined) return null;
  return {
    sha256: row.sha256,
    path: row.path,
    importedSec: row.imported_at,
    frames: row.frames,
    isComplete: row.is_complete === 1,
  };
}
