/** What a traffic chart's look depends on besides its data and width (use_chart_spec.ts builds it). */
import type { ByteFormat } from "../../format_bytes.ts";
import type { Granularity } from "../lib/quick_ranges.ts";

/** How a chart draws its two series. */
export type ChartKind = "stacked-bars" | "lines" | "areas";

/** Everything a chart's look depends on besides its width. */
export interface ChartSpec {
  readonly kind: ChartKind;
  readonly granularity: Granularity;
  readonly zone: string;
  readonly locale: string;
  /** Units (SI or IEC) and language of every byte figure. */
  readonly bytes: ByteFormat;
  /** Colours come from the theme's CSS properties, read when the chart is built. */
  readonly theme: "light" | "dark";
  readonly labels: {
    readonly time: string;
    /** Upload and download, each with its glyph (▲ upload, ▼ download). */
    readonly up: string;
    readonly down: string;
    readonly noData: string;
    /** "{dropped} of {packets} packets dropped ({share})". */
    readonly dropped: string;
  };
  /** Whether the values are bytes per second: labels then end in the rate suffix ("1.5 MB/s"). */
  readonly isRate?: boolean;
  /** For "areas": the x range to show (a whole local day), UTC seconds. */
  readonly xRange?: readonly [number, number];
}
