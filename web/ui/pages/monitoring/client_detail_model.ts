/**
 * The client shown in detail: its IP comes from the hash query (`#/monitoring?client=fd00::20`), so the view
 * can be linked and survives a reload; its detail is polled every 5 s while selected.
 */
import { createModel, effect, signal } from "@preact/signals";
import { getJson } from "../../api.ts";
import { messageOf, poll } from "../../models/poll.ts";
import type { MonitoringClientDetailJson } from "../../../monitoring_api_types.ts";

const DETAIL_INTERVAL_MS = 5_000;

/** The `client` of a hash such as "#/monitoring?client=192.168.1.10", or null. */
export function clientOfHash(hash: string): string | null {
  const query = hash.split("?")[1];
  return query ? new URLSearchParams(query).get("client") || null : null;
}

/** The hash that selects `ip` (or no client with null). */
export function hashForClient(ip: string | null): string {
  return ip === null ? "#/monitoring" : `#/monitoring?client=${encodeURIComponent(ip)}`;
}

/** Follows the selected client and polls its detail. */
export const ClientDetailModel = createModel(() => {
  const ip = signal(clientOfHash(location.hash));
  const detail = signal<MonitoringClientDetailJson | null>(null);
  const error = signal<string | null>(null);
  effect(() => {
    const onChange = () => ip.value = clientOfHash(location.hash);
    addEventListener("hashchange", onChange);
    return () => removeEventListener("hashchange", onChange);
  });
  effect(() => {
    const selected = ip.value;
    detail.value = null;
    if (selected === null) return;
    return poll(DETAIL_INTERVAL_MS, async () => {
      try {
        detail.value = await getJson<MonitoringClientDetailJson>(
          `/api/monitoring/clients/${encodeURIComponent(selected)}`,
        );
        error.value = null;
      } catch (e) {
        error.value = messageOf(e);
      }
    });
  });
  return { ip, detail, error };
});

/** An instance of ClientDetailModel. */
export type ClientDetail = InstanceType<typeof ClientDetailModel>;
