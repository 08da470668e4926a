/**
 * Opening the one SQLite file: integrity check, WAL, migrations, and the Store that holds the connection and
 * the pool of reader Workers over the same file.
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { dirname } from "node:path";
import type { Migration, MigrationContext } from "./migration.ts";
import { MIGRATIONS } from "./migrations.ts";
import { ReadPool } from "./read_pool.ts";
import { StoreError, toStoreError } from "./store_error.ts";

export { StoreError, type StoreErrorKind, type StoreErrorOptions, toStoreError } from "./store_error.ts";

/** Milliseconds SQLite itself waits for another writer before failing with "database is locked". */
export const BUSY_TIMEOUT_MS = 250;

/** What openStore needs besides the path. */
export interface OpenStoreOptions {
  /** One line per event worth a log entry. */
  readonly log: (line: string) => void;
  /** The schema to reach; tests pass a prefix of MIGRATIONS to build older files. */
  readonly migrations?: readonly Migration[];
  /**
   * The IANA zone of the day and month spans written to this file (config.ts TZ; docs/history-storage.md);
   * default the system's zone, as TZ's.
   */
  readonly timeZone?: string;
}

/** An open database file. Close it once with `close()` (idempotent) or `using`. */
export class Store {
  #isClosed = false;
  #readPool: ReadPool | null = null;
  #totalChanges: StatementSync | null = null;
  constructor(
    readonly db: DatabaseSync,
    readonly path: string,
    readonly log: (line: string) => void,
    /** The zone of the day and month spans (OpenStoreOptions.timeZone). */
    readonly timeZone: string = systemTimeZone(),
  ) {}

  /** The bounded pool of reader Workers for long scans of this file; its Workers start on first use. */
  get readPool(): ReadPool {
    return this.#readPool ??= new ReadPool({
      path: this.path,
      changeCount: () => {
        this.#totalChanges ??= this.db.prepare("SELECT total_changes() AS n");
        return (this.#totalChanges.get() as { n: number }).n;
      },
    });
  }

  /**
   * Runs the read query `query` on this thread and throws its SQLite failure (damaged file, I/O error) as
   * the StoreError of reading `what` (e.g. "traffic by period"), so the API answers 503, not 500.
   */
  read<T>(what: string, query: (db: DatabaseSync) => T): T {
    try {
      return query(this.db);
    } catch (e) {
      throw toStoreError(e, `read ${what} from "${this.path}"`);
    }
  }

  /** Ends the reader Workers and closes the connection; later calls do nothing. */
  close(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    // Made if it never was, so that reads after close are refused as "busy" instead of starting Workers.
    this.readPool.close();
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
  const timeZone = options.timeZone ?? systemTimeZone();
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
    migrate(db, options.migrations ?? MIGRATIONS, path, { timeZone, log: options.log });
  } catch (e) {
    db.close();
    throw e instanceof StoreError ? e : toStoreError(e, action);
  }
  return new Store(db, path, options.log, timeZone);
}

function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone ?? "UTC";
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

function migrate(
  db: DatabaseSync,
  migrations: readonly Migration[],
  path: string,
  context: MigrationContext,
): void {
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
        migration.rewrite?.(db, context);
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
