/**
 * The two axes of a traffic chart. y: bytes from 0 at nice steps in one unit (byte_ticks.ts), as wide as
 * its longest label. x: for bars, one label per period where they fit (every month of a year), thinned
 * from the newest period back otherwise; for lines, uPlot's time steps. Both in the server zone and the
 * page's language. The labels last drawn are kept in `drawn`, which the chart puts on its element for
 * tests (issue 13 asks to assert the strings the axes' `values` return).
 */
import type uPlot from "uplot";
import { byteAxis, byteAxisLabels } from "./byte_ticks.ts";
import { wallTimeAt } from "../lib/zoned_time.ts";
import type { ChartSpec } from "./chart_spec.ts";
import type { TrafficColumns } from "./to_columns.ts";

/** Font of the axis labels, in CSS pixels (uPlot scales it to the device). */
const AXIS_FONT = "12px system-ui, sans-serif";
const LINE_HEIGHT_PX = 18;
/** Least space between two x labels: 12 months of "Sep" fit the half-width chart of a 1280 px page. */
const LABEL_GAP_PX = 5;
const MIN_Y_TICK_SPACING_PX = 36;
/** Tick length plus gap uPlot draws between the axis line and its labels. */
const AXIS_PADDING_PX = 18;

let measureContext: CanvasRenderingContext2D | null = null;

/** Width in CSS pixels of the widest line of `text` in the axis font. */
function textWidth(text: string): number {
  measureContext ??= document.createElement("canvas").getContext("2d")!;
  measureContext.font = AXIS_FONT;
  return Math.max(...text.split("\n").map((line) => measureContext!.measureText(line).width));
}

/** The labels each axis last returned to uPlot. */
export interface DrawnTicks {
  x: string[];
  y: string[];
}

function timeFormat(spec: ChartSpec, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat(spec.locale, { timeZone: spec.zone, hourCycle: "h23", ...options });
}

/**
 * Labels of bar periods: "Jan" (the year under the first and every January), "01/05", "03:00" (the date
 * under the first and every midnight).
 */
function periodLabeler(spec: ChartSpec): (utcSec: number, isFirst: boolean) => string {
  const month = timeFormat(spec, { month: "short" });
  const day = timeFormat(spec, { month: "2-digit", day: "2-digit" });
  const hour = timeFormat(spec, { hour: "2-digit", minute: "2-digit" });
  return (utcSec, isFirst) => {
    const date = new Date(utcSec * 1000);
    const wall = wallTimeAt(spec.zone, utcSec);
    if (spec.granularity === "day") return day.format(date);
    if (spec.granularity === "hour") {
      return isFirst || wall.hour === 0 ? `${hour.format(date)}\n${day.format(date)}` : hour.format(date);
    }
    return isFirst || wall.month === 1 ? `${month.format(date)}\n${wall.year}` : month.format(date);
  };
}

/** Labels of uPlot's time steps on lines and areas: hours, or days and hours over longer spans. */
function stepLabeler(spec: ChartSpec, spanSec: number): Intl.DateTimeFormat {
  if (spanSec > 3 * 86400) return timeFormat(spec, { month: "2-digit", day: "2-digit" });
  if (spanSec > 86400 + 7200) return timeFormat(spec, { day: "2-digit", hour: "2-digit" });
  return timeFormat(spec, { hour: "2-digit", minute: "2-digit" });
}

function plotWidthPx(u: uPlot): number {
  return u.bbox.width > 0 ? u.bbox.width / devicePixelRatio : u.width - 80;
}

function plotHeightPx(u: uPlot): number {
  return u.bbox.height > 0 ? u.bbox.height / devicePixelRatio : u.height - 70;
}

/** The x axis; `drawn.x` receives its labels. */
export function xAxis(spec: ChartSpec, columns: TrafficColumns, drawn: DrawnTicks): uPlot.Axis {
  const size = (_u: uPlot, values: string[] | null) =>
    LINE_HEIGHT_PX * Math.max(1, ...(values ?? []).map((v) => String(v ?? "").split("\n").length)) +
    AXIS_PADDING_PX;
  if (spec.kind !== "stacked-bars") {
    const { ts } = columns;
    const labels = stepLabeler(spec, ts.length > 1 ? ts[ts.length - 1] - ts[0] : 3600);
    return {
      size,
      values: (_u, splits) => (drawn.x = splits.map((t) => labels.format(new Date(t * 1000)))),
    };
  }
  const label = periodLabeler(spec);
  const all = Array.from(columns.ts, (t, i) => label(t, i === 0));
  const widest = Math.max(0, ...all.map(textWidth)) + LABEL_GAP_PX;
  let shown: number[] = [];
  return {
    size,
    // Every period when all labels fit, else every k-th counted back from the newest (today stays labelled).
    splits: (u) => {
      const n = columns.ts.length;
      const every = Math.max(1, Math.ceil((n * widest) / Math.max(1, plotWidthPx(u))));
      shown = [];
      for (let i = n - 1; i >= 0; i -= every) shown.unshift(i);
      return shown.map((i) => columns.ts[i]);
    },
    values: () => (drawn.x = shown.map((i) => label(columns.ts[i], i === shown[0]))),
  };
}

/** The y axis and its scale range: 0 up to the top nice tick above the data; `drawn.y` receives its labels. */
export function yAxis(
  spec: ChartSpec,
  drawn: DrawnTicks,
): { axis: uPlot.Axis; range: uPlot.Range.Function } {
  let ticks = byteAxis(0, { maxTicks: 2, base: spec.bytes.base });
  const suffix = spec.isRate ? spec.bytes.perSecond ?? "/s" : "";
  const range: uPlot.Range.Function = (u, _min, max) => {
    const maxTicks = Math.floor(plotHeightPx(u) / MIN_Y_TICK_SPACING_PX) + 1;
    ticks = byteAxis(max ?? 0, { maxTicks, base: spec.bytes.base });
    const top = ticks.splits[ticks.splits.length - 1];
    return [0, top > 0 ? top : 1];
  };
  return {
    range,
    axis: {
      splits: () => [...ticks.splits],
      values: () => (drawn.y = byteAxisLabels(ticks, spec.bytes).map((label) => label + suffix)),
      size: (_u, values) =>
        Math.ceil(Math.max(24, ...(values ?? []).map((v) => textWidth(String(v))))) +
        AXIS_PADDING_PX,
    },
  };
}

/** Axis styling shared by both axes. */
export function axisStyle(stroke: string, grid: string): uPlot.Axis {
  return {
    font: AXIS_FONT,
    stroke,
    grid: { stroke: grid, width: 1 },
    ticks: { stroke: grid, width: 1 },
  };
}
