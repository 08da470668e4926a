/**
 * Read queries over the traffic history: every function adds the ledger's unsaved deltas to what SQLite
 * holds, so answers never lag a save interval. A stored row counts toward the period containing its
 * `bucket_start` (see store/retention.ts for rolled-up rows). SQLite failures throw StoreError (Store.read).
 */
import type { IpFamily } from "../capture/mod.ts";
import {
  localDateEndSec,
  localDateOf,
  localDateStartSec,
  type LocalPeriod,
  monthStartDate,
  periodIndex,
  yearStartDate,
} from "./local_periods.ts";
import type { TrafficLedger } from "./traffic_ledger.ts";

/** Public bytes of a span. */
export interface TrafficTotals {
  readonly upBytes: number;
  readonly downBytes: number;
}

/** Traffic and packet health of one local period. */
export interface PeriodTraffic extends LocalPeriod, TrafficTotals {
  /** Public packets counted in the period (up + down): the base of the dropped packets' share. */
  readonly packets: number;
  /** Packets the kernel dropped in the period: when above 0, the period's counts are incomplete. */
  readonly droppedPackets: number;
  readonly malformedPackets: number;
}

/** Today, this month and this year in the local zone. */
export interface TrafficSummary {
  readonly today: TrafficTotals;
  readonly month: TrafficTotals;
  readonly year: TrafficTotals;
}

/** All-time counters of one IP family (for /metrics). */
export interface FamilyTotals extends TrafficTotals {
  readonly family: IpFamily;
  readonly upPackets: number;
  readonly downPackets: number;
}

/** All-time counters for /metrics. */
export interface AllTimeTotals {
  readonly families: readonly FamilyTotals[];
  readonly malformedPackets: number;
  readonly droppedPackets: number;
}

/** A saved device to filter by (device_queries.ts): its id for stored rows, its key for unsaved ones. */
export interface DeviceFilter {
  readonly id: number;
  readonly key: string;
}

/**
 * Sums traffic and health per period; `periods` must be contiguous and oldest first (localPeriods()). With
 * `device`, the traffic is that device's; health stays the capture's (drops make every device's count of
 * the period incomplete).
 */
export function trafficByPeriod(
  ledger: TrafficLedger,
  periods: readonly LocalPeriod[],
  device: DeviceFilter | null = null,
): PeriodTraffic[] {
  const sums = periods.map(() => ({
    upBytes: 0,
    downBytes: 0,
    packets: 0,
    droppedPackets: 0,
    malformedPackets: 0,
  }));
  if (periods.length === 0) return [];
  // Each period is summed in SQL as one slice of the key (history_query_bench: a year of 15-minute rows in
  // 12 months), so only one row per period leaves SQLite.
  const bounds = JSON.stringify(periods.map((p) => [p.startSec, p.endSec]));
  const spans = "WITH p(i, s, e) AS (SELECT key, value ->> 0, value ->> 1 FROM json_each(?))";
  const [trafficRows, healthRows] = ledger.store.read("traffic by period", (db) => [
    (device === null
      ? db.prepare(
        `${spans} SELECT p.i AS i, sum(up_bytes) AS up, sum(down_bytes) AS down,
         sum(up_packets + down_packets) AS packets FROM p JOIN traffic
         ON bucket_start >= p.s AND bucket_start < p.e GROUP BY p.i`,
      ).all(bounds)
      : db.prepare(
        `${spans} SELECT p.i AS i, sum(up_bytes) AS up, sum(down_bytes) AS down,
         sum(up_packets + down_packets) AS packets FROM p JOIN device_traffic
         ON bucket_start >= p.s AND bucket_start < p.e AND device_id = ? GROUP BY p.i`,
      ).all(bounds, device.id)) as { i: number; up: number; down: number; packets: number }[],
    db.prepare(
      `${spans} SELECT p.i AS i, sum(malformed_packets) AS malformed, sum(dropped_packets) AS dropped
       FROM p JOIN bucket_health ON bucket_start >= p.s AND bucket_start < p.e GROUP BY p.i`,
    ).all(bounds) as { i: number; malformed: number; dropped: number }[],
  ]);
  for (const row of trafficRows) {
    sums[row.i].upBytes += row.up;
    sums[row.i].downBytes += row.down;
    sums[row.i].packets += row.packets;
  }
  for (const row of healthRows) {
    sums[row.i].malformedPackets += row.malformed;
    sums[row.i].droppedPackets += row.dropped;
  }
  const pendingRows = device === null
    ? ledger.pendingTrafficRows()
    : ledger.pendingDeviceRows().filter((r) => r.deviceKey === device.key);
  const pendingTraffic = pendingRows.map((r) => ({
    t: r.bucketStartSec,
    up: r.upBytes,
    down: r.downBytes,
    packets: r.upPackets + r.downPackets,
  }));
  for (const row of pendingTraffic) {
    const i = periodIndex(periods, row.t);
    if (i < 0) continue;
    sums[i].upBytes += row.up;
    sums[i].downBytes += row.down;
    sums[i].packets += row.packets;
  }
  const pendingHealth = ledger.pendingHealthRows().map((r) => ({
    t: r.bucketStartSec,
    malformed: r.malformedPackets,
    dropped: r.droppedPackets,
  }));
  for (const row of pendingHealth) {
    const i = periodIndex(periods, row.t);
    if (i < 0) continue;
    sums[i].malformedPackets += row.malformed;
    sums[i].droppedPackets += row.dropped;
  }
  return periods.map((p, i) => ({ ...p, ...sums[i] }));
}

/** Public bytes with bucket starts in [fromSec, toSec). */
export function trafficTotal(ledger: TrafficLedger, fromSec: number, toSec: number): TrafficTotals {
  const row = ledger.store.read("traffic totals", (db) =>
    db.prepare(
      `SELECT coalesce(sum(up_bytes), 0) AS up, coalesce(sum(down_bytes), 0) AS down FROM traffic
       WHERE bucket_start >= ? AND bucket_start < ?`,
    ).get(fromSec, toSec)) as { up: number; down: number };
  let upBytes = row.up;
  let downBytes = row.down;
  for (const r of ledger.pendingTrafficRows()) {
    if (r.bucketStartSec < fromSec || r.bucketStartSec >= toSec) continue;
    upBytes += r.upBytes;
    downBytes += r.downBytes;
  }
  return { upBytes, downBytes };
}

/** Today, this month and this year, local to `timeZone`, at UTC second `nowSec`. */
export function trafficSummary(ledger: TrafficLedger, timeZone: string, nowSec: number): TrafficSummary {
  const today = localDateOf(nowSec, timeZone);
  const endSec = localDateEndSec(today, timeZone);
  const since = (date: string) => trafficTotal(ledger, localDateStartSec(date, timeZone), endSec);
  return { today: since(today), month: since(monthStartDate(today)), year: since(yearStartDate(today)) };
}

/** Local dates of the oldest and newest traffic, or nulls when nothing was counted yet. */
export function trafficDateRange(
  ledger: TrafficLedger,
  timeZone: string,
): { readonly min: string | null; readonly max: string | null } {
  const row = ledger.store.read(
    "the traffic date range",
    (db) => db.prepare("SELECT min(bucket_start) AS lo, max(bucket_start) AS hi FROM traffic").get(),
  ) as { lo: number | null; hi: number | null };
  const starts = ledger.pendingTrafficRows().map((r) => r.bucketStartSec);
  if (row.lo !== null && row.hi !== null) starts.push(row.lo, row.hi);
  if (starts.length === 0) return { min: null, max: null };
  return { min: localDateOf(Math.min(...starts), timeZone), max: localDateOf(Math.max(...starts), timeZone) };
}

/** All-time counters by IP family and of packet health, unsaved deltas included. */
export function allTimeTotals(ledger: TrafficLedger): AllTimeTotals {
  const [rows, health] = ledger.store.read("all-time totals", (db) =>
    [
      db.prepare(
        `SELECT family, sum(up_bytes) AS ub, sum(down_bytes) AS db, sum(up_packets) AS up,
         sum(down_packets) AS dp FROM traffic GROUP BY family`,
      ).all() as { family: IpFamily; ub: number; db: number; up: number; dp: number }[],
      db.prepare(
        `SELECT coalesce(sum(malformed_packets), 0) AS malformed, coalesce(sum(dropped_packets), 0) AS dropped
         FROM bucket_health`,
      ).get() as { malformed: number; dropped: number },
    ] as const);
  const families = new Map<IpFamily, FamilyTotals>();
  for (const family of [4, 6] as const) {
    families.set(family, { family, upBytes: 0, downBytes: 0, upPackets: 0, downPackets: 0 });
  }
  const add = (family: IpFamily, ub: number, db: number, up: number, dp: number) => {
    const t = families.get(family)!;
    families.set(family, {
      family,
      upBytes: t.upBytes + ub,
      downBytes: t.downBytes + db,
      upPackets: t.upPackets + up,
      downPackets: t.downPackets + dp,
    });
  };
  for (const r of rows) add(r.family, r.ub, r.db, r.up, r.dp);
  for (const r of ledger.pendingTrafficRows()) {
    add(r.family, r.upBytes, r.downBytes, r.upPackets, r.downPackets);
  }
  let malformedPackets = health.malformed;
  let droppedPackets = health.dropped;
  for (const r of ledger.pendingHealthRows()) {
    malformedPackets += r.malformedPackets;
    droppedPackets += r.droppedPackets;
  }
  return { families: [...families.values()], malformedPackets, droppedPackets };
}
