/**
 * The plans API (issue 16 item 4): GET /api/plans, GET /api/plans/:id/periods?count=, POST /api/plans,
 * PUT and DELETE /api/plans/:id, and the alert delivery log GET /api/plans/deliveries. A bad body field is a
 * 400 naming it; PLAN= plans are read-only (409). Neither the channels' URLs nor their secrets appear here.
 */
import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import {
  type AlertChannel,
  DEFAULT_THRESHOLDS,
  formatThreshold,
  localDate,
  parseCounts,
  parsePeriodRule,
  parsePlanName,
  parseQuota,
  parseThreshold,
  PlanFieldError,
  planId,
  type PlanSpec,
  recentPeriods,
} from "../../plans/mod.ts";
import type { PlanBook, StoredAlertOutbox, TrafficLedger } from "../../store/mod.ts";
import type { AlertDeliveriesJson, PlanJson, PlanPeriodsJson, PlansJson } from "../api_types.ts";
import { BadParamError, parseLimit } from "./params.ts";
import { deliveryJson, pastPeriodsJson, planJson, planStatus } from "./plan_json.ts";

/** What the plans API reads and changes. */
export interface PlanDeps {
  readonly book: PlanBook;
  readonly outbox: StoredAlertOutbox;
  /** The kinds of the configured channels (never their settings). */
  readonly channels: readonly AlertChannel["kind"][];
}

/** Largest plan body: a plan is a few short fields. */
const MAX_PLAN_BODY_BYTES = 4096;

/** The plans routes. */
export function planRoutes(
  deps: { ledger: TrafficLedger; timeZone: string; nowSec: () => number; plans: PlanDeps },
): Hono {
  const app = new Hono();
  const { ledger, timeZone, plans } = deps;
  const context = () => ({ ledger, timeZone, nowSec: deps.nowSec() });
  const entryOf = (id: string) => {
    const entry = plans.book.get(id);
    if (entry === null) {
      throw new HTTPException(404, { message: `No plan "${id}": /api/plans lists the ids` });
    }
    return entry;
  };
  const changeable = (id: string) => {
    const entry = entryOf(id);
    if (entry.source === "env") {
      throw new HTTPException(409, { message: `Plan "${id}" comes from PLAN= and is changed there` });
    }
    return entry;
  };
  const bodyCap = bodyLimit({
    maxSize: MAX_PLAN_BODY_BYTES,
    onError: () => {
      throw new HTTPException(413, { message: `Body too large: at most ${MAX_PLAN_BODY_BYTES} bytes` });
    },
  });
  // JSON only: another site's page can send a text/plain form body without CORS preflight, never a JSON one,
  // so with auth off it still cannot change plans through the visitor's browser.
  const jsonBody: MiddlewareHandler = async (c, next) => {
    if (!/^application\/json\b/i.test(c.req.header("content-type") ?? "")) {
      throw new HTTPException(415, { message: "Send the plan as Content-Type: application/json" });
    }
    await bodyCap(c, next);
  };

  app.get("/api/plans", (c) => {
    const ctx = context();
    return c.json<PlansJson>({
      plans: plans.book.list().map((entry) => planJson(planStatus(entry, ctx), ledger)),
      today: localDate(ctx.nowSec, timeZone),
      channels: plans.channels,
    });
  });
  app.get("/api/plans/deliveries", (c) => {
    const count = parseLimit(c.req.query("limit"), { fallback: 100, max: 1000 });
    return c.json<AlertDeliveriesJson>({ deliveries: plans.outbox.log(count).map(deliveryJson) });
  });
  app.get("/api/plans/:id", (c) => {
    return c.json<PlanJson>(planJson(planStatus(entryOf(c.req.param("id")), context()), ledger));
  });
  app.get("/api/plans/:id/periods", (c) => {
    const entry = entryOf(c.req.param("id"));
    const count = parseLimit(c.req.query("count"), { parameter: "count", fallback: 12, max: 120 });
    const ctx = context();
    return c.json<PlanPeriodsJson>({
      plan: planJson(planStatus(entry, ctx), ledger),
      periods: pastPeriodsJson(entry, count, ctx),
    });
  });
  app.post("/api/plans", jsonBody, async (c) => {
    const ctx = context();
    const plan = parsePlanBody(await c.req.text(), localDate(ctx.nowSec, timeZone));
    if (plans.book.get(plan.id) !== null || plans.book.isFromEnv(plan.id)) {
      throw new BadParamError("name", plan.name, `a name whose id "${plan.id}" no other plan has`);
    }
    plans.book.save(plan, ctx.nowSec);
    return c.json<PlanJson>(planJson(planStatus(entryOf(plan.id), ctx), ledger), 201);
  });
  app.put("/api/plans/:id", jsonBody, async (c) => {
    const id = c.req.param("id");
    changeable(id);
    const ctx = context();
    // A rename keeps the id, so links and the alert state of the period stay.
    const plan = { ...parsePlanBody(await c.req.text(), localDate(ctx.nowSec, timeZone)), id };
    plans.book.save(plan, ctx.nowSec, { replaceId: id });
    return c.json<PlanJson>(planJson(planStatus(entryOf(id), ctx), ledger));
  });
  app.delete("/api/plans/:id", (c) => {
    const id = c.req.param("id");
    changeable(id);
    plans.book.remove(id);
    return c.body(null, 204);
  });
  return app;
}

/** A plan from a POST/PUT body (web/api_types.ts PlanBodyJson); BadParamError names the first bad field. */
export function parsePlanBody(text: string, today: string): PlanSpec {
  let body: Record<string, unknown>;
  try {
    const parsed = JSON.parse(text);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new SyntaxError("not an object");
    }
    body = parsed;
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    throw new BadParamError("body", text.slice(0, 40), 'a JSON object {"name", "period", "counts", "quota"}');
  }
  const text_ = (field: string): string => {
    const value = body[field];
    if (typeof value !== "string") throw new BadParamError(field, String(value), "a string");
    return value;
  };
  try {
    const name = parsePlanName(text_("name"));
    const quota = body.quota;
    let quotaBytes: number | null;
    if (quota === null || quota === undefined) quotaBytes = null;
    else if (typeof quota === "number") quotaBytes = parseQuota(String(quota));
    else if (typeof quota === "string") quotaBytes = parseQuota(quota);
    else {throw new BadParamError(
        "quota",
        String(quota),
        'a size such as "1.2TB" or "500GiB", bytes, or null',
      );}
    const device = body.device;
    if (device !== undefined && device !== null && !(Number.isInteger(device) && (device as number) >= 1)) {
      throw new BadParamError("device", String(device), "a device id of /api/devices (1 or more), or null");
    }
    const alerts = body.alerts;
    if (alerts !== undefined && !(Array.isArray(alerts) && alerts.every((a) => typeof a === "string"))) {
      throw new BadParamError("alerts", String(alerts), 'a list such as ["80%", "100%", "forecast"]');
    }
    const thresholds = alerts === undefined
      ? DEFAULT_THRESHOLDS
      : (alerts as string[]).map((a) => parseThreshold(a))
        // One of each: a threshold fires once per period, so a repeat would mean nothing.
        .filter((t, i, all) => all.findIndex((u) => formatThreshold(u) === formatThreshold(t)) === i);
    return {
      id: planId(name),
      name,
      period: parsePeriodRule(text_("period"), today),
      counts: parseCounts(text_("counts")),
      quotaBytes,
      deviceId: (device as number | null | undefined) ?? null,
      thresholds,
    };
  } catch (e) {
    if (!(e instanceof PlanFieldError)) throw e;
    throw new BadParamError(e.field, e.value, e.allowed);
  }
}

/**
 * The local dates of `period=current|previous&plan=ID` for /api/query, in place of start and end, and the
 * plan's device (null: all traffic). BadParamError names "period" or "plan".
 */
export function planQuerySpan(
  book: PlanBook,
  params: { period: string; plan: string | undefined; nowSec: number; timeZone: string },
): { start: string; end: string; deviceId: number | null } {
  if (params.period !== "current" && params.period !== "previous") {
    throw new BadParamError("period", params.period, "current or previous (with plan=ID)");
  }
  const entry = params.plan === undefined || params.plan === "" ? null : book.get(params.plan);
  if (entry === null) throw new BadParamError("plan", params.plan ?? "", "a plan id of /api/plans");
  const [previous, current] = recentPeriods(entry.plan.period, params.nowSec, params.timeZone, 2);
  const period = params.period === "current" ? current : previous;
  return { start: period.start, end: period.end, deviceId: entry.plan.deviceId };
}
