/**
 * Pure conversions from API rows to uPlot columns: x in UTC seconds, bytes as Float64Arrays. Zero-filling,
 * stacking and sums happen here, never in chart options (STYLE.md "columns for charts").
 */
import type { HourPointJson, SeriesPointJson } from "../api.ts";
import { hourStartsOfDay, localHourLabelAt, wallToUtcSec } from "../lib/zoned_time.ts";

/** One chart's data: x (period start, UTC seconds), raw up/down bytes, dropped packets and the API labels. */
export interface TrafficColumns {
  readonly ts: Float64Array;
  readonly up: Float64Array;
  readonly down: Float64Array;
  readonly dropped: Float64Array;
  /** The period key as the API wrote it ("2026-11-01 01:00", "2026-11-01", "2026-11"). */
  readonly labels: readonly string[];
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
 * to the later instant the second time, so x stays strictly increasing.
 */
export function seriesColumns(rows: readonly SeriesPointJson[], zone: string): TrafficColumns {
  const n = rows.length;
  const ts = new Float64Array(n);
  const up = new Float64Array(n);
  const down = new Float64Array(n);
  const dropped = new Float64Array(n);
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
  }
  return { ts, up, down, dropped, labels };
}

/**
 * Today's hours from local midnight up to the hour holding `nowSec`, zero-filled: 23 or 25 on DST days.
 * `rows` are the hours that have data ("YYYY-MM-DD HH:00"), in order.
 */
export function todayColumns(
  rows: readonly HourPointJson[],
  options: { zone: string; today: string; nowSec: number },
): TrafficColumns {
  const hours = hourStartsOfDay(options.zone, options.today).filter((t) => t <= options.nowSec);
  const byStart = new Map<number, HourPointJson>();
  const given = seriesColumns(rows, options.zone);
  for (let i = 0; i < rows.length; i++) byStart.set(given.ts[i], rows[i]);
  const filled = hours.map((t) => byStart.get(t) ?? null);
  const labelOf = (t: number, row: HourPointJson | null) =>
    row ? rowLabel(row) : localHourLabelAt(options.zone, t);
  return {
    ts: Float64Array.from(hours),
    up: Float64Array.from(filled, (row) => row?.up_bytes ?? 0),
    down: Float64Array.from(filled, (row) => row?.down_bytes ?? 0),
    dropped: Float64Array.from(filled, (row) => row?.dropped_packets ?? 0),
    labels: hours.map((t, i) => labelOf(t, filled[i])),
  };
}

/** uPlot data for stacked bars: [x, up + down (drawn first, orange), down (drawn over it, green)]. */
export function stackedBarData(columns: TrafficColumns): [Float64Array, Float64Array, Float64Array] {
  const total = new Float64Array(columns.ts.length);
  for (let i = 0; i < total.length; i++) total[i] = columns.up[i] + columns.down[i];
  return [columns.ts, total, columns.down];
}

/** uPlot data for lines or areas: [x, up, down]. */
export function lineData(columns: TrafficColumns): [Float64Array, Float64Array, Float64Array] {
  return [columns.ts, columns.up, columns.down];
}
