/**
 * Which device a proxy client is (issue 14 item 5): a Clash client is known by its source IP, a device by its
 * MAC (or its IP on links without MACs). An IP maps to the device whose addresses hold it, the one that used
 * it last winning (a DHCP address passes from device to device); else to the device whose MAC the kernel's
 * neighbour table gives for it. The `other` device is never a client's. SQLite failures throw StoreError.
 */
import { deviceById, type DeviceInfo, OTHER_DEVICE_ID } from "./device_queries.ts";
import type { TrafficLedger } from "./traffic_ledger.ts";

/**
 * The saved device of each of `ips` that maps to one. `macOfIp` is the neighbour table (IP → MAC, lower case),
 * asked only for an IP no device address holds. Unsaved addresses count too, once their device has an id.
 */
export function devicesOfClientIps(
  ledger: TrafficLedger,
  ips: readonly string[],
  macOfIp: ReadonlyMap<string, string>,
): Map<string, DeviceInfo> {
  const wanted = new Set(ips);
  const pending = new Map<string, { key: string; lastSeenSec: number }>();
  for (const a of ledger.pendingDeviceAddresses()) {
    const seen = pending.get(a.ip);
    if (wanted.has(a.ip) && (seen === undefined || a.lastSeenSec > seen.lastSeenSec)) {
      pending.set(a.ip, { key: a.deviceKey, lastSeenSec: a.lastSeenSec });
    }
  }
  const ids = ledger.store.read("the devices of proxy clients", (db) => {
    const byAddress = db.prepare(
      `SELECT device_id AS id, last_seen FROM device_addresses WHERE ip = ? AND device_id != ?
       ORDER BY last_seen DESC, device_id DESC LIMIT 1`,
    );
    const byKey = db.prepare("SELECT id FROM devices WHERE key = ? AND id != ?");
    const idOfKey = (key: string) =>
      (byKey.get(key, OTHER_DEVICE_ID) as { id: number } | undefined)?.id ?? null;
    const out = new Map<string, number>();
    for (const ip of wanted) {
      const saved = byAddress.get(ip, OTHER_DEVICE_ID) as { id: number; last_seen: number } | undefined;
      const unsaved = pending.get(ip);
      const unsavedId = unsaved === undefined ? null : idOfKey(unsaved.key);
      const mac = macOfIp.get(ip);
      const id = unsavedId !== null && (saved === undefined || unsaved!.lastSeenSec > saved.last_seen)
        ? unsavedId
        : saved?.id ?? (mac === undefined ? null : idOfKey(mac));
      if (id !== null) out.set(ip, id);
    }
    return out;
  });
  const infos = new Map<number, DeviceInfo | null>();
  const out = new Map<string, DeviceInfo>();
  for (const [ip, id] of ids) {
    if (!infos.has(id)) infos.set(id, deviceById(ledger, id));
    const info = infos.get(id);
    if (info) out.set(ip, info);
  }
  return out;
}
