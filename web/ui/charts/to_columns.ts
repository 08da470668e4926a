/**
 * Pure conversions from API rows to uPlot columns: x in UTC seconds, bytes as Float64Arrays. Zero-filling,
 * stacking and sums happen here, never in chart options (docs/development.md "Data").
 */
import type { HourPointJson, SeriesPointJson } from "../api.ts";
import { hourStartsOfDay, localHourLabelAt, wallToUtcSec } from "../lib/zoned_time.ts";

/** One chart's data: x (period start, UTC seconds), raw up/down bytes, dropped packets and the API labels. */
export interface TrafficColumns {
  readonly ts: Float64Array;
  readonly up: Float64Array;
  readonly down: Float64Array;
  readonly dropped: Float64Array;
  /** Public packets counted per period, the base of a drop's share; absent where the source has none. */
  readonly packets?: Float64Array;
  /** The period key as the API wrote it ("2026-11-01 01:00", "2026-11-01", "2026-11"). */
  readonly labels: readonly string[];
  /** Periods before this index predate the first count: "no data", not zero. 0 when absent. */
  readonly firstKnown?: number;
  /** Periods from this index on have not begun: not drawn. The length when absent. */
  readonly futureFrom?: number;
}

/** What is known about a series' span: the first local date with traffic (null: none yet) and now. */
export interface KnownSpan {
  readonly firstDate: string | null;
  readonly nowSec: number;
}

/**
 * Kernel drops worth shading: at least 1 in 1000 packets of the period. Below that the period's bytes are
 * off by less than the last digit the dashboard shows ("15.60 GB"), so 930 packets of a month that counted
 * 1.2 billion get a note in the legend, not a red month. Without a packet count, any drop is shaded.
 */
const SIGNIFICANT_DROP_SHARE = 0.001;

/** The share of packets dropped in period `i` (dropped / (counted + dropped)); null without a count. */
export function dropShare(columns: TrafficColumns, i: number): number | null {
  const dropped = columns.dropped[i];
  const counted = columns.packets?.[i];
  if (counted === undefined) return null;
  return dropped > 0 ? dropped / (counted + dropped) : 0;
}

/** Whether period `i` lost enough packets to be shaded (SIGNIFICANT_DROP_SHARE). */
export function isSignificantDrop(columns: TrafficColumns, i: number): boolean {
  if (columns.dropped[i] <= 0) return false;
  return (dropShare(columns, i) ?? 1) >= SIGNIFICANT_DROP_SHARE;
}

/** The period key of a row, whichever granularity it has. */
export function rowLabel(row: SeriesPointJson): string {
  return "hour" in row ? row.hour : "day" in row ? row.day : row.month;
}

/** UTC seconds at which the local period named `label` starts in `zone`. */
export function periodStartSec(zone: string, label: string): number {
  if (label.length === 7) return wallToUtcSec(zone, `${label}-01`);
  if (label.length === 10) return wallToUtcSec(zone, label);
  return wallToUtcSec(zone, label.slice(0, 10), Number(label.slice(11, 13)));
}

/** The label a period starting at wall-clock `wallSec` (local time written as if UTC) would have. */
function wallLabel(wallSec: number, length: number): string {
  const iso = new Date(wallSec * 1000).toISOString();
  return length === 16 ? `${iso.slice(0, 10)} ${iso.slice(11, 13)}:00` : iso.slice(0, length);
}

/** Local wall time of a label, written as if UTC, in seconds. */
function labelWallSec(label: string): number {
  const hour = label.length === 16 ? Number(label.slice(11, 13)) : 0;
  return Date.UTC(
    Number(label.slice(0, 4)),
    Number(label.slice(5, 7)) - 1,
    Number(label.slice(8, 10)) || 1,
    hour,
  ) /
    1000;
}

/**
 * Columns of a period series in the order the API sent it. An hour label repeated on a 25-hour day maps
 * to the later instant the second time, so x stays strictly increasing. With `known`, periods that end
 * before the first counted date are marked "no data" and those starting after now "future".
 */
export function seriesColumns(
  rows: readonly SeriesPointJson[],
  zone: string,
  known?: KnownSpan,
): TrafficColumns {
  const n = rows.length;
  const ts = new Float64Array(n);
  const up = new Float64Array(n);
  const down = new Float64Array(n);
  const dropped = new Float64Array(n);
  const packets = new Float64Array(n);
  const labels = rows.map(rowLabel);
  let offsetSec = 0;
  for (let i = 0; i < n; i++) {
    const label = labels[i];
    // Fast path (a year of hours is 8,760 rows): the period after the previous one, if the zone's offset
    // did not change, has exactly this label. Otherwise (a gap, a DST change) ask Intl.
    const stepSec = label.length === 16 ? 3600 : label.length === 10 ? 86400 : 0;
    let start = i > 0 ? ts[i - 1] + stepSec : 0;
    if (stepSec === 0 || i === 0 || wallLabel(start + offsetSec, label.length) !== label) {
      start = periodStartSec(zone, label);
      if (i > 0 && start <= ts[i - 1]) start = ts[i - 1] + 3600;
    }
    offsetSec = labelWallSec(label) - start;
    ts[i] = start;
    const row = rows[i];
    up[i] = row.up_bytes;
    down[i] = row.down_bytes;
    dropped[i] = row.dropped_packets;
    packets[i] = row.packets;
  }
  const columns = { ts, up, down, dropped, packets, labels };
  return known ? { ...columns, ...knownSpanOf(columns, known) } : columns;
}

/** Whether the period `label` ends before the local date `firstDate` ("YYYY-MM" months compare by month). */
function isBefore(label: string, firstDate: string): boolean {
  return label.length === 7 ? label < firstDate.slice(0, 7) : label.slice(0, 10) < firstDate;
}

function knownSpanOf(
  columns: { readonly ts: Float64Array; readonly labels: readonly string[] },
  known: KnownSpan,
): { firstKnown: number; futureFrom: number } {
  const { ts, labels } = columns;
  const { firstDate } = known;
  let firstKnown = 0;
  while (firstKnown < labels.length && (firstDate === null || isBefore(labels[firstKnown], firstDate))) {
    firstKnown++;
  }
  let futureFrom = ts.length;
  while (futureFrom > 0 && ts[futureFrom - 1] > known.nowSec) futureFrom--;
  return { firstKnown, futureFrom };
}

/** The periods of `columns` that start in [fromSec, toSec), with their known span. */
export function sliceColumns(columns: TrafficColumns, fromSec: number, toSec: number): TrafficColumns {
  const { ts } = columns;
  let from = 0;
  while (from < ts.length && ts[from] < fromSec) from++;
  let to = from;
  while (to < ts.length && ts[to] < toSec) to++;
  const clamp = (i: number | undefined, fallback: number) =>
    Math.min(Math.max((i ?? fallback) - from, 0), to - from);
  return {
    ts: ts.subarray(from, to),
    up: columns.up.subarray(from, to),
    down: columns.down.subarray(from, to),
    dropped: columns.dropped.subarray(from, to),
    packets: columns.packets?.subarray(from, to),
    labels: columns.labels.slice(from, to),
    firstKnown: clamp(columns.firstKnown, 0),
    futureFrom: clamp(columns.futureFrom, ts.length),
  };
}

/** Upload and download bytes summed over all periods of `columns`. */
export function sumColumns(columns: TrafficColumns): { upBytes: number; downBytes: number } {
  let upBytes = 0;
  let downBytes = 0;
  for (let i = 0; i < columns.ts.length; i++) {
    upBytes += columns.up[i];
    downBytes += columns.down[i];
  }
  return { upBytes, downBytes };
}

/**
 * Today's hours from local midnight up to the hour holding `nowSec`, zero-filled: 23 or 25 on DST days.
 * `rows` are the hours that have data ("YYYY-MM-DD HH:00"), in order. With `firstDate` (the first counted
 * date, null for none), a day before any count reads "no data".
 */
export function todayColumns(
  rows: readonly HourPointJson[],
  options: { zone: string; today: string; nowSec: number; firstDate?: string | null },
): TrafficColumns {
  const hours = hourStartsOfDay(options.zone, options.today).filter((t) => t <= options.nowSec);
  const byStart = new Map<number, HourPointJson>();
  const given = seriesColumns(rows, options.zone);
  for (let i = 0; i < rows.length; i++) byStart.set(given.ts[i], rows[i]);
  const filled = hours.map((t) => byStart.get(t) ?? null);
  const labelOf = (t: number, row: HourPointJson | null) =>
    row ? rowLabel(row) : localHourLabelAt(options.zone, t);
  const labels = hours.map((t, i) => labelOf(t, filled[i]));
  const columns = {
    ts: Float64Array.from(hours),
    up: Float64Array.from(filled, (row) => row?.up_bytes ?? 0),
    down: Float64Array.from(filled, (row) => row?.down_bytes ?? 0),
    dropped: Float64Array.from(filled, (row) => row?.dropped_packets ?? 0),
    packets: Float64Array.from(filled, (row) => row?.packets ?? 0),
    labels,
  };
  return options.firstDate === undefined
    ? columns
    : { ...columns, ...knownSpanOf(columns, { firstDate: options.firstDate, nowSec: options.nowSec }) };
}

/** A chart series: bytes per period, null where nothing is drawn (no data yet, or the future). */
export type ChartValues = (number | null)[];

/** `value(i)` for the known periods of `columns`, null before the first count and from the future on. */
function knownValues(columns: TrafficColumns, value: (i: number) => number): ChartValues {
  const first = columns.firstKnown ?? 0;
  const end = columns.futureFrom ?? columns.ts.length;
  return Array.from(columns.ts, (_, i) => (i < first || i >= end ? null : value(i)));
}

/** uPlot data for stacked bars: [x, up + down (drawn first: upload), down (drawn over it, at the base)]. */
export function stackedBarData(columns: TrafficColumns): [Float64Array, ChartValues, ChartValues] {
  return [
    columns.ts,
    knownValues(columns, (i) => columns.up[i] + columns.down[i]),
    knownValues(columns, (i) => columns.down[i]),
  ];
}

/** uPlot data for lines or areas: [x, up, down]. */
export function lineData(columns: TrafficColumns): [Float64Array, ChartValues, ChartValues] {
  return [
    columns.ts,
    knownValues(columns, (i) => columns.up[i]),
    knownValues(columns, (i) => columns.down[i]),
  ];
}
