import assert from "node:assert/strict";
import type { PlanJson } from "../../api_types.ts";
import { elapsedShare, planGauge, planRisk } from "./plan_gauge.ts";

const DAY = 86400;
const START = 1_764_547_200;

/** A plan of 30 days: 10 used of a 100 quota, forecast 60 (40..80) unless `over` says otherwise. */
function plan(over: Partial<PlanJson> = {}): PlanJson {
  return {
    id: "isp",
    name: "ISP",
    counts: "total",
    quota_bytes: 100,
    device: null,
    period_rule: "calendar",
    source: "api",
    period: { start: "2025-12-01", end: "2025-12-30", start_ts: START, end_ts: START + 30 * DAY, days: 30 },
    used_bytes: 10,
    up_bytes: 4,
    down_bytes: 6,
    remaining_bytes: 90,
    percent: 10,
    days_left: 25,
    daily_budget_bytes: 3,
    forecast_bytes: 60,
    forecast_low_bytes: 40,
    forecast_high_bytes: 80,
    quota_reached_on: null,
    p95_up_bps: 0,
    p95_down_bps: 0,
    p95_bps: 0,
    alerts: [],
    ...over,
  };
}

Deno.test("planRisk() is ok under the quota, forecast_over when the forecast passes it, over when used does", () => {
  assert.equal(planRisk(plan()), "ok");
  assert.equal(planRisk(plan({ forecast_bytes: 100 })), "ok", "reaching the quota exactly is not over");
  assert.equal(planRisk(plan({ forecast_bytes: 101 })), "forecast_over");
  assert.equal(planRisk(plan({ used_bytes: 101, forecast_bytes: 150 })), "over");
  assert.equal(planRisk(plan({ quota_bytes: null })), "none");
});

Deno.test("planGauge() places the marks on a bar as wide as the quota when everything fits under it", () => {
  const gauge = planGauge(plan(), START + 6 * DAY);
  assert.deepEqual(gauge, {
    usedPct: 10,
    quotaPct: 100,
    pacePct: 20,
    forecastPct: 60,
    lowPct: 40,
    highPct: 80,
  });
});

Deno.test("planGauge() widens the bar to the forecast's high end past the quota", () => {
  const gauge = planGauge(plan({ used_bytes: 50, forecast_bytes: 150, forecast_high_bytes: 200 }), START);
  assert.equal(gauge.quotaPct, 50);
  assert.equal(gauge.highPct, 100);
  assert.equal(gauge.forecastPct, 75);
  assert.equal(gauge.pacePct, 0);
});

Deno.test("planGauge() without a cap has no quota or pace mark and spans the forecast", () => {
  const gauge = planGauge(plan({ quota_bytes: null }), START);
  assert.equal(gauge.quotaPct, null);
  assert.equal(gauge.pacePct, null);
  assert.equal(gauge.highPct, 100);
});

Deno.test("elapsedShare() stays within 0..1 outside the period", () => {
  assert.equal(elapsedShare(plan(), START - DAY), 0);
  assert.equal(elapsedShare(plan(), START + 15 * DAY), 0.5);
  assert.equal(elapsedShare(plan(), START + 40 * DAY), 1);
});
