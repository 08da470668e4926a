/**
 * Plans end to end (issue 16 "Show"): a pcap with traffic on both sides of a billing-period boundary is
 * imported with `main.ts --pcap`, then `main.ts` serves it with PLAN= set. Each period's used bytes must equal
 * the bytes written into the file, and its 95th percentiles must equal a reference computed here from the
 * per-bucket bytes injected, with its own nearest-rank code, sharing nothing with plans/.
 */
import assert from "node:assert/strict";
import { BUCKET_SEC } from "../capture/mod.ts";
import type { PlanPeriodsJson } from "../web/api_types.ts";
import { importTraffic, LOCAL_IP, startNetledger } from "./helpers/dashboard_rig.ts";
import { buildFrame, ipPacket } from "./helpers/frames.ts";
import type { CaptureRecord } from "./helpers/pcap_writer.ts";

const ZONE = "Europe/Berlin";
/** Buckets with traffic on each side of the boundary: over 5% of a month's ~2,900, so p95 is not 0. */
const BUCKETS_EACH_SIDE = 200;

/** UTC seconds of local midnight starting `date` in ZONE. */
function midnightSec(date: Temporal.PlainDate): number {
  return date.toZonedDateTime({ timeZone: ZONE }).startOfDay().epochMilliseconds / 1000;
}

/** 95th percentile by nearest rank of `values` padded with zeros to `count` samples, in bits per second. */
function referenceP95Bps(values: readonly number[], count: number): number {
  const samples = [...values, ...new Array(count - values.length).fill(0)].sort((a, b) => a - b);
  return Math.round((samples[Math.ceil(count * 0.95) - 1] * 8) / 900);
}

Deno.test("a pcap across a period boundary: each period's bytes and 95th percentiles equal the truth", async () => {
  assert.equal(BUCKET_SEC, 900, "plans/ and this test assume 15-minute buckets");
  const today = Temporal.Now.plainDateISO(ZONE);
  // The boundary between the two calendar months before this one: both periods are over whatever today is.
  const previous = today.with({ day: 1 }).subtract({ months: 1 });
  const older = previous.subtract({ months: 1 });
  const boundarySec = midnightSec(previous);
  const records: CaptureRecord[] = [];
  const truth = new Map<string, { up: number[]; down: number[] }>([["older", { up: [], down: [] }], [
    "previous",
    { up: [], down: [] },
  ]]);
  for (let i = -BUCKETS_EACH_SIDE; i < BUCKETS_EACH_SIDE; i++) {
    const bucketSec = boundarySec + i * 900;
    // Sizes that differ per bucket and per direction, so the percentile picks one bucket's value.
    const up = ipPacket({ src: LOCAL_IP, dst: "198.51.100.7", payloadBytes: 100 + ((i * 37) & 1023) });
    const down = ipPacket({ src: "203.0.113.9", dst: LOCAL_IP, payloadBytes: 200 + ((i * 53) & 4095) });
    records.push({ frame: buildFrame("ethernet", up), timestampSec: bucketSec + 10 });
    records.push({ frame: buildFrame("ethernet", down), timestampSec: bucketSec + 20 });
    const side = truth.get(i < 0 ? "older" : "previous")!;
    side.up.push(up.length);
    side.down.push(down.length);
  }
  const dir = await Deno.makeTempDir({ prefix: "netledger-plans-" });
  try {
    const dbPath = `${dir}/netledger.db`;
    await importTraffic({ dir, dbPath, timeZone: ZONE, records });
    await using server = await startNetledger({
      dbPath,
      timeZone: ZONE,
      env: { PLAN: "Billing;calendar;total;none" },
    });
    const response = await fetch(`${server.baseUrl}/api/plans/billing/periods?count=3`);
    assert.equal(response.status, 200, server.output());
    const { periods } = await response.json() as PlanPeriodsJson;
    assert.deepEqual(periods.map((p) => p.start), [
      older.toString(),
      previous.toString(),
      today.with({ day: 1 }).toString(),
    ]);
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    for (const [index, side] of [[0, "older"], [1, "previous"]] as const) {
      const period = periods[index];
      const { up, down } = truth.get(side)!;
      const bucketCount = (period.end_ts - period.start_ts) / 900;
      assert.equal(period.start_ts, midnightSec(index === 0 ? older : previous), `${side}: local midnight`);
      assert.deepEqual(
        [period.up_bytes, period.down_bytes, period.used_bytes],
        [sum(up), sum(down), sum(up) + sum(down)],
        `${side}: bytes`,
      );
      assert.deepEqual(
        [period.p95_up_bps, period.p95_down_bps, period.p95_bps],
        [
          referenceP95Bps(up, bucketCount),
          referenceP95Bps(down, bucketCount),
          Math.max(referenceP95Bps(up, bucketCount), referenceP95Bps(down, bucketCount)),
        ],
        `${side}: 95th percentiles over ${bucketCount} buckets`,
      );
      assert.ok(period.p95_down_bps > 0, `${side}: the percentile lands on a bucket with traffic`);
    }
    assert.equal(periods[2].used_bytes, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
