/**
 * The figures of a plan's period (issue 16 item 2) from plain inputs the store reads: used, remaining,
 * percent, days left, daily budget, the forecast and its range, the day the quota is reached, and the 95th
 * percentiles. Pure.
 */
import { BUCKET_SEC } from "../capture/mod.ts";
import { type DailyBytes, forecastPeriod } from "./forecast.ts";
import { p95Bps } from "./p95.ts";
import { localDate, type PlanPeriod } from "./plan_periods.ts";
import type { PlanCounts } from "./plan_spec.ts";

/** Counted traffic of one 15-minute bucket. */
export interface BucketBytes {
  readonly bucketStartSec: number;
  readonly upBytes: number;
  readonly downBytes: number;
}

/** What the figures of one period are made from. */
export interface FiguresInput {
  readonly counts: PlanCounts;
  readonly quotaBytes: number | null;
  readonly period: PlanPeriod;
  readonly nowSec: number;
  readonly timeZone: string;
  /** The period's buckets (any order, several rows per bucket allowed); empty buckets may be absent. */
  readonly buckets: readonly BucketBytes[];
  /** Counted bytes of complete local days before today, oldest first, since counting began (forecast.ts). */
  readonly history: readonly DailyBytes[];
}

/** The figures of one period; quota-based ones are null without a quota. */
export interface PlanFigures {
  readonly usedBytes: number;
  readonly upBytes: number;
  readonly downBytes: number;
  readonly remainingBytes: number | null;
  readonly percent: number | null;
  /** Local days left, today included; 0 once the period is over. */
  readonly daysLeft: number;
  readonly dailyBudgetBytes: number | null;
  readonly forecastBytes: number;
  readonly forecastLowBytes: number;
  readonly forecastHighBytes: number;
  readonly quotaReachedOn: string | null;
  readonly p95UpBps: number;
  readonly p95DownBps: number;
  readonly p95Bps: number;
}

/** The bytes a plan counts of a span's up and down bytes. */
export function countedBytes(counts: PlanCounts, upBytes: number, downBytes: number): number {
  return counts === "upload" ? upBytes : counts === "download" ? downBytes : upBytes + downBytes;
}

/** Computes the figures of `input.period` at `input.nowSec` (a past period: its final figures). */
export function planFigures(input: FiguresInput): PlanFigures {
  const { period, counts, quotaBytes, timeZone, nowSec } = input;
  // Buckets so far, the one running now included (it holds counts already); all of a past period's.
  const bucketCount = nowSec < period.startSec ? 0 : Math.min(
    (period.endSec - period.startSec) / BUCKET_SEC,
    Math.floor((nowSec - period.startSec) / BUCKET_SEC) + 1,
  );
  const ups = new Float64Array(bucketCount);
  const downs = new Float64Array(bucketCount);
  for (const b of input.buckets) {
    const i = Math.floor((b.bucketStartSec - period.startSec) / BUCKET_SEC);
    if (i < 0 || i >= bucketCount) continue;
    ups[i] += b.upBytes;
    downs[i] += b.downBytes;
  }
  const upBytes = sum(ups);
  const downBytes = sum(downs);
  const usedBytes = countedBytes(counts, upBytes, downBytes);
  const remainingBytes = quotaBytes === null ? null : Math.max(0, quotaBytes - usedBytes);
  const p95UpBps = p95Bps(ups);
  const p95DownBps = p95Bps(downs);
  const base = {
    usedBytes,
    upBytes,
    downBytes,
    remainingBytes,
    percent: quotaBytes === null ? null : (usedBytes / quotaBytes) * 100,
    p95UpBps,
    p95DownBps,
    p95Bps: Math.max(p95UpBps, p95DownBps),
  };
  const crossedOn = quotaBytes === null ? null : crossingDate(ups, downs, input, quotaBytes);
  if (nowSec < period.startSec || nowSec >= period.endSec) {
    return {
      ...base,
      daysLeft: 0,
      dailyBudgetBytes: null,
      forecastBytes: usedBytes,
      forecastLowBytes: usedBytes,
      forecastHighBytes: usedBytes,
      quotaReachedOn: crossedOn,
    };
  }
  const today = localDate(nowSec, timeZone);
  const todayStart = Temporal.PlainDate.from(today);
  const todayStartSec = todayStart.toZonedDateTime({ timeZone }).startOfDay().epochMilliseconds / 1000;
  const todayEndSec =
    todayStart.add({ days: 1 }).toZonedDateTime({ timeZone }).startOfDay().epochMilliseconds /
    1000;
  const fromToday = Math.max(0, Math.floor((todayStartSec - period.startSec) / BUCKET_SEC));
  const todayBytes = countedBytes(counts, sum(ups.subarray(fromToday)), sum(downs.subarray(fromToday)));
  const daysLeft = todayStart.until(Temporal.PlainDate.from(period.end), { largestUnit: "days" }).days + 1;
  const forecast = forecastPeriod({
    usedBytes,
    todayBytes,
    today,
    dayFraction: (nowSec - todayStartSec) / (todayEndSec - todayStartSec),
    periodEnd: period.end,
    history: input.history,
  });
  let quotaReachedOn = crossedOn;
  if (quotaBytes !== null && quotaReachedOn === null) {
    // At the forecast rate: the first day whose expected total takes the period past the quota.
    let total = usedBytes - todayBytes;
    quotaReachedOn = forecast.expectedDays.find((d) => (total += d.bytes) >= quotaBytes)?.date ?? null;
  }
  return {
    ...base,
    daysLeft,
    dailyBudgetBytes: remainingBytes === null ? null : Math.floor(remainingBytes / daysLeft),
    forecastBytes: forecast.bytes,
    forecastLowBytes: forecast.lowBytes,
    forecastHighBytes: forecast.highBytes,
    quotaReachedOn,
  };
}

/** The local date of the bucket in which the counted bytes reached `quotaBytes`, or null. */
function crossingDate(ups: Float64Array, downs: Float64Array, input: FiguresInput, quotaBytes: number) {
  let total = 0;
  for (let i = 0; i < ups.length; i++) {
    total += countedBytes(input.counts, ups[i], downs[i]);
    if (total >= quotaBytes) return localDate(input.period.startSec + i * BUCKET_SEC, input.timeZone);
  }
  return null;
}

function sum(values: Float64Array): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
