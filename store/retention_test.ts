import assert from "node:assert/strict";
import { TrafficLedger } from "./traffic_ledger.ts";
import { topRemotes } from "./top_remotes.ts";
import { localPeriods } from "./local_periods.ts";
import { applyRetention, spans } from "./retention.ts";
import { allTimeTotals, trafficByPeriod } from "./traffic_queries.ts";
import { tempStore, utcSec } from "./_testing.ts";

const DAY = 86_400;

function count(ledger: TrafficLedger, table: string): number {
  return (ledger.store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
}

/** Everything a user can ask about old data, in `zone`: per local day traffic, drops and top remotes. */
function answers(ledger: TrafficLedger, zone: string, firstDate: string, lastDate: string) {
  const days = localPeriods(firstDate, lastDate, "day", zone);
  return {
    days: trafficByPeriod(ledger, days),
    months: trafficByPeriod(ledger, localPeriods(firstDate, lastDate, "month", zone)),
    remotesPerDay: days.map((d) => topRemotes(ledger, { fromSec: d.startSec, toSec: d.endSec, limit: 100 })),
    allTime: allTimeTotals(ledger),
  };
}

async function fillTenDays(ledger: TrafficLedger, startIso: string): Promise<void> {
  const start = utcSec(startIso);
  for (let i = 0; i < 10 * 96; i++) {
    const sec = start + i * 900;
    ledger.add({
      traffic: [
        {
          bucketStartSec: sec,
          family: 4,
          upBytes: i + 1,
          downBytes: 3 * i + 1,
          upPackets: 1,
          downPackets: 2,
        },
        { bucketStartSec: sec, family: 6, upBytes: 7, downBytes: i % 13, upPackets: 1, downPackets: 1 },
      ],
      remotes: [0, 1, 2].map((k) => ({
        bucketStartSec: sec,
        remoteIp: `198.51.100.${(i + k * 7) % 20}`,
        upBytes: i + k,
        downBytes: 2 * i + k,
        upPackets: 1,
        downPackets: 1,
      })),
      health: i % 2 === 0 ? [{ bucketStartSec: sec, malformedPackets: 1, droppedPackets: i }] : [],
    });
  }
  await ledger.flush();
}

for (const zone of ["Asia/Kolkata", "Asia/Kathmandu", "America/New_York"]) {
  Deno.test(`applyRetention() keeps every local-day total exact in ${zone} while shrinking old rows`, async () => {
    await using temp = tempStore({ timeZone: zone });
    const ledger = new TrafficLedger(temp.store);
    await fillTenDays(ledger, "2024-10-29T00:00:00Z"); // spans New York's fall-back day 2024-11-03
    const before = answers(ledger, zone, "2024-10-28", "2024-11-08");
    const rowsBefore = ["traffic", "bucket_health", "remote_traffic"].map((t) => count(ledger, t));
    const nowSec = utcSec("2024-11-08T00:00:00Z");

    const result = applyRetention(temp.store, { fineDays: 3, remoteDays: 2, timeZone: zone, nowSec });
    assert.ok(result.trafficRowsMerged > 0 && result.remoteRowsMerged > 0 && result.healthRowsMerged > 0);
    assert.ok(result.deviceRowsMerged > 0);
    assert.deepEqual(answers(ledger, zone, "2024-10-28", "2024-11-08"), before);
    const rowsAfter = ["traffic", "bucket_health", "remote_traffic"].map((t) => count(ledger, t));
    assert.equal(rowsAfter[0], rowsBefore[0] - result.trafficRowsMerged);
    // Old 15-minute remote rows are deleted (their day rows hold them): 2 fine days × 96 × 3 remotes are left.
    assert.equal(rowsAfter[2], 2 * 96 * 3, `remote rows ${rowsBefore[2]} → ${rowsAfter[2]}`);

    // Rolled rows start on a UTC hour (traffic) or UTC day (remotes), or at a local midnight.
    const startsOf = (table: string, beforeSec: number) =>
      (temp.store.db.prepare(`SELECT DISTINCT bucket_start AS s FROM ${table} WHERE bucket_start < ?`)
        .all(beforeSec) as { s: number }[]).map((r) => r.s);
    const isLocalMidnight = (s: number) =>
      Temporal.Instant.fromEpochMilliseconds(s * 1000).toZonedDateTimeISO(zone).toPlainTime().equals("00:00");
    for (const s of startsOf("traffic", nowSec - 3 * DAY)) {
      assert.ok(s % 3600 === 0 || isLocalMidnight(s), `${s}`);
    }
    const dayStarts = temp.store.db.prepare("SELECT DISTINCT span_start AS s FROM remote_days").all() as {
      s: number;
    }[];
    assert.ok(dayStarts.length >= 10);
    for (const { s } of dayStarts) assert.ok(isLocalMidnight(s), `${s}`);

    const again = applyRetention(temp.store, { fineDays: 3, remoteDays: 2, timeZone: zone, nowSec });
    assert.deepEqual(again, {
      trafficRowsMerged: 0,
      healthRowsMerged: 0,
      remoteRowsMerged: 0,
      deviceRowsMerged: 0,
      sealedRowsFolded: 0,
      isComplete: true,
    });
  });
}

Deno.test("applyRetention() rolls up old buckets saved after an earlier pass (a pcap import of last month)", async () => {
  await using temp = tempStore({ timeZone: "Asia/Kolkata" });
  const ledger = new TrafficLedger(temp.store);
  const options = {
    fineDays: 3,
    remoteDays: 2,
    timeZone: "Asia/Kolkata",
    nowSec: utcSec("2024-12-01T00:00:00Z"),
  };
  await fillTenDays(ledger, "2024-11-20T00:00:00Z");
  applyRetention(temp.store, options);
  await fillTenDays(ledger, "2024-10-01T00:00:00Z");
  const before = answers(ledger, options.timeZone, "2024-09-30", "2024-12-01");
  const result = applyRetention(temp.store, options);
  assert.ok(result.trafficRowsMerged > 10 * 96, `merged ${result.trafficRowsMerged}`);
  assert.deepEqual(answers(ledger, options.timeZone, "2024-09-30", "2024-12-01"), before);
});

Deno.test("applyRetention() works through a backlog in bounded passes with the same result", async () => {
  const zone = "Asia/Kathmandu";
  await using temp = tempStore({ timeZone: zone });
  const ledger = new TrafficLedger(temp.store);
  await fillTenDays(ledger, "2024-10-29T00:00:00Z");
  const before = answers(ledger, zone, "2024-10-28", "2024-11-08");
  const options = {
    fineDays: 1,
    remoteDays: 1,
    timeZone: zone,
    nowSec: utcSec("2024-11-08T00:00:00Z"),
    maxDays: 3,
  };
  const passes = [];
  for (let pass = 0; pass < 10; pass++) {
    passes.push(applyRetention(temp.store, options).isComplete);
    if (passes.at(-1)) break;
  }
  // The backlog is the 9 UTC days 2024-10-29..2024-11-06 of 15-minute rows, and the 10 ended local days
  // 2024-10-29..2024-11-07 of day rows to seal: 3 days a pass.
  assert.deepEqual(passes, [false, false, false, true]);
  assert.deepEqual(answers(ledger, zone, "2024-10-28", "2024-11-08"), before);
});

Deno.test("applyRetention() with 0 days keeps all detail", async () => {
  await using temp = tempStore();
  const ledger = new TrafficLedger(temp.store);
  await fillTenDays(ledger, "2024-10-29T00:00:00Z");
  const result = applyRetention(temp.store, {
    fineDays: 0,
    remoteDays: 0,
    timeZone: "UTC",
    nowSec: utcSec("2025-10-01T00:00:00Z"),
  });
  assert.deepEqual(result, {
    trafficRowsMerged: 0,
    healthRowsMerged: 0,
    remoteRowsMerged: 0,
    deviceRowsMerged: 0,
    sealedRowsFolded: 0,
    isComplete: true,
  });
  assert.equal(count(ledger, "traffic"), 2 * 10 * 96);
});

Deno.test("spans() splits UTC hours and days at the local midnight of half-hour zones", () => {
  const from = utcSec("2024-06-01T17:00:00Z");
  assert.deepEqual(spans(from, from + 3 * 3600, 3600, "Asia/Kolkata"), [
    [from, from + 3600],
    [from + 3600, from + 3600 + 1800],
    [from + 3600 + 1800, from + 2 * 3600],
    [from + 2 * 3600, from + 3 * 3600],
  ]);
  const day = utcSec("2024-06-01T00:00:00Z");
  assert.deepEqual(spans(day, day + DAY, DAY, "Asia/Kathmandu"), [
    [day, utcSec("2024-06-01T18:15:00Z")],
    [utcSec("2024-06-01T18:15:00Z"), day + DAY],
  ]);
  assert.deepEqual(spans(day, day + DAY, DAY, "UTC"), [[day, day + DAY]]);
});
