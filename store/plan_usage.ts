/**
 * What a plan's figures are computed from: the counted bytes per bucket of a span, all traffic or one
 * device's, read from SQLite (inside the flush transaction, for alerts) or from SQLite plus the ledger's
 * unsaved rows (for the API), and the daily history before today for the forecast. Then plans/ computes.
 */
import type { DatabaseSync } from "node:sqlite";
import {
  type BucketBytes,
  countedBytes,
  type DailyBytes,
  dateStartSec,
  localDate,
  type PlanFigures,
  planFigures,
  type PlanPeriod,
  type PlanSpec,
  PROFILE_DAYS,
} from "../plans/mod.ts";
import type { TrafficLedger } from "./traffic_ledger.ts";

/** A device a plan counts: its id for stored rows, its key for unsaved ones. */
interface PlanDevice {
  readonly id: number;
  readonly key: string;
}

/** Reads the buckets of [fromSec, toSec) a plan counts. */
export type BucketReader = (fromSec: number, toSec: number) => BucketBytes[];

/** The stored buckets of [fromSec, toSec), all traffic or device `deviceId`'s; empty buckets absent. */
export function storedBuckets(db: DatabaseSync, deviceId: number | null, fromSec: number, toSec: number) {
  const rows = deviceId === null
    ? db.prepare(
      `SELECT bucket_start AS t, sum(up_bytes) AS up, sum(down_bytes) AS down FROM traffic
       WHERE bucket_start >= ? AND bucket_start < ? GROUP BY bucket_start`,
    ).all(fromSec, toSec)
    : db.prepare(
      `SELECT bucket_start AS t, up_bytes AS up, down_bytes AS down FROM device_traffic
       WHERE bucket_start >= ? AND bucket_start < ? AND device_id = ?`,
    ).all(fromSec, toSec, deviceId);
  return (rows as { t: number; up: number; down: number }[]).map((r): BucketBytes => ({
    bucketStartSec: r.t,
    upBytes: r.up,
    downBytes: r.down,
  }));
}

/** The first bucket ever stored (counting began), or null. */
export function firstBucketSec(db: DatabaseSync): number | null {
  return (db.prepare("SELECT min(bucket_start) AS t FROM traffic").get() as { t: number | null }).t;
}

/** The first bucket counted, saved or not, or null. */
export function ledgerFirstBucketSec(ledger: TrafficLedger): number | null {
  const starts = ledger.pendingTrafficRows().map((r) => r.bucketStartSec);
  const stored = ledger.store.read("the first bucket", firstBucketSec);
  if (stored !== null) starts.push(stored);
  return starts.length === 0 ? null : Math.min(...starts);
}

/** A reader of stored plus unsaved buckets (what the API shows). */
export function ledgerBucketReader(ledger: TrafficLedger, plan: PlanSpec): BucketReader {
  const device = plan.deviceId === null ? null : deviceOf(ledger, plan.deviceId);
  return (fromSec, toSec) => {
    const stored = ledger.store.read(
      "a plan's traffic",
      (db) => storedBuckets(db, plan.deviceId === null ? null : plan.deviceId, fromSec, toSec),
    );
    const pending = device === null
      ? (plan.deviceId === null ? ledger.pendingTrafficRows() : [])
      : ledger.pendingDeviceRows().filter((r) => r.deviceKey === device.key);
    for (const r of pending) {
      if (r.bucketStartSec >= fromSec && r.bucketStartSec < toSec) stored.push(r);
    }
    return stored;
  };
}

/**
 * The figures of `period` at `nowSec`: its buckets, and for the forecast the complete local days since
 * counting began within PROFILE_DAYS before today. `firstSec` is the first bucket ever counted (or null).
 */
export function figuresOf(
  plan: PlanSpec,
  period: PlanPeriod,
  options: { read: BucketReader; nowSec: number; timeZone: string; firstSec: number | null },
): PlanFigures {
  const { read, nowSec, timeZone, firstSec } = options;
  const isCurrent = nowSec >= period.startSec && nowSec < period.endSec;
  if (!isCurrent) {
    return planFigures({
      ...plan,
      period,
      nowSec,
      timeZone,
      buckets: read(period.startSec, period.endSec),
      history: [],
    });
  }
  const today = Temporal.PlainDate.from(localDate(nowSec, timeZone));
  const firstDay = firstSec === null ? today : Temporal.PlainDate.from(localDate(firstSec, timeZone));
  const lookBack = today.subtract({ days: PROFILE_DAYS });
  const historyStart = Temporal.PlainDate.compare(firstDay, lookBack) > 0 ? firstDay : lookBack;
  const historyStartSec = dateStartSec(historyStart.toString(), timeZone);
  const fromSec = Math.min(historyStartSec, period.startSec);
  const buckets = read(fromSec, period.endSec);
  const history: DailyBytes[] = [];
  const todaySec = dateStartSec(today.toString(), timeZone);
  const dayIndex = new Map<number, number>();
  for (let day = historyStart; Temporal.PlainDate.compare(day, today) < 0; day = day.add({ days: 1 })) {
    dayIndex.set(dateStartSec(day.toString(), timeZone), history.length);
    history.push({ date: day.toString(), bytes: 0 });
  }
  const dayStarts = [...dayIndex.keys()];
  for (const b of buckets) {
    if (b.bucketStartSec < historyStartSec || b.bucketStartSec >= todaySec) continue;
    // The last day start at or before the bucket: days are few (≤ 28), buckets many.
    let i = dayStarts.length - 1;
    while (i > 0 && dayStarts[i] > b.bucketStartSec) i--;
    const day = history[i];
    history[i] = { date: day.date, bytes: day.bytes + countedBytes(plan.counts, b.upBytes, b.downBytes) };
  }
  return planFigures({ ...plan, period, nowSec, timeZone, buckets, history });
}

function deviceOf(ledger: TrafficLedger, id: number): PlanDevice | null {
  const row = ledger.store.read(
    "a plan's device",
    (db) => db.prepare("SELECT key FROM devices WHERE id = ?").get(id) as { key: string } | undefined,
  );
  return row === undefined ? null : { id, key: row.key };
}
