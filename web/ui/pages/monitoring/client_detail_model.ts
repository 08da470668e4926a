/**
 * The detail of the client open on the Monitoring page (monitoring_view_model.ts): its history over the page's
 * range, resources, chains and live connections, polled every 5 s while it is open.
 */
import { createModel, effect, type ReadonlySignal, signal } from "@preact/signals";
import { getJson, queryString } from "../../api.ts";
import type { RangeQuery } from "../../lib/quick_ranges.ts";
import { messageOf, poll } from "../../models/poll.ts";
import type { MonitoringClientDetailJson } from "../../../monitoring_api_types.ts";

const DETAIL_INTERVAL_MS = 5_000;

/** Polls the detail of `ip` over `range`; `detail` is null while loading. */
export const ClientDetailModel = createModel(
  (ip: ReadonlySignal<string | null>, range: ReadonlySignal<RangeQuery | null>) => {
    const detail = signal<MonitoringClientDetailJson | null>(null);
    const error = signal<string | null>(null);
    effect(() => {
      const selected = ip.value;
      const query = range.value;
      detail.value = null;
      error.value = null;
      if (selected === null || query === null) return;
      const path = `/api/monitoring/clients/${encodeURIComponent(selected)}${
        queryString({ start: query.start, end: query.end, granularity: query.granularity })
      }`;
      return poll(DETAIL_INTERVAL_MS, async () => {
        const isStale = () => selected !== ip.peek() || query !== range.peek();
        try {
          const answer = await getJson<MonitoringClientDetailJson>(path);
          if (isStale()) return;
          detail.value = answer;
          error.value = null;
        } catch (e) {
          if (!isStale()) error.value = messageOf(e);
        }
      });
    });
    return { ip, detail, error };
  },
);

/** An instance of ClientDetailModel. */
export type ClientDetail = InstanceType<typeof ClientDetailModel>;
