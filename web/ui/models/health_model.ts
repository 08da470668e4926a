/**
 * Server health: its time zone (used for every date in the UI), the capture state, and the packets the
 * kernel dropped in the current local hour, for the status strip.
 */
import { createModel, effect, signal } from "@preact/signals";
import { getJson, type HealthJson, type TodayHoursJson } from "../api.ts";
import { wallTimeAt } from "../lib/zoned_time.ts";
import { messageOf, poll } from "./poll.ts";

const HEALTH_INTERVAL_MS = 15_000;

/** "YYYY-MM-DD HH:00" of the local hour at `utcSec`, as the API labels hours. */
function currentHourLabel(zone: string, utcSec: number): string {
  const w = wallTimeAt(zone, utcSec);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:00`;
}

/** Polls /api/health and today's hours; `timeZone` is null until the first answer. */
export const HealthModel = createModel(() => {
  const health = signal<HealthJson | null>(null);
  const timeZone = signal<string | null>(null);
  const dropsThisHour = signal(0);
  const error = signal<string | null>(null);
  effect(() =>
    poll(HEALTH_INTERVAL_MS, async () => {
      try {
        const [next, today] = await Promise.all([
          getJson<HealthJson>("/api/health"),
          getJson<TodayHoursJson>("/api/history/today_hours"),
        ]);
        health.value = next;
        // Keep the same string so that charts keyed on the zone are not rebuilt on every poll.
        if (timeZone.value !== next.time_zone) timeZone.value = next.time_zone;
        const label = currentHourLabel(next.time_zone, Date.now() / 1000);
        dropsThisHour.value = today.hours.findLast((h) => h.hour === label)?.dropped_packets ?? 0;
        error.value = null;
      } catch (e) {
        error.value = messageOf(e);
      }
    })
  );
  return { health, timeZone, dropsThisHour, error };
});

/** An instance of HealthModel. */
export type Health = InstanceType<typeof HealthModel>;
