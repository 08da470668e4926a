/**
 * Where the marks of a plan's used/quota bar go (issue 16): the used part, the quota, today's pace, the
 * forecast and its low–high range, each as a share of the bar's width in percent, and the plan's risk. The bar
 * spans the largest of the quota and the figures, so a forecast past the quota still shows.
 */
import type { PlanJson } from "../../api_types.ts";

/** "none": no cap; "ok": under it with the forecast too; "forecast_over": the forecast passes it; "over": used passes it. */
export type PlanRisk = "none" | "ok" | "forecast_over" | "over";

/** Positions on the bar, in percent of its width (0..100). */
export interface PlanGauge {
  readonly usedPct: number;
  /** The quota's place; null without a cap. */
  readonly quotaPct: number | null;
  /** Where an even pace through the period puts the used bytes now (the quota's elapsed share); null without a cap. */
  readonly pacePct: number | null;
  readonly forecastPct: number;
  readonly lowPct: number;
  readonly highPct: number;
}

/** The risk of `plan` from its used bytes and forecast against its quota. */
export function planRisk(plan: PlanJson): PlanRisk {
  if (plan.quota_bytes === null) return "none";
  if (plan.used_bytes > plan.quota_bytes) return "over";
  return plan.forecast_bytes > plan.quota_bytes ? "forecast_over" : "ok";
}

/** The period's elapsed share at UTC second `nowSec`, 0..1. */
export function elapsedShare(plan: PlanJson, nowSec: number): number {
  const { start_ts, end_ts } = plan.period;
  return Math.min(1, Math.max(0, (nowSec - start_ts) / (end_ts - start_ts)));
}

/** The bar of `plan` at UTC second `nowSec`. */
export function planGauge(plan: PlanJson, nowSec: number): PlanGauge {
  const quota = plan.quota_bytes;
  const scale = Math.max(quota ?? 0, plan.used_bytes, plan.forecast_high_bytes, plan.forecast_bytes, 1);
  const pct = (bytes: number) => Math.min(100, Math.max(0, bytes / scale * 100));
  return {
    usedPct: pct(plan.used_bytes),
    quotaPct: quota === null ? null : pct(quota),
    pacePct: quota === null ? null : pct(quota * elapsedShare(plan, nowSec)),
    forecastPct: pct(plan.forecast_bytes),
    lowPct: pct(plan.forecast_low_bytes),
    highPct: pct(plan.forecast_high_bytes),
  };
}

/** The day of the period that today is (1 on its first day). */
export function periodDay(plan: PlanJson): number {
  return plan.period.days - plan.days_left + 1;
}
