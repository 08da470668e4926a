/**
 * The seven quick-range buttons of the range query, each filling start, end and granularity, and the range of a
 * plan's billing period (issue 16: "This period" and "Last period" beside them).
 */
import { addDays, monthStart } from "./zoned_time.ts";

/** Period length of one series row in `/api/query`. */
export type Granularity = "hour" | "day" | "month";

/** Identifier of a quick-range button, also its i18n key suffix. */
export type QuickRangeId =
  | "today"
  | "yesterday"
  | "last_7_days"
  | "last_30_days"
  | "this_month"
  | "last_month"
  | "this_year";

/** Button order on the page. */
export const QUICK_RANGE_IDS: readonly QuickRangeId[] = [
  "today",
  "yesterday",
  "last_7_days",
  "last_30_days",
  "this_month",
  "last_month",
  "this_year",
];

/** Whole local hours as UTC seconds [fromSec, toSec): a zoom or a clicked hour inside a range's dates. */
export interface HourSpan {
  readonly fromSec: number;
  readonly toSec: number;
}

/**
 * A range query: inclusive local dates "YYYY-MM-DD" and a granularity. `hours`, only with granularity
 * "hour", narrows it to part of those dates (down to a single hour); absent means the whole days.
 */
export interface RangeQuery {
  readonly start: string;
  readonly end: string;
  readonly granularity: Granularity;
  readonly hours?: HourSpan;
}

/** Whether two queries select the same range at the same granularity. */
export function isSameRange(a: RangeQuery, b: RangeQuery): boolean {
  return a.start === b.start && a.end === b.end && a.granularity === b.granularity &&
    a.hours?.fromSec === b.hours?.fromSec && a.hours?.toSec === b.hours?.toSec;
}

/**
 * The quick button that selects exactly `query` on local date `today`, or null. Some days two buttons select
 * the same range (on the 7th, "Last 7 days" is "This month"): then `clicked`, the button clicked last, when it
 * is one of them, else the first. Its default, "today", is the first button anyway: no preference.
 */
export function quickRangeIdOf(
  query: RangeQuery,
  today: string,
  clicked: QuickRangeId = "today",
): QuickRangeId | null {
  return [clicked, ...QUICK_RANGE_IDS].find((id) => isSameRange(quickRange(id, today), query)) ?? null;
}

/** The range a quick button selects, given today's local date in the server zone. */
export function quickRange(id: QuickRangeId, today: string): RangeQuery {
  switch (id) {
    case "today":
      return { start: today, end: today, granularity: "hour" };
    case "yesterday": {
      const yesterday = addDays(today, -1);
      return { start: yesterday, end: yesterday, granularity: "hour" };
    }
    case "last_7_days":
      return { start: addDays(today, -6), end: today, granularity: "day" };
    case "last_30_days":
      return { start: addDays(today, -29), end: today, granularity: "day" };
    case "this_month":
      return { start: monthStart(today), end: today, granularity: "day" };
    case "last_month":
      return { start: monthStart(today, -1), end: addDays(monthStart(today), -1), granularity: "day" };
    case "this_year":
      return { start: `${today.slice(0, 4)}-01-01`, end: today, granularity: "month" };
  }
}

/**
 * A plan's period (local dates, `end` inclusive) by day: the whole of it once it has ended, else from its start
 * to `today`, as "This month" stops at today.
 */
export function periodRange(
  period: { readonly start: string; readonly end: string },
  today: string,
): RangeQuery {
  const end = period.end < today ? period.end : today;
  return { start: period.start, end: end < period.start ? period.start : end, granularity: "day" };
}
