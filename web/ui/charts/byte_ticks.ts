/**
 * The y axis of a byte chart: ticks from 0 at a nice step (1, 2, 2.5 or 5 × 10ⁿ of one unit), every label in
 * that unit with the step's precision, so an axis reads "1.5 GB / 1.0 GB / 0.5 GB / 0 B" and never
 * "1.46 GB / 1000 MB" (issue 13, "one unit per axis"). Pure; the labels come from web/format_bytes.ts.
 */
import { type ByteFormat, byteUnitOf, formatBytesIn } from "../../format_bytes.ts";

/** Ticks of one byte axis. */
export interface ByteAxis {
  /** Tick values in bytes, ascending from 0; the last is the top of the axis, at or above the data. */
  readonly splits: readonly number[];
  /** Unit of every label: 0 = bytes … 5 = peta. */
  readonly unit: number;
  /** Decimals of every label: those of the step (0.5 → 1, 0.25 → 2). */
  readonly fractionDigits: number;
}

const MANTISSAS = [1, 2, 2.5, 5];
/** Steps in units, smallest first: 0.01 … 5000 (a peta axis may need thousands). */
const STEPS: readonly number[] = [-2, -1, 0, 1, 2, 3].flatMap((power) =>
  MANTISSAS.map((m) => m * 10 ** power)
);

function decimalsOf(step: number): number {
  for (let digits = 0; digits < 3; digits++) {
    if (Math.abs(Math.round(step * 10 ** digits) - step * 10 ** digits) < 1e-9) return digits;
  }
  return 2;
}

/**
 * Ticks for data up to `maxBytes`, at most `maxTicks` of them (0 included, at least 2). The unit is the one
 * in which the top tick is below 1000, so a 950 MB maximum gets a 1.0 GB top rather than "1000 MB".
 * No data (a maximum of 0 or less) gives the single tick 0.
 */
export function byteAxis(maxBytes: number, options: { maxTicks: number; base: 1000 | 1024 }): ByteAxis {
  const { base } = options;
  const maxTicks = Math.max(2, Math.floor(options.maxTicks));
  if (!(maxBytes > 0)) return { splits: [0], unit: 0, fractionDigits: 0 };
  for (let unit = byteUnitOf(maxBytes, base);; unit++) {
    const scale = base ** unit;
    const value = maxBytes / scale;
    // Bytes have no fractions; the largest step always fits, so `step` is found.
    const step = STEPS.find((s) => (unit > 0 || s >= 1) && Math.ceil(value / s - 1e-9) + 1 <= maxTicks) ??
      STEPS[STEPS.length - 1];
    const count = Math.ceil(value / step - 1e-9);
    if (count * step >= 1000 && unit < 5) continue;
    const splits = Array.from({ length: count + 1 }, (_, i) => i * step * scale);
    return { splits, unit, fractionDigits: decimalsOf(step) };
  }
}

/** The label of each tick of `axis`, in its unit and precision; 0 reads "0 B". */
export function byteAxisLabels(axis: ByteAxis, format: ByteFormat): string[] {
  return axis.splits.map((bytes) => formatBytesIn(bytes, axis, format));
}
