/**
 * Byte counts for people: 1024-based units with two decimals ("5.00 GB"), the same text the API puts in its
 * `_fmt` fields, and exact counts with digit grouping for hover text.
 */

const UNITS = ["B", "KB", "MB", "GB", "TB", "PB"] as const;

/** Formats a byte count 1024-based with two decimals, e.g. 5368709120 → "5.00 GB"; 0 → "0.00 B". */
export function formatBytes(bytes: number): string {
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${bytes < 0 ? "-" : ""}${value.toFixed(2)} ${UNITS[unit]}`;
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
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = value >= 100 || unit === 0 ? 0 : value >= 10 ? 1 : 2;
  return `${bytes < 0 ? "-" : ""}${Number(value.toFixed(digits))} ${UNITS[unit]}`;
}
