/**
 * Event waits instead of sleeps for test rigs: the rig calls `notify()` on every event it sees, and
 * `until(predicate)` re-checks the predicate after each one, with a bound so a broken part fails the test
 * instead of hanging it (a bound, not a timing assert).
 */

/** Longest wait for an event before a test fails. */
const WAIT_LIMIT_MS = 20_000;

/** Wakes every pending `until()` so it re-checks its predicate. */
export class Notifier {
  #waiters: (() => void)[] = [];

  /** Wakes the current waiters; call it after every event a predicate may depend on. */
  notify(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  /** Resolves once `predicate()` holds; rejects with `failure()` as message after WAIT_LIMIT_MS. */
  async until(predicate: () => boolean, failure: () => string): Promise<void> {
    const deadline = Date.now() + WAIT_LIMIT_MS;
    while (!predicate()) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve, reject) => {
        this.#waiters.push(resolve);
        timer = setTimeout(() => reject(new Error(failure())), Math.max(0, deadline - Date.now()));
      }).finally(() => clearTimeout(timer));
    }
  }
}
