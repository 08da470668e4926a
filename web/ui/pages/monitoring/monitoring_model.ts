/**
 * State of the Monitoring page: the overview (rate, connections, today, core status) every 2 s, the clients
 * of today every 10 s, their sort order, and renaming. "Not configured" is the overview's status (the server
 * answers /api/monitoring/* with state `not_configured` when CLASH_API_URL is unset).
 */
import { computed, createModel, effect, signal } from "@preact/signals";
import { fetchApi, getJson } from "../../api.ts";
import { messageOf, poll } from "../../models/poll.ts";
import type {
  MonitoringClientJson,
  MonitoringClientsJson,
  MonitoringOverviewJson,
} from "../../../monitoring_api_types.ts";

const OVERVIEW_INTERVAL_MS = 2_000;
const CLIENTS_INTERVAL_MS = 10_000;

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
  const sign = isDescending ? -1 : 1;
  return [...clients].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    return (x < y ? -sign : x > y ? sign : 0) || (a.ip < b.ip ? -1 : 1);
  });
}

/** Polls the overview and the clients; `isConfigured` is null until the first answer. */
export const MonitoringModel = createModel(() => {
  const overview = signal<MonitoringOverviewJson | null>(null);
  const clients = signal<readonly MonitoringClientJson[] | null>(null);
  const isConfigured = signal<boolean | null>(null);
  const error = signal<string | null>(null);
  const renameError = signal<string | null>(null);
  const sortKey = signal<ClientSortKey>("down");
  const isDescending = signal(true);
  const sorted = computed(() => sortClients(clients.value ?? [], sortKey.value, isDescending.value));

  const loadClients = async () => {
    try {
      clients.value = (await getJson<MonitoringClientsJson>("/api/monitoring/clients")).clients;
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
  effect(() => poll(CLIENTS_INTERVAL_MS, loadClients));

  /** Sorts by `key`; the same key again flips the direction. */
  const sortBy = (key: ClientSortKey) => {
    if (sortKey.value === key) isDescending.value = !isDescending.value;
    else {
      sortKey.value = key;
      isDescending.value = key !== "name" && key !== "ip";
    }
  };

  /** Saves a client's name ("" removes it), then reloads the clients. */
  const rename = async (ip: string, name: string) => {
    try {
      await fetchApi(`/api/monitoring/clients/${encodeURIComponent(ip)}/name`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: name.trim() === "" ? null : name.trim() }),
      });
      renameError.value = null;
      await loadClients();
    } catch (e) {
      renameError.value = messageOf(e);
    }
  };

  return {
    overview,
    clients,
    sorted,
    isConfigured,
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
