/**
 * uPlot options for the dashboard's traffic charts: stacked bars, lines or areas of upload (orange) and
 * download (green), x on a time scale in the server zone (uPlot tzDate), exact bytes in the legend on hover,
 * and hours or days with kernel drops shaded.
 */
import uPlot from "uplot";
import { formatAxisBytes, formatBytes, formatExactBytes } from "../../format_bytes.ts";
import type { Granularity } from "../lib/quick_ranges.ts";
import type { TrafficColumns } from "./to_columns.ts";

/** How a chart draws its two series. */
export type ChartKind = "stacked-bars" | "lines" | "areas";

/** Everything a chart's look depends on besides its width. */
export interface ChartSpec {
  readonly kind: ChartKind;
  readonly granularity: Granularity;
  readonly zone: string;
  readonly locale: string;
  /** Colours come from the theme's CSS properties, read when the chart is built. */
  readonly theme: "light" | "dark";
  readonly labels: {
    readonly time: string;
    readonly up: string;
    readonly down: string;
    readonly incomplete: string;
  };
  /** For "areas": the x range to show (a whole local day), UTC seconds. */
  readonly xRange?: readonly [number, number];
}

/** Y-axis steps in whole 1024-based units (1, 2, 5, 10, 20, 50, 100, 200, 500 of B, KB, MB, …). */
const BYTE_INCREMENTS: number[] = [0, 1, 2, 3, 4, 5].flatMap((power) =>
  [1, 2, 5, 10, 20, 50, 100, 200, 500].map((step) => step * 1024 ** power)
);

/** Colours per theme, read from the CSS custom properties of styles.css. */
interface Palette {
  readonly up: string;
  readonly down: string;
  readonly axis: string;
  readonly grid: string;
  readonly drop: string;
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
  };
}

function tickFormat(spec: ChartSpec, spanSec: number): Intl.DateTimeFormat {
  const base = { timeZone: spec.zone } as const;
  if (spec.granularity === "month") {
    return new Intl.DateTimeFormat(spec.locale, { ...base, year: "numeric", month: "short" });
  }
  if (spec.granularity === "day" || spanSec > 3 * 86400) {
    return new Intl.DateTimeFormat(spec.locale, { ...base, month: "2-digit", day: "2-digit" });
  }
  if (spanSec > 86400 + 7200) {
    return new Intl.DateTimeFormat(spec.locale, {
      ...base,
      day: "2-digit",
      hour: "2-digit",
      hourCycle: "h23",
    });
  }
  return new Intl.DateTimeFormat(spec.locale, {
    ...base,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
}

/** Shades every period with dropped packets: a light band and a solid strip along the top. */
function dropMarks(columns: TrafficColumns, color: string): uPlot.Plugin {
  return {
    hooks: {
      draw: (u) => {
        const { ts, dropped } = columns;
        const ctx = u.ctx;
        const { top, height } = u.bbox;
        ctx.save();
        ctx.fillStyle = color;
        for (let i = 0; i < ts.length; i++) {
          if (dropped[i] <= 0) continue;
          const step = ts.length > 1 ? (i > 0 ? ts[i] - ts[i - 1] : ts[1] - ts[0]) : 3600;
          const left = u.valToPos(ts[i] - step / 2, "x", true);
          const right = u.valToPos(ts[i] + step / 2, "x", true);
          ctx.globalAlpha = 0.1;
          ctx.fillRect(left, top, right - left, height);
          ctx.globalAlpha = 1;
          ctx.fillRect(left, top, right - left, 4 * devicePixelRatio);
        }
        ctx.restore();
      },
    },
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

/** uPlot options for `columns` drawn as `spec.kind`, `width` × `height` CSS pixels. */
export function chartOptions(
  spec: ChartSpec,
  columns: TrafficColumns,
  size: { width: number; height: number; onDraw: () => void },
): uPlot.Options {
  const colors = palette();
  const span = columns.ts.length > 1 ? columns.ts[columns.ts.length - 1] - columns.ts[0] : 3600;
  const ticks = tickFormat(spec, span);
  const exact = (bytes: number) => `${formatBytes(bytes)} (${formatExactBytes(bytes, spec.locale)})`;
  const isBars = spec.kind === "stacked-bars";
  const bars = uPlot.paths.bars!({ size: [0.7, 48], gap: 1 });
  const axis = (values: uPlot.Axis["values"], extra: uPlot.Axis = {}): uPlot.Axis => ({
    stroke: colors.axis,
    grid: { stroke: colors.grid, width: 1 },
    ticks: { stroke: colors.grid, width: 1 },
    values,
    ...extra,
  });
  const series = (label: string, color: string, raw: Float64Array): uPlot.Series => ({
    label,
    stroke: color,
    fill: isBars ? color : spec.kind === "areas" ? `${color}55` : undefined,
    width: isBars ? 0 : 2,
    paths: isBars ? bars : undefined,
    points: { show: false },
    value: (_u, _v, _si, i) => (i == null ? "—" : exact(raw[i])),
  });
  return {
    width: size.width,
    height: size.height,
    tzDate: (utcSec) => uPlot.tzDate(new Date(utcSec * 1000), spec.zone),
    cursor: { points: { show: !isBars }, drag: { x: false, y: false } },
    legend: { live: true },
    scales: {
      x: { time: true, range: xRange(spec, columns) },
      y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.05 : 1024] },
    },
    axes: [
      // Month labels ("Dec 2025") are wide: space them further apart than hours and days.
      axis((_u, splits) => splits.map((t) => ticks.format(new Date(t * 1000))), {
        space: spec.granularity === "month" ? 90 : 50,
      }),
      axis((_u, splits) => splits.map(formatAxisBytes), { size: 64, incrs: BYTE_INCREMENTS }),
    ],
    series: [
      {
        label: spec.labels.time,
        value: (_u, _v, _si, i) => {
          if (i == null) return "—";
          const dropped = columns.dropped[i];
          const note = dropped > 0 ? ` · ${spec.labels.incomplete.replace("{count}", String(dropped))}` : "";
          return `${columns.labels[i]}${note}`;
        },
      },
      // Stacked bars draw up+down first (orange) and download over it (green); the legend shows raw values.
      series(spec.labels.up, colors.up, columns.up),
      series(spec.labels.down, colors.down, columns.down),
    ],
    plugins: [dropMarks(columns, colors.drop)],
    hooks: { draw: [size.onDraw] },
  };
}
