/**
 * One request, one reply: the exchange store/ has with its Workers (store/read_worker.ts,
 * store/backup_worker.ts), which keep long SQLite work off the HTTP loop.
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
