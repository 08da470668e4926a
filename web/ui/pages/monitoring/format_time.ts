/** Durations and times of the Monitoring page, in the reader's language and the server's zone. */

const UNITS = ["day", "hour", "minute", "second"] as const;
const UNIT_SEC = [86_400, 3600, 60, 1];
const formats = new Map<string, (parts: Readonly<Record<string, number>>) => string>();

/**
 * Intl.DurationFormat's narrow style; without it (older phones) and for zero, which it writes as "",
 * Intl.NumberFormat's units side by side.
 */
function durationFormat(locale: string) {
  let format = formats.get(locale);
  if (!format) {
    const units = new Map(UNITS.map((u) => [
      `${u}s`,
      new Intl.NumberFormat(locale, { style: "unit", unit: u, unitDisplay: "narrow" }),
    ]));
    const byUnits = (parts: Readonly<Record<string, number>>) =>
      Object.entries(parts).map(([unit, n]) => units.get(unit)!.format(n)).join(" ");
    const intl = "DurationFormat" in Intl ? new Intl.DurationFormat(locale, { style: "narrow" }) : null;
    format = (parts) => intl && parts.seconds !== 0 ? intl.format(parts) : byUnits(parts);
    formats.set(locale, format);
  }
  return format;
}

/** Whole seconds as their two largest units in `locale`: "2h 5m", "2 ч 5 мин", "2小时5分钟"; "0s" for none. */
export function formatDuration(seconds: number, locale: string): string {
  let rest = Math.max(0, Math.floor(seconds));
  const first = rest === 0 ? UNITS.length - 1 : UNIT_SEC.findIndex((sec) => rest >= sec);
  const parts: Record<string, number> = {};
  for (let i = first; i < Math.min(first + 2, UNITS.length); i++) {
    const n = Math.floor(rest / UNIT_SEC[i]);
    rest -= n * UNIT_SEC[i];
    if (n > 0 || i === first) parts[`${UNITS[i]}s`] = n;
  }
  return durationFormat(locale)(parts);
}

/** Local date and time of UTC second `sec` in `zone`, e.g. "2026-11-23 14:05:09". */
export function formatTime(sec: number, zone: string | null): string {
  return new Intl.DateTimeFormat("sv-SE", {
    timeZone: zone ?? undefined,
    dateStyle: "short",
    timeStyle: "medium",
  }).format(new Date(sec * 1000));
}
