/**
 * The plans and their current periods (GET /api/plans, issue 16), polled every minute for the dashboard's plan
 * cards and its "This period" / "Last period" buttons, and for the Plans page.
 */
import { createModel, effect, signal } from "@preact/signals";
import { getJson } from "../api.ts";
import type { PlansJson } from "../../api_types.ts";
import { messageOf, poll } from "./poll.ts";

const PLANS_INTERVAL_MS = 60_000;

/** Polls /api/plans; `json` is null until answered. */
export const PlansModel = createModel(() => {
  const json = signal<PlansJson | null>(null);
  const error = signal<string | null>(null);
  const load = async () => {
    try {
      json.value = await getJson<PlansJson>("/api/plans");
      error.value = null;
    } catch (e) {
      error.value = messageOf(e);
    }
  };
  effect(() => poll(PLANS_INTERVAL_MS, load));
  /** Loads the plans again now (after an edit). */
  return { json, error, reload: load };
});

/** An instance of PlansModel. */
export type Plans = InstanceType<typeof PlansModel>;
