/**
 * Writes pending device rows inside the ledger's flush transaction (traffic_ledger.ts), so a device's
 * counts are committed exactly once together with the traffic they are part of. Device keys become
 * integer ids here: the dictionary row is made on first sight (device_migrations.ts).
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { PendingDevices } from "./pending_devices.ts";

/** Flag bit of a locally administered (randomised) MAC. */
export const LOCALLY_ADMINISTERED_FLAG = 1;
/** Flag bit of a MAC behind which IPv4 addresses of ROUTER_MIN_SUBNETS /24 subnets were seen. */
export const PROBABLY_ROUTER_FLAG = 2;
/**
 * Distinct IPv4 /24 subnets behind one MAC from which it is called a router: a host keeps one address per
 * network, a router behind the box forwards several networks (issue 14 item 1: shown as one device).
 */
export const ROUTER_MIN_SUBNETS = 3;

/** A device key that is a MAC ("aa:bb:cc:dd:ee:ff", as capture writes it) rather than an IP. */
export const MAC_REGEXP = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** Whether the MAC has the U/L bit of its first octet set: randomised by the device, not its maker's. */
export function isLocallyAdministeredMac(mac: string): boolean {
  return (parseInt(mac.slice(0, 2), 16) & 2) !== 0;
}

const DEVICE_ID_SQL = `
INSERT INTO devices (key, mac, flags) VALUES (?, ?, ?)
ON CONFLICT (key) DO UPDATE SET key = excluded.key RETURNING id`;

const UPSERT_DEVICE_TRAFFIC_SQL = `
INSERT INTO device_traffic (bucket_start, device_id, up_bytes, down_bytes, up_packets, down_packets)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (bucket_start, device_id) DO UPDATE SET
  up_bytes = up_bytes + excluded.up_bytes, down_bytes = down_bytes + excluded.down_bytes,
  up_packets = up_packets + excluded.up_packets, down_packets = down_packets + excluded.down_packets`;

const UPSERT_ADDRESS_SQL = `
INSERT INTO device_addresses (device_id, ip, first_seen, last_seen) VALUES (?, ?, ?, ?)
ON CONFLICT (device_id, ip) DO UPDATE SET
  first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)`;

const DEVICE_SEEN_SQL = `
UPDATE devices SET first_seen = min(coalesce(first_seen, ?1), ?1), last_seen = max(coalesce(last_seen, ?2), ?2)
WHERE id = ?3`;

// rtrim(ip, digits) is an IPv4 address's /24 ("192.0.2."); IPv6 addresses hold a ':'. One device at a time,
// by the primary key's prefix: a scan of every device's addresses per save grew with the devices ever seen
// (tests/bench/mac_flood_bench.ts).
const ROUTER_FLAG_SQL = `
UPDATE devices SET flags = flags | ${PROBABLY_ROUTER_FLAG}
WHERE id = ?1 AND mac IS NOT NULL AND flags & ${PROBABLY_ROUTER_FLAG} = 0 AND (
  SELECT count(DISTINCT rtrim(ip, '0123456789')) FROM device_addresses
  WHERE device_id = ?1 AND instr(ip, ':') = 0) >= ${ROUTER_MIN_SUBNETS}`;

/** Prepared statements over one connection; call write() only inside a transaction. */
export class DeviceWriter {
  readonly #deviceId: StatementSync;
  readonly #traffic: StatementSync;
  readonly #address: StatementSync;
  readonly #seen: StatementSync;
  readonly #routerFlag: StatementSync;
  readonly #ids = new Map<string, number>();

  constructor(db: DatabaseSync) {
    this.#deviceId = db.prepare(DEVICE_ID_SQL);
    this.#traffic = db.prepare(UPSERT_DEVICE_TRAFFIC_SQL);
    this.#address = db.prepare(UPSERT_ADDRESS_SQL);
    this.#seen = db.prepare(DEVICE_SEEN_SQL);
    this.#routerFlag = db.prepare(ROUTER_FLAG_SQL);
  }

  /**
   * The id of device `key`, making its dictionary row on first sight; call only inside the transaction of
   * write() (ids are remembered for one write).
   */
  idOf(key: string): number {
    let id = this.#ids.get(key);
    if (id === undefined) {
      const mac = MAC_REGEXP.test(key) ? key : null;
      const flags = mac !== null && isLocallyAdministeredMac(mac) ? LOCALLY_ADMINISTERED_FLAG : 0;
      id = Number((this.#deviceId.get(key, mac, flags) as { id: number }).id);
      this.#ids.set(key, id);
    }
    return id;
  }

  /** Writes every pending row and address; returns the rows written and the oldest bucket (Infinity if none). */
  write(pending: PendingDevices): { readonly rowCount: number; readonly oldestSec: number } {
    this.#ids.clear();
    const idOf = (key: string) => this.idOf(key);
    let rowCount = 0;
    let oldestSec = Infinity;
    for (const r of pending.rows()) {
      this.#traffic.run(
        r.bucketStartSec,
        idOf(r.deviceKey),
        r.upBytes,
        r.downBytes,
        r.upPackets,
        r.downPackets,
      );
      oldestSec = Math.min(oldestSec, r.bucketStartSec);
      rowCount++;
    }
    const addressed = new Set<number>();
    for (const a of pending.addresses()) {
      const id = idOf(a.deviceKey);
      this.#address.run(id, a.ip, a.firstSeenSec, a.lastSeenSec);
      this.#seen.run(a.firstSeenSec, a.lastSeenSec, id);
      if (!a.ip.includes(":")) addressed.add(id);
      rowCount++;
    }
    for (const id of addressed) this.#routerFlag.run(id);
    return { rowCount, oldestSec };
  }
}
