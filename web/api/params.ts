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
  let date: Temporal.PlainDate;
  try {
    date = Temporal.PlainDate.from(value, { overflow: "reject" });
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new BadParamError(parameter, value, expected);
  }
  if (date.year < MIN_YEAR || date.year > MAX_YEAR) throw new BadParamError(parameter, value, expected);
  return value;
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
