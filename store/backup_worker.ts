/**
 * Worker of store/backup.ts: writes a consistent copy of the database with VACUUM INTO on its own
 * read-only connection, so the HTTP loop and the ledger's flushes keep running while it works. WAL gives
 * this connection one read snapshot for the whole VACUUM, whatever commits meanwhile.
 */
import { DatabaseSync } from "node:sqlite";

/** Request posted to this worker: copy `sourcePath` into the new file `targetPath`. */
export interface BackupRequest {
  readonly sourcePath: string;
  readonly targetPath: string;
  readonly busyTimeoutMs: number;
}

/** Answer posted back: `errorMessage` is null on success. */
export interface BackupReply {
  readonly errorMessage: string | null;
}

const worker = self as unknown as {
  onmessage: (event: MessageEvent<BackupRequest>) => void;
  postMessage(reply: BackupReply): void;
};

worker.onmessage = (event) => {
  const { sourcePath, targetPath, busyTimeoutMs } = event.data;
  let errorMessage: string | null = null;
  try {
    const db = new DatabaseSync(sourcePath, { readOnly: true });
    try {
      db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
      db.prepare("VACUUM INTO ?").run(targetPath);
    } finally {
      db.close();
    }
  } catch (e) {
    errorMessage = e instanceof Error ? e.message : String(e);
  }
  worker.postMessage({ errorMessage });
};
