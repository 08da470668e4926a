import assert from "node:assert/strict";
import { parsePlanList } from "../../plans/mod.ts";
import { PlanBook, StoredAlertOutbox, TrafficLedger } from "../../store/mod.ts";
import type { PlanJson, PlanPeriodsJson, PlansJson, QueryJson } from "../api_types.ts";
import { buildApp } from "./_testing.ts";
import { createAuth } from "./auth.ts";
import { renderMetrics } from "./metrics.ts";
import { buildMetricsSnapshot } from "./metrics_snapshot.ts";

const NOW = Date.parse("2026-12-20T12:00:00Z") / 1000;
const auth = createAuth({ password: null, passwordHash: null, apiToken: null, log: () => {} });
const envPlans = parsePlanList("ISP;monthly:15;total;1.2TB", "2026-12-20");

/** The app over a temp database with the PLAN= plan ISP and traffic written to `buckets` (UTC sec → [up, down]). */
async function planApp(buckets: Record<number, [number, number]> = {}) {
  let ledger: TrafficLedger | null = null;
  const test = await buildApp(auth, {
    deps: (store) => {
      ledger = new TrafficLedger(store);
      for (const [t, [up, down]] of Object.entries(buckets)) {
        ledger.add({
          traffic: [{
            bucketStartSec: Number(t),
            family: 4,
            upBytes: up,
            downBytes: down,
            upPackets: 1,
            downPackets: 1,
          }],
          remotes: [],
          health: [],
        });
      }
      return {
        ledger,
        nowSec: () => NOW,
        plans: {
          book: new PlanBook(store, envPlans),
          outbox: new StoredAlertOutbox(store),
          channels: ["webhook"],
        },
      };
    },
  });
  const request = async (method: string, path: string, body?: unknown) => {
    const response = await test.app.request(path, {
      method,
      headers: { host: "127.0.0.1", "content-type": "application/json" },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: response.status, json: response.status === 204 ? null : await response.json() };
  };
  return { test, request, ledger: ledger! };
}

Deno.test("GET /api/plans gives the issue's fields for the current period, unsaved traffic included", async () => {
  const day = 86_400;
  const start = Date.parse("2026-12-15T00:00:00Z") / 1000;
  // 100 GB a day on Dec 15..19, and 30 GB so far today (Dec 20, 12:00 UTC): 530 GB of 1.2 TB.
  const buckets: Record<number, [number, number]> = {};
  for (let d = 0; d < 5; d++) buckets[start + d * day] = [20e9, 80e9];
  buckets[start + 5 * day + 3600] = [10e9, 20e9];
  const { test, request } = await planApp(buckets);
  await using _ = test;
  const { status, json } = await request("GET", "/api/plans");
  assert.equal(status, 200);
  const body = json as PlansJson;
  assert.equal(body.today, "2026-12-20");
  assert.deepEqual(body.channels, ["webhook"]);
  const plan = body.plans[0];
  assert.deepEqual(
    Object.keys(plan).filter((k) =>
      !["period_rule", "source", "up_bytes", "down_bytes", "p95_bps"].includes(k)
    ),
    [
      "id",
      "name",
      "counts",
      "quota_bytes",
      "device",
      "period",
      "used_bytes",
      "remaining_bytes",
      "percent",
      "days_left",
      "daily_budget_bytes",
      "forecast_bytes",
      "forecast_low_bytes",
      "forecast_high_bytes",
      "quota_reached_on",
      "p95_up_bps",
      "p95_down_bps",
      "alerts",
    ].filter((k) => k in plan),
  );
  assert.equal(plan.id, "isp");
  assert.equal(plan.source, "env");
  assert.deepEqual([plan.period.start, plan.period.end], ["2026-12-15", "2027-01-14"]);
  assert.equal(plan.used_bytes, 530e9);
  assert.equal(plan.remaining_bytes, 670e9);
  assert.equal(plan.percent, 44.17);
  assert.equal(plan.days_left, 26); // Dec 20..Jan 14
  assert.equal(plan.daily_budget_bytes, Math.floor(670e9 / 26));
  // Five days of history: a flat 100 GB a day; the rest of today is half a day.
  assert.equal(plan.forecast_bytes, 530e9 + 50e9 + 25 * 100e9);
  assert.ok(
    plan.forecast_low_bytes <= plan.forecast_bytes && plan.forecast_bytes <= plan.forecast_high_bytes,
  );
  // At 100 GB a day the quota is reached on the day the total passes 1.2 TB: 480 GB by the end of Dec 19,
  // 580 on Dec 20, then 100 a day: 1.28 TB at the end of Dec 27.
  assert.equal(plan.quota_reached_on, "2026-12-27");
  assert.deepEqual(plan.alerts.map((a) => [a.threshold, a.fired_at]), [["80%", null], ["100%", null], [
    "forecast",
    null,
  ]]);
  // 6 of the 529 buckets so far hold traffic, the rest none: the 95th percentile is 0.
  assert.equal(plan.p95_down_bps, 0);
});

Deno.test("POST, PUT and DELETE /api/plans answer 400s naming the field, and PLAN= plans are read-only", async () => {
  const { test, request } = await planApp();
  await using _ = test;
  const bad: [unknown, RegExp][] = [
    [{ name: "A", period: "monthly:32", counts: "total", quota: "1TB" }, /"period"/],
    [{ name: "A", period: "calendar", counts: "total", quota: "0GB" }, /"quota"/],
    [{ name: "A", period: "calendar", counts: "total", quota: "2EB" }, /"quota"/],
    [{ name: "A", period: "calendar", counts: "total", quota: "5 XB" }, /"quota"/],
    [{ name: "A", period: "every:0:2026-01-01", counts: "total", quota: null }, /"period"/],
    [{ name: "A", period: "every:30:2027-01-01", counts: "total", quota: null }, /"period".*not after today/],
    [{ name: "A", period: "calendar", counts: "both", quota: null }, /"counts"/],
    [{ period: "calendar", counts: "total", quota: null }, /"name"/],
    [{ name: "A", period: "calendar", counts: "total", quota: null, alerts: ["0%"] }, /"alerts"/],
    [{ name: "A", period: "calendar", counts: "total", quota: null, device: "x" }, /"device"/],
    [{ name: "isp", period: "calendar", counts: "total", quota: null }, /"name"/],
    ["{", /"body"/],
  ];
  for (const [body, field] of bad) {
    const { status, json } = await request("POST", "/api/plans", body);
    assert.equal(status, 400, JSON.stringify(body));
    assert.match((json as { error: string }).error, field, JSON.stringify(body));
  }
  const created = await request("POST", "/api/plans", {
    name: "VPS upload",
    period: "every:30:2026-01-07",
    counts: "upload",
    quota: "2TB",
    alerts: ["90%", "90%"],
  });
  assert.equal(created.status, 201);
  const plan = created.json as PlanJson;
  assert.deepEqual([plan.id, plan.source, plan.quota_bytes, plan.period_rule], [
    "vps-upload",
    "api",
    2e12,
    "every:30:2026-01-07",
  ]);
  assert.deepEqual(plan.alerts.map((a) => a.threshold), ["90%"]);
  const renamed = await request("PUT", "/api/plans/vps-upload", {
    name: "VPS",
    period: "weekly:mon",
    counts: "total",
    quota: 500 * 2 ** 30,
  });
  assert.equal(renamed.status, 200);
  assert.deepEqual([
    (renamed.json as PlanJson).id,
    (renamed.json as PlanJson).name,
    (renamed.json as PlanJson).quota_bytes,
  ], ["vps-upload", "VPS", 500 * 2 ** 30]);
  assert.equal(
    (await request("PUT", "/api/plans/isp", { name: "x", period: "calendar", counts: "total", quota: null }))
      .status,
    409,
  );
  assert.equal((await request("DELETE", "/api/plans/isp")).status, 409);
  assert.equal((await request("DELETE", "/api/plans/nope")).status, 404);
  const form = await test.app.request("/api/plans", {
    method: "POST",
    headers: { host: "127.0.0.1", "content-type": "text/plain" },
    body: JSON.stringify({ name: "Form", period: "calendar", counts: "total", quota: null }),
  });
  assert.equal(form.status, 415, "a cross-site form's text/plain body is refused");
  assert.equal((await request("DELETE", "/api/plans/vps-upload")).status, 204);
  assert.deepEqual(((await request("GET", "/api/plans")).json as PlansJson).plans.map((p) => p.id), ["isp"]);
});

Deno.test("GET /api/plans/:id/periods and /api/query?period= cut the same periods; /metrics has the plan gauges", async () => {
  const day = 86_400;
  const buckets: Record<number, [number, number]> = {
    [Date.parse("2026-11-14T23:45:00Z") / 1000]: [1, 2], // the period before the previous one
    [Date.parse("2026-11-15T00:00:00Z") / 1000]: [1e12, 0.3e12], // previous period: 1.3 TB, over
    [Date.parse("2026-12-14T23:45:00Z") / 1000]: [5, 5],
    [Date.parse("2026-12-15T00:00:00Z") / 1000 + day]: [7, 3],
  };
  const { test, request, ledger } = await planApp(buckets);
  await using _ = test;
  const { json } = await request("GET", "/api/plans/isp/periods?count=3");
  const periods = (json as PlanPeriodsJson).periods;
  assert.deepEqual(periods.map((p) => [p.start, p.end, p.used_bytes, p.over, p.is_current]), [
    ["2026-10-15", "2026-11-14", 3, false, false],
    ["2026-11-15", "2026-12-14", 1.3e12 + 10, true, false],
    ["2026-12-15", "2027-01-14", 10, false, true],
  ]);
  assert.equal(periods[1].over_bytes, 0.1e12 + 10);
  const previous = (await request("GET", "/api/query?period=previous&plan=isp&granularity=month"))
    .json as QueryJson;
  assert.equal(previous.summary.total_bytes, periods[1].used_bytes);
  const current = (await request("GET", "/api/query?period=current&plan=isp")).json as QueryJson;
  assert.equal(current.summary.total_bytes, 10);
  assert.match(
    ((await request("GET", "/api/query?period=next&plan=isp")).json as { error: string }).error,
    /"period"/,
  );
  assert.match(
    ((await request("GET", "/api/query?period=current&plan=nope")).json as { error: string }).error,
    /"plan"/,
  );
  assert.equal((await request("GET", "/api/plans/isp/periods?count=0")).status, 400);

  const text = renderMetrics(buildMetricsSnapshot({
    version: "test",
    ledger,
    capture: null,
    clash: { monitor: { isConfigured: false } as never, ledger: null as never },
    timeZone: "UTC",
    nowSec: NOW,
    topN: 5,
    plans: new PlanBook(ledger.store, envPlans),
  }));
  assert.match(text, /^netledger_plan_used_bytes\{plan="isp"\} 10$/m);
  assert.match(text, /^netledger_plan_quota_bytes\{plan="isp"\} 1200000000000$/m);
  assert.match(text, /^netledger_plan_forecast_bytes\{plan="isp"\} \d+$/m);
  assert.match(
    text,
    new RegExp(
      `^netledger_plan_period_end_timestamp_seconds\\{plan="isp"\\} ${
        Date.parse("2027-01-15T00:00:00Z") / 1000
      }$`,
      "m",
    ),
  );
});
