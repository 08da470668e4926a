/**
 * The JSON of plans (web/api_types.ts PlanJson, PlanPastPeriodJson, AlertDeliveryJson) from a plan, its
 * period and its figures; the figures are computed over stored plus unsaved traffic, as every answer is.
 */
import {
  formatPeriodRule,
  formatThreshold,
  periodAt,
  type PlanFigures,
  type PlanPeriod,
  recentPeriods,
} from "../../plans/mod.ts";
import {
  type AlertDeliveryRow,
  figuresOf,
  firedAlerts,
  ledgerBucketReader,
  ledgerFirstBucketSec,
  type PlanEntry,
  type TrafficLedger,
} from "../../store/mod.ts";
import type { AlertDeliveryJson, PlanJson, PlanPastPeriodJson, PlanPeriodJson } from "../api_types.ts";

/** What plan figures are read from. */
export interface PlanReadContext {
  readonly ledger: TrafficLedger;
  readonly timeZone: string;
  readonly nowSec: number;
}

/** A plan's current period and its figures. */
export interface PlanStatus {
  readonly entry: PlanEntry;
  readonly period: PlanPeriod;
  readonly figures: PlanFigures;
}

/** The current period of `entry` and its figures at `context.nowSec`. */
export function planStatus(entry: PlanEntry, context: PlanReadContext): PlanStatus {
  const { ledger, timeZone, nowSec } = context;
  const period = periodAt(entry.plan.period, nowSec, timeZone);
  const firstSec = ledgerFirstBucketSec(ledger);
  const read = ledgerBucketReader(ledger, entry.plan);
  return { entry, period, figures: figuresOf(entry.plan, period, { read, nowSec, timeZone, firstSec }) };
}

/** The PlanJson of `status`, with the thresholds fired in its period. */
export function planJson(status: PlanStatus, ledger: TrafficLedger): PlanJson {
  const { entry: { plan, source }, period, figures } = status;
  const fired = firedAlerts(ledger.store, plan.id, period.start);
  return {
    id: plan.id,
    name: plan.name,
    counts: plan.counts,
    quota_bytes: plan.quotaBytes,
    device: plan.deviceId,
    period_rule: formatPeriodRule(plan.period),
    source,
    period: periodJson(period),
    used_bytes: figures.usedBytes,
    up_bytes: figures.upBytes,
    down_bytes: figures.downBytes,
    remaining_bytes: figures.remainingBytes,
    percent: figures.percent === null ? null : round2(figures.percent),
    days_left: figures.daysLeft,
    daily_budget_bytes: figures.dailyBudgetBytes,
    forecast_bytes: figures.forecastBytes,
    forecast_low_bytes: figures.forecastLowBytes,
    forecast_high_bytes: figures.forecastHighBytes,
    quota_reached_on: figures.quotaReachedOn,
    p95_up_bps: Math.round(figures.p95UpBps),
    p95_down_bps: Math.round(figures.p95DownBps),
    p95_bps: Math.round(figures.p95Bps),
    alerts: plan.thresholds.map((t) => {
      const threshold = formatThreshold(t);
      return { threshold, fired_at: fired.get(threshold) ?? null };
    }),
  };
}

/** The `count` periods of `entry` up to the current one, oldest first, with their final (or so-far) figures. */
export function pastPeriodsJson(
  entry: PlanEntry,
  count: number,
  context: PlanReadContext,
): PlanPastPeriodJson[] {
  const { ledger, timeZone, nowSec } = context;
  const plan = entry.plan;
  const read = ledgerBucketReader(ledger, plan);
  const firstSec = ledgerFirstBucketSec(ledger);
  return recentPeriods(plan.period, nowSec, timeZone, count).map((period) => {
    const figures = figuresOf(plan, period, { read, nowSec, timeZone, firstSec });
    const over = plan.quotaBytes === null ? null : figures.usedBytes - plan.quotaBytes;
    return {
      ...periodJson(period),
      used_bytes: figures.usedBytes,
      up_bytes: figures.upBytes,
      down_bytes: figures.downBytes,
      quota_bytes: plan.quotaBytes,
      over: over === null ? null : over > 0,
      over_bytes: over,
      p95_up_bps: Math.round(figures.p95UpBps),
      p95_down_bps: Math.round(figures.p95DownBps),
      p95_bps: Math.round(figures.p95Bps),
      is_current: nowSec >= period.startSec && nowSec < period.endSec,
    };
  });
}

/** One row of the delivery log. */
export function deliveryJson(row: AlertDeliveryRow): AlertDeliveryJson {
  return {
    id: row.id,
    channel: row.channel,
    plan_id: row.planId,
    plan_name: row.planName,
    threshold: row.threshold,
    period_start: row.periodStart,
    period_end: row.periodEnd,
    is_test: row.isTest,
    state: row.state,
    attempts: row.attempts,
    last_error: row.lastError,
    created_at: row.createdSec,
    last_attempt_at: row.lastAttemptSec,
    next_attempt_at: row.nextAttemptSec,
    sent_at: row.sentSec,
  };
}

function periodJson(period: PlanPeriod): PlanPeriodJson {
  return {
    start: period.start,
    end: period.end,
    start_ts: period.startSec,
    end_ts: period.endSec,
    days: period.days,
  };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
