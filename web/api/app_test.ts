/**
 * The app as main.ts builds it (createApp): the answer policy that holds for every route (no-store, the one
 * error path) and the Monitoring API without CLASH_API_URL.
 */
import assert from "node:assert/strict";
import type { Hono } from "hono";
import { ClashMonitor } from "../../clash/mod.ts";
import { ClashLedger, openStore, type Store, StoreError, TrafficLedger } from "../../store/mod.ts";
import type { ErrorJson } from "../api_types.ts";
import type { MonitoringClientsJson, MonitoringOverviewJson } from "../monitoring_api_types.ts";
import { type AppDeps, createApp } from "./app.ts";
import { createAuth } from "./auth.ts";
import { buildMetricsSnapshot } from "./metrics_snapshot.ts";

interface TestApp extends AsyncDisposable {
  readonly app: Hono;
  readonly store: Store;
}

/** The monitor main.ts makes without CLASH_API_URL. */
function unconfiguredMonitor(): ClashMonitor {
  return new ClashMonitor({ apiUrl: null, secret: "", persistence: null, log: () => {} });
}

/**
 * The real app on a temp database, no capture, auth off, CLASH_API_URL unset; `deps(store)` overrides parts.
 */
async function buildApp(deps: (store: Store) => Partial<AppDeps> = () => ({})): Promise<TestApp> {
  const dir = await Deno.makeTempDir({ prefix: "nl-app-" });
  const store = openStore(`${dir}/netledger.db`, { log: () => {} });
  const monitor = unconfiguredMonitor();
  const app = createApp({
    version: "test",
    timeZone: "UTC",
    nowSec: () => Date.now() / 1000,
    ledger: new TrafficLedger(store),
    realtime: { samples: () => [] },
    captureStatus: () => null,
    catchUpCapture: () => Promise.resolve(),
    localAddresses: () => ({ ips: [], lanPrefixes: [], mode: "auto-gua-/56" }),
    clash: { monitor, ledger: new ClashLedger(store, monitor) },
    auth: createAuth({ password: null, passwordHash: null, apiToken: null, log: () => {} }),
    hosts: { allowedHosts: null, bindAddress: "127.0.0.1", machineHostname: "localhost" },
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
    ...deps(store),
  });
  return {
    app,
    store,
    async [Symbol.asyncDispose]() {
      store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("createApp() marks every /api/ answer and /metrics no-store, errors included; the dashboard keeps its own", async () => {
  await using built = await buildApp();
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
  await using built = await buildApp((store) => ({
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
  await using built = await buildApp();
  built.store.db.exec("PRAGMA query_only = ON"); // every write now fails as on a read-only file
  const response = await built.app.request("/api/monitoring/clients/192.0.2.7/name", {
    method: "PUT",
    body: JSON.stringify({ name: "Printer" }),
  });
  assert.equal(response.status, 503);
  assert.match((await response.json() as ErrorJson).error, /^Cannot name client "192.0.2.7"/);
});

Deno.test("createApp() without CLASH_API_URL: the monitor's not_configured state is the one answer", async () => {
  await using built = await buildApp();
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
