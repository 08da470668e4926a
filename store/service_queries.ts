/**
 * Read queries over the services tables (issue 15, service_migrations.ts), unsaved rows included as every
 * read does. The parts of a span add up to its total byte for byte: the named services, `other` (the
 * bounded tables' remainder and services past `limit`) and `unknown`, derived as the total minus the other
 * two so that it also holds the history counted before services existed.
 */
import type { TrafficLedger } from "./traffic_ledger.ts";
import { planSpans } from "./history_spans.ts";
import { sealedMonthsUntil } from "./history_rollup.ts";
import { OTHER_SERVICE, UNKNOWN_SERVICE } from "./service_pending.ts";

/** Bytes and packets of one part. */
export interface ServiceSums {
  upBytes: number;
  downBytes: number;
  upPackets: number;
  downPackets: number;
}

/** One host name under a service. */
export interface ServiceHostUsage {
  readonly name: string;
  readonly totalBytes: number;
}

/** One service (registrable domain) and its heaviest hosts. */
export interface ServiceUsage extends ServiceSums {
  readonly name: string;
  readonly hosts: readonly ServiceHostUsage[];
}

/** Services of a span, heaviest first, and the parts that complete them to `total`. */
export interface ServicesOfSpan {
  readonly services: readonly ServiceUsage[];
  readonly unknown: ServiceSums;
  readonly other: ServiceSums;
  readonly total: ServiceSums;
}

/** What servicesOfSpan reads: UTC seconds [fromSec, toSec) on local-day edges, one device or the box. */
export interface ServicesQuery {
  readonly fromSec: number;
  readonly toSec: number;
  /** A device id, or null for the whole box. */
  readonly deviceId: number | null;
  /** Services listed; the rest go to `other`. */
  readonly limit: number;
  /** Hosts listed per service. */
  readonly hostLimit: number;
}

interface SumRow {
  readonly name: string;
  readonly up: number;
  readonly down: number;
  readonly up_packets: number;
  readonly down_packets: number;
}

const zero = (): ServiceSums => ({ upBytes: 0, downBytes: 0, upPackets: 0, downPackets: 0 });

function add(
  to: ServiceSums,
  r: { upBytes: number; downBytes: number; upPackets: number; downPackets: number },
): void {
  to.upBytes += r.upBytes;
  to.downBytes += r.downBytes;
  to.upPackets += r.upPackets;
  to.downPackets += r.downPackets;
}

const SUM_COLUMNS =
  "sum(up_bytes) AS up, sum(down_bytes) AS down, sum(up_packets) AS up_packets, sum(down_packets) AS down_packets";

/**
 * The box's services of [fromSec, toSec) from the coarsest rows that tile it (history_spans.ts planSpans):
 * sealed months, whole days, and the 15-minute rows of the partial days at the edges.
 */
function boxServicesSql(
  fromSec: number,
  toSec: number,
  timeZone: string,
  sealedUntilSec: number,
): { readonly sql: string; readonly params: number[] } {
  const plan = planSpans(fromSec, toSec, timeZone, sealedUntilSec);
  const slices: string[] = [];
  const params: number[] = [];
  const slice = (table: string, column: string, ranges: readonly (readonly [number, number])[]) => {
    for (const [a, b] of ranges) {
      slices.push(
        `SELECT service_id, up_bytes, down_bytes, up_packets, down_packets FROM ${table}
         WHERE ${column} >= ? AND ${column} < ?`,
      );
      params.push(a, b);
    }
  };
  slice("service_months", "span_start", plan.months);
  slice("service_days", "span_start", plan.days);
  slice("service_traffic", "bucket_start", plan.fine);
  if (slices.length === 0) {
    slices.push(
      "SELECT 0 AS service_id, 0 AS up_bytes, 0 AS down_bytes, 0 AS up_packets, 0 AS down_packets WHERE 0",
    );
  }
  return {
    sql: `SELECT n.name, ${SUM_COLUMNS} FROM (${slices.join(" UNION ALL ")}) t
          JOIN service_names n ON n.id = t.service_id GROUP BY t.service_id`,
    params,
  };
}

/** The services of a span (see the file comment). */
export function servicesOfSpan(ledger: TrafficLedger, q: ServicesQuery): ServicesOfSpan {
  const { fromSec, toSec, deviceId } = q;
  const read = ledger.store.read("services", (db) => {
    const deviceKey = deviceId === null
      ? null
      : (db.prepare("SELECT key FROM devices WHERE id = ?").get(deviceId) as { key: string } | undefined)
        ?.key ??
        null;
    const box = deviceId === null
      ? boxServicesSql(fromSec, toSec, ledger.store.timeZone, sealedMonthsUntil(db, "service_months"))
      : null;
    const services = box !== null ? db.prepare(box.sql).all(...box.params) : db.prepare(
      `SELECT n.name, ${SUM_COLUMNS} FROM device_service_days t JOIN service_names n ON n.id = t.service_id
         WHERE span_start >= ? AND span_start < ? AND device_id = ? GROUP BY t.service_id`,
    ).all(fromSec, toSec, deviceId);
    const total = deviceId === null
      ? db.prepare(
        `SELECT 'total' AS name, ${SUM_COLUMNS} FROM traffic WHERE bucket_start >= ? AND bucket_start < ?`,
      )
        .get(fromSec, toSec)
      : db.prepare(
        `SELECT 'total' AS name, ${SUM_COLUMNS} FROM device_traffic
         WHERE bucket_start >= ? AND bucket_start < ? AND device_id = ?`,
      ).get(fromSec, toSec, deviceId);
    return {
      deviceKey,
      services: services as unknown as SumRow[],
      total: total as unknown as SumRow,
    };
  });
  const inSpan = (sec: number) => sec >= fromSec && sec < toSec;
  const isMine = (key: string) => deviceId === null || key === read.deviceKey;
  const total: ServiceSums = {
    upBytes: read.total.up ?? 0,
    downBytes: read.total.down ?? 0,
    upPackets: read.total.up_packets ?? 0,
    downPackets: read.total.down_packets ?? 0,
  };
  if (deviceId === null) {
    for (const r of ledger.pendingTrafficRows()) if (inSpan(r.bucketStartSec)) add(total, r);
  } else {
    for (const r of ledger.pendingDeviceRows()) {
      if (inSpan(r.bucketStartSec) && isMine(r.deviceKey)) add(total, r);
    }
  }
  const byName = new Map<string, ServiceSums>();
  const sumsOf = (name: string) => {
    let s = byName.get(name);
    if (s === undefined) byName.set(name, s = zero());
    return s;
  };
  for (const r of read.services) {
    add(sumsOf(r.name), {
      upBytes: r.up,
      downBytes: r.down,
      upPackets: r.up_packets,
      downPackets: r.down_packets,
    });
  }
  const pending = ledger.pendingServiceRows().filter((r) =>
    inSpan(r.bucketStartSec) && isMine(r.deviceKey) && r.service !== UNKNOWN_SERVICE
  );
  for (const r of pending) add(sumsOf(r.service), r);
  const other = byName.get(OTHER_SERVICE) ?? zero();
  byName.delete(OTHER_SERVICE);
  const ranked = [...byName].sort(([a, x], [b, y]) =>
    (y.upBytes + y.downBytes) - (x.upBytes + x.downBytes) || (a < b ? -1 : a > b ? 1 : 0)
  );
  const unknown = { ...total };
  for (const s of [other, ...byName.values()]) {
    unknown.upBytes -= s.upBytes;
    unknown.downBytes -= s.downBytes;
    unknown.upPackets -= s.upPackets;
    unknown.downPackets -= s.downPackets;
  }
  for (const [, s] of ranked.slice(q.limit)) add(other, s);
  const listed = new Set(ranked.slice(0, q.limit).map(([name]) => name));
  const hostTotals = new Map<string, { service: string; total: number }>();
  for (const h of hostsOfServices(ledger, q, q.hostLimit > 0 ? [...listed] : [])) {
    hostTotals.set(h.name, { service: h.service, total: h.total });
  }
  for (const r of pending) {
    if (!listed.has(r.service) || q.hostLimit === 0) continue;
    const h = hostTotals.get(r.host) ?? { service: r.service, total: 0 };
    h.total += r.upBytes + r.downBytes;
    hostTotals.set(r.host, h);
  }
  const hostsOf = new Map<string, ServiceHostUsage[]>();
  for (const [name, h] of hostTotals) {
    const list = hostsOf.get(h.service) ?? [];
    list.push({ name, totalBytes: h.total });
    hostsOf.set(h.service, list);
  }
  const services = ranked.slice(0, q.limit).map(([name, s]) => ({
    name,
    ...s,
    hosts: (hostsOf.get(name) ?? []).sort((a, b) => b.totalBytes - a.totalBytes || (a.name < b.name ? -1 : 1))
      .slice(0, q.hostLimit),
  }));
  return { services, unknown, other, total };
}

/**
 * The stored host totals of the services `names` over the query's span: only the listed services' hosts, so
 * that an all-time query does not group every host name of the last SERVICE_RETENTION_DAYS
 * (tests/bench/history_query_bench.ts).
 */
function hostsOfServices(
  ledger: TrafficLedger,
  q: ServicesQuery,
  names: readonly string[],
): { name: string; service: string; total: number }[] {
  if (names.length === 0) return [];
  return ledger.store.read("service hosts", (db) =>
    db.prepare(
      `SELECT h.name AS name, s.name AS service, sum(d.up_bytes) + sum(d.down_bytes) AS total
       FROM service_host_days d JOIN service_hosts h ON h.id = d.host_id JOIN service_names s ON s.id = d.service_id
       WHERE d.span_start >= ?1 AND d.span_start < ?2 AND (?3 IS NULL OR d.device_id = ?3)
         AND d.service_id IN (SELECT id FROM service_names WHERE name IN (SELECT value FROM json_each(?4)))
       GROUP BY d.host_id`,
    ).all(q.fromSec, q.toSec, q.deviceId, JSON.stringify(names))) as unknown as {
      name: string;
      service: string;
      total: number;
    }[];
}

/** For each of `ips`, the host name that last named it with a day in [fromSec, toSec), unsaved ones included. */
export function hostnamesOf(
  ledger: TrafficLedger,
  ips: readonly string[],
  fromSec: number,
  toSec: number,
): Map<string, string> {
  if (ips.length === 0) return new Map();
  const rows = ledger.store.read("remote host names", (db) =>
    db.prepare(
      `SELECT i.ip AS ip, h.name AS host, max(r.last_seen) AS last_seen
       FROM remote_ips i JOIN remote_host_days r ON r.remote_id = i.id JOIN service_hosts h ON h.id = r.host_id
       WHERE i.ip IN (SELECT value FROM json_each(?3)) AND r.span_start >= ?1 AND r.span_start < ?2
       GROUP BY r.remote_id`,
    ).all(fromSec, toSec, JSON.stringify(ips))) as unknown as {
      ip: string;
      host: string;
      last_seen: number;
    }[];
  const latest = new Map(rows.map((r) => [r.ip, { host: r.host, lastSeenSec: r.last_seen }]));
  const wanted = new Set(ips);
  for (const h of ledger.pendingRemoteHosts()) {
    if (!wanted.has(h.remoteIp) || h.lastSeenSec < fromSec || h.lastSeenSec >= toSec) continue;
    const seen = latest.get(h.remoteIp);
    if (seen === undefined || seen.lastSeenSec <= h.lastSeenSec) latest.set(h.remoteIp, h);
  }
  return new Map([...latest].map(([ip, h]) => [ip, h.host]));
}

/**
 * Deletes the host names older than `retentionDays` (SERVICE_RETENTION_DAYS): their bytes stay in the service
 * rows, so old history rolls up into the registrable domain only (issue 15 item 6). Returns rows deleted.
 */
export function pruneServiceHosts(ledger: TrafficLedger, retentionDays: number, nowSec: number): number {
  const cutSec = nowSec - retentionDays * 86_400;
  const db = ledger.store.db;
  let deleted = 0;
  deleted += Number(db.prepare("DELETE FROM service_host_days WHERE span_start < ?").run(cutSec).changes);
  deleted += Number(db.prepare("DELETE FROM remote_host_days WHERE span_start < ?").run(cutSec).changes);
  deleted += Number(
    db.prepare(
      `DELETE FROM service_hosts WHERE last_used < ?1
       AND id NOT IN (SELECT host_id FROM service_host_days) AND id NOT IN (SELECT host_id FROM remote_host_days)`,
    ).run(cutSec).changes,
  );
  return deleted;
}
