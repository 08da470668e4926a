/**
 * Dashboard login sessions, held in memory only: a restart logs everyone out, which is the safe default for an
 * appliance (no session secret on disk to steal). Ids are 256 random bits; the table is bounded. Each session
 * also holds the WebSockets opened under it, so that ending the session (logout, expiry, eviction) closes
 * them instead of letting them stream on (issue 12 finding 8).
 */

/** How long a login lasts, in seconds (30 days: a NAS dashboard is opened rarely; re-login monthly). */
export const SESSION_TTL_SEC = 30 * 24 * 3600;

/** Most sessions kept at once; the oldest login is dropped first. Bounds memory against login floods. */
export const MAX_SESSIONS = 256;

/** WebSocket close code and reason sent when the session of a socket ends (RFC 6455 1008: policy). */
export const SESSION_ENDED_CLOSE_CODE = 1008;
const SESSION_ENDED_REASON = "Session ended: log in again";

/** What a session needs of a WebSocket to end it (a WebSocket fits). */
export interface SessionSocket {
  close(code?: number, reason?: string): void;
}

/** In-memory table of session id → expiry; `now` is a clock in milliseconds (a seam for tests). */
export class SessionTable {
  readonly #expiresAtMs = new Map<string, number>();
  readonly #sockets = new Map<string, Set<SessionSocket>>();
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
      this.#end(this.#expiresAtMs.keys().next().value as string);
    }
    this.#expiresAtMs.set(id, this.#now() + SESSION_TTL_SEC * 1000);
    return id;
  }

  /** True when `id` names a live session; an expired one is removed on the way. */
  isValid(id: string): boolean {
    const expiresAtMs = this.#expiresAtMs.get(id);
    if (expiresAtMs === undefined) return false;
    if (expiresAtMs <= this.#now()) {
      this.#end(id);
      return false;
    }
    return true;
  }

  /** Ends a session (logout) and closes its WebSockets; unknown ids are ignored. */
  delete(id: string): void {
    this.#end(id);
  }

  /**
   * Registers `socket` under the live session `id`, so that the session's end closes it; returns the function
   * that unregisters it (call it when the socket closes). A socket of an unknown or expired session is closed
   * at once.
   */
  attachSocket(id: string, socket: SessionSocket): () => void {
    if (!this.isValid(id)) {
      socket.close(SESSION_ENDED_CLOSE_CODE, SESSION_ENDED_REASON);
      return () => {};
    }
    let sockets = this.#sockets.get(id);
    if (sockets === undefined) this.#sockets.set(id, sockets = new Set());
    sockets.add(socket);
    return () => {
      sockets.delete(socket);
      if (sockets.size === 0 && this.#sockets.get(id) === sockets) this.#sockets.delete(id);
    };
  }

  /** Number of sessions held (for tests and /metrics-style introspection). */
  get size(): number {
    return this.#expiresAtMs.size;
  }

  #dropExpired(): void {
    const nowMs = this.#now();
    for (const [id, expiresAtMs] of this.#expiresAtMs) {
      if (expiresAtMs <= nowMs) this.#end(id);
    }
  }

  #end(id: string): void {
    this.#expiresAtMs.delete(id);
    const sockets = this.#sockets.get(id);
    this.#sockets.delete(id);
    for (const socket of sockets ?? []) socket.close(SESSION_ENDED_CLOSE_CODE, SESSION_ENDED_REASON);
  }
}
