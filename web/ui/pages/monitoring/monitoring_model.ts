/**
 * State of the Monitoring page: the overview (rate, connections, today, core status) every 2 s, the clients
 * of the selected range every 10 s with their sort order and renaming, and the proxy history of the range.
 * "Not configured" is the overview's status (the server answers /api/monitoring/* with state `not_configured`
 * when CLASH_API_URL is unset).
 */
import { computed, createModel, effect, type ReadonlySignal, signal } from "@preact/signals";
import { fetchApi, getJson, queryString } from "../../api.ts";
import type { RangeQuery } from "../../lib/quick_ranges.ts";
import { messageOf, poll } from "../../models/poll.ts";
import { sortRows } from "./sort_rows.ts";
import type {
  MonitoringClientJson,
  MonitoringClientsJson,
  MonitoringHistoryJson,
  MonitoringOverviewJson,
} from "../../../monitoring_api_types.ts";

const OVERVIEW_INTERVAL_MS = 2_000;
const CLIENTS_INTERVAL_MS = 10_000;
/** A range that includes today grows; older ones are reloaded as rarely, which costs nothing. */
const HISTORY_INTERVAL_MS = 60_000;

/** Columns the clients table sorts by. */
export type ClientSortKey = "name" | "ip" | "active" | "up" | "down" | "last_seen";

/** `clients` ordered by `key`; ties by IP so the order is stable between polls. */
export function sortClients(
  clients: readonly MonitoringClientJson[],
  key: ClientSortKey,
  isDescending: boolean,
): MonitoringClientJson[] {
  const value = (c: MonitoringClientJson): string | number => {
    switch (key) {
      case "name":
        return (c.name ?? "").toLowerCase();
      case "ip":
        return c.ip;
      case "active":
        return c.active_connections;
      case "up":
        return c.up_bytes;
      case "down":
        return c.down_bytes;
      case "last_seen":
        return c.last_seen ?? 0;
    }
  };
  return sortRows([...clients], value, { isDescending, tieOf: (c) => c.ip });
}

/** Polls the overview, and the clients and history of `range`; `isConfigured` is null until the first answer. */
export const MonitoringModel = createModel((range: ReadonlySignal<RangeQuery | null>) => {
  const overview = signal<MonitoringOverviewJson | null>(null);
  const clients = signal<readonly MonitoringClientJson[] | null>(null);
  /** Client names by IP, for the tables that show clients. */
  const names = computed(() =>
    new Map((clients.value ?? []).flatMap((c) => c.name === null ? [] : [[c.ip, c.name] as const]))
  );
  const history = signal<MonitoringHistoryJson | null>(null);
  /** The range `history` is of, set with it, so the chart never draws old rows with a new granularity. */
  const historyRange = signal<RangeQuery | null>(null);
  const historyError = signal<string | null>(null);
  const isConfigured = signal<boolean | null>(null);
  /** Whether the server follows the core's streams now: without, live numbers are stale. */
  const isConnected = computed(() => overview.value?.status.state === "connected");
  const error = signal<string | null>(null);
  const renameError = signal<string | null>(null);
  const sortKey = signal<ClientSortKey>("down");
  const isDescending = signal(true);
  const sorted = computed(() => sortClients(clients.value ?? [], sortKey.value, isDescending.value));

  const loadClients = async () => {
    const query = range.peek();
    if (!query) return;
    try {
      const answer = await getJson<MonitoringClientsJson>(
        `/api/monitoring/clients${queryString({ start: query.start, end: query.end })}`,
      );
      if (query === range.peek()) clients.value = answer.clients;
    } catch (e) {
      error.value = messageOf(e);
    }
  };
  effect(() =>
    poll(OVERVIEW_INTERVAL_MS, async () => {
      try {
        const next = await getJson<MonitoringOverviewJson>("/api/monitoring/overview");
        overview.value = next;
        isConfigured.value = next.status.state !== "not_configured";
        error.value = null;
      } catch (e) {
        error.value = messageOf(e);
      }
    })
  );
  effect(() => {
    if (!range.value) return;
    return poll(CLIENTS_INTERVAL_MS, loadClients);
  });
  effect(() => {
    const query = range.value;
    if (!query) return;
    return poll(HISTORY_INTERVAL_MS, async () => {
      try {
        const answer = await getJson<MonitoringHistoryJson>(
          `/api/monitoring/history${
            queryString({ start: query.start, end: query.end, granularity: query.granularity })
          }`,
        );
        if (query !== range.peek()) return;
        history.value = answer;
        historyRange.value = query;
        historyError.value = null;
      } catch (e) {
        if (query === range.peek()) historyError.value = messageOf(e);
      }
    });
  });

  /** Sorts by `key`; the same key again flips the direction. */
  const sortBy = (key: ClientSortKey) => {
    if (sortKey.value === key) isDescending.value = !isDescending.value;
    else {
      sortKey.value = key;
      isDescending.value = key !== "name" && key !== "ip";
    }
  };

  /** Saves a client's name ("" removes it), its device's when it maps to one, then reloads the clients. */
  const rename = async (ip: string, name: string) => {
    const deviceId = clients.value?.find((c) => c.ip === ip)?.device_id ?? null;
    try {
      const path = deviceId === null
        ? `/api/monitoring/clients/${encodeURIComponent(ip)}/name`
        : `/api/devices/${deviceId}/name`;
      const saved = await fetchApi(path, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: name.trim() === "" ? null : name.trim() }),
      });
      await saved.text(); // the answer only repeats the name, but an unread body keeps the request open
      renameError.value = null;
      await loadClients();
    } catch (e) {
      renameError.value = messageOf(e);
    }
  };

  return {
    overview,
    clients,
    names,
    history,
    historyRange,
    historyError,
    sorted,
    isConfigured,
    isConnected,
    error,
    renameError,
    sortKey,
    isDescending,
    sortBy,
    rename,
  };
});

/** An instance of MonitoringModel. */
export type Monitoring = InstanceType<typeof MonitoringModel>;
