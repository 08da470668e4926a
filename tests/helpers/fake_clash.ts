/**
 * A fake sing-box Clash API on 127.0.0.1:0 that speaks the wire format of docs/clash-accounting.md §1 (or
 * mihomo's, §2): Bearer / `?token=` auth with the 401 JSON body, `GET /version`, `GET /`, `/traffic` as HTTP
 * chunked NDJSON (no headers before the first line) or WebSocket, `/connections` as a snapshot or a
 * WebSocket stream that sends a snapshot at once and then one per `?interval=` (Atoi rules), and 404/405
 * like go-chi.
 *
 * Tests drive it as the core: open connections, move bytes, push snapshots (`pushSnapshot()`), restart it,
 * take it away and bring it back. It records the truth an exact aggregator must reach (`truth()`).
 * The JSON each core writes is in fake_clash_wire.ts.
 */
import { type FakeConnection, snapshotText } from "./fake_clash_wire.ts";
import { Notifier } from "./notifier.ts";

export type { FakeConnection } from "./fake_clash_wire.ts";

/** What the fake says an exact aggregator must have counted. */
export interface FakeTruth {
  /** Per connection that was listed at least once: its counters when last listed. */
  readonly listed: readonly FakeConnection[];
  /** Per core epoch: totals in the last snapshot sent in it. */
  readonly epochTotals: readonly { readonly up: number; readonly down: number }[];
}

/** How a FakeClash behaves: its secret, which core it imitates, and whether it streams by itself. */
export interface FakeClashOptions {
  readonly secret: string;
  readonly flavor?: "sing-box" | "mihomo";
  /** Send `/connections` snapshots every `?interval=` ms and `/traffic` lines every second by itself. */
  readonly isTicking?: boolean;
}

interface Subscriber {
  readonly socket: WebSocket | null;
  readonly write: ((line: string) => void) | null;
  /** Ends a chunked body (the handler returned). */
  readonly end: (() => void) | null;
  lastUp: number;
  lastDown: number;
}

/** See the module doc. Close with `close()` (idempotent) or `await using`. */
export class FakeClash {
  readonly #options: FakeClashOptions;
  #secret: string;
  #server: Deno.HttpServer | null = null;
  #port = 0;
  #connections = new Map<string, FakeConnection>();
  #retired: FakeConnection[] = [];
  #epochs: { up: number; down: number }[] = [{ up: 0, down: 0 }];
  #uploadTotal = 0;
  #downloadTotal = 0;
  #connectionSubs = new Set<Subscriber>();
  #trafficSubs = new Set<Subscriber>();
  #timers = new Set<ReturnType<typeof setInterval>>();
  readonly #subscriberChanges = new Notifier();
  /** Every request, as "METHOD /path?query", for tests of what the client asked. */
  readonly requests: string[] = [];

  private constructor(options: FakeClashOptions) {
    this.#options = options;
    this.#secret = options.secret;
  }

  /** Starts a fake core on 127.0.0.1 with a free port. */
  static start(options: FakeClashOptions): FakeClash {
    const fake = new FakeClash(options);
    fake.#listen(0);
    return fake;
  }

  /** `http://127.0.0.1:<port>`. */
  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** Open WebSocket subscribers of `/connections` plus `/traffic`. */
  get subscriberCount(): number {
    return this.#connectionSubs.size + this.#trafficSubs.size;
  }

  /** Opens a connection with zero counters; `start` defaults to now. */
  open(c: Partial<FakeConnection> & { sourceIP: string }): FakeConnection {
    const connection: FakeConnection = {
      id: crypto.randomUUID(),
      host: "",
      destinationIP: "",
      destinationPort: "443",
      network: "tcp",
      type: "tun/tun-in",
      chains: ["direct"],
      rule: "final",
      start: new Date().toISOString(),
      upload: 0,
      download: 0,
      ...c,
      sentUpload: null,
      sentDownload: null,
    };
    this.#connections.set(connection.id, connection);
    return connection;
  }

  /** Moves bytes on a connection; they count in the totals unless it is mihomo's Inner kind. */
  transfer(c: FakeConnection, up: number, down: number): void {
    c.upload += up;
    c.download += down;
    if (c.type !== "Inner") this.hidden(up, down);
  }

  /** Bytes in the totals that no listed connection carries (legacy `dns` outbound, §1.9). */
  hidden(up: number, down: number): void {
    this.#uploadTotal += up;
    this.#downloadTotal += down;
  }

  /** Ends a connection: it is no longer listed. */
  finish(c: FakeConnection): void {
    this.#connections.delete(c.id);
    this.#retired.push(c);
  }

  /** Sends one snapshot to every `/connections` WebSocket now; returns how many got it. */
  pushSnapshot(): number {
    const text = this.#snapshotText();
    let sent = 0;
    for (const s of this.#connectionSubs) {
      if (s.socket!.readyState !== WebSocket.OPEN) continue; // its close event is on the way
      s.socket!.send(text);
      sent++;
    }
    return sent;
  }

  /** Sends one `/traffic` line (each subscriber's delta since its previous line) to every subscriber. */
  pushTraffic(): void {
    for (const s of this.#trafficSubs) {
      if (s.socket === null || s.socket.readyState === WebSocket.OPEN) this.#sendTraffic(s);
    }
  }

  /** A core restart (§1.10): totals and ids start from 0, every stream drops. */
  restart(): void {
    for (const c of this.#connections.values()) this.#retired.push(c);
    this.#connections.clear();
    this.#uploadTotal = 0;
    this.#downloadTotal = 0;
    this.#epochs.push({ up: 0, down: 0 });
    this.#dropStreams();
  }

  /** The core restarted with another secret (a config change): a restart, then `secret` is required. */
  changeSecret(secret: string): void {
    this.#secret = secret;
    this.restart();
  }

  /** Stops listening: connections are refused until `comeBack()`. */
  async goAway(): Promise<void> {
    this.#dropStreams();
    await this.#server?.shutdown();
    this.#server = null;
  }

  /** Listens again on the same port. */
  comeBack(): void {
    this.#listen(this.#port);
  }

  /**
   * Resolves once `predicate()` holds, re-checked whenever a subscriber comes or goes. Rejects after
   * WAIT_LIMIT_MS so a client that never subscribes fails the test instead of hanging it.
   */
  until(predicate: () => boolean): Promise<void> {
    return this.#subscriberChanges.until(
      predicate,
      () => `No subscriber change on the fake core (now ${this.subscriberCount})`,
    );
  }

  /** What an exact aggregator must have counted (see FakeTruth). */
  truth(): FakeTruth {
    const listed = [...this.#retired, ...this.#connections.values()].filter((c) => c.sentUpload !== null);
    return { listed, epochTotals: this.#epochs.map((e) => ({ ...e })) };
  }

  /** Stops the server and every timer. Idempotent. */
  async close(): Promise<void> {
    await this.goAway();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #listen(port: number): void {
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port, onListen: () => {} },
      (req) => this.#handle(req),
    );
    this.#port = (this.#server.addr as Deno.NetAddr).port;
  }

  #handle(req: Request): Response | Promise<Response> {
    const url = new URL(req.url);
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    const isUpgrade = req.headers.get("upgrade") === "websocket";
    if (!this.#isAuthorized(req, url, isUpgrade)) {
      return new Response('{"message":"Unauthorized"}\n', {
        status: 401,
        headers: { "content-type": "application/json" },
      });
    }
    const known = ["/", "/version", "/traffic", "/connections"];
    if (!known.includes(url.pathname)) {
      if (url.pathname.startsWith("/connections/") && req.method === "DELETE") {
        // Both cores answer 204 whether or not the id matched (§1.1); a matched connection is closed, so
        // it is missing from the next snapshot.
        const closed = this.#connections.get(decodeURIComponent(url.pathname.slice("/connections/".length)));
        if (closed) this.finish(closed);
        return new Response(null, { status: 204 });
      }
      return new Response("404 page not found\n", { status: 404, headers: { "content-type": "text/plain" } });
    }
    if (req.method !== "GET") return new Response(null, { status: 405 });
    const mihomo = this.#options.flavor === "mihomo";
    switch (url.pathname) {
      case "/":
        return json({ hello: mihomo ? "mihomo" : "clash" });
      case "/version":
        return json(
          mihomo
            ? { meta: true, version: "v1.19.0" }
            : { meta: true, premium: true, version: "sing-box 1.13.0" },
        );
      case "/traffic":
        return isUpgrade ? this.#upgrade(req, this.#trafficSubs, null) : this.#chunkedTraffic();
      default:
        if (!isUpgrade) {
          return new Response(this.#snapshotText(), { headers: { "content-type": "application/json" } });
        }
        return this.#upgrade(req, this.#connectionSubs, url.searchParams.get("interval") ?? "1000");
    }
  }

  #isAuthorized(req: Request, url: URL, isUpgrade: boolean): boolean {
    const secret = this.#secret;
    if (secret === "") return true;
    const token = url.searchParams.get("token") ?? "";
    if (isUpgrade && token !== "") return token === secret;
    const header = req.headers.get("authorization") ?? "";
    const space = header.indexOf(" ");
    return space > 0 && header.slice(0, space) === "Bearer" && header.slice(space + 1) === secret;
  }

  #upgrade(req: Request, subs: Set<Subscriber>, interval: string | null): Response {
    const { socket, response } = Deno.upgradeWebSocket(req);
    const sub: Subscriber = {
      socket,
      write: null,
      end: null,
      lastUp: this.#uploadTotal,
      lastDown: this.#downloadTotal,
    };
    socket.addEventListener("open", () => {
      subs.add(sub);
      this.#notify();
      if (interval === null) {
        if (this.#options.isTicking) this.#every(1000, socket, () => this.#sendTraffic(sub));
        return;
      }
      // sing-box upgrades first and parses ?interval= with Atoi afterwards (§1.5).
      const ms = /^[+-]?\d+$/.test(interval) ? Number(interval) : NaN;
      if (Number.isNaN(ms)) return socket.close();
      socket.send(this.#snapshotText());
      if (ms <= 0) return socket.close(); // time.NewTicker panics on a non-positive interval
      if (this.#options.isTicking) this.#every(ms, socket, () => socket.send(this.#snapshotText()));
    });
    socket.addEventListener("close", () => {
      subs.delete(sub);
      this.#notify();
    });
    return response;
  }

  #chunkedTraffic(): Promise<Response> {
    // Nothing, not even the status line, goes out before the first line (§1.4).
    return new Promise((resolve) => {
      const encoder = new TextEncoder();
      let controller: ReadableStreamDefaultController<Uint8Array>;
      const body = new ReadableStream<Uint8Array>({
        start: (c) => void (controller = c),
        cancel: () => void this.#trafficSubs.delete(sub),
      });
      let isStarted = false;
      const sub: Subscriber = {
        socket: null,
        write: (line) => {
          controller.enqueue(encoder.encode(line));
          if (!isStarted) resolve(new Response(body, { headers: { "content-type": "application/json" } }));
          isStarted = true;
        },
        end: () => {
          this.#trafficSubs.delete(sub);
          if (!isStarted) resolve(new Response(body, { headers: { "content-type": "application/json" } }));
          controller.close();
        },
        lastUp: this.#uploadTotal,
        lastDown: this.#downloadTotal,
      };
      this.#trafficSubs.add(sub);
      this.#notify();
    });
  }

  #sendTraffic(sub: Subscriber): void {
    const line = `{"up":${this.#uploadTotal - sub.lastUp},"down":${this.#downloadTotal - sub.lastDown}}\n`;
    sub.lastUp = this.#uploadTotal;
    sub.lastDown = this.#downloadTotal;
    if (sub.socket) sub.socket.send(line);
    else sub.write!(line);
  }

  #every(ms: number, socket: WebSocket, send: () => void): void {
    const timer = setInterval(() => {
      if (socket.readyState === WebSocket.OPEN) send();
    }, ms);
    this.#timers.add(timer);
    socket.addEventListener("close", () => {
      clearInterval(timer);
      this.#timers.delete(timer);
    });
  }

  #snapshotText(): string {
    const epoch = this.#epochs[this.#epochs.length - 1];
    epoch.up = this.#uploadTotal;
    epoch.down = this.#downloadTotal;
    const list = [...this.#connections.values()];
    for (const c of list) {
      c.sentUpload = c.upload;
      c.sentDownload = c.download;
    }
    return snapshotText(this.#options.flavor ?? "sing-box", list, {
      uploadTotal: this.#uploadTotal,
      downloadTotal: this.#downloadTotal,
    });
  }

  #dropStreams(): void {
    for (const s of [...this.#connectionSubs, ...this.#trafficSubs]) s.socket ? s.socket.close() : s.end!();
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers.clear();
  }

  #notify(): void {
    this.#subscriberChanges.notify();
  }
}

function json(value: unknown): Response {
  return new Response(JSON.stringify(value) + "\n", { headers: { "content-type": "application/json" } });
}
