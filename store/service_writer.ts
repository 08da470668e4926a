/**
 * Writes pending service rows inside the ledger's flush transaction (traffic_ledger.ts), so a service's
 * counts are committed exactly once together with the traffic and device rows they are part of (issue 15).
 * Each (bucket, device, host) delta goes to service_traffic (bucket, service), device_service_days (local
 * day, device, service) and service_host_days (local day, device, host); unknown bytes are not stored
 * (service_migrations.ts). Names become integer ids here, made on first sight.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { localDayStartSec } from "./local_periods.ts";
import { OTHER_SERVICE, type PendingServices, UNKNOWN_SERVICE } from "./service_pending.ts";

/** Id of `(other)` in service_names. */
export const OTHER_SERVICE_ID = 0;

const SERVICE_ID_SQL = `
INSERT INTO service_names (name, last_used) VALUES (?1, ?2)
ON CONFLICT (name) DO UPDATE SET last_used = max(last_used, excluded.last_used) RETURNING id`;

const HOST_ID_SQL = `
INSERT INTO service_hosts (name, service_id, last_used) VALUES (?1, ?2, ?3)
ON CONFLICT (name) DO UPDATE SET last_used = max(last_used, excluded.last_used) RETURNING id`;

const DEVICE_ID_SQL = "SELECT id FROM devices WHERE key = ?";

const SUMS = `
  up_bytes = up_bytes + excluded.up_bytes, down_bytes = down_bytes + excluded.down_bytes,
  up_packets = up_packets + excluded.up_packets, down_packets = down_packets + excluded.down_packets`;

const UPSERT_SERVICE_SQL = `
INSERT INTO service_traffic (bucket_start, service_id, up_bytes, down_bytes, up_packets, down_packets)
VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (bucket_start, service_id) DO UPDATE SET ${SUMS}`;

const UPSERT_DEVICE_DAY_SQL = `
INSERT INTO device_service_days (span_start, device_id, service_id, up_bytes, down_bytes, up_packets, down_packets)
VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (span_start, device_id, service_id) DO UPDATE SET ${SUMS}`;

const UPSERT_HOST_DAY_SQL = `
INSERT INTO service_host_days (span_start, device_id, host_id, up_bytes, down_bytes) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (span_start, device_id, host_id) DO UPDATE SET
  up_bytes = up_bytes + excluded.up_bytes, down_bytes = down_bytes + excluded.down_bytes`;

const UPSERT_REMOTE_HOST_SQL = `
INSERT INTO remote_host_days (span_start, remote_ip, host_id, last_seen) VALUES (?, ?, ?, ?)
ON CONFLICT (span_start, remote_ip) DO UPDATE SET host_id = excluded.host_id, last_seen = excluded.last_seen
WHERE excluded.last_seen >= last_seen`;

/** Prepared statements over one connection; call write() only inside a transaction. */
export class ServiceWriter {
  readonly #serviceId: StatementSync;
  readonly #hostId: StatementSync;
  readonly #deviceId: StatementSync;
  readonly #service: StatementSync;
  readonly #deviceDay: StatementSync;
  readonly #hostDay: StatementSync;
  readonly #remoteHost: StatementSync;
  readonly #timeZone: string;

  /** `timeZone`: the zone whose local midnights start the day rows (TZ). */
  constructor(db: DatabaseSync, timeZone: string) {
    this.#serviceId = db.prepare(SERVICE_ID_SQL);
    this.#hostId = db.prepare(HOST_ID_SQL);
    this.#deviceId = db.prepare(DEVICE_ID_SQL);
    this.#service = db.prepare(UPSERT_SERVICE_SQL);
    this.#deviceDay = db.prepare(UPSERT_DEVICE_DAY_SQL);
    this.#hostDay = db.prepare(UPSERT_HOST_DAY_SQL);
    this.#remoteHost = db.prepare(UPSERT_REMOTE_HOST_SQL);
    this.#timeZone = timeZone;
  }

  /** Writes every pending row; returns the rows written. */
  write(pending: PendingServices): number {
    const days = new Map<number, number>();
    const dayOf = (sec: number): number => {
      const bucketDay = days.get(sec) ?? localDayStartSec(sec, this.#timeZone);
      days.set(sec, bucketDay);
      return bucketDay;
    };
    const services = new Map<string, number>([[OTHER_SERVICE, OTHER_SERVICE_ID]]);
    const serviceIdOf = (name: string, sec: number): number => {
      let id = services.get(name);
      if (id === undefined) {
        id = Number((this.#serviceId.get(name, sec) as { id: number }).id);
        services.set(name, id);
      }
      return id;
    };
    const hosts = new Map<string, number>();
    const hostIdOf = (name: string, serviceId: number, sec: number): number => {
      let id = hosts.get(name);
      if (id === undefined) {
        id = Number((this.#hostId.get(name, serviceId, sec) as { id: number }).id);
        hosts.set(name, id);
      }
      return id;
    };
    const devices = new Map<string, number>();
    const deviceIdOf = (key: string): number => {
      let id = devices.get(key);
      if (id === undefined) {
        // A device folded into "other" by the pending bound has no row: its services follow it there.
        id = Number((this.#deviceId.get(key) as { id: number } | undefined)?.id ?? 0);
        devices.set(key, id);
      }
      return id;
    };
    let rowCount = 0;
    for (const r of pending.rows()) {
      if (r.service === UNKNOWN_SERVICE) continue;
      const serviceId = serviceIdOf(r.service, r.bucketStartSec);
      const deviceId = deviceIdOf(r.deviceKey);
      const day = dayOf(r.bucketStartSec);
      this.#service.run(r.bucketStartSec, serviceId, r.upBytes, r.downBytes, r.upPackets, r.downPackets);
      this.#deviceDay.run(day, deviceId, serviceId, r.upBytes, r.downBytes, r.upPackets, r.downPackets);
      if (serviceId !== OTHER_SERVICE_ID) {
        this.#hostDay.run(
          day,
          deviceId,
          hostIdOf(r.host, serviceId, r.bucketStartSec),
          r.upBytes,
          r.downBytes,
        );
      }
      rowCount++;
    }
    for (const h of pending.remoteHosts()) {
      const hostId = hostIdOf(h.host, serviceIdOf(h.service, h.lastSeenSec), h.lastSeenSec);
      this.#remoteHost.run(dayOf(h.lastSeenSec), h.remoteIp, hostId, h.lastSeenSec);
      rowCount++;
    }
    return rowCount;
  }
}
