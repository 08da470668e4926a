/**
 * Test helpers of web/api/ (private to this folder): the real app (app.ts) on a temp database with the Clash
 * part configured but never connected (or unset), served in this process when a test needs real sockets.
 */
import type { Hono } from "hono";
import { ClashMonitor } from "../../clash/mod.ts";
import { ClashLedger, ClashStore, openStore, type Store, TrafficLedger } from "../../store/mod.ts";
import { type AppDeps, createApp } from "./app.ts";
import type { Auth } from "./auth.ts";
import type { HostPolicy } from "./request_guard.ts";

/** The Host policy of the tests: the default (any IP address), this machine named "nas", bound to loopback. */
export const TEST_HOSTS: HostPolicy = {
  allowedHosts: null,
  bindAddress: "127.0.0.1",
  machineHostname: "nas",
};

/** A built app; `await using` stops its monitor, closes the database and removes its directory. */
export interface TestApp extends AsyncDisposable {
  readonly app: Hono;
  readonly store: Store;
}

/** Options of buildApp; each has the default of a plain test. */
export interface TestAppOptions {
  readonly catchUpCapture?: () => Promise<unknown>;
  /** CLASH_API_URL of the never-started monitor; null leaves it unset (the monitor is `not_configured`). */
  readonly clashApiUrl?: string | null;
  readonly hosts?: HostPolicy;
  /** Parts of createApp's deps to replace, made over the test's store. */
  readonly deps?: (store: Store) => Partial<AppDeps>;
}

/** The real app with `auth`; no capture, and the Clash monitor never connects. */
export async function buildApp(auth: Auth, options: TestAppOptions = {}): Promise<TestApp> {
  const dir = await Deno.makeTempDir({ prefix: "nl-auth-" });
  const store = openStore(`${dir}/netledger.db`, { log: () => {} });
  const clashStore = new ClashStore(store);
  // Never started: no connection is attempted; the routes still exist and answer from the store.
  const monitor = new ClashMonitor({
    apiUrl: options.clashApiUrl === undefined ? "http://127.0.0.1:9" : options.clashApiUrl,
    secret: "",
    persistence: clashStore,
    log: () => {},
  });
  const app = createApp({
    version: "test",
    timeZone: "UTC",
    nowSec: () => Date.now() / 1000,
    ledger: new TrafficLedger(store),
    realtime: { samples: () => [] },
    captureStatus: () => null,
    catchUpCapture: options.catchUpCapture ?? (() => Promise.resolve(true)),
    localAddresses: () => ({ ips: [], lanPrefixes: [], mode: "auto-gua-/56" }),
    clash: { monitor, ledger: new ClashLedger(store, monitor) },
    auth,
    hosts: options.hosts ?? TEST_HOSTS,
    metrics: () => ({
      version: "test",
      isCaptureRunning: false,
      traffic: [],
      malformedPackets: 0,
      droppedPackets: 0,
      topRemotes: { windowStartSec: 0, totalUpBytes: 0, totalDownBytes: 0, rows: [], limit: 0 },
      devices: { rows: [], limit: 0 },
      clash: null,
    }),
    ...options.deps?.(store),
  });
  return {
    app,
    store,
    async [Symbol.asyncDispose]() {
      await monitor.stop();
      store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Serves buildApp(auth, options) on 127.0.0.1:0 while `fn` runs. */
export async function withServer(
  auth: Auth,
  fn: (base: string, app: Hono) => Promise<void>,
  options: TestAppOptions = {},
): Promise<void> {
  await using built = await buildApp(auth, options);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, built.app.fetch);
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, built.app);
  } finally {
    await server.shutdown();
  }
}

/** A WebSocket upgrade sent over TCP: the answer's status and, after a 101, the open connection. */
export interface RawUpgrade {
  readonly status: number;
  readonly conn: Deno.TcpConn;
}

/**
 * Sends a WebSocket upgrade over TCP with exactly `headers` (plus Host unless given; browsers' Cookie and Origin
 * included, which the WebSocket class cannot set) and reads the answer's head. The caller closes `conn`.
 */
export async function rawUpgrade(
  base: string,
  path: string,
  headers: Record<string, string>,
): Promise<RawUpgrade> {
  const url = new URL(path, base);
  const conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port) });
  const lines = [
    `GET ${path} HTTP/1.1`,
    ...(Object.keys(headers).some((k) => k.toLowerCase() === "host") ? [] : [`Host: ${url.host}`]),
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version: 13",
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  await conn.write(new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n"));
  // Byte by byte up to the blank line, so no frame after the head is consumed here.
  const byte = new Uint8Array(1);
  let head = "";
  while (!head.endsWith("\r\n\r\n") && (await conn.read(byte)) === 1) head += String.fromCharCode(byte[0]);
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? "0"), conn };
}

/** The status code of the answer to a WebSocket upgrade (rawUpgrade), connection closed. */
export async function upgradeStatus(
  base: string,
  path: string,
  headers: Record<string, string>,
): Promise<number> {
  const { status, conn } = await rawUpgrade(base, path, headers);
  conn.close();
  return status;
}

/**
 * Reads server frames (unmasked, RFC 6455 §5.2) until a close frame and returns its status code; null when
 * the connection ends without one.
 */
export async function readCloseCode(conn: Deno.TcpConn): Promise<number | null> {
  let bytes = new Uint8Array(0);
  const chunk = new Uint8Array(4096);
  for (;;) {
    while (bytes.length >= 2) {
      const opcode = bytes[0] & 0x0f;
      let length = bytes[1] & 0x7f;
      let offset = 2;
      if (length === 126) [length, offset] = [(bytes[2] << 8) | bytes[3], 4];
      if (length === 127) throw new RangeError("Frame too long for this test helper");
      if (bytes.length < offset + length) break;
      if (opcode === 0x8) return length >= 2 ? (bytes[offset] << 8) | bytes[offset + 1] : null;
      bytes = bytes.subarray(offset + length);
    }
    const n = await conn.read(chunk);
    if (n === null) return null;
    bytes = Uint8Array.from([...bytes, ...chunk.subarray(0, n)]);
  }
}

/** One route of the app, as a request line. */
export interface Route {
  readonly method: string;
  readonly path: string;
}

/** The app's routes (not middleware), with path parameters and wildcards filled with sample values. */
export function routesOf(app: Hono): Route[] {
  const seen = new Set<string>();
  const routes: Route[] = [];
  for (const r of app.routes) {
    if (r.method === "ALL" || (r.method === "POST" && (r.path === "/login" || r.path === "/logout"))) {
      continue;
    }
    const path = r.path.replace(/:ip\b/g, "192.0.2.10").replace(/:[a-z_]+/gi, "x").replace(/\*$/, "app.js");
    if (seen.has(`${r.method} ${path}`)) continue;
    seen.add(`${r.method} ${path}`);
    routes.push({ method: r.method, path });
  }
  return routes;
}

/** SHA-256 of `text` as AUTH_PASSWORD_HASH writes it. */
export async function sha256Text(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return "sha256:" + Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
