import assert from "node:assert/strict";
import { Hono } from "hono";
import { buildApp, routesOf, TEST_HOSTS, upgradeStatus, withServer } from "./_testing.ts";
import { createAuth } from "./auth.ts";
import { type HostPolicy, isAllowedHost, isSameOrigin, safeHeaderValue } from "./request_guard.ts";

const AUTH_OFF = () => createAuth({ password: null, passwordHash: null, apiToken: null });
const AUTH_ON = () => createAuth({ password: "pw", passwordHash: null, apiToken: "tok", log: () => {} });

Deno.test("isAllowedHost() answers the listen address, localhost, and by default any IP address and this machine's names", () => {
  const policy: HostPolicy = { allowedHosts: null, bindAddress: "0.0.0.0", machineHostname: "NAS" };
  const cases: [string, boolean][] = [
    ["127.0.0.1:8080", true],
    ["localhost:3000", true],
    ["LOCALHOST", true],
    ["[::1]:8080", true],
    ["192.168.1.20:8080", true],
    ["[2001:db8::20]:8080", true],
    ["0.0.0.0:8080", true],
    ["nas:8080", true],
    ["nas.local:8080", true],
    ["nas.local.", true],
    ["nas.lan:8080", false],
    ["rebind.example:8080", false],
    ["192-168-1-20.nip.io", false],
    ["192.168.1.20.nip.io", false],
    ["rebind.example@127.0.0.1", false],
    ["127.0.0.1/rebind.example", false],
    ["127.0.0.1 rebind.example", false],
    ["", false],
  ];
  for (const [host, expected] of cases) assert.equal(isAllowedHost(host, policy), expected, host);
});

Deno.test("isAllowedHost() with ALLOWED_HOSTS answers exactly those names, the listen address and localhost", () => {
  const policy: HostPolicy = {
    allowedHosts: ["nas.lan", "netledger.example.com", "2001:0db8:0:0::20"],
    bindAddress: "192.0.2.5",
    machineHostname: "nas",
  };
  const cases: [string, boolean][] = [
    ["nas.lan:8080", true],
    ["NETLEDGER.example.com", true],
    ["[2001:db8::20]:8080", true],
    ["192.0.2.5:8080", true],
    ["localhost:8080", true],
    ["127.0.0.1:8080", true],
    ["nas:8080", false],
    ["192.0.2.6:8080", false],
    ["rebind.example", false],
  ];
  for (const [host, expected] of cases) assert.equal(isAllowedHost(host, policy), expected, host);
});

Deno.test("every route, the login page and the WebSockets refuse a rebound Host with 421 naming it, auth off or on (finding 6)", async () => {
  for (const auth of [AUTH_OFF(), AUTH_ON()]) {
    await withServer(auth, async (base, app) => {
      const routes = routesOf(app);
      routes.push({ method: "POST", path: "/login" }, { method: "POST", path: "/logout" });
      assert.ok(routes.length >= 20, `expected the full route list, got ${routes.length}`);
      for (const { method, path } of routes) {
        const name = `${method} ${path}, auth ${auth.isEnabled ? "on" : "off"}`;
        if (path.includes("/ws/")) {
          const host = `rebind.example:${new URL(base).port}`;
          const headers = { Host: host, Origin: `http://${host}` };
          assert.equal(await upgradeStatus(base, path, headers), 421, name);
          continue;
        }
        const response = await app.request(path, { method, headers: { Host: "rebind.example:8080" } });
        assert.equal(response.status, 421, name);
        assert.match((await response.json()).error, /Host "rebind\.example:8080".*ALLOWED_HOSTS/, name);
      }
      const allowed = await fetch(`${base}/api/health`, { headers: { Host: "nas.local" } });
      await allowed.body?.cancel();
      assert.equal(allowed.status, 200);
    });
  }
});

Deno.test("isSameOrigin() accepts no Origin or this Host's origin, and refuses any other", async () => {
  const app = new Hono().get("/", (c) => c.text(String(isSameOrigin(c))));
  const cases: [Record<string, string>, boolean][] = [
    [{ Host: "nas.lan:8080" }, true],
    [{ Host: "nas.lan:8080", Origin: "http://nas.lan:8080" }, true],
    [{ Host: "NAS.lan:8080", Origin: "http://nas.lan:8080" }, true],
    [{ Host: "nas.lan", Origin: "http://nas.lan" }, true],
    [{ Host: "nas.lan", Origin: "https://nas.lan" }, true],
    [{ Host: "nas.lan:80", Origin: "http://nas.lan" }, true],
    [{ Host: "[2001:db8::20]:8080", Origin: "http://[2001:db8::20]:8080" }, true],
    [{ Host: "nas.lan:8080", Origin: "http://nas.lan:9090" }, false],
    [{ Host: "nas.lan", Origin: "https://nas.lan:8443" }, false],
    [{ Host: "nas.lan:8080", Origin: "http://198.51.100.7:8080" }, false],
    [{ Host: "nas.lan:8080", Origin: "null" }, false],
    [{ Host: "nas.lan:8080", Origin: "file://" }, false],
    [{ Host: "nas.lan:8080", Origin: "chrome-extension://nas.lan:8080" }, false],
    [{ Origin: "http://nas.lan:8080" }, false],
  ];
  for (const [headers, expected] of cases) {
    const response = await app.request("/", { headers });
    assert.equal(await response.text(), String(expected), JSON.stringify(headers));
  }
});

Deno.test("the WebSocket relays refuse another origin through the same check as the login forms", async () => {
  await withServer(AUTH_OFF(), async (base) => {
    const path = "/api/monitoring/ws/connections";
    const port = new URL(base).port;
    assert.equal(await upgradeStatus(base, path, { Origin: base }), 101);
    assert.equal(await upgradeStatus(base, path, {}), 101, "no Origin: a script");
    assert.equal(await upgradeStatus(base, path, { Origin: `http://localhost:${port}` }), 403);
    assert.equal(await upgradeStatus(base, path, { Origin: "null" }), 403);
  });
});

Deno.test("safeHeaderValue() percent-encodes everything outside printable ASCII and keeps the rest", () => {
  const cases: [string, string][] = [
    ["/\x0b", "/%0B"],
    ["/\x00", "/%00"],
    ["/\x7f", "/%7F"],
    ["/\t/198.51.100.7", "/%09/198.51.100.7"],
    ["/\r\nSet-Cookie: a=b", "/%0D%0ASet-Cookie: a=b"],
    ["/caf\u00e9", "/caf%C3%A9"],
    ["/\ud800", "/%EF%BF%BD"],
    [
      'attachment; filename="netledger-2026-01-01-2026-01-31-day.csv"',
      'attachment; filename="netledger-2026-01-01-2026-01-31-day.csv"',
    ],
  ];
  for (const [value, safe] of cases) assert.equal(safeHeaderValue(value), safe, JSON.stringify(value));
});

Deno.test("JSON, CSV, metrics and error answers say nosniff; /metrics is no-store (finding 9)", async () => {
  for (const auth of [AUTH_OFF(), AUTH_ON()]) {
    await using built = await buildApp(auth, { hosts: TEST_HOSTS });
    const headers: Record<string, string> = auth.isEnabled ? { Authorization: "Bearer tok" } : {};
    const cases: [string, number, RegExp][] = [
      ["/api/summary", 200, /^application\/json/],
      ["/api/query?start=2026-01-01&end=2026-01-02&format=csv", 200, /^text\/csv/],
      ["/metrics", 200, /^text\/plain/],
      ["/api/query?granularity=week", 400, /^application\/json/],
      ["/api/no_such_route", 404, /^application\/json/],
      ["/", 200, /^text\/html/],
    ];
    for (const [path, status, type] of cases) {
      const response = await built.app.request(path, { headers });
      await response.body?.cancel();
      assert.equal(response.status, status, path);
      assert.match(response.headers.get("content-type") ?? "", type, path);
      assert.equal(response.headers.get("x-content-type-options"), "nosniff", path);
    }
    const metrics = await built.app.request("/metrics", { headers });
    await metrics.body?.cancel();
    assert.equal(metrics.headers.get("cache-control"), "no-store");
    if (auth.isEnabled) {
      const refused = await built.app.request("/metrics");
      await refused.body?.cancel();
      assert.equal(refused.status, 401);
      assert.equal(refused.headers.get("x-content-type-options"), "nosniff", "a refusal too");
    }
  }
});
