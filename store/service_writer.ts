/**
 * Writes pending service rows inside the ledger's flush transaction (traffic_ledger.ts), so a service's
 * counts are committed exactly once together with the traffic and device rows they are part of (issue 15).
 * Each (bucket, device, host) delta goes to service_traffic (bucket, service), service_days (local day,
 * service), device_service_days (local day, device, service) and service_host_days (local day, device,
 * host), all in that one transaction (docs/history-storage.md); service_months rows are made from the day
 * rows when a month is sealed (history_rollup.ts);
 * unknown bytes are not stored (service_migrations.ts). Names become integer ids here, made on first sight;
 * remote addresses become `remote_ips` ids.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { SpanCalendar } from "./history_spans.ts";
import { SealMarks } from "./history_rollup.ts";
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

const REMOTE_ID_SQL = `
INSERT INTO remote_ips (ip, last_used) VALUES (?, ?)
ON CONFLICT (ip) DO UPDATE SET last_used = max(last_used, excluded.last_used) RETURNING id`;

const SUMS = `
  up_bytes = up_bytes + excluded.up_bytes, down_bytes = down_bytes + excluded.down_bytes,
  up_packets = up_packets + excluded.up_packets, down_packets = down_packets + excluded.down_packets`;

const UPSERT_SERVICE_SQL = `
INSERT INTO service_traffic (bucket_start, service_id, up_bytes, down_bytes, up_packets, down_packets)
VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (bucket_start, service_id) DO UPDATE SET ${SUMS}`;

const UPSERT_SERVICE_DAY_SQL = `
INSERT INTO service_days (span_start, service_id, up_bytes, down_bytes, up_packets, down_packets)
VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (span_start, service_id) DO UPDATE SET ${SUMS}`;

const UPSERT_DEVICE_DAY_SQL = `
INSERT INTO device_service_days (span_start, device_id, service_id, up_bytes, down_bytes, up_packets, down_packets)
VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (span_start, device_id, service_id) DO UPDATE SET ${SUMS}`;

const UPSERT_HOST_DAY_SQL = `
INSERT INTO service_host_days (span_start, device_id, host_id, service_id, up_bytes, down_bytes)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (span_start, device_id, host_id) DO UPDATE SET
  up_bytes = up_bytes + excluded.up_bytes, down_bytes = down_bytes + excluded.down_bytes`;

const UPSERT_REMOTE_HOST_SQL = `
INSERT INTO remote_host_days (span_start, remote_id, host_id, last_seen) VALUES (?, ?, ?, ?)
ON CONFLICT (span_start, remote_id) DO UPDATE SET host_id = excluded.host_id, last_seen = excluded.last_seen
WHERE excluded.last_seen >= last_seen`;

/** Prepared statements over one connection; call write() only inside a transaction. */
export class ServiceWriter {
  readonly #serviceId: StatementSync;
  readonly #hostId: StatementSync;
  readonly #deviceId: StatementSync;
  readonly #remoteId: StatementSync;
  readonly #sealMarks: SealMarks;
  readonly #service: StatementSync;
  readonly #serviceDay: StatementSync;
  readonly #deviceDay: StatementSync;
  readonly #hostDay: StatementSync;
  readonly #remoteHost: StatementSync;
  readonly #calendar: SpanCalendar;

  /** `timeZone`: the zone whose local midnights start the day and month rows (TZ). */
  constructor(db: DatabaseSync, timeZone: string) {
    this.#serviceId = db.prepare(SERVICE_ID_SQL);
    this.#hostId = db.prepare(HOST_ID_SQL);
    this.#deviceId = db.prepare(DEVICE_ID_SQL);
    this.#remoteId = db.prepare(REMOTE_ID_SQL);
    this.#calendar = new SpanCalendar(timeZone);
    this.#sealMarks = new SealMarks(db, this.#calendar);
    this.#service = db.prepare(UPSERT_SERVICE_SQL);
    this.#serviceDay = db.prepare(UPSERT_SERVICE_DAY_SQL);
    this.#deviceDay = db.prepare(UPSERT_DEVICE_DAY_SQL);
    this.#hostDay = db.prepare(UPSERT_HOST_DAY_SQL);
    this.#remoteHost = db.prepare(UPSERT_REMOTE_HOST_SQL);
  }

  /**
   * Writes every pending row; returns the rows written. Lowers the seal marks of the day tables written
   * behind them and of service_months, so the next retention pass seals those spans again (and makes those
   * months again).
   */
  write(pending: PendingServices): number {
    const dayOf = (sec: number): number => this.#calendar.dayStartOf(sec);
    let oldestSec = Infinity;
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
      const sums = [r.upBytes, r.downBytes, r.upPackets, r.downPackets] as const;
      this.#service.run(r.bucketStartSec, serviceId, ...sums);
      this.#serviceDay.run(day, serviceId, ...sums);
      oldestSec = Math.min(oldestSec, r.bucketStartSec);
      this.#deviceDay.run(day, deviceId, serviceId, r.upBytes, r.downBytes, r.upPackets, r.downPackets);
      if (serviceId !== OTHER_SERVICE_ID) {
        this.#hostDay.run(
          day,
          deviceId,
          hostIdOf(r.host, serviceId, r.bucketStartSec),
          serviceId,
          r.upBytes,
          r.downBytes,
        );
      }
      rowCount++;
    }
    for (const h of pending.remoteHosts()) {
      const hostId = hostIdOf(h.host, serviceIdOf(h.service, h.lastSeenSec), h.lastSeenSec);
      const remoteId = Number((this.#remoteId.get(h.remoteIp, h.lastSeenSec) as { id: number | bigint }).id);
      this.#remoteHost.run(dayOf(h.lastSeenSec), remoteId, hostId, h.lastSeenSec);
      rowCount++;
    }
    if (oldestSec !== Infinity) {
      for (const dayTable of ["service_days", "device_service_days"]) {
        this.#sealMarks.lowerBehind(dayTable, oldestSec);
      }
    }
    return rowCount;
  }
}
