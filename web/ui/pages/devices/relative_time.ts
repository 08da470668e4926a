/** "5 minutes ago", "2 days ago" in the page's language, for a device's last seen time. */
const STEPS: readonly [Intl.RelativeTimeFormatUnit, number][] = [
  ["second", 60],
  ["minute", 60],
  ["hour", 24],
  ["day", 30],
  ["month", 12],
  ["year", Infinity],
];

/** How long before `nowSec` the UTC second `atSec` was, in the largest unit that fits, in `lang`. */
export function relativeTime(atSec: number, nowSec: number, lang: string): string {
  const format = new Intl.RelativeTimeFormat(lang, { numeric: "auto" });
  let value = Math.max(0, nowSec - atSec);
  for (const [unit, size] of STEPS) {
    if (value < size) return format.format(-Math.floor(value), unit);
    value /= size;
  }
  return format.format(-Math.floor(value), "year");
}
