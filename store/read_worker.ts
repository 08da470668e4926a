/**
 * Worker of store/read_pool.ts: one long-lived read-only connection that runs the pool's scans (top remotes
 * of a year, hourly history of months) so they never block the HTTP loop or the ledger's flushes. Each read
 * is one transaction: "begin" fixes the snapshot and answers at once, so the main thread can take the
 * unsaved deltas that belong to exactly that snapshot; "query" then runs the statements in it and ends it.
 */
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";

/** One statement of a read. */
export interface ReadQuery {
  readonly sql: string;
  readonly params: readonly SQLInputValue[];
}

/** Request posted to this worker: open a snapshot, or run statements in the open one and end it. */
export type ReadRequest =
  | { readonly kind: "begin"; readonly path: string; readonly busyTimeoutMs: number }
  | { readonly kind: "query"; readonly queries: readonly ReadQuery[] };

/** Answer posted back: the snapshot is open (`rowSets` null) or the rows of each statement, or the SQLite message. */
export type ReadReply =
  | { readonly rowSets: readonly (readonly Record<string, unknown>[])[] | null; readonly errorMessage: null }
  | { readonly rowSets: null; readonly errorMessage: string };

const worker = self as unknown as {
  onmessage: (event: MessageEvent<ReadRequest>) => void;
  postMessage(reply: ReadReply): void;
};

let db: DatabaseSync | null = null;
/** Statements prepared once per SQL text: the pool runs a handful of texts over and over. */
const statements = new Map<string, StatementSync>();

worker.onmessage = (event) => {
  const request = event.data;
  try {
    if (request.kind === "begin") {
      const open = db ??= openReadOnly(request.path, request.busyTimeoutMs);
      endTransaction(open);
      open.exec("BEGIN");
      // A deferred transaction takes its snapshot at its first read.
      open.prepare("SELECT count(*) FROM sqlite_schema").get();
      worker.postMessage({ rowSets: null, errorMessage: null });
      return;
    }
    const open = db!;
    // Plain objects: node:sqlite rows have a null prototype, which structuredClone keeps as is anyway.
    const rowSets = request.queries.map((q) =>
      statement(open, q.sql).all(...q.params).map((row) => ({ ...row }))
    );
    endTransaction(open);
    worker.postMessage({ rowSets, errorMessage: null });
  } catch (e) {
    // A fresh connection for the next read: this one may sit in a failed transaction or on a damaged file.
    statements.clear();
    db?.close();
    db = null;
    worker.postMessage({ rowSets: null, errorMessage: e instanceof Error ? e.message : String(e) });
  }
};

function openReadOnly(path: string, busyTimeoutMs: number): DatabaseSync {
  const opened = new DatabaseSync(path, { readOnly: true });
  opened.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
  return opened;
}

function statement(open: DatabaseSync, sql: string): StatementSync {
  let prepared = statements.get(sql);
  if (prepared === undefined) statements.set(sql, prepared = open.prepare(sql));
  return prepared;
}

/** Ends the read transaction, if one is open, so the next read sees the newest commit. */
function endTransaction(open: DatabaseSync): void {
  if (open.isTransaction) open.exec("COMMIT");
}
