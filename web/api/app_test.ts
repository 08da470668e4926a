/**
 * The app as main.ts builds it (createApp): the answer policy that holds for every route (no-store, the one
 * error path) and the Monitoring API without CLASH_API_URL.
 */
import assert from "node:assert/strict";
import type { Hono } from "hono";
import { openStore, TrafficLedger } from "../../store/mod.ts";
import { type AppDeps, createApp } from "./app.ts";
import { createAuth } from "./auth.ts";

/** The real app on a temp database, no capture, auth off; `deps` overrides parts. */
async function buildApp(deps: Partial<AppDeps> = {}): Promise<{ app: Hono } & AsyncDisposable> {
  const dir = await Deno.makeTempDir({ prefix: "nl-app-" });
  const store = openStore(`${dir}/netledger.db`, { log: () => {} });
  const app = createApp({
    version: "test",
    timeZone: "UTC",
    nowSec: () => Date.now() / 1000,
    ledger: new TrafficLedger(store),
    realtime: { samples: () => [] },
    captureStatus: () => null,
    catchUpCapture: () => Promise.resolve(),
    localAddresses: () => ({ ips: [], lanPrefixes: [], mode: "auto-gua-/56" }),
    clash: null,
    auth: createAuth({ password: null, passwordHash: null, apiToken: null, log: () => {} }),
    metrics: () => ({
      version: "test",
      isCaptureRunning: false,
      traffic: [],
      malformedPackets: 0,
      droppedPackets: 0,
      topRemotes: { windowStartSec: 0, totalUpBytes: 0, totalDownBytes: 0, rows: [], limit: 0 },
      clash: null,
    }),
    ...deps,
  });
  return {
    app,
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
