/**
 * Query-parameter parsing shared by the API routes: each parser returns a typed value or throws
 * BadParamError naming the parameter, which the routes answer with 400 `{"error": "..."}`.
 */
import type { Granularity } from "../../store/mod.ts";

/** A request parameter that is missing, malformed or out of range (→ HTTP 400). */
export class BadParamError extends Error {
  constructor(readonly parameter: string, value: string, expected: string) {
    super(`Invalid parameter "${parameter}": got "${value}", expected ${expected}`);
    this.name = "BadParamError";
  }
}

/** Most periods one series may hold: a year of hours or 27 years of days fit, a "century of hours" does not. */
export const MAX_PERIODS = 10_000;

const DATE_REGEXP = /^\d{4}-\d{2}-\d{2}$/;
/** "YYYY-MM-DDTHH:00" with an optional UTC offset "+05:45" / "-05:00". */
const LOCAL_HOUR_REGEXP = /^(\d{4}-\d{2}-\d{2})T(\d{2}):00([+-]\d{2}:\d{2})?$/;
const DAY_SEC = 86_400;
const INTEGER_REGEXP = /^\d{1,9}$/;
const GRANULARITIES: readonly Granularity[] = ["hour", "day", "month"];
const MIN_YEAR = 1970;
const MAX_YEAR = 2999;

/** A calendar date "YYYY-MM-DD" (years 1970..2999), or `fallback` when the parameter is absent or empty. */
export function parseDate(value: string | undefined, parameter: string, fallback: string): string;
export function parseDate(value: string | undefined, parameter: string): string | null;
export function parseDate(value: string | undefined, parameter: string, fallback?: string): string | null {
  if (value === undefined || value === "") return fallback ?? null;
  const expected = `a date YYYY-MM-DD between ${MIN_YEAR}-01-01 and ${MAX_YEAR}-12-31`;
  if (!DATE_REGEXP.test(value)) throw new BadParamError(parameter, value, expected);
  return calendarDate(value, value, { parameter, expected });
}

/** `date` ("YYYY-MM-DD" syntax already checked) as a PlainDate of years 1970..2999, else BadParamError. */
function calendarDate(date: string, value: string, error: { parameter: string; expected: string }): string {
  let parsed: Temporal.PlainDate;
  try {
    parsed = Temporal.PlainDate.from(date, { overflow: "reject" });
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new BadParamError(error.parameter, value, error.expected);
  }
  if (parsed.year < MIN_YEAR || parsed.year > MAX_YEAR) {
    throw new BadParamError(error.parameter, value, error.expected);
  }
  return date;
}

/** Which end of a span a parameter gives: "start" its first second, "end" the second after its last. */
export type SpanEdge = "start" | "end";

/**
 * One end of a span in `timeZone` as UTC seconds: a local date "YYYY-MM-DD" (the whole day) or a local hour
 * "YYYY-MM-DDTHH:00", which may end in its UTC offset ("2025-11-02T01:00-05:00") to pick one of the two hours
 * a DST change repeats; without it a repeated hour means both. `edge` "start" gives the first second of the
 * day or hour, "end" the second after its last, so start = end names exactly one day or hour. Null when
 * absent or empty; BadParamError for anything else, an hour DST skips, or an offset the zone does not have.
 */
export function parseSpanBound(
  value: string | undefined,
  parameter: string,
  options: { readonly timeZone: string; readonly edge: SpanEdge },
): number | null {
  if (value === undefined || value === "") return null;
  const { timeZone, edge } = options;
  const expected = `a date YYYY-MM-DD or a local hour YYYY-MM-DDTHH:00 of ${timeZone} between ${MIN_YEAR} ` +
    `and ${MAX_YEAR}, optionally with its UTC offset (+HH:MM, "+" written as %2B)`;
  const error = { parameter, expected };
  if (DATE_REGEXP.test(value)) {
    const day = Temporal.PlainDate.from(calendarDate(value, value, error));
    return epochSec((edge === "start" ? day : day.add({ days: 1 })).toZonedDateTime(timeZone));
  }
  const match = LOCAL_HOUR_REGEXP.exec(value);
  if (!match) throw new BadParamError(parameter, value, expected);
  const [, date, hourText, offset] = match;
  const day = Temporal.PlainDate.from(calendarDate(date, value, error));
  if (Number(hourText) > 23) throw new BadParamError(parameter, value, expected);
  const wall = day.toPlainDateTime({ hour: Number(hourText) });
  const earlier = wall.toZonedDateTime(timeZone, { disambiguation: "earlier" });
  // An hour that DST skips resolves to another wall time: no such local hour exists.
  if (!earlier.toPlainDateTime().equals(wall)) throw new BadParamError(parameter, value, expected);
  let hour = edge === "start" ? earlier : wall.toZonedDateTime(timeZone, { disambiguation: "later" });
  if (offset !== undefined) {
    try {
      hour = Temporal.ZonedDateTime.from(`${date}T${hourText}:00${offset}[${timeZone}]`, {
        offset: "reject",
      });
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      throw new BadParamError(parameter, value, expected);
    }
  }
  return epochSec(edge === "start" ? hour : hour.add({ hours: 1 }));
}

/**
 * Checks a span from parseSpanBound: it must not be empty or reversed (BadParamError naming "start") nor
 * longer than MAX_PERIODS days (naming "end"). `start` and `end` are the parameters as given, for the message.
 */
export function checkSpan(
  bounds: { readonly fromSec: number; readonly toSec: number },
  given: { readonly start: string; readonly end: string },
): void {
  if (bounds.fromSec >= bounds.toSec) {
    throw new BadParamError("start", given.start, `a date or hour not after end (${given.end})`);
  }
  // Rounded: a span of whole local days is an hour shorter or longer across a DST change.
  if (Math.round((bounds.toSec - bounds.fromSec) / DAY_SEC) > MAX_PERIODS) {
    throw new BadParamError(
      "end",
      given.end,
      `a span of at most ${MAX_PERIODS} days from start (${given.start})`,
    );
  }
}

function epochSec(moment: Temporal.ZonedDateTime): number {
  return moment.epochMilliseconds / 1000;
}

/** "hour", "day" or "month"; `fallback` when absent or empty. */
export function parseGranularity(value: string | undefined, fallback: Granularity = "day"): Granularity {
  if (value === undefined || value === "") return fallback;
  const found = GRANULARITIES.find((g) => g === value);
  if (!found) throw new BadParamError("granularity", value, `one of ${GRANULARITIES.join(", ")}`);
  return found;
}

/** A whole number in [min, max]; `fallback` when absent or empty. */
export function parseLimit(
  value: string | undefined,
  options: {
    readonly parameter?: string;
    readonly fallback: number;
    readonly min?: number;
    readonly max: number;
  },
): number {
  const parameter = options.parameter ?? "limit";
  const min = options.min ?? 1;
  if (value === undefined || value === "") return options.fallback;
  const n = Number(value);
  if (!INTEGER_REGEXP.test(value) || n < min || n > options.max) {
    throw new BadParamError(parameter, value, `a whole number from ${min} to ${options.max}`);
  }
  return n;
}

/** One of `allowed`; `fallback` when absent or empty. */
export function parseChoice<T extends string>(
  value: string | undefined,
  parameter: string,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined || value === "") return fallback;
  const found = allowed.find((a) => a === value);
  if (!found) throw new BadParamError(parameter, value, `one of ${allowed.join(", ")}`);
  return found;
}

/**
 * Checks that `start` is not after `end` and that the range splits into at most MAX_PERIODS periods of
 * `granularity`; throws BadParamError naming "start" or "end".
 */
export function checkDateRange(start: string, end: string, granularity: Granularity): void {
  const first = Temporal.PlainDate.from(start);
  const last = Temporal.PlainDate.from(end);
  if (Temporal.PlainDate.compare(first, last) > 0) {
    throw new BadParamError("start", start, `a date not after end (${end})`);
  }
  const days = first.until(last, { largestUnit: "day" }).days + 1;
  const months = (last.year - first.year) * 12 + last.month - first.month + 1;
  const periods = granularity === "hour" ? days * 24 : granularity === "day" ? days : months;
  if (periods > MAX_PERIODS) {
    throw new BadParamError(
      "end",
      end,
      `a range of at most ${MAX_PERIODS} ${granularity}s from start (${start})` +
        (granularity === "month" ? "" : "; use a coarser granularity"),
    );
  }
}
