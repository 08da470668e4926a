/** Live upload and download speed for the header, refreshed every 2 seconds (the issue asks for ≤ 3 s). */
import { createModel, effect, signal } from "@preact/signals";
import { getJson, type RealtimeJson } from "../api.ts";
import { messageOf, poll } from "./poll.ts";

const LIVE_INTERVAL_MS = 2_000;

/** Polls /api/realtime; rates are bytes per second, null until the first answer. */
export const LiveModel = createModel(() => {
  const upBps = signal<number | null>(null);
  const downBps = signal<number | null>(null);
  const error = signal<string | null>(null);
  effect(() =>
    poll(LIVE_INTERVAL_MS, async () => {
      try {
        const realtime = await getJson<RealtimeJson>("/api/realtime");
        upBps.value = realtime.current_up_Bps;
        downBps.value = realtime.current_down_Bps;
        error.value = null;
      } catch (e) {
        error.value = messageOf(e);
      }
    })
  );
  return { upBps, downBps, error };
});
