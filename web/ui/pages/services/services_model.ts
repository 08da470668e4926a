/**
 * The services of a range (issue 15): GET /api/services for the range's local dates, for every device or one,
 * sorted by a column, with the services whose hosts are open. A range with hours lists its whole dates: the
 * API counts services by local date, as devices.
 */
import { action, computed, createModel, effect, type ReadonlySignal, signal } from "@preact/signals";
import { getJson, queryString } from "../../api.ts";
import type { RangeQuery } from "../../lib/quick_ranges.ts";
import { messageOf } from "../../models/poll.ts";
import type { ServiceJson, ServicesJson } from "../../../api_types.ts";

/** Columns the services table sorts by. */
export type ServiceSortKey = "name" | "down" | "up" | "total";

/** Most services the page lists; the rest are the API's exact `other`. */
export const PAGE_SERVICES = 200;

const SORT_VALUE: Record<ServiceSortKey, (s: ServiceJson) => number | string> = {
  name: (s) => s.name,
  down: (s) => s.down_bytes,
  up: (s) => s.up_bytes,
  total: (s) => s.total_bytes,
};

/** `services` by `key`, heaviest or A first when `isDescending` is false for names; ties by name. */
export function sortServices(
  services: readonly ServiceJson[],
  key: ServiceSortKey,
  isDescending: boolean,
): ServiceJson[] {
  const value = SORT_VALUE[key];
  const sign = isDescending ? -1 : 1;
  return [...services].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    return x < y ? -sign : x > y ? sign : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
}

/** The "/api/services" path of `query`'s dates, for `device` (an id) or every device. */
export function servicesPath(
  query: RangeQuery,
  options: { readonly device?: number | null; readonly limit?: number; readonly format?: "csv" } = {},
): string {
  return `/api/services${
    queryString({
      start: query.start,
      end: query.end,
      device: options.device ?? undefined,
      limit: options.limit,
      format: options.format,
    })
  }`;
}

/** The services of `applied`'s dates for `device` (null: every device); reloads when either changes. */
export const ServicesModel = createModel(
  (applied: ReadonlySignal<RangeQuery | null>, device: ReadonlySignal<number | null>) => {
    const result = signal<ServicesJson | null>(null);
    const error = signal<string | null>(null);
    const isLoading = signal(false);
    const sortKey = signal<ServiceSortKey>("total");
    const isDescending = signal(true);
    /** Names of the services whose hosts are shown. */
    const open = signal<ReadonlySet<string>>(new Set());
    const sorted = computed(() =>
      result.value ? sortServices(result.value.services, sortKey.value, isDescending.value) : []
    );
    let sequence = 0;
    effect(() => {
      const query = applied.value;
      const id = device.value;
      if (!query) return;
      const mine = ++sequence;
      isLoading.value = true;
      getJson<ServicesJson>(servicesPath(query, { device: id, limit: PAGE_SERVICES })).then(
        (json) => {
          if (mine !== sequence) return;
          result.value = json;
          error.value = null;
        },
        (e) => {
          if (mine === sequence) error.value = messageOf(e);
        },
      ).finally(() => {
        if (mine === sequence) isLoading.value = false;
      });
    });
    return {
      result,
      sorted,
      error,
      isLoading,
      sortKey,
      isDescending,
      open,
      /** Sorts by `key`; the sorted column again turns the order round. Bytes sort heaviest first. */
      sortBy: action((key: ServiceSortKey) => {
        if (sortKey.value === key) {
          isDescending.value = !isDescending.value;
        } else {
          sortKey.value = key;
          isDescending.value = key !== "name";
        }
      }),
      /** Shows or hides the hosts of the service `name`. */
      toggle: action((name: string) => {
        const next = new Set(open.value);
        if (!next.delete(name)) next.add(name);
        open.value = next;
      }),
    };
  },
);
