import assert from "node:assert/strict";
import type { Hono } from "hono";
import { ClashMonitor } from "../../clash/mod.ts";
import { ClashLedger, ClashStore, openStore, TrafficLedger } from "../../store/mod.ts";
import { createApp } from "./app.ts";
import { type Auth, createAuth, exposureWarning, isBeyondLoopback } from "./auth.ts";
import {
  clientKey,
  FAILURE_WINDOW_SEC,
  LoginThrottle,
  MAX_FAILURES_PER_CLIENT,
  MAX_TRACKED_CLIENTS,
} from "./login_throttle.ts";
import { MAX_SESSIONS, SESSION_TTL_SEC, SessionTable } from "./auth_sessions.ts";

const PASSWORD = "correct horse battery staple";
const TOKEN = "tok-8c1f0e4b9d";

/** The real app (web/api/app.ts) on a temp database, with the Clash part configured but never connected. */
interface TestApp extends AsyncDisposable {
  readonly app: Hono;
}

async function buildApp(
  auth: Auth,
  catchUpCapture: () => Promise<unknown> = () => Promise.resolve(true),
): Promise<TestApp> {
  const dir = await Deno.makeTempDir({ prefix: "nl-auth-" });
  const store = openStore(`${dir}/netledger.db`, { log: () => {} });
  const clashStore = new ClashStore(store);
  // Never started: no connection is attempted; the routes still exist and answer from the store.
  const monitor = new ClashMonitor({
    apiUrl: "http://127.0.0.1:9",
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
    catchUpCapture,
    localAddresses: () => ({ ips: [], lanPrefixes: [], mode: "auto-gua-/56" }),
    clash: { monitor, ledger: new ClashLedger(store, monitor) },
    auth,
    metrics: () => ({
      version: "test",
      isCaptureRunning: false,
      traffic: [],
      malformedPackets: 0,
      droppedPackets: 0,
      topRemotes: { windowStartSec: 0, totalUpBytes: 0, totalDownBytes: 0, rows: [], limit: 0 },
      clash: null,
    }),
  });
  return {
    app,
    async [Symbol.asyncDispose]() {
      await monitor.stop();
      store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

interface Route {
  readonly method: string;
  readonly path: string;
}

/** The app's routes (not middleware), with path parameters and wildcards filled with sample values. */
function routesOf(app: Hono): Route[] {
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

/** What the spec leaves reachable without credentials: the health check and the login machinery. */
const EXPECTED_OPEN_PATHS = ["/api/health", "/api/session", "/login"];

const isWebSocketRoute = (path: string) => path.includes("/ws/");
/** True when the request got past auth: no 401, no 429, no redirect to the login page. */
function passedAuth(response: Response): boolean {
  const isLoginRedirect = response.status === 303 &&
    (response.headers.get("location") ?? "").startsWith("/login");
  return response.status !== 401 && response.status !== 429 && !isLoginRedirect;
}

const isApi = (path: string) => path.startsWith("/api/") || path === "/metrics";

async function withServer(auth: Auth, fn: (base: string, app: Hono) => Promise<void>): Promise<void> {
  await using built = await buildApp(auth);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, built.app.fetch);
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, built.app);
  } finally {
    await server.shutdown();
  }
}

/** Sends a real WebSocket upgrade over TCP and returns the status code of the answer. */
async function upgradeStatus(base: string, path: string, headers: Record<string, string>): Promise<number> {
  const url = new URL(path, base);
  const conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port) });
  try {
    const lines = [
      `GET ${path} HTTP/1.1`,
      `Host: ${url.host}`,
      "Upgrade: websocket",
      "Connection: Upgrade",
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
      "Sec-WebSocket-Version: 13",
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ];
    await conn.write(new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n"));
    const buffer = new Uint8Array(4096);
    let text = "";
    while (!text.includes("\r\n")) {
      const n = await conn.read(buffer);
      if (n === null) break;
      text += new TextDecoder().decode(buffer.subarray(0, n));
    }
    return Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? "0");
  } finally {
    conn.close();
  }
}

async function request(base: string, route: Route, headers: Record<string, string>): Promise<Response> {
  const response = await fetch(new URL(route.path, base), {
    method: route.method,
    headers,
    redirect: "manual",
    body: route.method === "PUT" ? JSON.stringify({ name: "tv" }) : undefined,
  });
  await response.body?.cancel();
  return response;
}

async function login(base: string, password: string, next = "/"): Promise<Response> {
  return await fetch(`${base}/login`, {
    method: "POST",
    body: new URLSearchParams({ password, next }),
    redirect: "manual",
  });
}

async function sessionCookie(base: string): Promise<string> {
  const response = await login(base, PASSWORD);
  await response.body?.cancel();
  assert.equal(response.status, 303);
  const cookie = response.headers.get("set-cookie") ?? "";
  return cookie.split(";")[0];
}

Deno.test("authMiddleware() protects every route but the open ones, for cookie, token, none and wrong token", async () => {
  const auth = createAuth({ password: PASSWORD, passwordHash: null, apiToken: TOKEN });
  await withServer(auth, async (base, app) => {
    const cookie = await sessionCookie(base);
    const routes = routesOf(app);
    assert.ok(routes.length >= 20, `expected the full route list, got ${routes.length}`);
    for (const route of routes) {
      const name = `${route.method} ${route.path}`;
      const isOpen = EXPECTED_OPEN_PATHS.includes(route.path);
      if (isWebSocketRoute(route.path)) {
        assert.equal(await upgradeStatus(base, route.path, {}), 401, name);
        assert.notEqual(await upgradeStatus(base, route.path, { Cookie: cookie }), 401, name);
        assert.notEqual(
          await upgradeStatus(base, route.path, { Authorization: `Bearer ${TOKEN}` }),
          401,
          name,
        );
        continue;
      }
      const anonymous = await request(base, route, {});
      if (isOpen) {
        assert.ok(passedAuth(anonymous), name);
      } else if (isApi(route.path) || route.method !== "GET") {
        assert.equal(anonymous.status, 401, name);
        assert.match(anonymous.headers.get("www-authenticate") ?? "", /^Bearer/, name);
      } else {
        assert.equal(anonymous.status, 303, name);
        assert.equal(
          anonymous.headers.get("location"),
          `/login?next=${encodeURIComponent(route.path)}`,
          name,
        );
      }
      const wrongToken = await request(base, route, { Authorization: "Bearer nope" });
      if (isOpen) assert.ok(passedAuth(wrongToken), name);
      else assert.equal(wrongToken.status, 401, name);
      auth.throttle.recordSuccess("127.0.0.1");
      assert.ok(passedAuth(await request(base, route, { Authorization: `Bearer ${TOKEN}` })), name);
      assert.ok(passedAuth(await request(base, route, { Cookie: cookie })), name);
    }
  });
});

Deno.test("authMiddleware() lets every route through when no secret is configured", async () => {
  const auth = createAuth({ password: null, passwordHash: null, apiToken: null });
  assert.equal(auth.isEnabled, false);
  await withServer(auth, async (base, app) => {
    for (const route of routesOf(app)) {
      if (isWebSocketRoute(route.path)) {
        assert.notEqual(await upgradeStatus(base, route.path, {}), 401, route.path);
        continue;
      }
      assert.ok(passedAuth(await request(base, route, {})), `${route.method} ${route.path}`);
    }
  });
});

Deno.test("POST /login sets an HttpOnly SameSite=Strict cookie, returns to a local next path, and logout ends it", async () => {
  const auth = createAuth({ password: PASSWORD, passwordHash: null, apiToken: null });
  await withServer(auth, async (base) => {
    const response = await login(base, PASSWORD, "/#/monitoring");
    await response.body?.cancel();
    assert.equal(response.status, 303);
    assert.equal(response.headers.get("location"), "/#/monitoring");
    const setCookie = response.headers.get("set-cookie") ?? "";
    assert.match(setCookie, /^netledger_session=[0-9a-f]{64};/);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    assert.match(setCookie, new RegExp(`Max-Age=${SESSION_TTL_SEC}`));
    assert.doesNotMatch(setCookie, /Secure/);
    const cookie = setCookie.split(";")[0];
    const summary = await fetch(`${base}/api/summary`, { headers: { Cookie: cookie } });
    await summary.body?.cancel();
    assert.equal(summary.status, 200);
    const session = await (await fetch(`${base}/api/session`, { headers: { Cookie: cookie } })).json();
    assert.deepEqual(session, { auth_enabled: true, password_login: true, authenticated: true });
    const logout = await fetch(`${base}/logout`, {
      method: "POST",
      headers: { Cookie: cookie },
      redirect: "manual",
    });
    await logout.body?.cancel();
    assert.equal(logout.status, 303);
    assert.match(logout.headers.get("set-cookie") ?? "", /netledger_session=;.*Max-Age=0/);
    const after = await fetch(`${base}/api/summary`, { headers: { Cookie: cookie } });
    await after.body?.cancel();
    assert.equal(after.status, 401);
  });
});

Deno.test("POST /login refuses a wrong password, foreign next URLs and cross-origin forms", async () => {
  const auth = createAuth({ password: null, passwordHash: await sha256Text(PASSWORD), apiToken: null });
  await withServer(auth, async (base) => {
    const wrong = await login(base, "guess");
    assert.equal(wrong.status, 401);
    assert.match(await wrong.text(), /Wrong password/);
    assert.equal(wrong.headers.get("set-cookie"), null);
    for (const next of ["//198.51.100.7/", "https://198.51.100.7/", "/\\198.51.100.7"]) {
      const response = await login(base, PASSWORD, next);
      await response.body?.cancel();
      assert.equal(response.headers.get("location"), "/", next);
    }
    const foreign = await fetch(`${base}/login`, {
      method: "POST",
      headers: { Origin: "http://198.51.100.7" },
      body: new URLSearchParams({ password: PASSWORD }),
      redirect: "manual",
    });
    assert.equal(foreign.status, 403);
    assert.match((await foreign.json()).error, /another origin/);
  });
});

Deno.test("GET /login answers in the browser's language and escapes the next path", async () => {
  const auth = createAuth({ password: PASSWORD, passwordHash: null, apiToken: null });
  await withServer(auth, async (base) => {
    const zh = await fetch(`${base}/login?next=${encodeURIComponent('/"><script>')}`, {
      headers: { "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5" },
    });
    const html = await zh.text();
    assert.equal(zh.headers.get("cache-control"), "no-store");
    assert.match(html, /<html lang="zh">/);
    assert.match(html, /密码/);
    assert.doesNotMatch(html, /<script>/);
    const ru = await (await fetch(`${base}/login`, { headers: { "Accept-Language": "ru" } })).text();
    assert.match(ru, /Пароль/);
  });
});

Deno.test("POST /login locks a client out after repeated failures, even for the right password, until the window ends", async () => {
  let nowMs = Date.UTC(2026, 0, 1);
  const lines: string[] = [];
  const auth = createAuth({
    password: PASSWORD,
    passwordHash: null,
    apiToken: TOKEN,
    now: () => nowMs,
    log: (line) => lines.push(line),
  });
  await withServer(auth, async (base) => {
    for (let i = 1; i < MAX_FAILURES_PER_CLIENT; i++) {
      const response = await login(base, `guess ${i}`);
      await response.body?.cancel();
      assert.equal(response.status, 401, `attempt ${i}`);
    }
    const last = await login(base, "guess last");
    await last.body?.cancel();
    assert.equal(last.status, 429);
    const locked = await login(base, PASSWORD);
    await locked.body?.cancel();
    assert.equal(locked.status, 429);
    assert.equal(locked.headers.get("retry-after"), String(FAILURE_WINDOW_SEC));
    assert.equal(locked.headers.get("set-cookie"), null);
    const token = await fetch(`${base}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    await token.body?.cancel();
    assert.equal(token.status, 429);
    assert.equal(lines.length, 1);
    assert.match(lines[0], /Refusing logins from "127\.0\.0\.1" for 900 s/);
    nowMs += FAILURE_WINDOW_SEC * 1000;
    const again = await login(base, PASSWORD);
    await again.body?.cancel();
    assert.equal(again.status, 303);
  });
});

Deno.test("answers built from captured counts wait for the capture to catch up, after auth; the live rate does not", async () => {
  const auth = createAuth({ password: null, passwordHash: null, apiToken: TOKEN });
  let catchUps = 0;
  await using built = await buildApp(auth, () => Promise.resolve(++catchUps));
  const callsFor = async (path: string, token: string | null) => {
    const before = catchUps;
    const headers: Record<string, string> = token === null ? {} : { Authorization: `Bearer ${token}` };
    const response = await built.app.request(path, { headers });
    await response.body?.cancel();
    return catchUps - before;
  };
  for (
    const path of ["/api/health", "/api/summary", "/api/query?start=2026-11-01&end=2026-11-02", "/metrics"]
  ) {
    assert.equal(await callsFor(path, TOKEN), 1, path);
  }
  for (const path of ["/api/realtime", "/api/session", "/api/monitoring/overview"]) {
    assert.equal(await callsFor(path, TOKEN), 0, path);
  }
  // Refused requests never wake the capture Worker.
  assert.equal(await callsFor("/api/summary", null), 0);
});

Deno.test("SessionTable expires sessions after their lifetime and keeps at most MAX_SESSIONS", () => {
  let nowMs = 0;
  const table = new SessionTable(() => nowMs);
  const first = table.create();
  assert.equal(table.isValid(first), true);
  nowMs += SESSION_TTL_SEC * 1000;
  assert.equal(table.isValid(first), false);
  const ids = Array.from({ length: MAX_SESSIONS + 10 }, () => table.create());
  assert.equal(table.size, MAX_SESSIONS);
  assert.equal(table.isValid(ids[0]), false);
  assert.equal(table.isValid(ids.at(-1)!), true);
});

Deno.test("LoginThrottle tracks at most MAX_TRACKED_CLIENTS addresses and limits all of them together", () => {
  const throttle = new LoginThrottle(() => 0);
  for (let i = 0; i < MAX_TRACKED_CLIENTS + 50; i++) throttle.recordFailure(`198.51.${i >> 8}.${i & 255}`);
  assert.equal(throttle.trackedClients, MAX_TRACKED_CLIENTS);
  assert.equal(throttle.retryAfterSec("203.0.113.99"), FAILURE_WINDOW_SEC, "global limit reached");
});

Deno.test("clientKey() counts IPv6 clients by /64 and IPv4-mapped ones as IPv4", () => {
  const cases: [string, string][] = [
    ["198.51.100.7", "198.51.100.7"],
    ["::ffff:198.51.100.7", "198.51.100.7"],
    ["2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"],
    ["2001:0db8:0001:0002:ffff:1:2:3", "2001:db8:1:2::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
  ];
  for (const [address, key] of cases) assert.equal(clientKey(address), key, address);
});

Deno.test("isBeyondLoopback() and exposureWarning() flag listeners other hosts can reach", () => {
  const cases: [string, boolean][] = [
    ["0.0.0.0", true],
    ["::", true],
    ["192.0.2.1", true],
    ["127.0.0.1", false],
    ["127.8.9.10", false],
    ["::1", false],
    ["[::1]", false],
    ["localhost", false],
  ];
  for (const [address, expected] of cases) assert.equal(isBeyondLoopback(address), expected, address);
  assert.match(
    exposureWarning({ bindAddress: "0.0.0.0", webPort: 8080, isAuthEnabled: false }) ?? "",
    /without authentication on "0\.0\.0\.0:8080".*AUTH_PASSWORD/,
  );
  assert.equal(exposureWarning({ bindAddress: "0.0.0.0", webPort: 8080, isAuthEnabled: true }), null);
  assert.equal(exposureWarning({ bindAddress: "127.0.0.1", webPort: 8080, isAuthEnabled: false }), null);
});

async function sha256Text(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return "sha256:" + Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
