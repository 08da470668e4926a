/**
 * Worker of store/backup.ts: writes a consistent copy of the database with SQLite's online backup API on its
 * own read-only connection, so the HTTP loop and the ledger's flushes keep running while it works (the API
 * restarts the copy if another connection commits meanwhile). Not VACUUM INTO: it attaches the target, and
 * Deno's node:sqlite allows no ATTACH (SQLITE_LIMIT_ATTACHED = 0) unless the process has --allow-all, so it
 * fails in the compiled executable with "too many attached databases - max 0".
 */
import { backup, DatabaseSync } from "node:sqlite";

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

worker.onmessage = async (event) => {
  const { sourcePath, targetPath, busyTimeoutMs } = event.data;
  let errorMessage: string | null = null;
  try {
    const db = new DatabaseSync(sourcePath, { readOnly: true });
    try {
      db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
      await backup(db, targetPath);
    } finally {
      db.close();
    }
  } catch (e) {
    errorMessage = e instanceof Error ? e.message : String(e);
  }
  worker.postMessage({ errorMessage });
};
