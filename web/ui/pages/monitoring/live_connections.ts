/**
 * The global live-connections table's data: each relayed `/connections` snapshot (docs/clash-accounting.md §1.5
 * for sing-box, §2 for mihomo) read into rows with their speed since the previous snapshot, then filtered,
 * sorted and cut to the rows a phone can draw. Rows read the entries as clash/connection_facts.ts does (client
 * = normalised source IP, P6; resource = host, else destination IP; chain from the matched group down), so the
 * table and the clients' history name things alike.
 */

/** One live connection as the table shows it. */
export interface LiveConnection {
  readonly id: string;
  /** Source IP, normalised as the server keys clients (P6). */
  readonly client: string;
  /** Host, else destination IP, else "(unknown)". */
  readonly host: string;
  /** Host or IP with its port, e.g. "video.example.com:443". */
  readonly destination: string;
  /** "Proxy > HK-01": the matched group first, "(none)" without chains. */
  readonly chain: string;
  readonly rule: string;
  /** "tcp" or "udp". */
  readonly network: string;
  readonly startSec: number | null;
  readonly upBytes: number;
  readonly downBytes: number;
  /** Bytes per second since the previous snapshot; 0 on first sight. */
  readonly upBps: number;
  readonly downBps: number;
}

/** Columns the table sorts by. */
export type ConnectionSortKey =
  | "host"
  | "client"
  | "chain"
  | "network"
  | "duration"
  | "up_speed"
  | "down_speed"
  | "up"
  | "down";

/** What the table is narrowed to; "" matches everything. */
export interface ConnectionFilter {
  /** A client IP, exactly. */
  readonly client: string;
  /** Part of the host or destination, any case. */
  readonly host: string;
  /** A chain, exactly. */
  readonly chain: string;
  /** "tcp" or "udp". */
  readonly network: string;
  /** Part of any shown text (host, client and its name, chain, rule), any case. */
  readonly search: string;
}

import { sortRows } from "./sort_rows.ts";

/** The rows to draw of a filtered, sorted list. */
export interface ConnectionsView {
  readonly rows: readonly LiveConnection[];
  /** Rows that pass the filter; `rows` holds at most the limit of them. */
  readonly matching: number;
}

/** The same constants as clash/types.ts, so both tables show a missing host or chain alike. */
const CHAIN_SEPARATOR = " > ";
const UNKNOWN_RESOURCE = "(unknown)";
const NO_CHAIN = "(none)";
/** The zone of an IPv6 address, and the prefix of an IPv4-mapped one as Go writes it ("::ffff:1.2.3.4"). */
const ZONE_OR_MAPPED_REGEXP = /%.*$|^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/g;

/** As clash/client_ip.ts for what the cores write: lowercase, no IPv6 zone, IPv4-mapped as dotted IPv4. */
export function clientKey(sourceIp: string): string {
  return sourceIp.trim().toLowerCase().replace(ZONE_OR_MAPPED_REGEXP, "");
}

interface WireEntry {
  id?: unknown;
  upload?: unknown;
  download?: unknown;
  start?: unknown;
  chains?: unknown;
  rule?: unknown;
  metadata?: Record<string, unknown> | null;
}

const text = (value: unknown) => typeof value === "string" ? value : "";
const count = (value: unknown) => typeof value === "number" && value >= 0 ? value : 0;

/**
 * The rows of snapshot `json` received `elapsedSec` after the previous one, whose rows are `previous` (by
 * id); null when `json` is not a snapshot. mihomo's Inner connections and entries without a source are left
 * out, as the server leaves them out of every count (P11).
 */
export function readSnapshot(
  json: string,
  previous: ReadonlyMap<string, LiveConnection>,
  elapsedSec: number,
): LiveConnection[] | null {
  let snapshot: { connections?: unknown } | null;
  try {
    snapshot = JSON.parse(json);
  } catch (e) {
    if (e instanceof SyntaxError) return null;
    throw e;
  }
  if (typeof snapshot !== "object" || snapshot === null || !("connections" in snapshot)) return null;
  // mihomo writes `null` for an empty list (§2).
  const list = Array.isArray(snapshot.connections) ? snapshot.connections as WireEntry[] : [];
  const rows: LiveConnection[] = [];
  for (const c of list) {
    const m = c?.metadata;
    const id = text(c?.id);
    if (!m || typeof m !== "object" || id === "" || m.type === "Inner") continue;
    const client = clientKey(text(m.sourceIP));
    if (client === "") continue;
    const host = text(m.host) || text(m.destinationIP) || UNKNOWN_RESOURCE;
    const port = text(m.destinationPort);
    const chains = Array.isArray(c.chains) ? c.chains.filter((x): x is string => typeof x === "string") : [];
    const startMs = Date.parse(text(c.start));
    const upBytes = count(c.upload);
    const downBytes = count(c.download);
    const before = previous.get(id);
    const speed = (now: number, then: number | undefined) =>
      then === undefined || elapsedSec <= 0 ? 0 : Math.max(0, now - then) / elapsedSec;
    rows.push({
      id,
      client,
      host,
      destination: port && port !== "0" ? `${host}:${port}` : host,
      chain: chains.length === 0 ? NO_CHAIN : chains.reverse().join(CHAIN_SEPARATOR),
      rule: text(c.rule),
      network: text(m.network),
      startSec: Number.isFinite(startMs) ? Math.floor(startMs / 1000) : null,
      upBytes,
      downBytes,
      upBps: speed(upBytes, before?.upBytes),
      downBps: speed(downBytes, before?.downBytes),
    });
  }
  return rows;
}

function sortValue(c: LiveConnection, key: ConnectionSortKey): string | number {
  switch (key) {
    case "host":
      return c.host;
    case "client":
      return c.client;
    case "chain":
      return c.chain;
    case "network":
      return c.network;
    case "duration":
      // Older starts are longer durations; an unknown start sorts as the shortest.
      return c.startSec === null ? -Infinity : -c.startSec;
    case "up_speed":
      return c.upBps;
    case "down_speed":
      return c.downBps;
    case "up":
      return c.upBytes;
    case "down":
      return c.downBytes;
  }
}

/**
 * The first `limit` rows of `rows` that pass `filter`, ordered by `key` (ties by id, so rows keep their
 * place between snapshots). `names` maps client IPs to names for the search.
 */
export function viewConnections(
  rows: readonly LiveConnection[],
  options: {
    readonly filter: ConnectionFilter;
    readonly key: ConnectionSortKey;
    readonly isDescending: boolean;
    readonly limit: number;
    readonly names: ReadonlyMap<string, string>;
  },
): ConnectionsView {
  const { filter, key, limit, names } = options;
  const host = filter.host.trim().toLowerCase();
  const search = filter.search.trim().toLowerCase();
  const matching = rows.filter((c) =>
    (filter.client === "" || c.client === filter.client) &&
    (filter.chain === "" || c.chain === filter.chain) &&
    (filter.network === "" || c.network === filter.network) &&
    (host === "" || c.destination.toLowerCase().includes(host)) &&
    (search === "" ||
      [c.destination, c.client, names.get(c.client) ?? "", c.chain, c.rule].some((s) =>
        s.toLowerCase().includes(search)
      ))
  );
  // Equal speeds are common (every speed is 0 in the first snapshot, and idle connections stay at 0): the
  // heavier connection comes first then, so the rows drawn are the ones that moved the most bytes.
  sortRows(matching, (c) => sortValue(c, key), {
    isDescending: options.isDescending,
    weightOf: (c) => c.upBytes + c.downBytes,
    tieOf: (c) => c.id,
  });
  return { rows: matching.slice(0, limit), matching: matching.length };
}
