/**
 * Dashboard login sessions, held in memory only: a restart logs everyone out, which is the safe default for an
 * appliance (no session secret on disk to steal). Ids are 256 random bits; the table is bounded.
 */

/** How long a login lasts, in seconds (30 days: a NAS dashboard is opened rarely; re-login monthly). */
export const SESSION_TTL_SEC = 30 * 24 * 3600;

/** Most sessions kept at once; the oldest login is dropped first. Bounds memory against login floods. */
export const MAX_SESSIONS = 256;

/** In-memory table of session id → expiry; `now` is a clock in milliseconds (a seam for tests). */
export class SessionTable {
  readonly #expiresAtMs = new Map<string, number>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Creates a session and returns its id (64 hex chars). */
  create(): string {
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    const id = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    this.#dropExpired();
    while (this.#expiresAtMs.size >= MAX_SESSIONS) {
      const oldest = this.#expiresAtMs.keys().next().value as string;
      this.#expiresAtMs.delete(oldest);
    }
    this.#expiresAtMs.set(id, this.#now() + SESSION_TTL_SEC * 1000);
    return id;
  }

  /** True when `id` names a live session; an expired one is removed on the way. */
  isValid(id: string): boolean {
    const expiresAtMs = this.#expiresAtMs.get(id);
    if (expiresAtMs === undefined) return false;
    if (expiresAtMs <= this.#now()) {
      this.#expiresAtMs.delete(id);
      return false;
    }
    return true;
  }

  /** Ends a session (logout); unknown ids are ignored. */
  delete(id: string): void {
    this.#expiresAtMs.delete(id);
  }

  /** Number of sessions held (for tests and /metrics-style introspection). */
  get size(): number {
    return this.#expiresAtMs.size;
  }

  #dropExpired(): void {
    const nowMs = this.#now();
    for (const [id, expiresAtMs] of this.#expiresAtMs) {
      if (expiresAtMs <= nowMs) this.#expiresAtMs.delete(id);
    }
  }
}
