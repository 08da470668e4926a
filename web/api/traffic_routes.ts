/**
 * The traffic endpoints of the replaced tool, same paths, parameters and JSON shapes (web/api_types.ts),
 * plus /api/backup. Handlers throw BadParamError (→ 400 naming the parameter) or StoreError (→ 503); app.ts
 * answers both (error_response.ts) and sets `Cache-Control: no-store`.
 */
import { Hono } from "hono";
import { RATE_LAG_SEC, RATE_WINDOW_SEC, type RateSample } from "../../capture/mod.ts";
import {
  addDays,
  type DeviceFilter,
  type Granularity,
  interfaceTotalsByPeriod,
  localDateOf,
  localPeriods,
  monthStartDate,
  type PlanBook,
  topRemotesOffThread,
  trafficByPeriod,
  trafficDateRange,
  type TrafficLedger,
  trafficSummary,
} from "../../store/mod.ts";
import type {
  DateRangeJson,
  DaysJson,
  MonthsJson,
  QueryJson,
  RealtimeJson,
  RealtimeSampleJson,
  SummaryJson,
  TodayHoursJson,
  TopIpsJson,
} from "../api_types.ts";
import {
  BadParamError,
  checkDateRange,
  checkSpan,
  parseChoice,
  parseDate,
  parseGranularity,
  parseLimit,
  parseSpanBound,
} from "./params.ts";
import { safeHeaderValue } from "./request_guard.ts";
import {
  amountJson,
  interfaceTotalsJson,
  pointJson,
  seriesCsv,
  sumPeriods,
  topIpsJson,
} from "./traffic_json.ts";
import { knownDevice } from "./device_routes.ts";
import { planQuerySpan } from "./plan_routes.ts";

/** Source of the live one-second samples: capture's RateWindow, which the capture Worker writes. */
export interface RealtimeSource {
  /** The complete seconds before `nowSec`, oldest first, zero-filled (RateWindow.samples). */
  samples(nowSec: number): readonly RateSample[];
}

/** What the traffic routes read. */
export interface TrafficRoutesDeps {
  readonly ledger: TrafficLedger;
  /** IANA zone of hours, days and months (Config.timeZone). */
  readonly timeZone: string;
  /** Current UTC seconds (a seam for tests). */
  readonly nowSec: () => number;
  readonly realtime: RealtimeSource;
  /** Plans, for /api/query?period=current|previous&plan=ID (issue 16); absent, `period` is refused. */
  readonly plans?: { readonly book: PlanBook };
}

/** Most remote addresses /api/top_ips returns. */
export const MAX_TOP_IPS = 1000;
const DEFAULT_TOP_IPS = 10;

/** The traffic API as a Hono app with full paths; mount with `app.route("/", trafficRoutes(deps))`. */
export function trafficRoutes(deps: TrafficRoutesDeps): Hono {
  const { ledger, timeZone } = deps;
  const nowSec = () => Math.floor(deps.nowSec());
  const today = () => localDateOf(nowSec(), timeZone);
  const series = (start: string, end: string, granularity: Granularity, device: DeviceFilter | null = null) =>
    trafficByPeriod(ledger, localPeriods(start, end, granularity, timeZone), device);
  const planQuerySpanOf = (period: string | undefined, plan: string | undefined) => {
    if (period === undefined || period === "") return null;
    if (deps.plans === undefined) throw new BadParamError("period", period, "no period: no plans are set up");
    return planQuerySpan(deps.plans.book, { period, plan, nowSec: nowSec(), timeZone });
  };
  const app = new Hono();

  app.get("/api/summary", (c) => {
    const s = trafficSummary(ledger, timeZone, nowSec());
    return c.json<SummaryJson>({
      today: amountJson(s.today),
      month: amountJson(s.month),
      year: amountJson(s.year),
    });
  });

  app.get("/api/query", (c) => {
    const granularity = parseGranularity(c.req.query("granularity"));
    // period=current|previous&plan=ID: a plan's billing period in place of start and end (issue 16).
    const planSpan = planQuerySpanOf(c.req.query("period"), c.req.query("plan"));
    const end = planSpan?.end ?? parseDate(c.req.query("end"), "end", today());
    const start = planSpan?.start ?? parseDate(c.req.query("start"), "start", end);
    const format = parseChoice(c.req.query("format"), "format", ["json", "csv"], "json");
    checkDateRange(start, end, granularity);
    // device=ID: the same series, of that device only (issue 14); a plan of one device counts only it.
    const deviceParam = c.req.query("device") ||
      (planSpan?.deviceId == null ? undefined : String(planSpan.deviceId));
    const device = deviceParam ? knownDevice(ledger, deviceParam, "device") : null;
    const periods = series(start, end, granularity, device && { id: device.id!, key: device.key });
    if (format === "csv") {
      c.header("Content-Type", "text/csv; charset=utf-8");
      // Parsed dates and a known granularity, but built from the query: through the one checked helper.
      c.header(
        "Content-Disposition",
        safeHeaderValue(`attachment; filename="netledger-${start}-${end}-${granularity}.csv"`),
      );
      return c.body(seriesCsv(periods, granularity));
    }
    return c.json<QueryJson>({
      summary: amountJson(sumPeriods(periods)),
      series: periods.map((p) => pointJson(p, granularity)),
      ...interfaceTotalsJson(device === null ? interfaceTotalsByPeriod(ledger.store, periods) : null),
    });
  });

  app.get("/api/history/30days", (c) => {
    const end = today();
    const periods = series(addDays(end, -29), end, "day");
    const days = periods.map((p) => pointJson(p, "day"));
    return c.json<DaysJson>({ days, ...interfaceTotalsJson(interfaceTotalsByPeriod(ledger.store, periods)) });
  });

  app.get("/api/history/12months", (c) => {
    const end = today();
    const start = monthStartDate(end, -11);
    const lastDay = addDays(monthStartDate(end, 1), -1);
    const periods = series(start, lastDay, "month");
    const months = periods.map((p) => pointJson(p, "month"));
    return c.json<MonthsJson>({
      months,
      ...interfaceTotalsJson(interfaceTotalsByPeriod(ledger.store, periods)),
    });
  });

  app.get("/api/history/today_hours", (c) => {
    const day = today();
    const hours = series(day, day, "hour")
      .filter((p) => p.upBytes + p.downBytes > 0 || p.droppedPackets > 0)
      .map((p) => pointJson(p, "hour"));
    return c.json<TodayHoursJson>({ hours });
  });

  app.get("/api/date_range", (c) => c.json<DateRangeJson>(trafficDateRange(ledger, timeZone)));

  // start and end: local dates or local hours (params.ts parseSpanBound), so the dashboard's table can
  // follow a range down to one hour.
  app.get("/api/top_ips", async (c) => {
    const start = c.req.query("start") ?? "";
    const end = c.req.query("end") ?? "";
    const fromSec = parseSpanBound(start, "start", { timeZone, edge: "start" });
    const toSec = parseSpanBound(end, "end", { timeZone, edge: "end" });
    const limit = parseLimit(c.req.query("limit"), { fallback: DEFAULT_TOP_IPS, max: MAX_TOP_IPS });
    if (fromSec !== null && toSec !== null) checkSpan({ fromSec, toSec }, { start, end });
    const top = await topRemotesOffThread(ledger, {
      fromSec: fromSec ?? undefined,
      toSec: toSec ?? undefined,
      limit,
    });
    return c.json<TopIpsJson>({
      top_ips: topIpsJson(ledger, top.remotes, fromSec ?? 0, toSec ?? Number.MAX_SAFE_INTEGER),
      other_bytes: top.other.upBytes + top.other.downBytes,
    });
  });

  app.get("/api/realtime", (c) => {
    const now = nowSec();
    // The capture Worker writes the current second: seconds RATE_LAG_SEC old are complete.
    const samples = deps.realtime.samples(now - RATE_LAG_SEC + 1).slice(-RATE_WINDOW_SEC).map((
      s,
    ): RealtimeSampleJson => ({ ts: s.ts, up: s.upBytes, down: s.downBytes }));
    // The newest finished second: the sample of the running second is still growing.
    const current = samples.findLast((s) => s.ts < now) ?? { ts: now, up: 0, down: 0 };
    return c.json<RealtimeJson>({
      samples,
      current_up_bps: current.up * 8,
      current_down_bps: current.down * 8,
      current_up_Bps: current.up,
      current_down_Bps: current.down,
    });
  });

  app.get("/api/backup", async (c) => {
    const stamp = new Date(nowSec() * 1000).toISOString().replace(/[:.]/g, "-");
    c.header("Content-Type", "application/vnd.sqlite3");
    c.header("Content-Disposition", `attachment; filename="netledger-backup-${stamp}.db"`);
    // Hono answers HEAD with this handler and drops the body unread: a copy made for it stayed open, and on
    // disk, until garbage collection (issue 12, finding 5). HEAD gets the size a copy made now would have.
    if (c.req.method === "HEAD") {
      c.header("Content-Length", String(ledger.backupSizeBytes()));
      return c.body(null);
    }
    const backup = await ledger.openBackup();
    c.header("Content-Length", String(backup.sizeBytes));
    return c.body(backup.stream);
  });

  return app;
}
