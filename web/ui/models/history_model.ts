/** The fixed history charts: last 30 days and 12 months (every 2 minutes), today's hours (every 30 seconds). */
import { createModel, effect, signal } from "@preact/signals";
import {
  type DayPointJson,
  type DaysJson,
  getJson,
  type HourPointJson,
  type MonthPointJson,
  type MonthsJson,
  type TodayHoursJson,
} from "../api.ts";
import { messageOf, poll } from "./poll.ts";

const SLOW_INTERVAL_MS = 120_000;
const TODAY_INTERVAL_MS = 30_000;

/** Polls /api/history/30days, /api/history/12months and /api/history/today_hours; rows are null until loaded. */
export const HistoryModel = createModel(() => {
  const days = signal<readonly DayPointJson[] | null>(null);
  const months = signal<readonly MonthPointJson[] | null>(null);
  const todayHours = signal<readonly HourPointJson[] | null>(null);
  const error = signal<string | null>(null);
  const load = async <T>(path: string, apply: (json: T) => void) => {
    try {
      apply(await getJson<T>(path));
      error.value = null;
    } catch (e) {
      error.value = messageOf(e);
    }
  };
  effect(() =>
    poll(SLOW_INTERVAL_MS, async () => {
      await Promise.all([
        load<DaysJson>("/api/history/30days", (json) => days.value = json.days),
        load<MonthsJson>("/api/history/12months", (json) => months.value = json.months),
      ]);
    })
  );
  effect(() =>
    poll(
      TODAY_INTERVAL_MS,
      () => load<TodayHoursJson>("/api/history/today_hours", (json) => todayHours.value = json.hours),
    )
  );
  return { days, months, todayHours, error };
});
