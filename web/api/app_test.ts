/**
 * The app as main.ts builds it (createApp): the answer policy that holds for every route (no-store, the one
 * error path) and the Monitoring API without CLASH_API_URL.
 */
import assert from "node:assert/strict";
import { ClashMonitor } from "../../clash/mod.ts";
import { ClashLedger, type Store, StoreError, TrafficLedger } from "../../store/mod.ts";
import type { ErrorJson } from "../api_types.ts";
import type { MonitoringClientsJson, MonitoringOverviewJson } from "../monitoring_api_types.ts";
import type { AppDeps } from "./app.ts";
import { createAuth } from "./auth.ts";
import { buildMetricsSnapshot } from "./metrics_snapshot.ts";
import { buildApp, type TestApp } from "./_testing.ts";

/** The monitor main.ts makes without CLASH_API_URL. */
function unconfiguredMonitor(): ClashMonitor {
  return new ClashMonitor({ apiUrl: null, secret: "", persistence: null, log: () => {} });
}

/** The real app on a temp database, no capture, auth off, CLASH_API_URL unset; `deps(store)` overrides parts. */
function buildAppAuthOff(deps?: (store: Store) => Partial<AppDeps>): Promise<TestApp> {
  const auth = createAuth({ password: null, passwordHash: null, apiToken: null, log: () => {} });
  return buildApp(auth, { clashApiUrl: null, deps });
}

Deno.test("createApp() marks every /api/ answer and /metrics no-store, errors included; the dashboard keeps its own", async () => {
  await using built = await buildAppAuthOff();
  const table: [string, number, string | null][] = [
    ["/api/summary", 200, "no-store"],
    ["/api/query?format=csv", 200, "no-store"],
    ["/api/query?granularity=week", 400, "no-store"],
    ["/api/no_such_route", 404, "no-store"],
    ["/metrics", 200, "no-store"],
    ["/", 200, "no-cache"],
  ];
  for (const [path, status, cacheControl] of table) {
    const response = await built.app.request(path);
    await response.body?.cancel();
    assert.equal(response.status, status, path);
    assert.equal(response.headers.get("cache-control"), cacheControl, path);
  }
});

Deno.test("createApp() answers a StoreError thrown in a route with 503, Retry-After when known", async () => {
  const monitor = unconfiguredMonitor();
  const busy = () => {
    throw new StoreError("busy", "Cannot read proxy-client history: every reader is busy", {
      retryAfterSec: 2,
    });
  };
  // The unsaved rows are read in the middle of every history query, as a failing SQLite read would be.
  await using built = await buildAppAuthOff((store) => ({
    clash: { monitor, ledger: new ClashLedger(store, { pendingUsage: busy, pendingUnattributed: busy }) },
  }));
  const response = await built.app.request("/api/monitoring/history?granularity=hour");
  assert.equal(response.status, 503);
  assert.equal(response.headers.get("retry-after"), "2");
  assert.equal(response.headers.get("cache-control"), "no-store");
  assert.deepEqual(await response.json(), {
    error: "Cannot read proxy-client history: every reader is busy",
  });
});

Deno.test("createApp() answers a write the database refuses with 503, not 500", async () => {
  await using built = await buildAppAuthOff();
  built.store.db.exec("PRAGMA query_only = ON"); // every write now fails as on a read-only file
  const response = await built.app.request("/api/monitoring/clients/192.0.2.7/name", {
    method: "PUT",
    body: JSON.stringify({ name: "Printer" }),
  });
  assert.equal(response.status, 503);
  assert.match((await response.json() as ErrorJson).error, /^Cannot name client "192.0.2.7"/);
});

Deno.test("createApp() without CLASH_API_URL: the monitor's not_configured state is the one answer", async () => {
  await using built = await buildAppAuthOff();
  const overview = await built.app.request("/api/monitoring/overview");
  assert.equal(overview.status, 200);
  const status = (await overview.json() as MonitoringOverviewJson).status;
  assert.equal(status.state, "not_configured");
  assert.match(status.message, /CLASH_API_URL/);
  const clients = await built.app.request("/api/monitoring/clients");
  assert.deepEqual(await clients.json() as MonitoringClientsJson, { status, clients: [] });

  const ws = await built.app.request("/api/monitoring/ws/traffic", {
    headers: { upgrade: "websocket", connection: "upgrade" },
  });
  assert.equal(ws.status, 404, "no stream to relay");
  assert.equal((await ws.json() as ErrorJson).error, status.message);

  const health = await (await built.app.request("/api/health")).json();
  assert.equal(health.clash, null, "the dashboard hides the Monitoring page");
  assert.deepEqual(health.problems, [], "not configured is not a problem");
  const monitor = unconfiguredMonitor();
  const snapshot = buildMetricsSnapshot({
    version: "test",
    ledger: new TrafficLedger(built.store),
    capture: null,
    clash: { monitor, ledger: new ClashLedger(built.store, monitor) },
    timeZone: "UTC",
    nowSec: 1_795_000_000,
    topN: 1,
  });
  assert.equal(snapshot.clash, null, "no Clash series in /metrics");
});
