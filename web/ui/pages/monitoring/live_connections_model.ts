/**
 * The global live-connections table: rows of the relayed `/connections` stream (relay_socket.ts) with their
 * speeds, the filter and order the person chose, and closing a connection on the core through
 * DELETE /api/monitoring/connections/:id (the page offers it only behind auth; the server enforces that).
 */
import { action, batch, computed, createModel, effect, type ReadonlySignal, signal } from "@preact/signals";
import { fetchApi } from "../../api.ts";
import { messageOf } from "../../models/poll.ts";
import {
  type ConnectionFilter,
  type ConnectionSortKey,
  type LiveConnection,
  readSnapshot,
  viewConnections,
} from "./live_connections.ts";
import { followRelay } from "./relay_socket.ts";

/** Rows drawn at most: 10,000 connections must not freeze a phone; the filters reach the rest. */
export const MAX_SHOWN_CONNECTIONS = 200;

const NO_FILTER: ConnectionFilter = { client: "", host: "", chain: "", network: "", search: "" };
const TEXT_KEYS: ReadonlySet<ConnectionSortKey> = new Set(["host", "client", "chain", "network"]);

/**
 * Follows the relay while the page is shown; `names` are the clients' names by IP (for the search). While the
 * server is not connected to the core (`isConnected` false) the last snapshot is stale, so nothing is listed.
 */
export const LiveConnectionsModel = createModel((
  names: ReadonlySignal<ReadonlyMap<string, string>>,
  isConnected: ReadonlySignal<boolean>,
) => {
  const received = signal<readonly LiveConnection[]>([]);
  const rows = computed(() => isConnected.value ? received.value : []);
  /** UTC seconds at which `rows` arrived: durations are counted to it. */
  const receivedAtSec = signal(0);
  const isLive = signal(false);
  const filter = signal(NO_FILTER);
  const sortKey = signal<ConnectionSortKey>("down_speed");
  const isDescending = signal(true);
  const closeError = signal<string | null>(null);
  const view = computed(() =>
    viewConnections(rows.value, {
      filter: filter.value,
      key: sortKey.value,
      isDescending: isDescending.value,
      limit: MAX_SHOWN_CONNECTIONS,
      names: names.value,
    })
  );
  /** The clients and chains of the listed connections, for the filter menus. */
  const choices = computed(() => ({
    clients: [...new Set(rows.value.map((c) => c.client))].sort(),
    chains: [...new Set(rows.value.map((c) => c.chain))].sort(),
  }));
  effect(() => {
    let previous = new Map<string, LiveConnection>();
    let previousMs = 0;
    return followRelay("/api/monitoring/ws/connections", {
      onText: (text) => {
        // Speeds divide by the time between the snapshots read, so a skipped one only widens that time.
        if (document.hidden) return;
        const nowMs = Date.now();
        const next = readSnapshot(text, previous, (nowMs - previousMs) / 1000);
        if (next === null) return;
        previous = new Map(next.map((c) => [c.id, c]));
        previousMs = nowMs;
        batch(() => {
          received.value = next;
          receivedAtSec.value = nowMs / 1000;
        });
      },
      onOpenChange: (isOpen) => {
        isLive.value = isOpen;
        previous = new Map();
      },
    });
  });
  return {
    view,
    /** Connections the core lists now. */
    total: computed(() => rows.value.length),
    choices,
    receivedAtSec,
    isLive,
    filter,
    sortKey,
    isDescending,
    closeError,
    setFilter: action((part: Partial<ConnectionFilter>) => filter.value = { ...filter.value, ...part }),
    /** Sorts by `key`; the same key again flips the direction. Numbers start with the largest. */
    sortBy: action((key: ConnectionSortKey) => {
      if (sortKey.value === key) isDescending.value = !isDescending.value;
      else {
        sortKey.value = key;
        isDescending.value = !TEXT_KEYS.has(key);
      }
    }),
    /** Closes connection `id` on the core; it leaves the table at once and the core's next snapshot. */
    close: async (id: string) => {
      try {
        await fetchApi(`/api/monitoring/connections/${encodeURIComponent(id)}`, { method: "DELETE" });
        received.value = received.peek().filter((c) => c.id !== id);
        closeError.value = null;
      } catch (e) {
        closeError.value = messageOf(e);
      }
    },
  };
});

/** An instance of LiveConnectionsModel. */
export type LiveConnections = InstanceType<typeof LiveConnectionsModel>;
