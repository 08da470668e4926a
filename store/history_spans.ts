/**
 * Local day and month spans of the history tables (docs/history-storage.md): which day and month row a
 * bucket is written to, and how a range [from, to) is tiled exactly by the coarsest stored spans.
 */
import {
  localDateEndSec,
  localDateOf,
  localDateStartSec,
  localDayStartSec,
  monthStartDate,
} from "./local_periods.ts";

/** A half-open range of UTC seconds. */
export type SecRange = readonly [number, number];

/**
 * The pieces that tile a range exactly: sealed whole months from the month rows, whole days from the day
 * rows, and the partial days at the edges from the 15-minute rows. Empty ranges are left out.
 */
export interface SpanPlan {
  readonly months: readonly SecRange[];
  readonly days: readonly SecRange[];
  readonly fine: readonly SecRange[];
}

/** Earliest and latest second a plan considers: Temporal's instants end far beyond any stored bucket. */
const FIRST_SEC = 0;
const LAST_SEC = 2 ** 40;
/** Buckets whose spans are remembered by a SpanCalendar before it starts over. */
const MAX_CACHED_BUCKETS = 4096;

/** Day and month starts of buckets in one zone, remembered: the flush asks for the same few buckets. */
export class SpanCalendar {
  readonly #starts = new Map<number, readonly [number, number]>();

  constructor(readonly timeZone: string) {}

  /** UTC second of the local midnight starting the day of `sec`. */
  dayStartOf(sec: number): number {
    return this.#startsOf(sec)[0];
  }

  /** UTC second of the local midnight starting the month of `sec`. */
  monthStartOf(sec: number): number {
    return this.#startsOf(sec)[1];
  }

  #startsOf(sec: number): readonly [number, number] {
    let starts = this.#starts.get(sec);
    if (starts === undefined) {
      if (this.#starts.size >= MAX_CACHED_BUCKETS) this.#starts.clear();
      const date = localDateOf(sec, this.timeZone);
      starts = [localDayStartSec(sec, this.timeZone), localDateStartSec(monthStartDate(date), this.timeZone)];
      this.#starts.set(sec, starts);
    }
    return starts;
  }
}

/**
 * Tiles [fromSec, toSec) with the coarsest pieces: whole local months that start before
 * `sealedMonthsUntilSec` (later months have no month rows yet: they are made when sealed), whole local days,
 * and the partial days at both edges.
 */
export function planSpans(
  fromSec: number,
  toSec: number,
  timeZone: string,
  sealedMonthsUntilSec: number,
): SpanPlan {
  const from = Math.max(FIRST_SEC, fromSec);
  const to = Math.min(LAST_SEC, toSec);
  if (from >= to) return { months: [], days: [], fine: [] };
  const dayA = ceilToDay(from, timeZone);
  const dayB = localDayStartSec(to, timeZone);
  if (dayA >= dayB) return { months: [], days: [], fine: [[from, to]] };
  const fine = nonEmpty([[from, dayA], [dayB, to]]);
  const monthA = ceilToMonth(dayA, timeZone);
  const monthB = Math.min(floorToMonth(dayB, timeZone), sealedMonthsUntilSec);
  if (monthA >= monthB) return { months: [], days: [[dayA, dayB]], fine };
  return { months: [[monthA, monthB]], days: nonEmpty([[dayA, monthA], [monthB, dayB]]), fine };
}

/** The local midnight at or after `sec`. */
function ceilToDay(sec: number, timeZone: string): number {
  const start = localDayStartSec(sec, timeZone);
  return start === sec ? sec : localDateEndSec(localDateOf(sec, timeZone), timeZone);
}

/** The start of the local month holding the day that starts at `dayStartSec`. */
function floorToMonth(dayStartSec: number, timeZone: string): number {
  return localDateStartSec(monthStartDate(localDateOf(dayStartSec, timeZone)), timeZone);
}

/** The first local month start at or after the day start `dayStartSec`. */
function ceilToMonth(dayStartSec: number, timeZone: string): number {
  const start = floorToMonth(dayStartSec, timeZone);
  if (start === dayStartSec) return start;
  return localDateStartSec(monthStartDate(localDateOf(dayStartSec, timeZone), 1), timeZone);
}

function nonEmpty(ranges: readonly SecRange[]): SecRange[] {
  return ranges.filter(([a, b]) => a < b);
}
