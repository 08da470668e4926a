/**
 * The Monitoring API (issue 5): proxy-client overview, history, clients, resources and names, closing a
 * connection on the core (only behind auth), plus the WebSocket relays (monitoring_relays.ts). Mounted whether or
 * not CLASH_API_URL is set: the monitor's status then says `not_configured` and the stored history stays
 * readable. Parameters are parsed in monitoring_params.ts (a name body in name_body.ts), answers shaped in
 * monitoring_json.ts; a BadParamError or StoreError thrown here is answered by app.ts (error_response.ts).
 */
import { Hono } from "hono";
import type { ClashMonitor } from "../../clash/mod.ts";
import {
  type ClashLedger,
  type Granularity,
  localDateEndSec,
  localDateOf,
  localDateStartSec,
  localPeriods,
} from "../../store/mod.ts";
import type { ErrorJson } from "../api_types.ts";
import type {
  MonitoringClientDetailJson,
  MonitoringClientNameJson,
  MonitoringClientsJson,
  MonitoringHistoryJson,
  MonitoringOverviewJson,
  MonitoringResourcesJson,
  MonitoringSamplesJson,
} from "../monitoring_api_types.ts";
import {
  clashStatusJson,
  clientJson,
  clientsJson,
  type ClientSources,
  connectionJson,
  groupJson,
  historyJson,
  overviewJson,
  samplesJson,
} from "./monitoring_json.ts";
import { authStateOf } from "./auth.ts";
import type { ClientDeviceLookup } from "./client_devices.ts";
import { optionalClientIp, parseClientIp, parseConnectionId, parseDateRange } from "./monitoring_params.ts";
import { monitoringRelays } from "./monitoring_relays.ts";
import { nameBodyLimit, parseNameBody } from "./name_body.ts";
import { checkDateRange, parseGranularity, parseLimit } from "./params.ts";
import { isSameOrigin } from "./request_guard.ts";

/** What the monitoring routes read. */
export interface MonitoringRoutesDeps {
  /** Live state: status, rate, live clients and connections, the relayed streams. */
  readonly monitor: ClashMonitor;
  /** Stored history plus the monitor's unsaved rows, and client names. */
  readonly clashLedger: ClashLedger;
  /** IANA zone of hours, days and months (Config.timeZone). */
  readonly timeZone: string;
  /** Current UTC seconds (a seam for tests). */
  readonly nowSec: () => number;
  /** Whether a password or API token is configured: closing connections is refused without. */
  readonly auth: { readonly isEnabled: boolean };
  /** The devices of client IPs (client_devices.ts); absent, clients keep their own names. */
  readonly clientDevices?: ClientDeviceLookup;
}

/** Most resources one answer lists. */
export const MAX_RESOURCES = 1000;
const DEFAULT_RESOURCES = 50;
/** Seconds of samples that seed the live chart: its window (web/ui's LIVE_WINDOW_SEC). */
const SAMPLE_SEED_SEC = 60;
/** Without auth anyone on the LAN could act on the core, so the one control action needs it (issue 13). */
const CONTROL_NEEDS_AUTH = "Closing connections is refused while authentication is off: anyone who reaches " +
  "netledger could act on the proxy core; set AUTH_PASSWORD (or API_TOKEN) to enable it";

/** The Monitoring API as a Hono app with full paths; mount with `app.route("/", monitoringRoutes(deps))`. */
export function monitoringRoutes(deps: MonitoringRoutesDeps): Hono {
  const { monitor, clashLedger, timeZone } = deps;
  const nowSec = () => Math.floor(deps.nowSec());
  const today = () => localDateOf(nowSec(), timeZone);
  /** The local dates `start`..`end` (inclusive) as a half-open UTC-second span. */
  const span = (start: string, end: string) => ({
    fromSec: localDateStartSec(start, timeZone),
    toSec: localDateEndSec(end, timeZone),
  });
  /** A history of any span: its scan runs in the store's reader pool (503 with Retry-After when full). */
  const history = async (start: string, end: string, granularity: Granularity, ip: string | null) => {
    checkDateRange(start, end, granularity);
    return historyJson(
      granularity,
      await clashLedger.byPeriodOffThread(localPeriods(start, end, granularity, timeZone), ip),
    );
  };
  const clientSources = (start: string, end: string): ClientSources => {
    checkDateRange(start, end, "day");
    const { fromSec, toSec } = span(start, end);
    const totals = new Map(clashLedger.clientTotals(fromSec, toSec).map((t) => [t.key, t]));
    const live = new Map(monitor.liveClients().map((l) => [l.clientIp, l]));
    return {
      totals,
      live,
      chains: clashLedger.chainsByClient(fromSec, toSec),
      infos: clashLedger.clientInfos(),
      nowSec: nowSec(),
      devices: deps.clientDevices?.([...new Set([...totals.keys(), ...live.keys()])]),
    };
  };
  const app = new Hono();

  app.get("/api/monitoring/overview", (c) => {
    const day = today();
    return c.json<MonitoringOverviewJson>(overviewJson({
      status: monitor.status(),
      sample: monitor.latestSample(),
      clients: monitor.liveClients(),
      // One day, on this thread: the dashboard polls it, and it stays served while long scans queue.
      today: historyJson("day", clashLedger.byPeriod(localPeriods(day, day, "day", timeZone), null)).summary,
      nowSec: nowSec(),
    }));
  });

  app.get("/api/monitoring/samples", (c) => {
    const toSec = nowSec() + 1;
    const fromSec = toSec - SAMPLE_SEED_SEC;
    return c.json<MonitoringSamplesJson>(
      samplesJson(clashLedger.samples(fromSec, toSec), monitor.recentSamples(), { fromSec, toSec }),
    );
  });

  app.get("/api/monitoring/history", async (c) => {
    const { start, end } = parseDateRange(c, today());
    const ip = optionalClientIp(c);
    return c.json<MonitoringHistoryJson>(
      await history(start, end, parseGranularity(c.req.query("granularity")), ip),
    );
  });

  app.get("/api/monitoring/clients", (c) => {
    const { start, end } = parseDateRange(c, today());
    return c.json<MonitoringClientsJson>({
      status: clashStatusJson(monitor.status()),
      clients: clientsJson(clientSources(start, end)),
    });
  });

  app.get("/api/monitoring/clients/:ip", async (c) => {
    const ip = parseClientIp(c.req.param("ip") ?? "", "ip");
    const { start, end } = parseDateRange(c, today());
    const granularity = parseGranularity(c.req.query("granularity"), start === end ? "hour" : "day");
    const found = clientsJson(clientSources(start, end)).find((x) => x.ip === ip);
    const query = { ...span(start, end), clientIp: ip };
    return c.json<MonitoringClientDetailJson>({
      client: found ?? clientJson(ip, {
        totals: new Map(),
        live: new Map(),
        chains: new Map(),
        infos: clashLedger.clientInfos(),
        nowSec: nowSec(),
        devices: deps.clientDevices?.([ip]),
      }),
      resources: clashLedger.resourceTotals({ ...query, limit: MAX_RESOURCES }).map(groupJson),
      chains: clashLedger.chainTotals(query).map(groupJson),
      connections: monitor.liveConnections().filter((l) => l.clientIp === ip).map(connectionJson),
      history: await history(start, end, granularity, ip),
    });
  });

  app.get("/api/monitoring/resources", (c) => {
    const { start, end } = parseDateRange(c, today());
    checkDateRange(start, end, "day");
    const clientIp = optionalClientIp(c);
    const limit = parseLimit(c.req.query("limit"), { fallback: DEFAULT_RESOURCES, max: MAX_RESOURCES });
    const resources = clashLedger.resourceTotals({ ...span(start, end), clientIp, limit });
    return c.json<MonitoringResourcesJson>({ resources: resources.map(groupJson) });
  });

  app.put(
    "/api/monitoring/clients/:ip/name",
    nameBodyLimit(),
    async (c) => {
      const ip = parseClientIp(c.req.param("ip"), "ip");
      const name = parseNameBody(await c.req.text());
      clashLedger.setClientName(ip, name);
      return c.json<MonitoringClientNameJson>({ ip, name });
    },
  );

  app.delete("/api/monitoring/connections/:id", async (c) => {
    if (!deps.auth.isEnabled || !authStateOf(c).isAuthenticated) {
      return c.json<ErrorJson>({ error: CONTROL_NEEDS_AUTH }, 403);
    }
    if (!isSameOrigin(c)) {
      // A session cookie also rides along from another port of the same host (same site, other origin).
      return c.json<ErrorJson>({
        error: "Closing a connection refused: the request came from another origin",
      }, 403);
    }
    const id = parseConnectionId(c.req.param("id"));
    if (!monitor.isConfigured) return c.json<ErrorJson>({ error: monitor.status().message }, 404);
    const result = await monitor.closeConnection(id);
    if (result.kind === "closed") return c.body(null, 204);
    return c.json<ErrorJson>({ error: result.message }, result.kind === "not_found" ? 404 : 502);
  });

  app.route("/", monitoringRelays(monitor));
  return app;
}
