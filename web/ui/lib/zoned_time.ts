/**
 * Calendar arithmetic in the server's IANA zone, not the browser's: local dates as "YYYY-MM-DD" text, UTC
 * seconds for chart axes. Built on Intl only, so it runs on every browser a phone may have.
 */

const partFormats = new Map<string, Intl.DateTimeFormat>();

function partsFormat(zone: string): Intl.DateTimeFormat {
  let format = partFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    partFormats.set(zone, format);
  }
  return format;
}

/** Wall-clock fields of an instant in `zone`. */
export interface WallTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** The wall clock in `zone` at `utcSec`. */
export function wallTimeAt(zone: string, utcSec: number): WallTime {
  const fields: Record<string, number> = {};
  for (const part of partsFormat(zone).formatToParts(new Date(utcSec * 1000))) {
    if (part.type !== "literal") fields[part.type] = Number(part.value);
  }
  return {
    year: fields.year,
    month: fields.month,
    day: fields.day,
    hour: fields.hour,
    minute: fields.minute,
    second: fields.second,
  };
}

/** Seconds `zone` is ahead of UTC at `utcSec` (Asia/Kathmandu: 20700). */
export function zoneOffsetSec(zone: string, utcSec: number): number {
  const w = wallTimeAt(zone, Math.floor(utcSec));
  const wallAsUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) / 1000;
  return wallAsUtc - Math.floor(utcSec);
}

/** "UTC+05:45" for the offset of `zone` at `utcSec`. */
export function offsetLabel(zone: string, utcSec: number): string {
  const offsetMin = Math.round(zoneOffsetSec(zone, utcSec) / 60);
  const abs = Math.abs(offsetMin);
  const hh = String(Math.floor(abs / 60)).padStart(2, "0");
  const mm = String(abs % 60).padStart(2, "0");
  return `UTC${offsetMin < 0 ? "-" : "+"}${hh}:${mm}`;
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}

/** "YYYY-MM-DD" of the local date in `zone` at `utcSec`. */
export function localDateAt(zone: string, utcSec: number): string {
  const w = wallTimeAt(zone, utcSec);
  return `${w.year}-${pad2(w.month)}-${pad2(w.day)}`;
}

/** "YYYY-MM-DD HH:00" of the local hour in `zone` at `utcSec`, like the API's hour keys. */
export function localHourLabelAt(zone: string, utcSec: number): string {
  const w = wallTimeAt(zone, utcSec);
  return `${w.year}-${pad2(w.month)}-${pad2(w.day)} ${pad2(w.hour)}:00`;
}

/** Splits "YYYY-MM-DD" (or "YYYY-MM") into numbers; missing day is 1. */
export function parseDate(date: string): { year: number; month: number; day: number } {
  const [year, month, day] = date.split("-").map(Number);
  return { year, month, day: day || 1 };
}

/** Calendar date `days` after (or before, if negative) `date`. */
export function addDays(date: string, days: number): string {
  const { year, month, day } = parseDate(date);
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/** First day of the month `months` after `date`'s month. */
export function monthStart(date: string, months = 0): string {
  const { year, month } = parseDate(date);
  return new Date(Date.UTC(year, month - 1 + months, 1)).toISOString().slice(0, 10);
}

/**
 * UTC seconds of a local wall time in `zone`. A time that occurs twice (the repeated hour when DST ends)
 * resolves to the earlier instant; one skipped by DST resolves to the instant just after the gap.
 */
export function wallToUtcSec(zone: string, date: string, hour = 0): number {
  const { year, month, day } = parseDate(date);
  const wallAsUtc = Date.UTC(year, month - 1, day, hour) / 1000;
  // Two candidates: the offsets a few hours either side cover any DST change around this wall time.
  const before = wallAsUtc - zoneOffsetSec(zone, wallAsUtc - 86400 / 2);
  const after = wallAsUtc - zoneOffsetSec(zone, wallAsUtc + 86400 / 2);
  const matches = [before, after].filter((t) => wallAsUtc - t === zoneOffsetSec(zone, t));
  if (matches.length > 0) return Math.min(...matches);
  return Math.max(before, after);
}

/** UTC seconds of each local hour of `date` in `zone`: 24 entries, or 23/25 on DST change days. */
export function hourStartsOfDay(zone: string, date: string): number[] {
  const start = wallToUtcSec(zone, date);
  const end = wallToUtcSec(zone, addDays(date, 1));
  const hours: number[] = [];
  for (let t = start; t < end; t += 3600) hours.push(t);
  return hours;
}
