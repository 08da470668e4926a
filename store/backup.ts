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
 * Stores with a backup copy on disk (being made, or open while a client downloads it). One at a time: each
 * copy is as large as the database, so concurrent downloads could fill the disk that the counts are saved to.
 */
const storesBackingUp = new WeakSet<Store>();
/** A download of a large database takes a while; a retry sooner would only be refused again. */
const BACKUP_RETRY_AFTER_SEC = 30;

/** `stream`, calling `release` once when it ends, fails or is cancelled (the client went away). */
function releasingAtEnd(stream: ReadableStream<Uint8Array>, release: () => void): ReadableStream<Uint8Array> {
  const reader = stream.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (!done) return controller.enqueue(value);
        release();
        controller.close();
      } catch (e) {
        release();
        controller.error(e);
      }
    },
    async cancel(reason) {
      release();
      await reader.cancel(reason);
    },
  });
}

/**
 * Makes a backup in a temporary file beside the database (same disk, same permissions as the data) and
 * returns it as a stream. The file is unlinked before this returns, and its descriptor is closed when the
 * stream is read to its end or cancelled (as Deno.serve does when the client goes away): the caller must do
 * one of them, and nothing of the copy outlives the request. Throws StoreError (full, readonly, …; busy while
 * another copy of the same store exists).
 */
export async function openBackupStream(store: Store): Promise<BackupStream> {
  if (storesBackingUp.has(store)) {
    throw new StoreError(
      "busy",
      `Cannot back up "${store.path}" now: another backup of it is being made or downloaded; retry in ${BACKUP_RETRY_AFTER_SEC} s`,
      { retryAfterSec: BACKUP_RETRY_AFTER_SEC },
    );
  }
  storesBackingUp.add(store);
  const release = () => storesBackingUp.delete(store);
  const targetPath = `${dirname(store.path)}/.netledger-backup-${crypto.randomUUID()}.db`;
  let file: Deno.FsFile | null = null;
  try {
    await backupTo(store, targetPath);
    file = await Deno.open(targetPath, { read: true });
    const { size } = await file.stat();
    return { stream: releasingAtEnd(file.readable, release), sizeBytes: size };
  } catch (e) {
    release();
    file?.close();
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

/**
 * Bytes of a backup made now, without making one (HEAD /api/backup): every page of the database, the
 * committed part of the WAL included. A GET saves the unsaved deltas first, so its copy may be larger.
 */
export function backupSizeBytes(store: Store): number {
  const row = store.read(
    "the database size",
    (db) =>
      db.prepare("SELECT page_count * page_size AS n FROM pragma_page_count(), pragma_page_size()").get(),
  ) as { n: number };
  return row.n;
}
