/**
 * uPlot options for the dashboard's traffic charts: stacked bars, lines or areas of upload (▲, striped or
 * dashed) and download (▼, solid), x on a time scale in the server zone (uPlot tzDate), exact bytes in the
 * legend on hover, "no data" before the first count, significant kernel drops shaded, and a click or an
 * x drag reported as the periods it covers (drill-down and zoom, issue 13).
 */
import uPlot from "uplot";
import { formatBytes, formatExactBytes, formatRate } from "../../format_bytes.ts";
import { axisStyle, type DrawnTicks, xAxis, yAxis } from "./chart_axes.ts";
import { dropMarks, noDataHatch, stripedFill } from "./chart_marks.ts";
import type { ChartSpec } from "./chart_spec.ts";
import { dropShare, type TrafficColumns } from "./to_columns.ts";

export type { ChartKind, ChartSpec } from "./chart_spec.ts";

/** Colours per theme, read from the CSS custom properties of styles.css. */
interface Palette {
  readonly up: string;
  readonly down: string;
  readonly axis: string;
  readonly grid: string;
  readonly drop: string;
  readonly text: string;
  readonly panel: string;
}

function palette(): Palette {
  const style = getComputedStyle(document.documentElement);
  const read = (name: string) => style.getPropertyValue(name).trim();
  return {
    up: read("--up"),
    down: read("--down"),
    axis: read("--muted"),
    grid: read("--grid"),
    drop: read("--drop"),
    text: read("--text"),
    panel: read("--panel"),
  };
}

/**
 * The x range: the given one (a whole day), or for bars half a period beyond the first and last, so the
 * edge bars are drawn whole; otherwise uPlot's default (first to last point).
 */
function xRange(spec: ChartSpec, columns: TrafficColumns): uPlot.Scale["range"] {
  if (spec.xRange) {
    const [from, to] = spec.xRange;
    return () => [from, to];
  }
  const { ts } = columns;
  if (spec.kind !== "stacked-bars" || ts.length === 0) return undefined;
  const n = ts.length;
  const firstStep = n > 1 ? ts[1] - ts[0] : 86400;
  const lastStep = n > 1 ? ts[n - 1] - ts[n - 2] : 86400;
  return () => [ts[0] - firstStep / 2, ts[n - 1] + lastStep / 2];
}

/** The periods whose x lies in the selection (at least the one nearest its middle), as [first, last]. */
function selectedPeriods(u: uPlot, ts: Float64Array): [number, number] | null {
  const { left, width } = u.select;
  if (ts.length === 0) return null;
  const from = u.posToVal(left, "x");
  const to = u.posToVal(left + width, "x");
  let first = ts.findIndex((t) => t >= from);
  let last = ts.findLastIndex((t) => t <= to);
  if (first < 0 || last < first) {
    const middle = (from + to) / 2;
    first = last = ts.reduce(
      (best, t, i) => (Math.abs(t - middle) < Math.abs(ts[best] - middle) ? i : best),
      0,
    );
  }
  return [first, last];
}

/** What a chart reports besides drawing. */
export interface ChartHooks {
  /** Called after each draw with the axis labels just drawn. */
  readonly onDraw: (u: uPlot, ticks: DrawnTicks) => void;
  /** A click (one period) or an x drag (several) on the periods first..last; absent: no drill-down. */
  readonly onPick?: (first: number, last: number) => void;
}

/** uPlot options for `columns` drawn as `spec.kind`, `width` × `height` CSS pixels. */
export function chartOptions(
  spec: ChartSpec,
  columns: TrafficColumns,
  size: { width: number; height: number } & ChartHooks,
): uPlot.Options {
  const colors = palette();
  const isBars = spec.kind === "stacked-bars";
  const drawn: DrawnTicks = { x: [], y: [] };
  const y = yAxis(spec, drawn);
  const unitB = spec.bytes.units?.[0] ?? "B";
  const exact = (bytes: number) =>
    spec.isRate
      ? formatRate(bytes, spec.bytes)
      : `${formatBytes(bytes, spec.bytes)} (${formatExactBytes(bytes, spec.locale, unitB)})`;
  const bars = uPlot.paths.bars!({ size: [0.7, 48], gap: 1 });
  const dropNote = new Intl.NumberFormat(spec.locale, { notation: "compact", compactDisplay: "long" });
  const percent = new Intl.NumberFormat(spec.locale, { style: "percent", maximumSignificantDigits: 2 });
  const isShown = (i: number) =>
    i >= (columns.firstKnown ?? 0) && i < (columns.futureFrom ?? columns.ts.length);
  const series = (label: string, className: string, color: string, raw: Float64Array): uPlot.Series => ({
    label,
    class: className,
    stroke: color,
    // Upload differs from download in more than hue: striped bars, a dashed line.
    fill: isBars
      ? (className === "up" ? stripedFill(color) : color)
      : spec.kind === "areas"
      ? `${color}40`
      : undefined,
    width: isBars ? (className === "up" ? 1 : 0) : 2,
    dash: !isBars && className === "up" ? [6, 3] : undefined,
    paths: isBars ? bars : undefined,
    points: { show: false },
    value: (_u, _v, _si, i) => (i == null || !isShown(i) ? "—" : exact(raw[i])),
  });
  const timeValue = (i: number) => {
    if (i < (columns.firstKnown ?? 0)) return `${columns.labels[i]} · ${spec.labels.noData}`;
    const dropped = columns.dropped[i];
    if (dropped <= 0) return columns.labels[i];
    const share = dropShare(columns, i);
    const note = spec.labels.dropped
      .replace("{dropped}", dropNote.format(dropped))
      .replace("{packets}", share === null ? "?" : dropNote.format(columns.packets![i] + dropped))
      .replace("{share}", share === null ? "?" : percent.format(share));
    return `${columns.labels[i]} · ${note}`;
  };
  const pick = size.onPick;
  return {
    width: size.width,
    height: size.height,
    tzDate: (utcSec) => uPlot.tzDate(new Date(utcSec * 1000), spec.zone),
    cursor: {
      points: { show: !isBars },
      // An x drag selects periods to zoom into; the scale itself stays (the range is queried anew).
      drag: { x: pick !== undefined, y: false, setScale: false, dist: 6 },
    },
    legend: { live: true },
    scales: {
      x: { time: true, range: xRange(spec, columns) },
      y: { range: y.range },
    },
    axes: [
      { ...axisStyle(colors.axis, colors.grid), ...xAxis(spec, columns, drawn) },
      { ...axisStyle(colors.axis, colors.grid), ...y.axis },
    ],
    series: [
      { label: spec.labels.time, value: (_u, _v, _si, i) => (i == null ? "—" : timeValue(i)) },
      // Stacked bars draw up+down first (upload) and download over it; the legend shows raw values.
      series(spec.labels.up, "up", colors.up, columns.up),
      series(spec.labels.down, "down", colors.down, columns.down),
    ],
    plugins: [
      noDataHatch(columns, {
        color: colors.axis,
        text: colors.text,
        panel: colors.panel,
        label: spec.labels.noData,
        isBars,
      }),
      dropMarks(columns, colors.drop, isBars),
    ],
    hooks: {
      draw: [(u) => size.onDraw(u, drawn)],
      init: [(u) => {
        if (!pick) return;
        // uPlot stops the click that ends a drag; any other click on the plot opens the period under it.
        u.over.addEventListener("click", () => {
          const i = u.cursor.idx;
          if (i != null) pick(i, i);
        });
        u.over.style.cursor = "pointer";
      }],
      setSelect: [(u) => {
        if (!pick || u.select.width <= 0) return;
        const periods = selectedPeriods(u, columns.ts);
        u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
        if (periods) pick(periods[0], periods[1]);
      }],
    },
  };
}
