import assert from "node:assert/strict";
import {
  buildApp,
  rawUpgrade,
  readCloseCode,
  type Route,
  routesOf,
  sha256Text,
  upgradeStatus,
  withServer,
} from "./_testing.ts";
import { createAuth, exposureWarning, isBeyondLoopback } from "./auth.ts";
import { FAILURE_WINDOW_SEC, MAX_FAILURES_PER_CLIENT } from "./login_throttle.ts";
import { SESSION_ENDED_CLOSE_CODE, SESSION_TTL_SEC } from "./auth_sessions.ts";

const PASSWORD = "correct horse battery staple";
const TOKEN = "tok-8c1f0e4b9d";

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
  await using built = await buildApp(auth, { catchUpCapture: () => Promise.resolve(++catchUps) });
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

/** Every control character (finding 1), and paths a browser reads as another site (finding 2). */
const HOSTILE_NEXT_PATHS = [
  ...Array.from({ length: 32 }, (_, code) => `/${String.fromCharCode(code)}`),
  "/\x7f",
  "/\t/198.51.100.7",
  "/\n/198.51.100.7",
  "/\r\n/198.51.100.7",
  "/ /198.51.100.7",
  "//198.51.100.7",
  "/\\198.51.100.7",
  "/a//198.51.100.7",
  "https://198.51.100.7/",
  "/\u00e9",
  `/${"a".repeat(3000)}`,
];

Deno.test("GET and POST /login turn every control character and off-site next path into /, with auth off and on (findings 1, 2)", async () => {
  for (
    const auth of [
      createAuth({ password: null, passwordHash: null, apiToken: null }),
      createAuth({ password: PASSWORD, passwordHash: null, apiToken: null }),
    ]
  ) {
    await withServer(auth, async (base) => {
      // Logged in, GET /login redirects at once: the path that put the raw value into Location.
      const headers: Record<string, string> = auth.isEnabled ? { Cookie: await sessionCookie(base) } : {};
      for (const next of HOSTILE_NEXT_PATHS) {
        const label = `auth ${auth.isEnabled ? "on" : "off"}, next ${JSON.stringify(next.slice(0, 20))}`;
        const get = await fetch(`${base}/login?next=${encodeURIComponent(next)}`, {
          headers,
          redirect: "manual",
        });
        await get.body?.cancel();
        assert.equal(get.status, 303, label);
        assert.equal(get.headers.get("location"), "/", label);
        if (!auth.isEnabled) continue;
        const post = await login(base, PASSWORD, next);
        await post.body?.cancel();
        assert.equal(post.headers.get("location"), "/", label);
      }
      for (const next of ["/#/monitoring", "/?start=2026-01-01&end=2026-01-31", "/%0B"]) {
        const get = await fetch(`${base}/login?next=${encodeURIComponent(next)}`, {
          headers,
          redirect: "manual",
        });
        await get.body?.cancel();
        assert.equal(get.headers.get("location"), next, "a local path is kept");
      }
      const health = await fetch(`${base}/api/health`);
      await health.body?.cancel();
      assert.equal(health.status, 200, "the server still answers");
    });
  }
});

Deno.test("POST /logout refuses another origin; from this one it ends the session and closes its WebSockets (finding 8)", async () => {
  const auth = createAuth({ password: PASSWORD, passwordHash: null, apiToken: null });
  await withServer(auth, async (base) => {
    const cookie = await sessionCookie(base);
    const otherCookie = await sessionCookie(base);
    const foreign = await fetch(`${base}/logout`, {
      method: "POST",
      headers: { Cookie: cookie, Origin: "http://198.51.100.7" },
      redirect: "manual",
    });
    assert.equal(foreign.status, 403);
    assert.match((await foreign.json()).error, /another origin/);
    const still = await fetch(`${base}/api/summary`, { headers: { Cookie: cookie } });
    await still.body?.cancel();
    assert.equal(still.status, 200, "the session survives a cross-origin logout");

    const path = "/api/monitoring/ws/traffic";
    const mine = await rawUpgrade(base, path, { Cookie: cookie, Origin: base });
    const theirs = await rawUpgrade(base, path, { Cookie: otherCookie, Origin: base });
    assert.deepEqual([mine.status, theirs.status], [101, 101]);
    const logout = await fetch(`${base}/logout`, {
      method: "POST",
      headers: { Cookie: cookie, Origin: base },
      redirect: "manual",
    });
    await logout.body?.cancel();
    assert.equal(logout.status, 303);
    assert.equal(await readCloseCode(mine.conn), SESSION_ENDED_CLOSE_CODE);
    mine.conn.close();
    const theirsStill = await fetch(`${base}/api/summary`, { headers: { Cookie: otherCookie } });
    await theirsStill.body?.cancel();
    assert.equal(theirsStill.status, 200, "another session lives on");
    theirs.conn.close();
  });
});

Deno.test("GET /api/health answers only status, ts and problems without credentials while auth is on; the Clash URL only to the logged-in, never its userinfo (findings 7, 9)", async () => {
  const auth = createAuth({ password: PASSWORD, passwordHash: null, apiToken: TOKEN, log: () => {} });
  const clashApiUrl = "http://owner:secretpw@127.0.0.1:9";
  await withServer(auth, async (base) => {
    const health = async (headers: Record<string, string>) => {
      const response = await fetch(`${base}/api/health`, { headers });
      assert.equal(response.status, 200);
      return await response.text();
    };
    const anonymous = await health({});
    assert.deepEqual(Object.keys(JSON.parse(anonymous)), ["status", "ts", "problems"]);
    assert.deepEqual(JSON.parse(anonymous).problems, ["clash: connecting"]);
    assert.doesNotMatch(anonymous, /127\.0\.0\.1|owner|secretpw/);
    const credentials: Record<string, string>[] = [
      { Cookie: await sessionCookie(base) },
      { Authorization: `Bearer ${TOKEN}` },
    ];
    for (const headers of credentials) {
      const full = JSON.parse(await health(headers));
      assert.ok("version" in full && "store" in full && "clash" in full, JSON.stringify(headers));
      assert.match(full.clash.message, /"http:\/\/\*\*\*@127\.0\.0\.1:9"/);
      assert.doesNotMatch(JSON.stringify(full), /owner|secretpw/);
    }
    // A wrong token gets the short answer and counts as a failed attempt: no unthrottled token oracle.
    for (let i = 0; i < MAX_FAILURES_PER_CLIENT; i++) {
      assert.deepEqual(Object.keys(JSON.parse(await health({ Authorization: "Bearer nope" }))), [
        "status",
        "ts",
        "problems",
      ]);
    }
    assert.ok(auth.throttle.clientRetryAfterSec("127.0.0.1") > 0);
  }, { clashApiUrl });
  const open = createAuth({ password: null, passwordHash: null, apiToken: null });
  await withServer(open, async (base) => {
    const full = await (await fetch(`${base}/api/health`)).json();
    assert.ok("version" in full && "capture" in full, "with auth off everyone gets the full answer");
  });
});
