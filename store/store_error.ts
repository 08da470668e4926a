/**
 * StoreError, the one database failure callers handle, and the mapping of SQLite's messages to its kinds
 * (locked → retry, full/readonly → keep counting in memory, corrupt → refuse to start, busy → answer 503).
 * Its own module so that store/read_pool.ts can throw it while store/db.ts builds the pool (no cycle).
 */

/** Why a store operation failed, as far as a caller can act on it. */
export type StoreErrorKind = "locked" | "full" | "readonly" | "corrupt" | "io" | "unsupported" | "busy";

/** What a StoreError may carry besides its cause. */
export interface StoreErrorOptions extends ErrorOptions {
  /** Seconds after which the same request may succeed (kind "busy": every reader is taken). */
  readonly retryAfterSec?: number;
}

/** A database failure someone handles; `kind` says which, the message says what to do. */
export class StoreError extends Error {
  /** Seconds to wait before asking again, when that is known; the API sends it as Retry-After. */
  readonly retryAfterSec: number | null;
  constructor(readonly kind: StoreErrorKind, message: string, options?: StoreErrorOptions) {
    super(message, options);
    this.name = "StoreError";
    this.retryAfterSec = options?.retryAfterSec ?? null;
  }
}

const KIND_PATTERNS: readonly [RegExp, StoreErrorKind, string][] = [
  [/database (table )?is locked|SQLITE_BUSY/i, "locked", "another process holds the write lock"],
  [/database or disk is full|no space left|SQLITE_FULL/i, "full", "the disk is full: free some space"],
  [
    /readonly database|read-only|unable to open database|permission denied|SQLITE_READONLY|SQLITE_CANTOPEN/i,
    "readonly",
    "the database or its directory is not writable: check permissions and mount options",
  ],
  [/malformed|not a database|SQLITE_CORRUPT|SQLITE_NOTADB/i, "corrupt", "the file is damaged"],
  [/disk I\/O error|SQLITE_IOERR/i, "io", "the disk reported an I/O error"],
];

/**
 * Wraps a failure of `action` (e.g. `save traffic to "x.db"`) in a StoreError of the matching kind.
 * node:sqlite exposes only the SQLite message text, so the kind is read from it. Errors that are not disk
 * or lock conditions (SQL mistakes) are returned unchanged: they are bugs, not conditions to handle.
 */
export function toStoreError(e: unknown, action: string): StoreError | Error {
  if (e instanceof StoreError) return e;
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof Deno.errors.PermissionDenied) {
    return new StoreError("readonly", `Cannot ${action}: ${message}`, { cause: e });
  }
  for (const [pattern, kind, advice] of KIND_PATTERNS) {
    if (pattern.test(message)) {
      return new StoreError(kind, `Cannot ${action}: ${advice} (${message})`, { cause: e });
    }
  }
  return e instanceof Error ? e : new Error(message);
}
