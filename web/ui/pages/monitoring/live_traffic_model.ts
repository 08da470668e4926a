/**
 * The live upload/download rate of the proxy core from the relayed `/traffic` lines (relay_socket.ts), kept as
 * the last LIVE_WINDOW_SEC seconds in fixed columns that the chart redraws in place. The window starts from
 * the server's last minute of samples (/api/monitoring/samples), so a page load does not show an empty chart.
 */
import { createModel, effect, signal } from "@preact/signals";
import { getJson } from "../../api.ts";
import type { TrafficColumns } from "../../charts/to_columns.ts";
import type { MonitoringSampleJson, MonitoringSamplesJson } from "../../../monitoring_api_types.ts";
import { followRelay } from "./relay_socket.ts";

/** Seconds of history in the live chart. */
export const LIVE_WINDOW_SEC = 60;

/** Columns of `LIVE_WINDOW_SEC` zero samples ending at `nowSec`. */
export function emptyLiveColumns(nowSec: number): TrafficColumns & { labels: string[] } {
  const ts = new Float64Array(LIVE_WINDOW_SEC);
  for (let i = 0; i < LIVE_WINDOW_SEC; i++) ts[i] = nowSec - (LIVE_WINDOW_SEC - 1 - i);
  return {
    ts,
    up: new Float64Array(LIVE_WINDOW_SEC),
    down: new Float64Array(LIVE_WINDOW_SEC),
    dropped: new Float64Array(LIVE_WINDOW_SEC),
    labels: Array.from(ts, (t) => new Date(t * 1000).toISOString().slice(11, 19)),
  };
}

/**
 * Appends one `/traffic` line received at `tsSec`, dropping the oldest second, in place (the chart holds
 * these arrays). Lines for the same second add up; returns false for a line that is not `{"up","down"}`.
 */
export function pushSample(
  columns: TrafficColumns & { labels: string[] },
  tsSec: number,
  line: string,
): boolean {
  let sample: { up?: unknown; down?: unknown } | null;
  try {
    sample = JSON.parse(line);
  } catch (e) {
    if (e instanceof SyntaxError) return false;
    throw e;
  }
  const up = sample?.up;
  const down = sample?.down;
  if (typeof up !== "number" || typeof down !== "number") return false;
  const last = LIVE_WINDOW_SEC - 1;
  if (columns.ts[last] === tsSec) {
    columns.up[last] += up;
    columns.down[last] += down;
    return true;
  }
  columns.ts.copyWithin(0, 1);
  columns.up.copyWithin(0, 1);
  columns.down.copyWithin(0, 1);
  columns.labels.shift();
  columns.ts[last] = tsSec;
  columns.up[last] = up;
  columns.down[last] = down;
  columns.labels.push(new Date(tsSec * 1000).toISOString().slice(11, 19));
  return true;
}

/**
 * Writes the server's `samples` into the seconds of `columns` they belong to, in place, except those from
 * `firstLiveSec` on (null: none yet), which the relayed lines fill. Returns whether any second changed.
 */
export function seedSamples(
  columns: TrafficColumns,
  samples: readonly MonitoringSampleJson[],
  firstLiveSec: number | null,
): boolean {
  const slotOf = new Map(Array.from(columns.ts, (ts, i) => [ts, i]));
  let isChanged = false;
  for (const s of samples) {
    const i = slotOf.get(s.ts);
    if (i === undefined || (firstLiveSec !== null && s.ts >= firstLiveSec)) continue;
    columns.up[i] = s.up_bytes;
    columns.down[i] = s.down_bytes;
    isChanged = true;
  }
  return isChanged;
}

/**
 * Follows the relayed `/traffic` stream. `columns` holds one object updated in place (the chart keeps its
 * arrays); `tick` changes after every sample.
 */
export const LiveTrafficModel = createModel(() => {
  const columns = signal(emptyLiveColumns(Math.floor(Date.now() / 1000)));
  const tick = signal(0);
  const isLive = signal(false);
  let firstLiveSec: number | null = null;
  effect(() =>
    followRelay("/api/monitoring/ws/traffic", {
      onText: (text) => {
        const tsSec = Math.floor(Date.now() / 1000);
        if (!pushSample(columns.peek(), tsSec, text)) return;
        firstLiveSec ??= tsSec;
        tick.value++;
      },
      onOpenChange: (isOpen) => isLive.value = isOpen,
    })
  );
  effect(() => {
    let isStopped = false;
    getJson<MonitoringSamplesJson>("/api/monitoring/samples").then(
      (seed) => {
        if (!isStopped && seedSamples(columns.peek(), seed.samples, firstLiveSec)) tick.value++;
      },
      // Without the seed the chart fills from the live lines alone, as it did before the route existed.
      () => {},
    );
    return () => {
      isStopped = true;
    };
  });
  return { columns, tick, isLive };
});
