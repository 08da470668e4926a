/**
 * Consistent copies of the live database, made while capture keeps writing: SQLite's online backup API on a
 * second, read-only connection in a Worker (store/backup_worker.ts explains why not VACUUM INTO), so the
 * event loop never waits for it. A backup is a complete netledger database: restore it by stopping netledger
 * and putting the file in place of DB_PATH.
 */
import { dirname } from "node:path";
import { type Store, StoreError, toStoreError } from "./db.ts";
import { askWorker } from "./ask_worker.ts";
import type { BackupReply, BackupRequest } from "./backup_worker.ts";

/** How long the backup connection waits for a checkpoint that holds the WAL lock. */
const BACKUP_BUSY_TIMEOUT_MS = 5_000;

/** A backup file opened for streaming; the file is already unlinked, so it vanishes when the stream ends. */
export interface BackupStream {
  readonly stream: ReadableStream<Uint8Array>;
  readonly sizeBytes: number;
}

/**
 * Writes a consistent snapshot of `store` to `targetPath`, which must not exist. Unsaved ledger deltas are
 * not included: flush first for an up-to-the-second copy. Throws StoreError (full, readonly, …).
 */
export async function backupTo(store: Store, targetPath: string): Promise<void> {
  const worker = new Worker(new URL("./backup_worker.ts", import.meta.url), { type: "module" });
  const reply = await askWorker<BackupRequest, BackupReply>(worker, "Backup worker", {
    sourcePath: store.path,
    targetPath,
    busyTimeoutMs: BACKUP_BUSY_TIMEOUT_MS,
  });
  if (reply.errorMessage !== null) {
    throw toStoreError(new Error(reply.errorMessage), `back up "${store.path}" to "${targetPath}"`);
  }
}

/**
 * Makes a backup in a temporary file beside the database (same disk, same permissions as the data) and
 * returns it as a stream. The caller must consume or cancel the stream; either closes the file.
 */
export async function openBackupStream(store: Store): Promise<BackupStream> {
  const targetPath = `${dirname(store.path)}/.netledger-backup-${crypto.randomUUID()}.db`;
  try {
    await backupTo(store, targetPath);
    const file = await Deno.open(targetPath, { read: true });
    const { size } = await file.stat();
    return { stream: file.readable, sizeBytes: size };
  } catch (e) {
    const wrapped = toStoreError(e, `back up "${store.path}"`);
    throw wrapped instanceof StoreError ? wrapped : e;
  } finally {
    // Unlinking an open file keeps its data readable until the stream closes it (POSIX), and nothing
    // is left behind when the client goes away or the copy failed half-way.
    await Deno.remove(targetPath).catch((e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    });
  }
}
