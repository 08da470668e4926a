/**
 * The live upload/download rate of the proxy core: one browser WebSocket to /api/monitoring/ws/traffic (the
 * server relays the core's `/traffic` lines, adding the secret itself), kept as the last LIVE_WINDOW_SEC
 * seconds in fixed columns that the chart redraws in place. Reconnects with capped backoff.
 */
import { createModel, effect, signal } from "@preact/signals";
import type { TrafficColumns } from "../../charts/to_columns.ts";

/** Seconds of history in the live chart. */
export const LIVE_WINDOW_SEC = 60;
const MIN_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

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
 * Follows the relayed `/traffic` stream. `columns` holds one object updated in place (the chart keeps its
 * arrays); `tick` changes after every sample.
 */
export const LiveTrafficModel = createModel(() => {
  const columns = signal(emptyLiveColumns(Math.floor(Date.now() / 1000)));
  const tick = signal(0);
  const isLive = signal(false);
  effect(() => {
    let socket: WebSocket | null = null;
    let retryMs = MIN_RETRY_MS;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let isStopped = false;
    const connect = () => {
      const scheme = location.protocol === "https:" ? "wss" : "ws";
      socket = new WebSocket(`${scheme}://${location.host}/api/monitoring/ws/traffic`);
      socket.onopen = () => {
        isLive.value = true;
        retryMs = MIN_RETRY_MS;
      };
      socket.onmessage = (e) => {
        if (typeof e.data === "string" && pushSample(columns.peek(), Math.floor(Date.now() / 1000), e.data)) {
          tick.value++;
        }
      };
      socket.onclose = () => {
        isLive.value = false;
        if (isStopped) return;
        timer = setTimeout(connect, retryMs);
        retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
      };
    };
    connect();
    return () => {
      isStopped = true;
      clearTimeout(timer);
      socket?.close();
    };
  });
  return { columns, tick, isLive };
});
