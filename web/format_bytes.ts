/**
 * Byte counts for people, one implementation for the server and the browser: 1024-based units with two
 * decimals ("5.00 GB") in the API's `*_fmt` fields and on the dashboard, rates, exact counts with digit
 * grouping for hover text, and short axis labels. The `*_fmt` text is the replaced tool's, byte for byte:
 * scripts parse it. Imports nothing.
 */

const UNITS = ["B", "KB", "MB", "GB", "TB", "PB"] as const;

/**
 * Formats a byte count 1024-based with two decimals: 5368709120 → "5.00 GB", 512 → "512.00 B", 0 → "0.00 B".
 * Counts beyond 1024 PB stay in PB.
 */
export function formatBytes(bytes: number): string {
  const [value, unit] = scaled(bytes);
  return `${bytes < 0 ? "-" : ""}${value.toFixed(2)} ${unit}`;
}

/** Formats a byte rate, e.g. 1536 → "1.50 KB/s". */
export function formatRate(bytesPerSec: number): string {
  return `${formatBytes(bytesPerSec)}/s`;
}

const exactFormats = new Map<string, Intl.NumberFormat>();

/** Formats an exact byte count with the locale's digit grouping, e.g. 1320702443 → "1,320,702,443 B". */
export function formatExactBytes(bytes: number, locale: string): string {
  let format = exactFormats.get(locale);
  if (!format) {
    format = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
    exactFormats.set(locale, format);
  }
  return `${format.format(bytes)} B`;
}

/** Short axis label: at most three significant digits, e.g. 1.5 GB, 320 MB. */
export function formatAxisBytes(bytes: number): string {
  const [value, unit] = scaled(bytes);
  const digits = value >= 100 || unit === "B" ? 0 : value >= 10 ? 1 : 2;
  return `${bytes < 0 ? "-" : ""}${Number(value.toFixed(digits))} ${unit}`;
}

/** The magnitude of `bytes` in the largest unit it reaches (at most PB). */
function scaled(bytes: number): [number, (typeof UNITS)[number]] {
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return [value, UNITS[unit]];
}
