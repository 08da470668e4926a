/**
 * Opening the one SQLite file: integrity check, WAL, migrations, and the mapping of SQLite failures to
 * StoreError kinds that callers handle (locked → retry, full/readonly → keep counting in memory, corrupt →
 * refuse to start).
 */
import { DatabaseSync } from "node:sqlite";
import { dirname } from "node:path";
import { type Migration, MIGRATIONS } from "./migrations.ts";

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

/** Milliseconds SQLite itself waits for another writer before failing with "database is locked". */
export const BUSY_TIMEOUT_MS = 250;

/** What openStore needs besides the path. */
export interface OpenStoreOptions {
  /** One line per event worth a log entry. */
  readonly log: (line: string) => void;
  /** The schema to reach; tests pass a prefix of MIGRATIONS to build older files. */
  readonly migrations?: readonly Migration[];
}

/** An open database file. Close it once with `close()` (idempotent) or `using`. */
export class Store {
  #isClosed = false;
  constructor(readonly db: DatabaseSync, readonly path: string, readonly log: (line: string) => void) {}

  /** Closes the connection; later calls do nothing. */
  close(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.db.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * Opens (creating when missing) the database at `path`, checks its integrity, turns on WAL and applies the
 * pending migrations. Throws StoreError: "corrupt" when the file is damaged or not a database (it is never
 * replaced by an empty one), "unsupported" when it was written by a newer netledger, or the kind of the
 * disk failure.
 */
export function openStore(path: string, options: OpenStoreOptions): Store {
  const action = `open database "${path}"`;
  let db: DatabaseSync;
  try {
    if (path !== ":memory:") Deno.mkdirSync(dirname(path), { recursive: true });
    db = new DatabaseSync(path);
  } catch (e) {
    throw toStoreError(e, action);
  }
  try {
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    checkIntegrity(db, path);
    // WAL lets /api/backup and readers run beside the flush; NORMAL sync is safe against process crashes
    // (kill -9), which is what "lose at most one save interval" is about.
    db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY");
    migrate(db, options.migrations ?? MIGRATIONS, path);
  } catch (e) {
    db.close();
    throw e instanceof StoreError ? e : toStoreError(e, action);
  }
  return new Store(db, path, options.log);
}

/** The schema version of an open database (PRAGMA user_version). */
export function schemaVersion(db: DatabaseSync): number {
  const row = db.prepare("PRAGMA user_version").get() as { user_version: number };
  return row.user_version;
}

function checkIntegrity(db: DatabaseSync, path: string): void {
  let result: string;
  try {
    const rows = db.prepare("PRAGMA quick_check(1)").all() as { quick_check: string }[];
    result = rows.map((r) => r.quick_check).join("; ");
  } catch (e) {
    const error = toStoreError(e, `check database "${path}"`);
    if (!(error instanceof StoreError) || error.kind !== "corrupt") throw error;
    result = (e as Error).message;
  }
  if (result !== "ok") {
    throw new StoreError(
      "corrupt",
      `Cannot open database "${path}": the file is damaged or not a netledger database (${result}): ` +
        `netledger will not start empty over it; move the file away and restore a backup from /api/backup`,
    );
  }
}

function migrate(db: DatabaseSync, migrations: readonly Migration[], path: string): void {
  const current = schemaVersion(db);
  if (current > migrations.length) {
    throw new StoreError(
      "unsupported",
      `Cannot open database "${path}": it has schema version ${current}, this netledger knows up to ` +
        `${migrations.length}: run a newer netledger or restore an older backup`,
    );
  }
  for (const migration of migrations.slice(current)) {
    try {
      inTransaction(db, () => {
        db.exec(migration.sql);
        db.exec(`PRAGMA user_version = ${migration.version}`);
      });
    } catch (e) {
      throw toStoreError(e, `apply migration ${migration.version} ("${migration.name}") to "${path}"`);
    }
  }
}

/**
 * Runs `work` in one write transaction (BEGIN IMMEDIATE … COMMIT) and returns its result. On any failure it
 * rolls back and rethrows the error that made the transaction fail.
 */
export function inTransaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = work();
    db.exec("COMMIT");
    return result;
  } catch (e) {
    rollBack(db);
    throw e;
  }
}

/** Ends a failed transaction; the error that made it fail is the one worth reporting. */
function rollBack(db: DatabaseSync): void {
  if (!db.isTransaction) return;
  try {
    db.exec("ROLLBACK");
  } catch {
    // SQLite already rolled back (it does so itself after SQLITE_FULL and I/O errors).
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
