/**
 * Local hours, days and months of an IANA time zone as half-open UTC-second ranges. History is kept in UTC
 * buckets of 15 minutes, which every zone offset in use (…, +05:30, +05:45, …) divides, so summing the
 * buckets whose start lies in a range gives exact local totals, also on 23- and 25-hour DST days.
 */

/** How a range is split into periods. */
export type Granularity = "hour" | "day" | "month";

/** One local period: [startSec, endSec) in UTC seconds, with its label in local time. */
export interface LocalPeriod {
  /** "YYYY-MM-DD HH:00" for hours, "YYYY-MM-DD" for days, "YYYY-MM" for months. */
  readonly label: string;
  readonly startSec: number;
  readonly endSec: number;
}

/**
 * The periods of the local dates `startDate`..`endDate` (both "YYYY-MM-DD", inclusive) in `timeZone`,
 * oldest first, contiguous. Months are clipped to the range. On a day that repeats an hour (DST end) the
 * label repeats too, each with its own UTC range; a skipped hour (DST start) has no period.
 * Throws RangeError for an invalid date or zone.
 */
export function localPeriods(
  startDate: string,
  endDate: string,
  granularity: Granularity,
  timeZone: string,
): LocalPeriod[] {
  const first = Temporal.PlainDate.from(startDate);
  const last = Temporal.PlainDate.from(endDate);
  const periods: LocalPeriod[] = [];
  if (granularity === "month") {
    let from = first;
    while (Temporal.PlainDate.compare(from, last) <= 0) {
      const nextMonth = from.toPlainYearMonth().add({ months: 1 }).toPlainDate({ day: 1 });
      const to = Temporal.PlainDate.compare(nextMonth, last) > 0 ? last.add({ days: 1 }) : nextMonth;
      periods.push({
        label: from.toPlainYearMonth().toString(),
        startSec: dayStartSec(from, timeZone),
        endSec: dayStartSec(to, timeZone),
      });
      from = to;
    }
    return periods;
  }
  for (let day = first; Temporal.PlainDate.compare(day, last) <= 0; day = day.add({ days: 1 })) {
    const startSec = dayStartSec(day, timeZone);
    const endSec = dayStartSec(day.add({ days: 1 }), timeZone);
    if (granularity === "day") {
      periods.push({ label: day.toString(), startSec, endSec });
      continue;
    }
    let hour = day.toZonedDateTime({ timeZone });
    while (epochSec(hour) < endSec) {
      // Whole-hour steps of elapsed time, so a 25-hour day yields 25 periods and a 23-hour day 23.
      const next = hour.add({ hours: 1 });
      const hourEnd = Math.min(epochSec(next), endSec);
      periods.push({
        label: `${day.toString()} ${pad2(hour.hour)}:00`,
        startSec: epochSec(hour),
        endSec: hourEnd,
      });
      hour = next;
    }
  }
  return periods;
}

/** The local date ("YYYY-MM-DD") in `timeZone` at UTC second `sec`. */
export function localDateOf(sec: number, timeZone: string): string {
  return toZoned(sec, timeZone).toPlainDate().toString();
}

/** UTC second at which the local day containing UTC second `sec` starts in `timeZone`. */
export function localDayStartSec(sec: number, timeZone: string): number {
  return epochSec(toZoned(sec, timeZone).startOfDay());
}

/** UTC second at which local date `date` ("YYYY-MM-DD") starts in `timeZone`. */
export function localDateStartSec(date: string, timeZone: string): number {
  return dayStartSec(Temporal.PlainDate.from(date), timeZone);
}

/** UTC second at which local date `date` ("YYYY-MM-DD") ends in `timeZone`: the start of the next day. */
export function localDateEndSec(date: string, timeZone: string): number {
  return dayStartSec(Temporal.PlainDate.from(date).add({ days: 1 }), timeZone);
}

/** `date` ("YYYY-MM-DD") moved by `days` (may be negative). */
export function addDays(date: string, days: number): string {
  return Temporal.PlainDate.from(date).add({ days }).toString();
}

/** The first day of the month `months` away from the month of `date` ("YYYY-MM-DD"). */
export function monthStartDate(date: string, months = 0): string {
  return Temporal.PlainDate.from(date).toPlainYearMonth().add({ months }).toPlainDate({ day: 1 }).toString();
}

/** The first day of the year of `date` ("YYYY-MM-DD"). */
export function yearStartDate(date: string): string {
  return Temporal.PlainDate.from(date).with({ month: 1, day: 1 }).toString();
}

function dayStartSec(day: Temporal.PlainDate, timeZone: string): number {
  // startOfDay, not midnight: in zones whose DST starts at 00:00 the day begins at 01:00.
  return epochSec(day.toZonedDateTime({ timeZone }).startOfDay());
}

function toZoned(sec: number, timeZone: string): Temporal.ZonedDateTime {
  // Whole seconds: Temporal rejects fractional milliseconds, and `Date.now() / 1000` clocks produce them.
  return Temporal.Instant.fromEpochMilliseconds(Math.floor(sec) * 1000).toZonedDateTimeISO(timeZone);
}

function epochSec(zoned: Temporal.ZonedDateTime): number {
  return Math.floor(zoned.epochMilliseconds / 1000);
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}

/** Index of the period containing `sec` (binary search over contiguous, oldest-first periods), or -1. */
export function periodIndex(periods: readonly LocalPeriod[], sec: number): number {
  let lo = 0;
  let hi = periods.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sec < periods[mid].startSec) hi = mid - 1;
    else if (sec >= periods[mid].endSec) lo = mid + 1;
    else return mid;
  }
  return -1;
}
