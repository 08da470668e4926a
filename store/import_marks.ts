/**
 * What an import commits beside its traffic, in the same transaction (TrafficLedger.recordImport): a capture
 * file's marker (imported_files.ts) or the hours of another tool's history (imported_hours.ts).
 */
import type { DatabaseSync } from "node:sqlite";
import { type CaptureFileMark, writeCaptureFileMark } from "./imported_files.ts";
import { type ImportedHoursMark, writeImportedHours } from "./imported_hours.ts";

/** One import's marker. */
export type ImportMark = CaptureFileMark | ImportedHoursMark;

/** Writes `mark`; call inside the save's transaction. Throws when the mark conflicts with a stored one. */
export function writeImportMark(db: DatabaseSync, mark: ImportMark): void {
  if (mark.kind === "capture_file") writeCaptureFileMark(db, mark);
  else writeImportedHours(db, mark);
}
