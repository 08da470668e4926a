/**
 * Worker of store/top_remotes.ts: runs one read-only query on its own connection, so a scan over millions
 * of rows (top remotes of a year) never blocks the HTTP loop or the ledger's flushes.
 */
import { DatabaseSync, type SQLInputValue } from "node:sqlite";

/** Request posted to this worker. */
export interface ReadRequest {
  readonly path: string;
  readonly sql: string;
  readonly params: readonly SQLInputValue[];
  readonly busyTimeoutMs: number;
}

/** Answer posted back: the rows, or the SQLite message. */
export type ReadReply =
  | { readonly rows: readonly Record<string, unknown>[]; readonly errorMessage: null }
  | { readonly rows: null; readonly errorMessage: string };

const worker = self as unknown as {
  onmessage: (event: MessageEvent<ReadRequest>) => void;
  postMessage(reply: ReadReply): void;
};

worker.onmessage = (event) => {
  const { path, sql, params, busyTimeoutMs } = event.data;
  try {
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
      // Plain objects: node:sqlite rows have a null prototype, which structuredClone keeps as is anyway.
      const rows = db.prepare(sql).all(...params).map((row) => ({ ...row }));
      worker.postMessage({ rows, errorMessage: null });
    } finally {
      db.close();
    }
  } catch (e) {
    worker.postMessage({ rows: null, errorMessage: e instanceof Error ? e.message : String(e) });
  }
};
