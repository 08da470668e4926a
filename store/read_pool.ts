/**
 * The one bounded pool of reader Workers for the long scans of the API (top remotes of any span, the proxy
 * clients' history by hour): at most `workers` scans run at once, each on a Worker's own read-only
 * connection, and at most `maxQueued` wait; one more is refused at once with StoreError "busy" and a
 * Retry-After. Before, every /api/top_ips started its own Worker, and a burst of them grew the process by
 * hundreds of MB and stalled /api/health past the Docker healthcheck (issue 12, finding 4).
 *
 * Answers stay exact: each read opens its snapshot first, and the caller takes the unsaved deltas at a
 * moment when that snapshot holds exactly what the writing connection has committed (see `read`).
 */
import { StoreError, toStoreError } from "./store_error.ts";
import type { ReadQuery, ReadReply, ReadRequest } from "./read_worker.ts";

/** Scans that run at once: one per core of the small boxes netledger runs on leaves the event loop a share. */
export const READ_WORKERS = 2;
/** Reads that may wait for a Worker; one more gets 503 instead of growing the queue without bound. */
export const MAX_QUEUED_READS = 16;
/** Retry-After of a refused read: a scan of a year-old busy database takes seconds (store_size_bench). */
export const READ_RETRY_AFTER_SEC = 5;
/** How long a Worker's connection waits for a checkpoint that holds the WAL lock. */
const READ_BUSY_TIMEOUT_MS = 5_000;
/** Snapshots reopened because a commit landed while one opened (it takes a message round trip). */
const MAX_SNAPSHOT_ATTEMPTS = 10;

/** Rows of each statement of a read, in order. */
export type RowSets = readonly (readonly Record<string, unknown>[])[];

/** A read planned once its snapshot is open: the statements, and how their rows become the answer. */
export interface SnapshotRead<T> {
  readonly queries: readonly ReadQuery[];
  readonly answer: (rowSets: RowSets) => T;
}

/** Where a ReadPool reads and how large it may grow. */
export interface ReadPoolOptions {
  readonly path: string;
  /** A number that moves with every commit of this process's writing connection (total_changes()). */
  readonly changeCount: () => number;
  /** Workers at most (default READ_WORKERS). */
  readonly workers?: number;
  /** Reads waiting for a Worker at most (default MAX_QUEUED_READS). */
  readonly maxQueued?: number;
}

interface Waiter {
  readonly resolve: (reader: Reader) => void;
  readonly reject: (error: Error) => void;
}

/** Reader Workers over one database file, started on first use; `close()` ends them (idempotent). */
export class ReadPool {
  readonly #path: string;
  readonly #changeCount: () => number;
  readonly #workers: number;
  readonly #maxQueued: number;
  readonly #readers = new Set<Reader>();
  readonly #idle: Reader[] = [];
  readonly #waiting: Waiter[] = [];
  #isClosed = false;

  constructor(options: ReadPoolOptions) {
    this.#path = options.path;
    this.#changeCount = options.changeCount;
    this.#workers = options.workers ?? READ_WORKERS;
    this.#maxQueued = options.maxQueued ?? MAX_QUEUED_READS;
  }

  /**
   * Reads `what` (e.g. "top remotes", for messages) on a Worker. `plan` runs on this thread once the Worker's
   * snapshot is open and nothing was committed here since it opened, so the unsaved deltas it takes are
   * exactly those missing from the snapshot. Rejects with StoreError "busy" (with retryAfterSec) when
   * `maxQueued` reads already wait or the pool is closed, with the StoreError of a SQLite failure, and with
   * an Error on a bug (an SQL mistake, a Worker that does not load).
   */
  async read<T>(what: string, plan: () => SnapshotRead<T>): Promise<T> {
    const reader = await this.#acquire(what);
    try {
      return await this.#readOn(reader, what, plan);
    } finally {
      this.#release(reader);
    }
  }

  /** Ends every Worker; reads in flight or waiting reject with StoreError "busy". */
  close(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    const error = this.#closedError("read");
    for (const waiter of this.#waiting.splice(0)) waiter.reject(error);
    for (const reader of this.#readers) reader.terminate(error);
    this.#readers.clear();
    this.#idle.length = 0;
  }

  #acquire(what: string): Promise<Reader> {
    if (this.#isClosed) return Promise.reject(this.#closedError(what));
    const idle = this.#idle.pop();
    if (idle !== undefined) return Promise.resolve(idle);
    if (this.#readers.size < this.#workers) return Promise.resolve(this.#start());
    if (this.#waiting.length >= this.#maxQueued) {
      return Promise.reject(
        new StoreError(
          "busy",
          `Cannot read ${what} now: ${this.#workers} long reads run and ${this.#maxQueued} wait; ` +
            `retry in ${READ_RETRY_AFTER_SEC} s`,
          { retryAfterSec: READ_RETRY_AFTER_SEC },
        ),
      );
    }
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  #release(reader: Reader): void {
    if (this.#isClosed) return;
    let next = reader;
    if (reader.isBroken) {
      this.#readers.delete(reader);
      reader.terminate(new Error("Read worker replaced after a failure"));
      if (this.#waiting.length === 0) return;
      next = this.#start();
    }
    const waiter = this.#waiting.shift();
    if (waiter === undefined) this.#idle.push(next);
    else waiter.resolve(next);
  }

  #start(): Reader {
    const reader = new Reader();
    this.#readers.add(reader);
    return reader;
  }

  async #readOn<T>(reader: Reader, what: string, plan: () => SnapshotRead<T>): Promise<T> {
    const action = `read ${what} from "${this.#path}"`;
    for (let attempt = 0; attempt < MAX_SNAPSHOT_ATTEMPTS; attempt++) {
      // Closed while this read waited for its turn: the writing connection may be closed too.
      if (this.#isClosed) throw this.#closedError(what);
      const changesBefore = this.#changeCount();
      check(
        await reader.ask({ kind: "begin", path: this.#path, busyTimeoutMs: READ_BUSY_TIMEOUT_MS }),
        action,
      );
      // A flush that committed meanwhile may or may not be in the snapshot: its deltas could count twice.
      if (this.#changeCount() !== changesBefore) continue;
      let read: SnapshotRead<T>;
      try {
        read = plan();
      } catch (e) {
        await reader.ask({ kind: "query", queries: [] }); // ends the transaction
        throw e;
      }
      const rowSets = check(await reader.ask({ kind: "query", queries: read.queries }), action);
      return read.answer(rowSets!);
    }
    throw new StoreError(
      "busy",
      `Cannot ${action}: the database changed ${MAX_SNAPSHOT_ATTEMPTS} times while a snapshot opened`,
      { retryAfterSec: READ_RETRY_AFTER_SEC },
    );
  }

  #closedError(what: string): StoreError {
    return new StoreError("busy", `Cannot read ${what} from "${this.#path}": netledger is shutting down`, {
      retryAfterSec: READ_RETRY_AFTER_SEC,
    });
  }
}

/** The rows of a reply, or its failure as a StoreError (an Error when it is a bug). */
function check(reply: ReadReply, action: string): RowSets | null {
  if (reply.errorMessage === null) return reply.rowSets;
  throw toStoreError(new Error(reply.errorMessage), action);
}

/** One Worker and the one request it is answering. */
class Reader {
  readonly #worker: Worker;
  #pending: { resolve: (reply: ReadReply) => void; reject: (error: Error) => void } | null = null;
  /** Set when the Worker failed outside a request's try (it does not load, it ran out of memory). */
  isBroken = false;

  constructor() {
    // A literal module URL: packaging/worker_modules.ts finds Worker entry modules by this pattern.
    this.#worker = new Worker(new URL("./read_worker.ts", import.meta.url), { type: "module" });
    this.#worker.onmessage = (event: MessageEvent<ReadReply>) => this.#settle()?.resolve(event.data);
    this.#worker.onerror = (event) => {
      event.preventDefault();
      this.isBroken = true;
      this.#settle()?.reject(new Error(`Read worker failed: ${event.message}`));
    };
  }

  /** Posts `request` and resolves with the reply; one request at a time. */
  ask(request: ReadRequest): Promise<ReadReply> {
    if (this.isBroken) return Promise.reject(new Error("Read worker failed earlier"));
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject };
      this.#worker.postMessage(request);
    });
  }

  /** Stops the Worker; a request in flight rejects with `error`. */
  terminate(error: Error): void {
    this.isBroken = true;
    this.#worker.terminate();
    this.#settle()?.reject(error);
  }

  #settle() {
    const pending = this.#pending;
    this.#pending = null;
    return pending;
  }
}
