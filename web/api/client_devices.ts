/**
 * One device model for the proxy clients (issue 14 item 5): each Clash client IP that maps to a device
 * (store/client_devices.ts) is shown under the device's name, and a device's page adds the proxied bytes of
 * its client IPs per chain and host. The kernel's neighbour table fills in IPs the capture never saw.
 */
import { readNeighbours } from "../../capture/mod.ts";
import { type ClashLedger, deviceIps, devicesOfClientIps, type TrafficLedger } from "../../store/mod.ts";
import type { DeviceProxiedJson } from "../api_types.ts";
import { deviceName, type FileNameLookup } from "./device_json.ts";

/** A client IP's device: its id and its name by the devices' precedence (device_json.ts). */
export interface ClientDevice {
  readonly id: number;
  readonly name: string | null;
}

/** The devices of some client IPs; IPs that map to none are absent. */
export type ClientDeviceLookup = (ips: readonly string[]) => Map<string, ClientDevice>;

/** Neighbour entries are re-read at most this often: a lookup per page load must not dump the table each time. */
const NEIGHBOUR_MAX_AGE_MS = 30_000;
/** Hosts a device's page lists; the rest is `hosts_other_bytes`. */
const PROXIED_HOSTS = 20;
/** Hosts read per client IP before merging, so a host heavy across several IPs of one device is not lost. */
const HOSTS_PER_CLIENT = 1000;

/**
 * The kernel's neighbour table as IP → MAC, re-read on demand when older than NEIGHBOUR_MAX_AGE_MS. A failing
 * read is logged once and leaves the last good table (at first, an empty one).
 */
export function neighbourMacs(
  log: (line: string) => void,
  read: () => readonly { readonly ip: string; readonly mac: string }[] = readNeighbours,
  nowMs: () => number = Date.now,
): () => ReadonlyMap<string, string> {
  let table: ReadonlyMap<string, string> = new Map();
  let readAtMs = -Infinity;
  let hasLogged = false;
  return () => {
    if (nowMs() - readAtMs < NEIGHBOUR_MAX_AGE_MS) return table;
    readAtMs = nowMs();
    try {
      table = new Map(read().map((n) => [n.ip, n.mac]));
    } catch (e) {
      if (!hasLogged) log(`neighbour table unreadable, proxy clients map by captured addresses only: ${e}`);
      hasLogged = true;
    }
    return table;
  };
}

/** The lookup over the ledger's devices and the neighbour table, naming devices as /api/devices does. */
export function clientDeviceLookup(deps: {
  readonly ledger: TrafficLedger;
  readonly neighbourMacs?: () => ReadonlyMap<string, string>;
  readonly fileNames?: FileNameLookup;
}): ClientDeviceLookup {
  return (ips) => {
    const found = devicesOfClientIps(deps.ledger, ips, deps.neighbourMacs?.() ?? new Map());
    const out = new Map<string, ClientDevice>();
    for (const [ip, d] of found) {
      const naming = {
        fileNames: deps.fileNames ?? null,
        ips: deviceIps(deps.ledger, d.id!).map((i) => i.ip),
      };
      out.set(ip, { id: d.id!, name: deviceName(d, naming).name });
    }
    return out;
  };
}

/**
 * The proxied traffic of device `deviceId` in [fromSec, toSec): the bytes the core counted for the client IPs
 * that map to it, per chain and per host (heaviest first). The core's unattributed bytes belong to no client,
 * so no device gets them (docs/clash-accounting.md).
 */
export function deviceProxiedJson(
  clash: ClashLedger,
  lookup: ClientDeviceLookup,
  query: { readonly deviceId: number; readonly fromSec: number; readonly toSec: number },
): DeviceProxiedJson {
  const { fromSec, toSec } = query;
  const clients = clash.clientTotals(fromSec, toSec).map((t) => t.key);
  const devices = lookup(clients);
  const own = clients.filter((ip) => devices.get(ip)?.id === query.deviceId).sort();
  const chains = mergeGroups(own.flatMap((clientIp) => clash.chainTotals({ fromSec, toSec, clientIp })));
  const hosts = mergeGroups(
    own.flatMap((clientIp) => clash.resourceTotals({ fromSec, toSec, clientIp, limit: HOSTS_PER_CLIENT })),
  );
  const sum = (rows: readonly GroupJson[]) => rows.reduce((s, r) => s + r.total_bytes, 0);
  return {
    client_ips: own,
    up_bytes: chains.reduce((s, r) => s + r.up_bytes, 0),
    down_bytes: chains.reduce((s, r) => s + r.down_bytes, 0),
    total_bytes: sum(chains),
    chains,
    hosts: hosts.slice(0, PROXIED_HOSTS),
    hosts_other_bytes: sum(hosts.slice(PROXIED_HOSTS)),
  };
}

type GroupJson = DeviceProxiedJson["chains"][number];

function mergeGroups(
  rows: readonly { key: string; upBytes: number; downBytes: number; connections: number }[],
): GroupJson[] {
  const byName = new Map<string, { up: number; down: number; connections: number }>();
  for (const r of rows) {
    const s = byName.get(r.key) ?? { up: 0, down: 0, connections: 0 };
    byName.set(r.key, {
      up: s.up + r.upBytes,
      down: s.down + r.downBytes,
      connections: s.connections + r.connections,
    });
  }
  return [...byName].map(([name, s]) => ({
    name,
    up_bytes: s.up,
    down_bytes: s.down,
    total_bytes: s.up + s.down,
    connections: s.connections,
  })).sort((a, b) => b.total_bytes - a.total_bytes || (a.name < b.name ? -1 : 1));
}
