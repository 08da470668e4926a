/** Durations and times of the Monitoring page, in the reader's locale and the server's zone. */

/** "2 h 05 min", "4 min 10 s", "12 s" from whole seconds. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h} h ${String(m).padStart(2, "0")} min`;
  if (m > 0) return `${m} min ${String(s % 60).padStart(2, "0")} s`;
  return `${s} s`;
}

/** Local date and time of UTC second `sec` in `zone`, e.g. "2026-11-23 14:05:09". */
export function formatTime(sec: number, zone: string | null): string {
  return new Intl.DateTimeFormat("sv-SE", {
    timeZone: zone ?? undefined,
    dateStyle: "short",
    timeStyle: "medium",
  }).format(new Date(sec * 1000));
}
