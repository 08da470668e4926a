/**
 * One request, one reply, one Worker: how store/backup.ts runs store/backup_worker.ts off the HTTP loop.
 * (Reads use the long-lived Workers of store/read_pool.ts instead.)
 */

/**
 * Posts `request` to `worker`, resolves with its first reply and terminates the worker either way. Rejects
 * with an Error naming `name` when the worker fails to load or throws. The caller constructs the worker itself,
 * with a literal module URL, because packaging/worker_modules.ts finds Worker entry modules by that pattern.
 */
export async function askWorker<Request, Reply>(
  worker: Worker,
  name: string,
  request: Request,
): Promise<Reply> {
  try {
    return await new Promise<Reply>((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<Reply>) => resolve(event.data);
      worker.onerror = (event) => {
        event.preventDefault();
        reject(new Error(`${name} failed: ${event.message}`));
      };
      worker.postMessage(request);
    });
  } finally {
    worker.terminate();
  }
}
