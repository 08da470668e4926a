/**
 * Byte counts for people, one implementation for the server and the browser. Without a ByteFormat: the
 * API's `*_fmt` text, 1024-based units named KB, MB, GB with two decimals ("5.00 GB"), the replaced tool's
 * byte for byte (scripts parse it). With one: the dashboard's text in the person's unit system (SI "GB" of
 * 1000, as ISPs bill, or IEC "GiB" of 1024) and language ("15,60 ГБ"). Imports nothing.
 */

const LEGACY_UNITS = ["B", "KB", "MB", "GB", "TB", "PB"] as const;

/** SI unit symbols, bytes to petabytes. */
const SI_UNITS: readonly string[] = ["B", "kB", "MB", "GB", "TB", "PB"];
/** IEC unit symbols, bytes to pebibytes. */
const IEC_UNITS: readonly string[] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

/** How the dashboard writes bytes: the person's unit system and language. */
export interface ByteFormat {
  /** 1000: SI units (kB, MB, GB); 1024: IEC units (KiB, MiB, GiB). The names say which. */
  readonly base: 1000 | 1024;
  /** BCP 47 tag whose digits and separators are used ("ru" writes 15,60). */
  readonly locale: string;
  /** The six unit names of `base` in the locale, bytes first; SI_UNITS or IEC_UNITS when absent. */
  readonly units?: readonly string[];
  /** What a rate ends in; "/s" when absent. */
  readonly perSecond?: string;
}

/**
 * Formats a byte count. Without `format`, the API's text: 1024-based, two decimals, 5368709120 →
 * "5.00 GB", 0 → "0.00 B", beyond 1024 PB still in PB. With `format`: two decimals in the largest unit the
 * count reaches, none for bytes ("512 B", "0 B"), e.g. 15.6e9 → "15.60 GB" (SI, en) or "15,60 ГБ" (ru).
 */
export function formatBytes(bytes: number, format?: ByteFormat): string {
  if (!format) {
    const [value, unit] = legacyScaled(bytes);
    return `${bytes < 0 ? "-" : ""}${value.toFixed(2)} ${LEGACY_UNITS[unit]}`;
  }
  let unit = byteUnitOf(bytes, format.base);
  // 999.996 kB would round to "1000.00 kB": write it as "1.00 MB".
  if (unit > 0 && unit < 5 && Math.round(Math.abs(bytes) / format.base ** unit * 100) >= 100_000) unit++;
  return formatBytesIn(bytes, { unit, fractionDigits: unit === 0 ? 0 : 2 }, format);
}

/** Formats a byte rate: 1536 → "1.50 KB/s" (the API's), or with `format` "1.54 kB/s" (SI, en). */
export function formatRate(bytesPerSec: number, format?: ByteFormat): string {
  return `${formatBytes(bytesPerSec, format)}${format?.perSecond ?? "/s"}`;
}

/**
 * Formats an exact byte count with the locale's digit grouping, e.g. 1320702443 → "1,320,702,443 B";
 * `unit` names the byte in the page's language.
 */
export function formatExactBytes(bytes: number, locale: string, unit = "B"): string {
  return `${numberFormat(locale, 0).format(bytes)} ${unit}`;
}

/**
 * The unit (0 = bytes … 5 = peta) in which `bytes` has at most three integer digits (IEC too: 1000 KiB is
 * written 0.98 MiB), beyond 999 PB still peta; 0 for 0.
 */
export function byteUnitOf(bytes: number, base: 1000 | 1024): number {
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1000 && unit < 5) {
    value /= base;
    unit++;
  }
  return unit;
}

/**
 * `bytes` in a given unit with exactly `fractionDigits` decimals, so that values written together (an
 * axis) share one unit and one precision: 1.5e9 in unit 3 with 1 decimal → "1.5 GB". Zero is "0 B".
 */
export function formatBytesIn(
  bytes: number,
  options: { readonly unit: number; readonly fractionDigits: number },
  format: ByteFormat,
): string {
  const units = format.units ?? (format.base === 1000 ? SI_UNITS : IEC_UNITS);
  if (bytes === 0) return `0 ${units[0]}`;
  const value = bytes / format.base ** options.unit;
  return `${numberFormat(format.locale, options.fractionDigits).format(value)} ${units[options.unit]}`;
}

const numberFormats = new Map<string, Intl.NumberFormat>();

/** A cached formatter of `locale` with exactly `fractionDigits` decimals. */
function numberFormat(locale: string, fractionDigits: number): Intl.NumberFormat {
  const key = `${locale} ${fractionDigits}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, {
      minimumFractionDigits: fractionDigits,
      maximumFractionDigits: fractionDigits,
    });
    numberFormats.set(key, format);
  }
  return format;
}

/** The magnitude of `bytes` in the largest 1024-based unit it reaches (at most PB), as the API wrote it. */
function legacyScaled(bytes: number): [number, number] {
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < LEGACY_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return [value, unit];
}
