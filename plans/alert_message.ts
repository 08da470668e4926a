/**
 * The text and JSON of an alert, the same for every channel. Built when the alert fires and kept in the
 * outbox, so a retry days later sends what was true when it fired. It carries no secret.
 */
import type { PlanFigures } from "./plan_figures.ts";
import type { PlanPeriod } from "./plan_periods.ts";
import { type AlertThreshold, formatThreshold, type PlanSpec } from "./plan_spec.ts";

/** What one alert says. Field names are those of the webhook's JSON body (docs/plans.md "Webhook"). */
export interface AlertMessage {
  readonly plan_id: string;
  readonly plan_name: string;
  readonly threshold: string;
  readonly period_start: string;
  readonly period_end: string;
  readonly used_bytes: number;
  readonly quota_bytes: number | null;
  readonly percent: number | null;
  readonly forecast_bytes: number;
  readonly quota_reached_on: string | null;
  /** A `netledger --test-alert` sample, not a real crossing. */
  readonly is_test: boolean;
  readonly title: string;
  readonly text: string;
}

/** The message of `threshold` of `plan` crossed in `period` with `figures`. */
export function alertMessage(
  plan: PlanSpec,
  threshold: AlertThreshold,
  options: { period: PlanPeriod; figures: PlanFigures; isTest?: boolean },
): AlertMessage {
  const { period, figures } = options;
  const isTest = options.isTest ?? false;
  const quota = plan.quotaBytes === null ? "no quota" : decimalSize(plan.quotaBytes);
  const used = `${decimalSize(figures.usedBytes)} of ${quota}` +
    (figures.percent === null ? "" : ` (${figures.percent.toFixed(1)}%)`);
  const what = threshold.kind === "forecast"
    ? `forecast ${decimalSize(figures.forecastBytes)} exceeds the quota`
    : `${threshold.percent}% of the quota reached`;
  const title = `${isTest ? "Test: " : ""}${plan.name}: ${what}`;
  const reached = figures.quotaReachedOn === null ? "" : `; quota reached on ${figures.quotaReachedOn}`;
  return {
    plan_id: plan.id,
    plan_name: plan.name,
    threshold: formatThreshold(threshold),
    period_start: period.start,
    period_end: period.end,
    used_bytes: figures.usedBytes,
    quota_bytes: plan.quotaBytes,
    percent: figures.percent,
    forecast_bytes: figures.forecastBytes,
    quota_reached_on: figures.quotaReachedOn,
    is_test: isTest,
    title,
    text: `${title}. Used ${used} in ${period.start} – ${period.end}${reached}.`,
  };
}

/** Bytes in decimal units with 3 significant digits ("1.20 TB"), as ISPs bill. */
export function decimalSize(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toPrecision(3)} ${units[unit]}`;
}
