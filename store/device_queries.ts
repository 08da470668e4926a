/**
 * Read queries over the device history (issue 14), the ledger's unsaved device rows included, and the one
 * write a user makes: a device's name. A device is known by its integer id once its first rows are saved;
 * until then (at most one SAVE_INTERVAL) it is listed with id null. For every span, the devices plus the
 * `other` device add up to trafficTotal() of that span, byte for byte. SQLite failures throw StoreError.
 */
import { toStoreError } from "./db.ts";
import {
  isLocallyAdministeredMac,
  LOCALLY_ADMINISTERED_FLAG,
  MAC_REGEXP,
  PROBABLY_ROUTER_FLAG,
} from "./device_writer.ts";
import { OTHER_DEVICE_KEY } from "./pending_devices.ts";
import type { TrafficLedger } from "./traffic_ledger.ts";
import type { TrafficTotals } from "./traffic_queries.ts";

/** Id of the `other` device (device_migrations.ts). */
export const OTHER_DEVICE_ID = 0;

/** One local address seen behind a device. */
export interface DeviceIp {
  readonly ip: string;
  readonly firstSeenSec: number;
  readonly lastSeenSec: number;
}

/** What is known about a device, apart from its traffic. */
export interface DeviceInfo {
  /** Null until the device's first rows are saved. */
  readonly id: number | null;
  /** Its MAC, or its IP on links without MACs. */
  readonly key: string;
  readonly mac: string | null;
  readonly isLocallyAdministered: boolean;
  /** IPv4 addresses of several subnets were seen behind its MAC: a router behind the box. */
  readonly isProbablyRouter: boolean;
  readonly name: string | null;
  /** Where the name comes from ("user"), or null without a name. */
  readonly nameSource: string | null;
  readonly firstSeenSec: number | null;
  readonly lastSeenSec: number | null;
}

/** A device and its traffic in a span, with the addresses it used in that span (most recent first). */
export interface DeviceUsage extends DeviceInfo, TrafficTotals {
  readonly ips: readonly DeviceIp[];
}

/** The devices with traffic in a span, heaviest first, and the `other` device's traffic. */
export interface DevicesOfSpan {
  readonly devices: readonly DeviceUsage[];
  readonly other: TrafficTotals;
}

interface DeviceRow {
  readonly id: number;
  readonly key: string;
  readonly mac: string | null;
  readonly flags: number;
  readonly first_seen: number | null;
  readonly last_seen: number | null;
  readonly name: string | null;
  readonly name_source: string | null;
}

interface AddressRow {
  readonly device_id: number;
  readonly ip: string;
  readonly first_seen: number;
  readonly last_seen: number;
}

/** Every device with traffic in [fromSec, toSec), unsaved rows included. */
export function devicesOfSpan(ledger: TrafficLedger, fromSec: number, toSec: number): DevicesOfSpan {
  const [sums, devices, addresses] = ledger.store.read("devices of a span", (db) => [
    db.prepare(
      `SELECT device_id AS id, sum(up_bytes) AS up, sum(down_bytes) AS down FROM device_traffic
       WHERE bucket_start >= ? AND bucket_start < ? GROUP BY device_id`,
    ).all(fromSec, toSec) as { id: number; up: number; down: number }[],
    db.prepare("SELECT * FROM devices").all() as unknown as DeviceRow[],
    db.prepare(
      `SELECT device_id, ip, first_seen, last_seen FROM device_addresses
       WHERE last_seen >= ? AND first_seen < ?`,
    ).all(fromSec, toSec) as unknown as AddressRow[],
  ]);
  const byKey = new Map(devices.map((d) => [d.key, d]));
  const keyOf = new Map(devices.map((d) => [d.id, d.key]));
  const totals = new Map<string, { upBytes: number; downBytes: number }>();
  const add = (key: string, up: number, down: number) => {
    const t = totals.get(key) ?? { upBytes: 0, downBytes: 0 };
    totals.set(key, { upBytes: t.upBytes + up, downBytes: t.downBytes + down });
  };
  for (const s of sums) add(keyOf.get(s.id) ?? OTHER_DEVICE_KEY, s.up, s.down);
  for (const r of ledger.pendingDeviceRows()) {
    if (r.bucketStartSec >= fromSec && r.bucketStartSec < toSec) add(r.deviceKey, r.upBytes, r.downBytes);
  }
  const ips = new Map<string, Map<string, DeviceIp>>();
  const addIp = (key: string, ip: DeviceIp) => {
    const known = ips.get(key) ?? new Map<string, DeviceIp>();
    const seen = known.get(ip.ip);
    known.set(ip.ip, {
      ip: ip.ip,
      firstSeenSec: Math.min(seen?.firstSeenSec ?? Infinity, ip.firstSeenSec),
      lastSeenSec: Math.max(seen?.lastSeenSec ?? -Infinity, ip.lastSeenSec),
    });
    ips.set(key, known);
  };
  for (const a of addresses) {
    const key = keyOf.get(a.device_id);
    if (key !== undefined) addIp(key, { ip: a.ip, firstSeenSec: a.first_seen, lastSeenSec: a.last_seen });
  }
  const pendingSeen = new Map<string, { first: number; last: number }>();
  for (const a of ledger.pendingDeviceAddresses()) {
    const seen = pendingSeen.get(a.deviceKey);
    pendingSeen.set(a.deviceKey, {
      first: Math.min(seen?.first ?? Infinity, a.firstSeenSec),
      last: Math.max(seen?.last ?? -Infinity, a.lastSeenSec),
    });
    if (a.lastSeenSec >= fromSec && a.firstSeenSec < toSec) addIp(a.deviceKey, a);
  }
  const other = totals.get(OTHER_DEVICE_KEY) ?? { upBytes: 0, downBytes: 0 };
  totals.delete(OTHER_DEVICE_KEY);
  const usages = [...totals].map(([key, t]): DeviceUsage => {
    const info = deviceInfo(key, byKey.get(key) ?? null, pendingSeen.get(key) ?? null);
    const used = [...(ips.get(key)?.values() ?? [])].sort((a, b) =>
      b.lastSeenSec - a.lastSeenSec || (a.ip < b.ip ? -1 : 1)
    );
    return { ...info, ...t, ips: used };
  });
  usages.sort((a, b) =>
    (b.upBytes + b.downBytes) - (a.upBytes + a.downBytes) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
  );
  return { devices: usages, other };
}

/** The saved device `id` (OTHER_DEVICE_ID included), or null when there is none. */
export function deviceById(ledger: TrafficLedger, id: number): DeviceInfo | null {
  const row = ledger.store.read(
    "a device",
    (db) => db.prepare("SELECT * FROM devices WHERE id = ?").get(id) as DeviceRow | undefined,
  );
  if (row === undefined) return null;
  const pending = ledger.pendingDeviceAddresses().filter((a) => a.deviceKey === row.key);
  const seen = pending.length === 0 ? null : {
    first: Math.min(...pending.map((a) => a.firstSeenSec)),
    last: Math.max(...pending.map((a) => a.lastSeenSec)),
  };
  return deviceInfo(row.key, row, seen);
}

/** Every address seen behind device `id`, unsaved ones included, most recent first. */
export function deviceIps(ledger: TrafficLedger, id: number): DeviceIp[] {
  const [key, rows] = ledger.store.read("a device's addresses", (db) =>
    [
      (db.prepare("SELECT key FROM devices WHERE id = ?").get(id) as { key: string } | undefined)?.key,
      db.prepare("SELECT ip, first_seen, last_seen FROM device_addresses WHERE device_id = ?")
        .all(id) as unknown as AddressRow[],
    ] as const);
  const ips = new Map(
    rows.map((r) => [r.ip, { ip: r.ip, firstSeenSec: r.first_seen, lastSeenSec: r.last_seen }]),
  );
  for (const a of ledger.pendingDeviceAddresses()) {
    if (a.deviceKey !== key) continue;
    const seen = ips.get(a.ip);
    ips.set(a.ip, {
      ip: a.ip,
      firstSeenSec: Math.min(seen?.firstSeenSec ?? Infinity, a.firstSeenSec),
      lastSeenSec: Math.max(seen?.lastSeenSec ?? -Infinity, a.lastSeenSec),
    });
  }
  return [...ips.values()].sort((a, b) => b.lastSeenSec - a.lastSeenSec || (a.ip < b.ip ? -1 : 1));
}

/**
 * Sets (or with null, removes) the name a user gave device `id` (at most MAX_CLIENT_NAME_CHARS of
 * printable text, as for a proxy client; the caller checks). Returns false when no such named device exists (the `other` device
 * takes no name). Throws StoreError when the disk refuses the write.
 */
export function setDeviceName(ledger: TrafficLedger, id: number, name: string | null): boolean {
  const store = ledger.store;
  try {
    const result = store.db.prepare(
      "UPDATE devices SET name = ?1, name_source = CASE WHEN ?1 IS NULL THEN NULL ELSE 'user' END WHERE id = ?2 AND id != ?3",
    ).run(name, id, OTHER_DEVICE_ID);
    return Number(result.changes) > 0;
  } catch (e) {
    throw toStoreError(e, `name device ${id} in "${store.path}"`);
  }
}

function deviceInfo(
  key: string,
  row: DeviceRow | null,
  pendingSeen: { first: number; last: number } | null,
): DeviceInfo {
  const mac = row?.mac ?? (MAC_REGEXP.test(key) ? key : null);
  const flags = row?.flags ?? 0;
  const first = [row?.first_seen ?? null, pendingSeen?.first ?? null].filter((s): s is number => s !== null);
  const last = [row?.last_seen ?? null, pendingSeen?.last ?? null].filter((s): s is number => s !== null);
  return {
    id: row?.id ?? null,
    key,
    mac,
    isLocallyAdministered: row === null
      ? mac !== null && isLocallyAdministeredMac(mac)
      : (flags & LOCALLY_ADMINISTERED_FLAG) !== 0,
    isProbablyRouter: (flags & PROBABLY_ROUTER_FLAG) !== 0,
    name: row?.name ?? null,
    nameSource: row?.name_source ?? null,
    firstSeenSec: first.length > 0 ? Math.min(...first) : null,
    lastSeenSec: last.length > 0 ? Math.max(...last) : null,
  };
}
