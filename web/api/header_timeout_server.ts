/**
 * Deno.serve with a header timeout. Deno 2.9's HTTP server waits forever for a request head: a client that
 * sends half a header and stops holds its socket (and a file descriptor) as long as it likes, so a few
 * thousand such clients exhaust the process (issue 12 finding 9). Deno.serve offers no option for it, and
 * gives no access to its connections, so a TCP relay stands in front of it: the relay accepts on the listen
 * address, connects each client to the real server on a loopback port, copies bytes both ways, and closes a
 * connection that has waited HEADER_TIMEOUT_MS for a request head. A request head has arrived when the real
 * server calls the handler; the connection waits again once the answer has been sent in full (an idle
 * keep-alive connection is closed after as long). A WebSocket (101) is never timed out here (Deno pings idle
 * ones). The handler sees the client's own address.
 */

/** How long a connection may wait for a request head, in milliseconds: after it opens, or its last answer. */
export const HEADER_TIMEOUT_MS = 30_000;

/** Bytes read at once per direction of a connection; small, so idle connections hold little memory. */
const CHUNK_BYTES = 16 * 1024;
/**
 * Read buffers kept for the next connections: V8 frees a dropped buffer's memory lazily, so a fresh pair per
 * connection left tens of MiB behind under tests/faults_api_test.ts. At most this many wait for reuse.
 */
const MAX_SPARE_BUFFERS = 64;
/** Pause after a failed accept (file descriptors exhausted, …) before the next one. */
const ACCEPT_RETRY_MS = 100;
/**
 * Deadlines are checked by one sweep every timeout / SWEEPS_PER_TIMEOUT, not by a timer per request: Deno
 * keeps the memory of a cleared timer until its deadline, so 30-s timers made at every request grew the
 * server's memory by tens of MiB under tests/faults_api_test.ts.
 */
const SWEEPS_PER_TIMEOUT = 10;

/** What main.ts uses of the server. */
export interface HeaderTimeoutServer {
  /** The address really bound (port 0 resolved). */
  readonly addr: Deno.NetAddr;
  /** Stops accepting, lets requests in flight finish, then closes every connection. Idempotent. */
  shutdown(): Promise<void>;
}

/** Options of serveWithHeaderTimeout; `headerTimeoutMs` defaults to HEADER_TIMEOUT_MS (a seam for tests). */
export interface HeaderTimeoutServeOptions {
  readonly hostname: string;
  readonly port: number;
  readonly headerTimeoutMs?: number;
  /** Called once with the address bound, before the first connection is accepted. */
  readonly onListen?: (addr: Deno.NetAddr) => void;
  /** Where a relay failure other than a closed connection is reported; defaults to console.error. */
  readonly log?: (line: string) => void;
}

/** Serves `handler` like Deno.serve on options.hostname:port, closing connections that stall their head. */
export function serveWithHeaderTimeout(
  options: HeaderTimeoutServeOptions,
  handler: Deno.ServeHandler<Deno.NetAddr>,
): HeaderTimeoutServer {
  const timeoutMs = options.headerTimeoutMs ?? HEADER_TIMEOUT_MS;
  const log = options.log ?? ((line: string) => console.error(line));
  /**
   * Relayed connections by the address of their loopback leg, as the real server sees it. Weak: relay() keeps
   * each live connection reachable, and with strong references from this long-lived map the memory of closed
   * connections waited for a full garbage collection (RSS grew by tens of MiB under thousands of new
   * connections a second).
   */
  const relayed = new Map<string, WeakRef<RelayedConnection>>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (request, info) => {
      const connection = relayed.get(addressKey(info.remoteAddr))?.deref();
      if (connection === undefined) return await handler(request, info); // a direct local connection
      connection.requestStarted();
      let isUpgrade = false;
      try {
        const response = await handler(request, { remoteAddr: connection.peer, completed: info.completed });
        isUpgrade = response.status === 101;
        return response;
      } finally {
        // Registered once the status is known: an upgrade's `completed` settles before the handler returns.
        const answered = () => connection.requestAnswered(isUpgrade);
        info.completed.then(answered, answered);
      }
    },
  );
  const listener = Deno.listen({ hostname: options.hostname, port: options.port });
  options.onListen?.(listener.addr);
  const sweep = setInterval(() => {
    const nowMs = performance.now();
    for (const connection of relayed.values()) connection.deref()?.closeIfOverdue(nowMs, timeoutMs);
  }, timeoutMs / SWEEPS_PER_TIMEOUT);
  let isStopping = false;
  const accepting = (async () => {
    while (!isStopping) {
      let client: Deno.TcpConn;
      try {
        client = await listener.accept();
      } catch (e) {
        if (isStopping) return;
        log(`Cannot accept a connection: ${(e as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, ACCEPT_RETRY_MS));
        continue;
      }
      relay(client).catch((e) => log(`Dropped a connection: ${(e as Error).message}`));
    }
  })();

  /** Relays one client until either side ends or the head deadline closes it. Rejects only on a bug. */
  async function relay(client: Deno.TcpConn): Promise<void> {
    let upstream: Deno.TcpConn;
    try {
      upstream = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
    } catch (e) {
      client.close();
      throw e;
    }
    const key = addressKey(upstream.localAddr);
    const connection = new RelayedConnection(client, upstream);
    relayed.set(key, new WeakRef(connection));
    try {
      // The client may half-close after its request; the answer still flows until the server ends.
      const requests = copy(client, upstream).then(() => upstream.closeWrite()).catch((e) => {
        connection.close();
        if (!isClosedConnection(e)) throw e;
      });
      await copy(upstream, client).catch((e) => {
        if (!isClosedConnection(e)) throw e;
      });
      connection.close(); // the server side has ended: nothing more can be answered
      await requests;
    } finally {
      relayed.delete(key);
      connection.close();
    }
  }

  let stopping: Promise<void> | null = null;
  return {
    addr: listener.addr,
    shutdown() {
      stopping ??= (async () => {
        isStopping = true;
        clearInterval(sweep);
        listener.close();
        await accepting;
        await server.shutdown();
        for (const connection of relayed.values()) connection.deref()?.close();
      })();
      return stopping;
    },
  };
}

/** One client connection and its loopback leg, and since when it awaits a request head. */
class RelayedConnection {
  readonly peer: Deno.NetAddr;
  readonly #client: Deno.TcpConn;
  readonly #upstream: Deno.TcpConn;
  /** performance.now() when the wait for a head began; null while a request is in flight or upgraded. */
  #awaitingSinceMs: number | null = performance.now();
  #requestsInFlight = 0;
  #isUpgraded = false;
  #isClosed = false;

  constructor(client: Deno.TcpConn, upstream: Deno.TcpConn) {
    this.peer = client.remoteAddr;
    this.#client = client;
    this.#upstream = upstream;
  }

  /** The real server has a request head: its deadline is met. */
  requestStarted(): void {
    this.#requestsInFlight++;
    this.#awaitingSinceMs = null;
  }

  /** The answer has been sent in full; the next head is awaited unless the connection became a WebSocket. */
  requestAnswered(isUpgrade: boolean): void {
    this.#requestsInFlight--;
    this.#isUpgraded ||= isUpgrade;
    if (this.#requestsInFlight === 0 && !this.#isUpgraded) this.#awaitingSinceMs = performance.now();
  }

  /** Closes the connection when it has awaited a head for `timeoutMs` or longer at `nowMs`. */
  closeIfOverdue(nowMs: number, timeoutMs: number): void {
    if (this.#awaitingSinceMs !== null && nowMs - this.#awaitingSinceMs >= timeoutMs) this.close();
  }

  /** Closes both legs; idempotent. */
  close(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    for (const conn of [this.#client, this.#upstream]) {
      try {
        conn.close();
      } catch (e) {
        if (!(e instanceof Deno.errors.BadResource)) throw e; // already closed
      }
    }
  }
}

const spareBuffers: Uint8Array[] = [];

/** Copies `from` into `to` until `from` ends. */
async function copy(from: Deno.TcpConn, to: Deno.TcpConn): Promise<void> {
  const buffer = spareBuffers.pop() ?? new Uint8Array(CHUNK_BYTES);
  try {
    for (;;) {
      const n = await from.read(buffer);
      if (n === null) return;
      for (let written = 0; written < n;) written += await to.write(buffer.subarray(written, n));
    }
  } finally {
    // No read or write is pending on the buffer once the loop has left.
    if (spareBuffers.length < MAX_SPARE_BUFFERS) spareBuffers.push(buffer);
  }
}

/** Errors that only mean one side has gone (or this relay closed it): the connection just ends. */
function isClosedConnection(e: unknown): boolean {
  return e instanceof Deno.errors.BadResource || e instanceof Deno.errors.Interrupted ||
    e instanceof Deno.errors.ConnectionReset || e instanceof Deno.errors.BrokenPipe ||
    e instanceof Deno.errors.NotConnected || e instanceof Deno.errors.ConnectionAborted;
}

function addressKey(addr: Deno.NetAddr): string {
  return `${addr.hostname} ${addr.port}`;
}
