/**
 * The history charts of the last 30 days and 12 months, every 2 minutes. Today's hours come from the
 * app-wide HealthModel, which polls them every 15 seconds for the status strip too.
 */
import { createModel, effect, signal } from "@preact/signals";
import {
  type DayPointJson,
  type DaysJson,
  getJson,
  type InterfaceTotalsJson,
  type MonthPointJson,
  type MonthsJson,
} from "../api.ts";
import { messageOf, poll } from "./poll.ts";

const HISTORY_INTERVAL_MS = 120_000;

/** Polls /api/history/30days and /api/history/12months; rows are null until loaded. */
export const HistoryModel = createModel(() => {
  const days = signal<readonly DayPointJson[] | null>(null);
  const months = signal<readonly MonthPointJson[] | null>(null);
  const error = signal<string | null>(null);
  /** Imported vnStat interface totals of the same days and months (issue 17), or null when none. */
  const importedDays = signal<InterfaceTotalsJson | null>(null);
  const importedMonths = signal<InterfaceTotalsJson | null>(null);
  const load = async <T>(path: string, apply: (json: T) => void) => {
    try {
      apply(await getJson<T>(path));
      error.value = null;
    } catch (e) {
      error.value = messageOf(e);
    }
  };
  effect(() =>
    poll(HISTORY_INTERVAL_MS, async () => {
      await Promise.all([
        load<DaysJson>("/api/history/30days", (json) => {
          days.value = json.days;
          importedDays.value = json.interface_totals ?? null;
        }),
        load<MonthsJson>("/api/history/12months", (json) => {
          months.value = json.months;
          importedMonths.value = json.interface_totals ?? null;
        }),
      ]);
    })
  );
  return { days, months, error, importedDays, importedMonths };
});
