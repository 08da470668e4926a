/**
 * App-wide server state, polled every 15 seconds on every page: /api/health (the server's time zone, used for
 * every date in the UI, and the state of its parts) and today's hours (the today chart, and the kernel drops
 * of the current hour for the status strip). One poll serves both, so the dashboard asks only once.
 */
import { createModel, effect, signal } from "@preact/signals";
import { getJson, type HealthJson, type HourPointJson, type TodayHoursJson } from "../api.ts";
import { wallTimeAt } from "../lib/zoned_time.ts";
import { messageOf, poll } from "./poll.ts";

const HEALTH_INTERVAL_MS = 15_000;

/** "YYYY-MM-DD HH:00" of the local hour at `utcSec`, as the API labels hours. */
function currentHourLabel(zone: string, utcSec: number): string {
  const w = wallTimeAt(zone, utcSec);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:00`;
}

/** Polls /api/health and /api/history/today_hours; `timeZone` and `todayHours` are null until answered. */
export const HealthModel = createModel(() => {
  const health = signal<HealthJson | null>(null);
  const timeZone = signal<string | null>(null);
  const todayHours = signal<readonly HourPointJson[] | null>(null);
  const dropsThisHour = signal(0);
  const error = signal<string | null>(null);
  const todayError = signal<string | null>(null);
  effect(() =>
    poll(HEALTH_INTERVAL_MS, async () => {
      const [next, today] = await Promise.allSettled([
        getJson<HealthJson>("/api/health"),
        getJson<TodayHoursJson>("/api/history/today_hours"),
      ]);
      if (next.status === "fulfilled") {
        health.value = next.value;
        // Keep the same string so that charts keyed on the zone are not rebuilt on every poll.
        if (timeZone.value !== next.value.time_zone) timeZone.value = next.value.time_zone;
        error.value = null;
      } else {
        error.value = messageOf(next.reason);
      }
      if (today.status === "fulfilled") {
        // Only a changed answer replaces the rows, so today's chart is not rebuilt (and its hover lost) for nothing.
        if (JSON.stringify(today.value.hours) !== JSON.stringify(todayHours.value)) {
          todayHours.value = today.value.hours;
        }
        todayError.value = null;
      } else {
        todayError.value = messageOf(today.reason);
      }
      const zone = timeZone.value;
      const label = zone ? currentHourLabel(zone, Date.now() / 1000) : null;
      dropsThisHour.value = todayHours.value?.findLast((h) => h.hour === label)?.dropped_packets ?? 0;
    })
  );
  return { health, timeZone, todayHours, dropsThisHour, error, todayError };
});

/** An instance of HealthModel. */
export type Health = InstanceType<typeof HealthModel>;
