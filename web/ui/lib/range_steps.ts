/**
 * The steps a person takes on a chart: clicking a period opens it one granularity finer (a month by day, a
 * day by hour, an hour alone), dragging across periods narrows the range to them (issue 13 "drill-down
 * and zoom"). Pure: the chart names the periods, the range model applies the result.
 */
import type { Granularity, RangeQuery } from "./quick_ranges.ts";
import { addDays, localHourLabelAt, monthStart, zoneOffsetSec } from "./zoned_time.ts";

/** A period of a chart: its label as the API writes it ("2026-11", "2026-11-05", "2026-11-05 03:00") and start. */
export interface PeriodRef {
  readonly label: string;
  /** UTC seconds at which the period starts (tells the two 01:00 of a 25-hour day apart). */
  readonly startSec: number;
}

/** Longest span, in days, drawn by hour (72 points) and by day (about half a year of bars); beyond: months. */
const MAX_HOURLY_DAYS = 3;
const MAX_DAILY_DAYS = 200;

function daysFrom(start: string, end: string): number {
  return (Date.parse(`${end}T00:00Z`) - Date.parse(`${start}T00:00Z`)) / 86_400_000;
}

/** The granularity that draws `days` days readably. */
function granularityFor(days: number): Granularity {
  return days <= MAX_HOURLY_DAYS ? "hour" : days <= MAX_DAILY_DAYS ? "day" : "month";
}

/**
 * The range that the periods `first`..`last` (inclusive, of one chart) open: their whole span, at the
 * granularity that fits it. So one month opens by day, one day by hour, and hours (one or several, not
 * whole days) become `hours` of their day.
 */
export function narrowRange(first: PeriodRef, last: PeriodRef): RangeQuery {
  const start = first.label.length === 7 ? `${first.label}-01` : first.label.slice(0, 10);
  const end = last.label.length === 7 ? addDays(monthStart(last.label, 1), -1) : last.label.slice(0, 10);
  const granularity = granularityFor(daysFrom(start, end) + 1);
  const isPartOfDays = first.label.length === 16 &&
    !(first.label.endsWith(" 00:00") && last.label.endsWith(" 23:00"));
  if (granularity !== "hour" || !isPartOfDays) return { start, end, granularity };
  return { start, end, granularity, hours: { fromSec: first.startSec, toSec: last.startSec + 3600 } };
}

/**
 * The bounds of `query` for titles: its dates (inclusive), or with hours the local hours that begin and
 * end them ("2026-11-05 03:00" to "2026-11-05 04:00").
 */
export function rangeBounds(query: RangeQuery, zone: string): { start: string; end: string } {
  if (!query.hours) return { start: query.start, end: query.end };
  return {
    start: localHourLabelAt(zone, query.hours.fromSec),
    end: localHourLabelAt(zone, query.hours.toSec),
  };
}

/** "+05:45" for `zone` at `utcSec`. */
function offsetText(zone: string, utcSec: number): string {
  const minutes = Math.round(zoneOffsetSec(zone, utcSec) / 60);
  const abs = Math.abs(minutes);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${minutes < 0 ? "-" : "+"}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** A local hour as /api/top_ips takes it: "2026-11-05T03:00+05:45" (the offset picks one of a repeated hour). */
function hourParam(zone: string, utcSec: number): string {
  return `${localHourLabelAt(zone, utcSec).replace(" ", "T")}${offsetText(zone, utcSec)}`;
}

/**
 * `start` and `end` of /api/top_ips for `query`: its dates, or with hours its first and last local hour
 * (both inclusive, as the API reads them).
 */
export function topIpsBounds(query: RangeQuery, zone: string): { start: string; end: string } {
  if (!query.hours) return { start: query.start, end: query.end };
  return { start: hourParam(zone, query.hours.fromSec), end: hourParam(zone, query.hours.toSec - 3600) };
}
