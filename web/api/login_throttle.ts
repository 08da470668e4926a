/**
 * Rate limit for failed logins and failed API tokens. Per client address (IPv6 by its /64, since one host
 * owns a whole /64): five failures lock the address out, unchecked, for the rest of the window. Globally: past
 * a hundred failures from all addresses together, wrong attempts are refused everywhere, but a correct
 * password or token still gets in (issue 12 finding 3: twenty addresses must not lock the owner out).
 * Memory is bounded: at most MAX_TRACKED_CLIENTS entries, the oldest dropped first.
 */

/** Failures allowed per client address in one window before it is locked out for the rest of the window. */
export const MAX_FAILURES_PER_CLIENT = 5;
/** Failures from all addresses together in one window after which wrong attempts get 429 everywhere. */
export const MAX_FAILURES_GLOBAL = 100;
/** Length of a counting window, in seconds. */
export const FAILURE_WINDOW_SEC = 15 * 60;
/** Most client addresses tracked at once. */
export const MAX_TRACKED_CLIENTS = 4096;

interface FailureWindow {
  startMs: number;
  failures: number;
}

/** Counts failed attempts and says how long wrong attempts are refused; `now` is a clock in milliseconds. */
export class LoginThrottle {
  readonly #clients = new Map<string, FailureWindow>();
  readonly #global: FailureWindow = { startMs: 0, failures: 0 };
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  /**
   * Seconds `clientAddress` is locked out for: every attempt from it is refused unchecked, so the per-address
   * limit bounds how fast one address can guess; 0 when it may try now.
   */
  clientRetryAfterSec(clientAddress: string): number {
    return this.#waitSec(this.#clients.get(clientKey(clientAddress)), MAX_FAILURES_PER_CLIENT);
  }

  /**
   * Seconds the global limit refuses wrong attempts from every address for; 0 when it is not reached. It
   * never refuses a correct password or token, so nobody can lock the owner (or a Prometheus scrape) out.
   */
  globalRetryAfterSec(): number {
    return this.#waitSec(this.#global, MAX_FAILURES_GLOBAL);
  }

  /** Records one failed attempt from `clientAddress`. */
  recordFailure(clientAddress: string): void {
    const nowMs = this.#now();
    const key = clientKey(clientAddress);
    let window = this.#clients.get(key);
    if (window === undefined || isOver(window, nowMs)) {
      this.#clients.delete(key);
      while (this.#clients.size >= MAX_TRACKED_CLIENTS) {
        this.#clients.delete(this.#clients.keys().next().value as string);
      }
      window = { startMs: nowMs, failures: 0 };
      this.#clients.set(key, window);
    }
    window.failures++;
    if (isOver(this.#global, nowMs)) {
      this.#global.startMs = nowMs;
      this.#global.failures = 0;
    }
    this.#global.failures++;
  }

  /** Forgets the failures of `clientAddress` after it proved it knows the secret. */
  recordSuccess(clientAddress: string): void {
    this.#clients.delete(clientKey(clientAddress));
  }

  #waitSec(window: FailureWindow | undefined, limit: number): number {
    if (window === undefined || window.failures < limit) return 0;
    return Math.max(0, Math.ceil((window.startMs + FAILURE_WINDOW_SEC * 1000 - this.#now()) / 1000));
  }

  /** Number of client addresses tracked (bounded by MAX_TRACKED_CLIENTS). */
  get trackedClients(): number {
    return this.#clients.size;
  }
}

function isOver(window: FailureWindow, nowMs: number): boolean {
  return window.startMs + FAILURE_WINDOW_SEC * 1000 <= nowMs;
}

/** The key a client is counted under: an IPv4 address as is, an IPv6 address by its /64 prefix. */
export function clientKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  if (!address.includes(":")) return address;
  const [head, tail = ""] = address.split("%")[0].split("::");
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = address.includes("::") && tail !== "" ? tail.split(":") : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = address.includes("::")
    ? [...headGroups, ...Array(Math.max(0, missing)).fill("0"), ...tailGroups]
    : headGroups;
  return groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, "")).join(":") + "::/64";
}
