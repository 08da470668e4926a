/**
 * The devices of a range (issue 14): GET /api/devices for the range's local dates, sorted by a column, and
 * the rename of a device (PUT /api/devices/:id/name). A range with hours lists its whole dates: the API
 * counts devices by local date.
 */
import { action, computed, createModel, effect, type ReadonlySignal, signal } from "@preact/signals";
import { fetchApi, getJson, queryString } from "../../api.ts";
import type { RangeQuery } from "../../lib/quick_ranges.ts";
import { messageOf } from "../../models/poll.ts";
import type { DeviceJson, DevicesJson } from "../../../api_types.ts";

export type DeviceSortKey = "name" | "mac" | "down" | "up" | "total" | "last_seen";

/** What a device is called on screen: its name, else its MAC (or IP on links without MACs). */
export function deviceLabel(device: DeviceJson): string {
  return device.name ?? device.key;
}

const SORT_VALUE: Record<DeviceSortKey, (d: DeviceJson) => number | string> = {
  name: (d) => deviceLabel(d).toLowerCase(),
  mac: (d) => d.key,
  down: (d) => d.down_bytes,
  up: (d) => d.up_bytes,
  total: (d) => d.total_bytes,
  last_seen: (d) => d.last_seen ?? 0,
};

/** `devices` by `key`, heaviest, latest or A first when `isDescending`; ties by key, so the order is stable. */
export function sortDevices(
  devices: readonly DeviceJson[],
  key: DeviceSortKey,
  isDescending: boolean,
): DeviceJson[] {
  const value = SORT_VALUE[key];
  const sign = isDescending ? -1 : 1;
  return [...devices].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    return x < y ? -sign : x > y ? sign : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  });
}

/** The "/api/devices" path of `query`'s dates, with `format` when given. */
export function devicesPath(query: RangeQuery, format?: "csv"): string {
  return `/api/devices${queryString({ start: query.start, end: query.end, format })}`;
}

/** Devices of the range `applied` names; reloads when it changes. */
export const DevicesModel = createModel((applied: ReadonlySignal<RangeQuery | null>) => {
  const result = signal<DevicesJson | null>(null);
  const error = signal<string | null>(null);
  const renameError = signal<string | null>(null);
  const isLoading = signal(false);
  const sortKey = signal<DeviceSortKey>("total");
  const isDescending = signal(true);
  const sorted = computed(() =>
    result.value ? sortDevices(result.value.devices, sortKey.value, isDescending.value) : []
  );
  let sequence = 0;

  const load = async (query: RangeQuery) => {
    const mine = ++sequence;
    isLoading.value = true;
    try {
      const json = await getJson<DevicesJson>(devicesPath(query));
      if (mine !== sequence) return;
      result.value = json;
      error.value = null;
    } catch (e) {
      if (mine === sequence) error.value = messageOf(e);
    } finally {
      if (mine === sequence) isLoading.value = false;
    }
  };

  effect(() => {
    const query = applied.value;
    if (query) load(query);
  });

  return {
    result,
    sorted,
    error,
    renameError,
    isLoading,
    sortKey,
    isDescending,
    /** Sorts by `key`; the sorted column again turns the order round. Bytes and times sort heaviest first. */
    sortBy: action((key: DeviceSortKey) => {
      if (sortKey.value === key) {
        isDescending.value = !isDescending.value;
      } else {
        sortKey.value = key;
        isDescending.value = key !== "name" && key !== "mac";
      }
    }),
    /** Saves a device's name ("" removes it), then reloads the devices. */
    rename: async (id: number, name: string) => {
      try {
        const saved = await fetchApi(`/api/devices/${id}/name`, {
          method: "PUT",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ name: name.trim() === "" ? null : name.trim() }),
        });
        await saved.text(); // the answer only repeats the name, but an unread body keeps the request open
        renameError.value = null;
        const query = applied.peek();
        if (query) await load(query);
      } catch (e) {
        renameError.value = messageOf(e);
      }
    },
  };
});
