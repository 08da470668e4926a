/**
 * Period arithmetic of plans: which local dates a period covers, and the UTC seconds of its bounds. Periods
 * are defined in local dates, so they do not depend on the zone; their bounds are the local midnights of the
 * zone in force (TZ), so a DST day is 23 or 25 hours long and a TZ change moves the bounds of every period,
 * past ones included, to the new zone's midnights. Every offset in use is a multiple of 15 minutes, so each
 * bound is a bucket bound (docs/architecture.md "Invariants").
 */
import type { PeriodRule } from "./plan_spec.ts";

/** One period of a plan: local dates (`end` inclusive) and [startSec, endSec) in UTC seconds. */
export interface PlanPeriod {
  readonly start: string;
  readonly end: string;
  readonly startSec: number;
  readonly endSec: number;
  /** Local days in the period. */
  readonly days: number;
}

/** The local dates of the period of `rule` containing the local date `date` ("YYYY-MM-DD"). */
export function periodDatesOf(rule: PeriodRule, date: string): { start: string; end: string } {
  const day = Temporal.PlainDate.from(date);
  let start: Temporal.PlainDate;
  let next: Temporal.PlainDate;
  switch (rule.kind) {
    case "calendar":
      start = day.with({ day: 1 });
      next = start.add({ months: 1 });
      break;
    case "monthly": {
      // The rule's day in `day`'s month, or in the month before when `day` comes earlier.
      start = monthDay(day, rule.day);
      if (Temporal.PlainDate.compare(day, start) < 0) start = monthDay(day.subtract({ months: 1 }), rule.day);
      next = monthDay(start.add({ months: 1 }), rule.day);
      break;
    }
    case "every": {
      const first = Temporal.PlainDate.from(rule.startDate);
      const offset = first.until(day, { largestUnit: "days" }).days;
      start = first.add({ days: Math.floor(offset / rule.days) * rule.days });
      next = start.add({ days: rule.days });
      break;
    }
    case "weekly":
      start = day.subtract({ days: (day.dayOfWeek - rule.weekday + 7) % 7 });
      next = start.add({ days: 7 });
      break;
  }
  return { start: start.toString(), end: next.subtract({ days: 1 }).toString() };
}

/** The period of `rule` containing UTC second `sec`, with its bounds at local midnight in `timeZone`. */
export function periodAt(rule: PeriodRule, sec: number, timeZone: string): PlanPeriod {
  return periodOfDate(rule, localDate(sec, timeZone), timeZone);
}

/** The period of `rule` containing local date `date`. */
export function periodOfDate(rule: PeriodRule, date: string, timeZone: string): PlanPeriod {
  const { start, end } = periodDatesOf(rule, date);
  const first = Temporal.PlainDate.from(start);
  const after = Temporal.PlainDate.from(end).add({ days: 1 });
  return {
    start,
    end,
    startSec: midnightSec(first, timeZone),
    endSec: midnightSec(after, timeZone),
    days: first.until(after, { largestUnit: "days" }).days,
  };
}

/** The period just before `period`. */
export function previousPeriod(rule: PeriodRule, period: PlanPeriod, timeZone: string): PlanPeriod {
  return periodOfDate(rule, Temporal.PlainDate.from(period.start).subtract({ days: 1 }).toString(), timeZone);
}

/** The `count` periods up to and including the one containing `sec`, oldest first. */
export function recentPeriods(rule: PeriodRule, sec: number, timeZone: string, count: number): PlanPeriod[] {
  const periods = [periodAt(rule, sec, timeZone)];
  while (periods.length < count) periods.unshift(previousPeriod(rule, periods[0], timeZone));
  return periods;
}

/** The local date ("YYYY-MM-DD") in `timeZone` at UTC second `sec`. */
export function localDate(sec: number, timeZone: string): string {
  return Temporal.Instant.fromEpochMilliseconds(Math.floor(sec) * 1000).toZonedDateTimeISO(timeZone)
    .toPlainDate().toString();
}

/** UTC second at which local date `date` starts in `timeZone`. */
export function dateStartSec(date: string, timeZone: string): number {
  return midnightSec(Temporal.PlainDate.from(date), timeZone);
}

function monthDay(inMonth: Temporal.PlainDate, day: number): Temporal.PlainDate {
  // ISPs bill "the 31st" on the last day of shorter months (30 Apr, 28 or 29 Feb).
  return inMonth.with({ day: Math.min(day, inMonth.daysInMonth) });
}

function midnightSec(day: Temporal.PlainDate, timeZone: string): number {
  // startOfDay, not 00:00: where DST starts at midnight (America/Santiago…) the day begins at 01:00.
  return day.toZonedDateTime({ timeZone }).startOfDay().epochMilliseconds / 1000;
}
