/** The plain records a plan is made of (issue 16): what it counts, its quota, its period rule, its alerts. */

/** What a plan counts: both directions, or one. */
export type PlanCounts = "total" | "upload" | "download";

/** The counted directions of every plan. */
export const PLAN_COUNTS: readonly PlanCounts[] = ["total", "upload", "download"];

/** How a plan's periods are cut, at local midnight in TZ. */
export type PeriodRule =
  | { readonly kind: "calendar" }
  /** Starts on `day` (1–31) of each month; a day past the month's end means its last day. */
  | { readonly kind: "monthly"; readonly day: number }
  /** Periods of `days` local days, the first starting on `startDate` ("YYYY-MM-DD"). */
  | { readonly kind: "every"; readonly days: number; readonly startDate: string }
  /** Starts on `weekday` (1 Monday … 7 Sunday, ISO 8601). */
  | { readonly kind: "weekly"; readonly weekday: number };

/** An alert threshold: a share of the quota in percent (1..1000), or "the forecast exceeds the quota". */
export type AlertThreshold = { readonly kind: "percent"; readonly percent: number } | {
  readonly kind: "forecast";
};

/** One plan, as PLAN= or the API define it. */
export interface PlanSpec {
  /** Slug of the name (planId). */
  readonly id: string;
  readonly name: string;
  readonly counts: PlanCounts;
  /** Bytes; null: no cap. */
  readonly quotaBytes: number | null;
  readonly period: PeriodRule;
  /** A device id of the store; null counts all traffic. */
  readonly deviceId: number | null;
  readonly thresholds: readonly AlertThreshold[];
}

/** The thresholds of a plan that names none: 80% and 100% of the quota, and the forecast over it. */
export const DEFAULT_THRESHOLDS: readonly AlertThreshold[] = [
  { kind: "percent", percent: 80 },
  { kind: "percent", percent: 100 },
  { kind: "forecast" },
];

const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/** The PLAN= text of a rule: "calendar", "monthly:15", "every:30:2026-01-07", "weekly:mon". */
export function formatPeriodRule(rule: PeriodRule): string {
  switch (rule.kind) {
    case "calendar":
      return "calendar";
    case "monthly":
      return `monthly:${rule.day}`;
    case "every":
      return `every:${rule.days}:${rule.startDate}`;
    case "weekly":
      return `weekly:${WEEKDAYS[rule.weekday - 1]}`;
  }
}

/** The weekday number (1 Monday … 7 Sunday) of "mon".."sun", or 0. */
export function weekdayNumber(name: string): number {
  return WEEKDAYS.indexOf(name) + 1;
}

/** "80%" or "forecast". */
export function formatThreshold(threshold: AlertThreshold): string {
  return threshold.kind === "forecast" ? "forecast" : `${threshold.percent}%`;
}
