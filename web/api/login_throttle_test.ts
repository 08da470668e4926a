import assert from "node:assert/strict";
import { buildApp } from "./_testing.ts";
import { createAuth } from "./auth.ts";
import {
  clientKey,
  FAILURE_WINDOW_SEC,
  LoginThrottle,
  MAX_FAILURES_GLOBAL,
  MAX_FAILURES_PER_CLIENT,
  MAX_TRACKED_CLIENTS,
} from "./login_throttle.ts";

const PASSWORD = "correct horse battery staple";
const TOKEN = "tok-8c1f0e4b9d";

Deno.test("LoginThrottle tracks at most MAX_TRACKED_CLIENTS addresses and counts all of them together", () => {
  const throttle = new LoginThrottle(() => 0);
  for (let i = 0; i < MAX_TRACKED_CLIENTS + 50; i++) throttle.recordFailure(`198.51.${i >> 8}.${i & 255}`);
  assert.equal(throttle.trackedClients, MAX_TRACKED_CLIENTS);
  assert.equal(throttle.globalRetryAfterSec(), FAILURE_WINDOW_SEC, "global limit reached");
  assert.equal(throttle.clientRetryAfterSec("203.0.113.99"), 0, "an address without failures is not locked");
});

Deno.test("twenty addresses × five wrong passwords refuse wrong attempts only: the right password and the token still get in (finding 3)", async () => {
  const lines: string[] = [];
  const auth = createAuth({
    password: PASSWORD,
    passwordHash: null,
    apiToken: TOKEN,
    now: () => Date.UTC(2026, 0, 1),
    log: (line) => lines.push(line),
  });
  await using built = await buildApp(auth);
  // Hono hands the third argument of app.request to the routes as Deno.serve's handler info (c.env).
  const from = (address: string) => ({ remoteAddr: { hostname: address } });
  const login = async (address: string, password: string) => {
    const body = new URLSearchParams({ password, next: "/" });
    const response = await built.app.request("/login", { method: "POST", body }, from(address));
    return {
      status: response.status,
      text: await response.text(),
      cookie: response.headers.get("set-cookie"),
    };
  };
  const metrics = async (address: string, token: string) => {
    const headers = { Authorization: `Bearer ${token}` };
    const response = await built.app.request("/metrics", { headers }, from(address));
    return { status: response.status, text: await response.text() };
  };
  const addresses = MAX_FAILURES_GLOBAL / MAX_FAILURES_PER_CLIENT;
  assert.equal(addresses, 20);
  for (let a = 1; a <= addresses; a++) {
    for (let i = 1; i <= MAX_FAILURES_PER_CLIENT; i++) {
      const { status } = await login(`198.51.100.${a}`, `guess ${a}.${i}`);
      assert.equal(status, i < MAX_FAILURES_PER_CLIENT ? 401 : 429, `198.51.100.${a} attempt ${i}`);
    }
  }
  const wrong = await login("203.0.113.7", "guess from the owner's network");
  assert.equal(wrong.status, 429);
  assert.match(wrong.text, /Too many failed attempts: try again in 900 s/);
  assert.doesNotMatch(wrong.text, /this address/);
  const wrongToken = await metrics("203.0.113.8", "nope");
  assert.equal(wrongToken.status, 429);
  assert.match(JSON.parse(wrongToken.text).error, /from all addresses/);
  assert.doesNotMatch(wrongToken.text, /this address/);

  const owner = await login("203.0.113.7", PASSWORD);
  assert.equal(owner.status, 303, "the owner's password still gets in");
  assert.match(owner.cookie ?? "", /^netledger_session=[0-9a-f]{64};/);
  const scrape = await metrics("203.0.113.9", TOKEN);
  assert.equal(scrape.status, 200, "a Prometheus scrape with the token still gets in");

  assert.equal(lines.filter((line) => line.startsWith("Refusing logins from")).length, addresses);
  assert.deepEqual(lines.filter((line) => line.includes("every address")), [
    "Refusing wrong passwords and tokens from every address for 900 s: 100 failed attempts from all addresses " +
    'within 15 min (last: password from "198.51.100.20"); the correct password and API token still get in',
  ]);
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
