/**
 * The Monitoring API (issue 5): proxy-client overview, history, clients, resources and names, plus the two
 * WebSocket relays of the core's `/traffic` and `/connections` streams. The relays only attach browsers to
 * the ClashMonitor's shared upstream subscriptions: no path or query of the browser reaches the core (no
 * open relay) and the secret never leaves the server. Bad parameters get 400 `{"error"}` naming them.
 */
import { type Context, Hono } from "hono";
import { api } from "./api_handler.ts";
import { upgradeWebSocket } from "hono/deno";
import type { WSContext } from "hono/ws";
import type { ClashLiveClient, ClashMonitor, ClashStatus, StreamHub } from "../../clash/mod.ts";
import { normalizeClientIp, ONLINE_WINDOW_SEC } from "../../clash/mod.ts";
import {
  clashByPeriod,
  clashChainsByClient,
  clashChainTotals,
  clashClientInfos,
  clashClientTotals,
  type ClashGroupTotals,
  clashResourceTotals,
  type ClashStore,
  type ClashTotals,
  type Granularity,
  localDateEndSec,
  localDateOf,
  localDateStartSec,
  localPeriods,
  MAX_CLIENT_NAME_CHARS,
} from "../../store/mod.ts";
import type { ErrorJson } from "../api_types.ts";
import type {
  ClashBytesJson,
  ClashStatusJson,
  MonitoringClientDetailJson,
  MonitoringClientJson,
  MonitoringClientNameJson,
  MonitoringClientsJson,
  MonitoringGroupJson,
  MonitoringHistoryJson,
  MonitoringOverviewJson,
  MonitoringResourcesJson,
} from "../monitoring_api_types.ts";
import { BadParamError, checkDateRange, parseDate, parseGranularity, parseLimit } from "./params.ts";

/** What the monitoring routes read. */
export interface MonitoringRoutesDeps {
  readonly monitor: ClashMonitor;
  readonly clashStore: ClashStore;
  /** IANA zone of hours, days and months (Config.timeZone). */
  readonly timeZone: string;
  /** Current UTC seconds (a seam for tests). */
  readonly nowSec: () => number;
}

/** Most resources one answer lists. */
export const MAX_RESOURCES = 1000;
const DEFAULT_RESOURCES = 50;
const IP_TEXT_REGEXP = /^[0-9a-f.:]{2,45}$/;

/** The Monitoring API as a Hono app with full paths; mount with `app.route("/", monitoringRoutes(deps))`. */
export function monitoringRoutes(deps: MonitoringRoutesDeps): Hono {
  const { monitor, clashStore, timeZone } = deps;
  const store = clashStore.store;
  const nowSec = () => Math.floor(deps.nowSec());
  const app = new Hono();
  const range = (c: Context) => {
    const end = parseDate(c.req.query("end"), "end", localDateOf(nowSec(), timeZone));
    const start = parseDate(c.req.query("start"), "start", end);
    return { start, end };
  };
  /** The local dates `start`..`end` (inclusive) as a half-open UTC-second span. */
  const span = (start: string, end: string) => ({
    fromSec: localDateStartSec(start, timeZone),
    toSec: localDateEndSec(end, timeZone),
  });
  const history = (start: string, end: string, granularity: Granularity, ip: string | null) => {
    checkDateRange(start, end, granularity);
    const periods = clashByPeriod(store, monitor, localPeriods(start, end, granularity, timeZone), ip);
    return {
      granularity,
      series: periods.map((p) => ({ label: p.label, start: p.startSec, end: p.endSec, ...bytes(p) })),
      summary: bytes(sum(periods)),
    } satisfies MonitoringHistoryJson;
  };
  const clients = (start: string, end: string): MonitoringClientJson[] => {
    checkDateRange(start, end, "day");
    const { fromSec, toSec } = span(start, end);
    const totals = new Map(clashClientTotals(store, monitor, fromSec, toSec).map((t) => [t.key, t]));
    const live = new Map(monitor.liveClients().map((l) => [l.clientIp, l]));
    const chains = clashChainsByClient(store, monitor, fromSec, toSec);
    const infos = clashClientInfos(store);
    return [...new Set([...totals.keys(), ...live.keys()])].map((ip) =>
      clientJson(ip, totals.get(ip), live.get(ip), infos.get(ip)?.name ?? null, {
        chains: chains.get(ip) ?? [],
        firstSeenSec: infos.get(ip)?.firstSeenSec ?? null,
        lastSeenSec: infos.get(ip)?.lastSeenSec ?? null,
        nowSec: nowSec(),
      })
    ).sort((a, b) =>
      Number(b.online) - Number(a.online) || (b.up_bytes + b.down_bytes) - (a.up_bytes + a.down_bytes) ||
      (a.ip < b.ip ? -1 : 1)
    );
  };

  app.get(
    "/api/monitoring/overview",
    api((c) => {
      const today = localDateOf(nowSec(), timeZone);
      const sample = monitor.latestSample();
      const live = monitor.liveClients();
      return c.json<MonitoringOverviewJson>({
        status: clashStatusJson(monitor.status()),
        rate: sample && { ts: sample.tsSec, up_Bps: sample.upBytes, down_Bps: sample.downBytes },
        active_connections: live.reduce((n, l) => n + l.activeConnections, 0),
        online_clients: live.filter((l) => isOnline(l, nowSec())).length,
        today: history(today, today, "day", null).summary,
      });
    }),
  );

  app.get(
    "/api/monitoring/history",
    api((c) => {
      const { start, end } = range(c);
      const ip = optionalClientIp(c);
      return c.json<MonitoringHistoryJson>(
        history(start, end, parseGranularity(c.req.query("granularity")), ip),
      );
    }),
  );

  app.get(
    "/api/monitoring/clients",
    api((c) => {
      const { start, end } = range(c);
      return c.json<MonitoringClientsJson>({
        status: clashStatusJson(monitor.status()),
        clients: clients(start, end),
      });
    }),
  );

  app.get(
    "/api/monitoring/clients/:ip",
    api((c) => {
      const ip = parseClientIp(c.req.param("ip") ?? "", "ip");
      const { start, end } = range(c);
      const granularity = parseGranularity(c.req.query("granularity"), start === end ? "hour" : "day");
      const found = clients(start, end).find((x) => x.ip === ip);
      const info = clashClientInfos(store).get(ip);
      const query = { ...span(start, end), clientIp: ip };
      return c.json<MonitoringClientDetailJson>({
        client: found ?? clientJson(ip, undefined, undefined, info?.name ?? null, {
          chains: [],
          firstSeenSec: info?.firstSeenSec ?? null,
          lastSeenSec: info?.lastSeenSec ?? null,
          nowSec: nowSec(),
        }),
        resources: clashResourceTotals(store, monitor, { ...query, limit: MAX_RESOURCES }).map(groupJson),
        chains: clashChainTotals(store, monitor, query).map(groupJson),
        connections: monitor.liveConnections().filter((l) => l.clientIp === ip).map((l) => ({
          id: l.id,
          resource: l.resource,
          destination: l.destination,
          chain: l.chain,
          rule: l.rule,
          network: l.network,
          inbound: l.inbound,
          start: l.startSec,
          up_bytes: l.upBytes,
          down_bytes: l.downBytes,
        })),
        history: history(start, end, granularity, ip),
      });
    }),
  );

  app.get(
    "/api/monitoring/resources",
    api((c) => {
      const { start, end } = range(c);
      checkDateRange(start, end, "day");
      const clientIp = optionalClientIp(c);
      const limit = parseLimit(c.req.query("limit"), { fallback: DEFAULT_RESOURCES, max: MAX_RESOURCES });
      const resources = clashResourceTotals(store, monitor, { ...span(start, end), clientIp, limit });
      return c.json<MonitoringResourcesJson>({ resources: resources.map(groupJson) });
    }),
  );

  app.put(
    "/api/monitoring/clients/:ip/name",
    api(async (c) => {
      const ip = parseClientIp(c.req.param("ip") ?? "", "ip");
      const name = parseName(await c.req.text());
      clashStore.setClientName(ip, name);
      return c.json<MonitoringClientNameJson>({ ip, name });
    }),
  );

  for (
    const [path, hub] of [["traffic", monitor.trafficHub], ["connections", monitor.connectionsHub]] as const
  ) {
    app.get(
      `/api/monitoring/ws/${path}`,
      async (c, next) => {
        const status = monitor.status();
        if (status.state === "not_configured") return c.json<ErrorJson>({ error: status.message }, 503);
        if (!isSameOrigin(c.req.header("origin"), c.req.header("host"))) {
          // Cross-site WebSocket hijacking: another site's page must not read the proxy clients' traffic.
          return c.json<ErrorJson>({ error: "WebSocket from another origin refused" }, 403);
        }
        await next();
      },
      relay(hub),
      (c) => c.json<ErrorJson>({ error: "Expected a WebSocket upgrade" }, 426),
    );
  }
  return app;
}

/** Attaches one browser socket to a hub for its lifetime. */
function relay(hub: StreamHub) {
  return upgradeWebSocket(() => {
    let unsubscribe: (() => void) | null = null;
    return {
      onOpen: (_event: Event, ws: WSContext<WebSocket>) => {
        const socket = ws.raw!;
        unsubscribe = hub.subscribe({
          send: (text) => socket.send(text),
          bufferedBytes: () => socket.bufferedAmount,
        });
      },
      onClose: () => unsubscribe?.(),
    };
  });
}

/** True without an Origin (curl, scripts) or when the Origin names the host the request was sent to. */
function isSameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === host;
  } catch (e) {
    if (e instanceof TypeError) return false; // "null" or garbage: not this page
    throw e;
  }
}

/** The optional `client` query parameter as a checked client IP, or null when absent or empty. */
function optionalClientIp(c: Context): string | null {
  const value = c.req.query("client");
  return value ? parseClientIp(value, "client") : null;
}

/** Normalises and checks a client IP parameter (text only, IPv4 or IPv6, P6). */
function parseClientIp(value: string, parameter: string): string {
  const ip = normalizeClientIp(value);
  if (!IP_TEXT_REGEXP.test(ip) || !(ip.includes(".") || ip.includes(":"))) {
    throw new BadParamError(parameter, value, "an IPv4 or IPv6 address such as 192.168.1.10 or fd00::10");
  }
  return ip;
}

function parseName(body: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    throw new BadParamError("body", body.slice(0, 40), 'JSON {"name": "..."}');
  }
  const name = (parsed as { name?: unknown } | null)?.name;
  if (name === null || name === undefined) return null;
  if (typeof name !== "string" || name.trim().length > MAX_CLIENT_NAME_CHARS) {
    throw new BadParamError(
      "name",
      String(name),
      `a text of at most ${MAX_CLIENT_NAME_CHARS} characters, or null`,
    );
  }
  return name.trim() === "" ? null : name.trim();
}

function isOnline(live: ClashLiveClient, nowSec: number): boolean {
  return live.lastByteSec !== null && nowSec - live.lastByteSec <= ONLINE_WINDOW_SEC;
}

function clientJson(
  ip: string,
  totals: ClashGroupTotals | undefined,
  live: ClashLiveClient | undefined,
  name: string | null,
  more: {
    chains: readonly string[];
    firstSeenSec: number | null;
    lastSeenSec: number | null;
    nowSec: number;
  },
): MonitoringClientJson {
  const chains = new Set([...more.chains, ...live?.chains ?? []]);
  const lastSeen = Math.max(more.lastSeenSec ?? 0, live?.lastByteSec ?? 0);
  return {
    ip,
    name,
    online: live !== undefined && isOnline(live, more.nowSec),
    active_connections: live?.activeConnections ?? 0,
    up_bytes: totals?.upBytes ?? 0,
    down_bytes: totals?.downBytes ?? 0,
    first_seen: more.firstSeenSec ?? live?.lastByteSec ?? null,
    last_seen: lastSeen === 0 ? null : lastSeen,
    connection_duration_sec: live?.oldestStartSec == null
      ? null
      : Math.max(0, more.nowSec - live.oldestStartSec),
    chains: [...chains].sort(),
  };
}

function groupJson(g: ClashGroupTotals): MonitoringGroupJson {
  return { name: g.key, up_bytes: g.upBytes, down_bytes: g.downBytes, connections: g.connections };
}

function bytes(t: ClashTotals): ClashBytesJson {
  return {
    up_bytes: t.upBytes,
    down_bytes: t.downBytes,
    unattributed_up_bytes: t.unattributedUpBytes,
    unattributed_down_bytes: t.unattributedDownBytes,
  };
}

function sum(periods: readonly ClashTotals[]): ClashTotals {
  return periods.reduce((s, p) => ({
    upBytes: s.upBytes + p.upBytes,
    downBytes: s.downBytes + p.downBytes,
    unattributedUpBytes: s.unattributedUpBytes + p.unattributedUpBytes,
    unattributedDownBytes: s.unattributedDownBytes + p.unattributedDownBytes,
  }), { upBytes: 0, downBytes: 0, unattributedUpBytes: 0, unattributedDownBytes: 0 });
}

/** The Clash connection state as /api/health and the Monitoring API show it. */
export function clashStatusJson(s: ClashStatus): ClashStatusJson {
  return { state: s.state, message: s.message, core: s.core, version: s.version, since: s.sinceSec };
}
