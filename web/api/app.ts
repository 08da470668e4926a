/**
 * The one route table of netledger's HTTP server: the Host check first (request_guard.ts), then auth, then
 * the traffic API, the Monitoring API, health and debug, /metrics and the embedded dashboard. Every part is
 * handed in by main.ts as getters, so this file holds no state and no SQL.
 */
import { Hono, type MiddlewareHandler } from "hono";
import type { CaptureStatus, LocalAddresses } from "../../capture/mod.ts";
import type { ClashMonitor } from "../../clash/mod.ts";
import type { ClashLedger, LedgerStatus, TrafficLedger } from "../../store/mod.ts";
import { type Auth, authMiddleware, authRoutes, authStateOf } from "./auth.ts";
import type {
  CaptureJson,
  DebugCaptureJson,
  ErrorJson,
  HealthJson,
  HealthPublicJson,
  LocalIpsJson,
  StoreStatusJson,
} from "../api_types.ts";
import type { FileNameLookup } from "./device_json.ts";
import { deviceRoutes } from "./device_routes.ts";
import { clientDeviceLookup } from "./client_devices.ts";
import { serviceRoutes } from "./service_routes.ts";
import { errorResponse } from "./error_response.ts";
import { METRICS_CONTENT_TYPE, type MetricsSnapshot, renderMetrics } from "./metrics.ts";
import { clashStatusJson } from "./monitoring_json.ts";
import { monitoringRoutes } from "./monitoring_routes.ts";
import { type PlanDeps, planRoutes } from "./plan_routes.ts";
import { hostGuard, type HostPolicy, noSniff } from "./request_guard.ts";
import { staticRoutes } from "./static_routes.ts";
import { type RealtimeSource, trafficRoutes } from "./traffic_routes.ts";

/** Everything the server reads, as getters over live parts. */
export interface AppDeps {
  readonly version: string;
  readonly timeZone: string;
  readonly nowSec: () => number;
  readonly ledger: TrafficLedger;
  readonly realtime: RealtimeSource;
  /** Live capture state, or null when this process only serves history. */
  readonly captureStatus: () => CaptureStatus | null;
  /**
   * Resolves once the ledger and captureStatus() hold everything the capture counted up to now; awaited
   * before every answer built from them (the capture hands its counts over when asked, see live_capture.ts).
   */
  readonly catchUpCapture: () => Promise<unknown>;
  /** SERVICE_NAMES (issue 15); default on. */
  readonly serviceNames?: boolean;
  readonly localAddresses: () => LocalAddresses;
  /** The proxy-client part; without CLASH_API_URL the monitor's status says `not_configured`. */
  readonly clash: { readonly monitor: ClashMonitor; readonly ledger: ClashLedger };
  readonly auth: Auth;
  /** The Host values answered (ALLOWED_HOSTS, BIND, the machine's name); others get 421 (DNS rebinding). */
  readonly hosts: HostPolicy;
  readonly metrics: () => MetricsSnapshot;
  /** Device names from DHCP leases, /etc/ethers and /etc/hosts; absent, devices have only users' names. */
  readonly fileNames?: FileNameLookup;
  /** Plans, their alert outbox and the configured channel kinds (issue 16); absent, no /api/plans routes. */
  readonly plans?: PlanDeps;
  /** The kernel's neighbour table, IP → MAC (client_devices.ts), mapping proxy clients to devices. */
  readonly neighbourMacs?: () => ReadonlyMap<string, string>;
}

/** Builds the Hono app; `app.fetch` is the server's handler. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.use("*", hostGuard(deps.hosts));
  app.use("*", noSniff);
  app.use("/api/*", noStore);
  app.use("/metrics", noStore);
  app.use("*", authMiddleware(deps.auth));
  app.route("/", authRoutes(deps.auth));
  app.use("*", async (c, next) => {
    if (readsCapture(c.req.path)) await deps.catchUpCapture();
    await next();
  });
  app.get("/api/health", (c) => {
    if (authStateOf(c).isAuthenticated) return c.json<HealthJson>(healthJson(deps));
    // Without credentials (auth on): no counters, interface, versions or Clash URL (finding 9).
    const { status, ts, problems } = healthJson(deps, { isPublic: true });
    return c.json<HealthPublicJson>({ status, ts, problems });
  });
  app.get("/api/debug/local_ips", (c) => c.json<LocalIpsJson>(localIpsJson(deps)));
  app.get(
    "/api/debug/capture",
    (c) => c.json<DebugCaptureJson>({ capture: captureJson(deps.captureStatus()) }),
  );
  app.get(
    "/metrics",
    (c) => c.body(renderMetrics(deps.metrics()), 200, { "content-type": METRICS_CONTENT_TYPE }),
  );
  app.route("/", trafficRoutes(deps));
  const clientDevices = clientDeviceLookup(deps);
  // Without CLASH_API_URL a device page says nothing of a proxy.
  const proxied = deps.clash.monitor.isConfigured
    ? { clashLedger: deps.clash.ledger, clientDevices }
    : undefined;
  app.route("/", deviceRoutes({ ...deps, proxied }));
  app.route("/", serviceRoutes(deps));
  if (deps.plans !== undefined) app.route("/", planRoutes({ ...deps, plans: deps.plans }));
  app.route(
    "/",
    monitoringRoutes({ ...deps, monitor: deps.clash.monitor, clashLedger: deps.clash.ledger, clientDevices }),
  );
  app.route("/", staticRoutes());
  app.notFound((c) => c.json<ErrorJson>({ error: `No route for "${c.req.method} ${c.req.path}"` }, 404));
  app.onError(errorResponse);
  return app;
}

/** Every API answer is live data (or an error about it): no browser or proxy may keep a copy. */
const noStore: MiddlewareHandler = async (c, next) => {
  await next();
  if (!c.res.headers.has("cache-control")) c.res.headers.set("cache-control", "no-store");
};

/**
 * Whether a route's answer is built from captured counts: all of /api/ and /metrics but the live rate (it
 * reads shared memory the capture writes per packet), the proxy-client routes and the session check.
 */
function readsCapture(path: string): boolean {
  if (path === "/metrics") return true;
  return path.startsWith("/api/") && path !== "/api/realtime" && path !== "/api/session" &&
    !path.startsWith("/api/monitoring/");
}

/**
 * The health answer; `isPublic` words each problem as the part and its state only, since the messages name
 * the interface, paths and the Clash controller's URL.
 */
function healthJson(deps: AppDeps, options: { isPublic?: boolean } = {}): HealthJson {
  const capture = deps.captureStatus();
  const store = deps.ledger.status();
  const clash = deps.clash.monitor.isConfigured ? deps.clash.monitor.status() : null;
  const problems: string[] = [];
  const problem = (part: string, state: string, message: string) =>
    problems.push(`${part}: ${options.isPublic ? state : message}`);
  if (capture !== null && capture.state !== "capturing") {
    problem("capture", capture.state, capture.message ?? capture.state);
  }
  if (store.errorMessage !== null) problem("store", store.errorKind ?? "error", store.errorMessage);
  if (clash !== null && clash.state !== "connected") problem("clash", clash.state, clash.message);
  return {
    status: problems.length === 0 ? "ok" : "degraded",
    ts: Temporal.Instant.fromEpochMilliseconds(deps.nowSec() * 1000).toZonedDateTimeISO(deps.timeZone)
      .toString({ timeZoneName: "never", fractionalSecondDigits: 0 }),
    version: deps.version,
    time_zone: deps.timeZone,
    problems,
    capture: captureJson(capture),
    store: storeJson(store),
    clash: clash === null ? null : clashStatusJson(clash),
  };
}

function captureJson(status: CaptureStatus | null): CaptureJson | null {
  if (status === null) return null;
  return {
    state: status.state,
    iface: status.iface,
    link_type: status.linkType,
    socket_type: status.socketType,
    message: status.message,
    kernel_packets: status.kernelPackets,
    kernel_drops: status.kernelDrops,
    kernel_queue_freezes: status.kernelQueueFreezes,
    malformed_packets: status.malformedPackets,
    counted_packets: status.countedPackets,
    last_batch: status.lastBatchSec,
    opens: status.opens,
  };
}

function storeJson(status: LedgerStatus): StoreStatusJson {
  return {
    last_saved: status.lastSavedSec,
    pending_remote_rows: status.pendingRemoteRows,
    error_kind: status.errorKind,
    error: status.errorMessage,
  };
}

function localIpsJson(deps: AppDeps): LocalIpsJson {
  const local = deps.localAddresses();
  const ipv4 = local.ips.filter((ip) => !ip.includes(":"));
  const ipv6 = local.ips.filter((ip) => ip.includes(":"));
  const capture = deps.captureStatus();
  return {
    iface: capture?.iface ?? null,
    ipv4,
    ipv6,
    total: local.ips.length,
    ipv6_lan_filter: {
      mode: local.mode,
      prefixes: local.lanPrefixes,
      note: local.mode === "manual"
        ? "EXCLUDE_IPV6_PREFIX is set: traffic with both ends inside one of these prefixes is LAN traffic"
        : "The /56 of every global IPv6 address on the interface is treated as the LAN (followed as addresses change)",
    },
    capture: captureJson(capture),
    note: "Traffic between a local or private address and a public one is counted; LAN-only traffic is not",
  };
}
