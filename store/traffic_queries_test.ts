import assert from "node:assert/strict";
import { TrafficLedger } from "./traffic_ledger.ts";
import { localPeriods } from "./local_periods.ts";
import { allTimeTotals, trafficByPeriod, trafficDateRange, trafficSummary } from "./traffic_queries.ts";
import { StoreError } from "./db.ts";
import { damageTable, oneBucketBatch, tempStore, utcSec } from "./_testing.ts";

const ZONES = ["UTC", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu", "Europe/London"];

/** Buckets of [fromIso, toIso), each with distinct bytes so a bucket in the wrong period changes a sum. */
function bucketsOf(fromIso: string, toIso: string): { sec: number; up: number; down: number }[] {
  const buckets = [];
  for (let sec = utcSec(fromIso), i = 1; sec < utcSec(toIso); sec += 900, i++) {
    buckets.push({ sec, up: i, down: i * 1000 + 7 });
  }
  return buckets;
}

/** Reference grouping, independent of localPeriods: the local wall-clock label of each bucket start. */
function referenceSums(
  buckets: { sec: number; up: number; down: number }[],
  zone: string,
  unit: "hour" | "day",
) {
  const sums = new Map<string, { up: number; down: number }>();
  for (const b of buckets) {
    const zoned = Temporal.Instant.fromEpochMilliseconds(b.sec * 1000).toZonedDateTimeISO(zone);
    const date = zoned.toPlainDate().toString();
    // The offset keeps the two 01:00 hours of a fall-back day apart.
    const key = unit === "day" ? date : `${date} ${String(zoned.hour).padStart(2, "0")}:00 ${zoned.offset}`;
    const s = sums.get(key) ?? { up: 0, down: 0 };
    sums.set(key, { up: s.up + b.up, down: s.down + b.down });
  }
  return sums;
}

async function ledgerWith(buckets: { sec: number; up: number; down: number }[]) {
  const temp = tempStore();
  const ledger = new TrafficLedger(temp.store);
  // Half saved, half still pending: queries must add both.
  const half = Math.floor(buckets.length / 2);
  for (const [i, b] of buckets.entries()) {
    if (i === half) await ledger.flush();
    ledger.add(oneBucketBatch(b.sec, b.up, b.down, { remoteIp: `203.0.113.${i % 50}` }));
  }
  assert.ok(ledger.pendingTrafficRows().length >= half);
  return { temp, ledger };
}

for (
  const [name, from, to, dates] of [
    ["fall-back", "2024-11-01T00:00:00Z", "2024-11-06T00:00:00Z", ["2024-11-02", "2024-11-04"]],
    ["spring-forward", "2024-03-08T00:00:00Z", "2024-03-13T00:00:00Z", ["2024-03-09", "2024-03-11"]],
  ] as const
) {
  Deno.test(`trafficByPeriod() sums local days and hours exactly in every zone around the ${name} days`, async () => {
    const buckets = bucketsOf(from, to);
    const { temp, ledger } = await ledgerWith(buckets);
    await using _ = temp;
    for (const zone of ZONES) {
      // One database, grouped in each zone in turn: what a later TZ change does to old data.
      for (const unit of ["day", "hour"] as const) {
        const reference = referenceSums(buckets, zone, unit);
        const periods = trafficByPeriod(ledger, localPeriods(dates[0], dates[1], unit, zone));
        for (const p of periods) {
          const offset =
            Temporal.Instant.fromEpochMilliseconds(p.startSec * 1000).toZonedDateTimeISO(zone).offset;
          const key = unit === "day" ? p.label : `${p.label} ${offset}`;
          const want = reference.get(key) ?? { up: 0, down: 0 };
          assert.deepEqual([p.upBytes, p.downBytes], [want.up, want.down], `${zone} ${key}`);
        }
        const labels = new Set(periods.map((p) => p.label));
        const expectedCount = [...reference.keys()].filter((k) =>
          labels.has(unit === "day" ? k : k.slice(0, 16))
        );
        assert.equal(periods.length, expectedCount.length, `${zone} ${unit} count`);
      }
    }
    const nyDays = trafficByPeriod(ledger, localPeriods(dates[0], dates[1], "hour", "America/New_York"));
    assert.equal(nyDays.length, name === "fall-back" ? 24 + 25 + 24 : 24 + 23 + 24);
  });
}

Deno.test("trafficByPeriod() zero-fills and reports drops per period", async () => {
  await using temp = tempStore();
  const ledger = new TrafficLedger(temp.store);
  ledger.add(oneBucketBatch(utcSec("2024-06-01T10:15:00Z"), 5, 6, { droppedPackets: 3 }));
  await ledger.flush();
  ledger.add(oneBucketBatch(utcSec("2024-06-01T10:45:00Z"), 0, 0, { droppedPackets: 4 }));
  const hours = trafficByPeriod(ledger, localPeriods("2024-06-01", "2024-06-01", "hour", "Asia/Kolkata"));
  assert.equal(hours.length, 24);
  const flagged = hours.filter((h) => h.droppedPackets > 0).map((
    h,
  ) => [h.label, h.droppedPackets, h.upBytes, h.packets]);
  // 10:15 UTC = 15:45 IST, 10:45 UTC = 16:15 IST; each bucket counted one packet up and one down.
  assert.deepEqual(flagged, [["2024-06-01 15:00", 3, 5, 2], ["2024-06-01 16:00", 4, 0, 2]]);
  assert.equal(hours.filter((h) => h.upBytes === 0 && h.downBytes === 0).length, 23);
});

Deno.test("trafficSummary() counts local today, month and year including unsaved deltas", async () => {
  await using temp = tempStore();
  const ledger = new TrafficLedger(temp.store);
  const zone = "Asia/Kathmandu";
  ledger.add(oneBucketBatch(utcSec("2023-12-31T18:00:00Z"), 1, 1)); // 2023-12-31 23:45 local: last year
  ledger.add(oneBucketBatch(utcSec("2023-12-31T18:15:00Z"), 10, 10)); // 2024-01-01 00:00 local
  ledger.add(oneBucketBatch(utcSec("2024-02-28T18:00:00Z"), 100, 100)); // 2024-02-28 23:45 local
  await ledger.flush();
  ledger.add(oneBucketBatch(utcSec("2024-02-29T09:00:00Z"), 1000, 1000)); // today
  const summary = trafficSummary(ledger, zone, utcSec("2024-02-29T12:00:00Z"));
  assert.deepEqual(summary, {
    today: { upBytes: 1000, downBytes: 1000 },
    month: { upBytes: 1100, downBytes: 1100 },
    year: { upBytes: 1110, downBytes: 1110 },
  });
  assert.deepEqual(trafficDateRange(ledger, zone), { min: "2023-12-31", max: "2024-02-29" });
  assert.deepEqual(trafficDateRange(ledger, "UTC"), { min: "2023-12-31", max: "2024-02-29" });
});

Deno.test("allTimeTotals() splits bytes and packets by family and sums packet health", async () => {
  await using temp = tempStore();
  const ledger = new TrafficLedger(temp.store);
  ledger.add(oneBucketBatch(900, 1, 2, { family: 4, droppedPackets: 5 }));
  ledger.add(oneBucketBatch(1800, 3, 4, { family: 6 }));
  await ledger.flush();
  ledger.add(oneBucketBatch(2700, 10, 20, { family: 6, droppedPackets: 1 }));
  assert.deepEqual(allTimeTotals(ledger), {
    families: [
      { family: 4, upBytes: 1, downBytes: 2, upPackets: 1, downPackets: 1 },
      { family: 6, upBytes: 13, downBytes: 24, upPackets: 2, downPackets: 2 },
    ],
    malformedPackets: 0,
    droppedPackets: 6,
  });
});

Deno.test("traffic queries report a database damaged under them as StoreError corrupt (503, not 500)", async () => {
  await using temp = tempStore();
  const ledger = new TrafficLedger(temp.store);
  for (let i = 0; i < 50; i++) ledger.add(oneBucketBatch(utcSec("2024-06-01T00:00:00Z") + 900 * i, i, i));
  await ledger.flush();
  damageTable(temp.store, "traffic");
  const nowSec = utcSec("2024-06-01T12:00:00Z");
  const reads: [string, () => unknown][] = [
    [
      "traffic by period",
      () => trafficByPeriod(ledger, localPeriods("2024-06-01", "2024-06-01", "hour", "UTC")),
    ],
    ["traffic totals", () => trafficSummary(ledger, "UTC", nowSec)],
    ["the traffic date range", () => trafficDateRange(ledger, "UTC")],
    ["all-time totals", () => allTimeTotals(ledger)],
  ];
  for (const [what, read] of reads) {
    assert.throws(read, (e) => {
      assert.ok(e instanceof StoreError, `${what}: ${e}`);
      assert.equal(e.kind, "corrupt");
      assert.match(e.message, new RegExp(`^Cannot read ${what} from ".*": the file is damaged`));
      return true;
    });
  }
});
