/** The cards: today, this month, this year (including unsaved in-memory deltas), refreshed every 15 seconds. */
import { createModel, effect, signal } from "@preact/signals";
import { getJson, type SummaryJson } from "../api.ts";
import { messageOf, poll } from "./poll.ts";

const SUMMARY_INTERVAL_MS = 15_000;

/** Polls /api/summary. */
export const SummaryModel = createModel(() => {
  const summary = signal<SummaryJson | null>(null);
  const error = signal<string | null>(null);
  effect(() =>
    poll(SUMMARY_INTERVAL_MS, async () => {
      try {
        summary.value = await getJson<SummaryJson>("/api/summary");
        error.value = null;
      } catch (e) {
        error.value = messageOf(e);
      }
    })
  );
  return { summary, error };
});
