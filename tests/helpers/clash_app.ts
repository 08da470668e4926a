/**
 * The app as main.ts builds it (createApp) over a ClashRig's monitor and database, without capture, served
 * on 127.0.0.1:0: for tests of the Monitoring API against the fake core. /metrics is not read by them.
 */
import { ClashLedger, TrafficLedger } from "../../store/mod.ts";
import { createApp, createAuth } from "../../web/api/mod.ts";
import type { ClashRig } from "./clash_rig.ts";

/** Options of serveClashApp; each has the default of a plain test. */
export interface ClashAppOptions {
  /** Auth off unless given. */
  readonly auth?: ReturnType<typeof createAuth>;
  /** IANA zone of local dates; UTC unless given. */
  readonly timeZone?: string;
  /** The neighbour table (IP → MAC) that maps proxy clients to devices; none unless given. */
  readonly neighbourMacs?: () => ReadonlyMap<string, string>;
}

/** A served app and its base URL; the caller shuts the server down. */
export interface ClashApp {
  readonly server: Deno.HttpServer;
  readonly base: string;
}

/** Serves the app over `rig`'s monitor and store. */
export function serveClashApp(rig: ClashRig, options: ClashAppOptions = {}): ClashApp {
  const app = createApp({
    version: "test",
    timeZone: options.timeZone ?? "UTC",
    nowSec: () => Date.now() / 1000,
    ledger: new TrafficLedger(rig.store),
    realtime: { samples: () => [] },
    captureStatus: () => null,
    catchUpCapture: () => Promise.resolve(),
    localAddresses: () => ({ ips: [], lanPrefixes: [], mode: "auto-gua-/56" }),
    clash: { monitor: rig.monitor, ledger: new ClashLedger(rig.store, rig.monitor) },
    auth: options.auth ?? createAuth({ password: null, passwordHash: null, apiToken: null, log: () => {} }),
    hosts: { allowedHosts: null, bindAddress: "127.0.0.1", machineHostname: "localhost" },
    metrics: () => {
      throw new Error("Not read by these tests");
    },
    neighbourMacs: options.neighbourMacs,
  });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, app.fetch);
  return { server, base: `http://127.0.0.1:${server.addr.port}` };
}
