import assert from "node:assert/strict";
import { SEALED_TABLES, sealedMonthsUntil, sealSpan } from "./history_rollup.ts";
import { planSpans } from "./history_spans.ts";
import { localDateOf, localDayStartSec } from "./local_periods.ts";
import { oneBucketBatch, tempStore, utcSec } from "./_testing.ts";
import { applyRetention } from "./retention.ts";
import { topRemotes } from "./top_remotes.ts";
import { TrafficLedger } from "./traffic_ledger.ts";

/** Deterministic PRNG (mulberry32): the seed is printed so a failing run can be repeated. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(Deno.env.get("NETLEDGER_FUZZ_SEED") ?? Date.now() % 1_000_000);

Deno.test(`sealSpan() keeps the K heaviest per span and device and the sums exactly (seed ${SEED})`, async () => {
  await using temp = tempStore();
  const db = temp.store.db;
  const next = random(SEED);
  const table = SEALED_TABLES.find((t) => t.name === "device_remote_days")!;
  const span = utcSec("2025-03-01T00:00:00Z");
  const insert = db.prepare(
    "INSERT INTO device_remote_days VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
  );
  for (let i = 0; i < 2000; i++) {
    const device = Math.floor(next() * 4);
    const remote = Math.floor(next() * 300);
    insert.run(span, device, remote, Math.floor(next() * 1e6), Math.floor(next() * 1e3), 1 + i % 3, 2);
  }
  insert.run(span + 86_400, 1, 7, 5, 5, 1, 1); // another span: untouched
  const sums = () =>
    db.prepare(
      `SELECT span_start, device_id, sum(up_bytes) AS u, sum(down_bytes) AS d, sum(up_packets) AS up,
       sum(down_packets) AS dp, count(*) AS n FROM device_remote_days GROUP BY 1, 2 ORDER BY 1, 2`,
    ).all().map((r) => ({ ...r }) as Record<string, number>);
  const heaviest = (device: number) =>
    db.prepare(
      `SELECT remote_id FROM device_remote_days WHERE span_start = ? AND device_id = ? AND remote_id != 0
       ORDER BY up_bytes + down_bytes DESC, remote_id LIMIT ?`,
    ).all(span, device, table.keep).map((r) => (r as { remote_id: number }).remote_id);
  const before = sums();
  const keptBefore = [0, 1, 2, 3].map(heaviest);
  const folded = sealSpan(db, table, span);
  const after = sums();
  assert.ok(folded > 0);
  assert.deepEqual(after.map(({ n: _, ...s }) => s), before.map(({ n: _, ...s }) => s));
  for (const s of after.filter((s) => s.span_start === span)) assert.equal(s.n, table.keep + 1);
  assert.deepEqual([0, 1, 2, 3].map(heaviest), keptBefore);
  assert.equal(sealSpan(db, table, span), 0, "sealing again folds nothing");
});

Deno.test(`planSpans() tiles any range exactly with whole months, whole days and edges (seed ${SEED})`, () => {
  const next = random(SEED + 1);
  for (const zone of ["UTC", "Asia/Kathmandu", "America/New_York", "Australia/Lord_Howe"]) {
    for (let i = 0; i < 200; i++) {
      const from = utcSec("2024-01-01T00:00:00Z") + Math.floor(next() * 400) * 86_400 +
        Math.floor(next() * 96) * 900;
      const to = from + Math.floor(next() * 200 * 96) * 900;
      const sealed = utcSec("2024-01-01T00:00:00Z") + Math.floor(next() * 500) * 86_400;
      const plan = planSpans(from, to, zone, localDayStartSec(sealed, zone));
      const pieces = [...plan.months, ...plan.days, ...plan.fine].sort((a, b) => a[0] - b[0]);
      if (from === to) {
        assert.deepEqual(pieces, []);
        continue;
      }
      assert.equal(pieces[0][0], from);
      assert.equal(pieces.at(-1)![1], to);
      for (let k = 1; k < pieces.length; k++) assert.equal(pieces[k][0], pieces[k - 1][1], "contiguous");
      for (const [a, b] of [...plan.days, ...plan.months]) {
        assert.equal(localDayStartSec(a, zone), a, `${zone}: a day piece starts at local midnight`);
        assert.equal(localDayStartSec(b, zone), b);
      }
      for (const [a] of plan.months) assert.ok(localDateOf(a, zone).endsWith("-01"));
      for (const [, b] of plan.months) assert.ok(b <= localDayStartSec(sealed, zone));
    }
  }
});

Deno.test("a month's rows are made from its day rows when it is sealed, and made again after a late write", async () => {
  await using temp = tempStore({ timeZone: "UTC" });
  const ledger = new TrafficLedger(temp.store, { timeZone: "UTC" });
  const db = temp.store.db;
  const jan = utcSec("2026-01-01T00:00:00Z");
  const feb = utcSec("2026-02-01T00:00:00Z");
  const mar = utcSec("2026-03-01T00:00:00Z");
  // 40 days from 10 January, three remotes a day: January, February and running March.
  for (let day = 0; day < 60; day++) {
    for (const [i, ip] of ["198.51.100.1", "198.51.100.2", `203.0.113.${day}`].entries()) {
      ledger.add(
        oneBucketBatch(jan + (9 + day) * 86_400 + i * 900, 1000 * (i + 1) + day, 7, { remoteIp: ip }),
      );
    }
  }
  assert.equal((await ledger.flush()).isSaved, true);
  const monthRows = (span: number) =>
    db.prepare("SELECT count(*) AS n, sum(up_bytes) AS up FROM remote_months WHERE span_start = ?").get(
      span,
    ) as {
      n: number;
      up: number | null;
    };
  const daySum = (from: number, to: number) =>
    (db.prepare("SELECT sum(up_bytes) AS up FROM remote_days WHERE span_start >= ? AND span_start < ?").get(
      from,
      to,
    ) as { up: number }).up;
  assert.equal(monthRows(jan).n, 0, "the flush writes no month rows");
  const retention = { fineDays: 0, remoteDays: 7, timeZone: "UTC", nowSec: utcSec("2026-03-15T00:00:00Z") };
  const retain = () => {
    let passes = 0;
    while (!applyRetention(temp.store, retention).isComplete) assert.ok(++passes < 20, "retention ends");
  };
  retain();
  assert.deepEqual([monthRows(jan).up, monthRows(feb).up], [daySum(jan, feb), daySum(feb, mar)]);
  assert.equal(monthRows(mar).n, 0, "a running month has no rows");
  const allTime = () =>
    topRemotes(ledger, { limit: 100 }).remotes.find((r) => r.remoteIp === "198.51.100.1")!;
  const before = allTime().upBytes;
  // A late write into January (a pcap import of old traffic) makes January again, counted once.
  ledger.add(oneBucketBatch(jan + 20 * 86_400, 5_000, 0, { remoteIp: "198.51.100.1" }));
  assert.equal((await ledger.flush()).isSaved, true);
  retain();
  assert.deepEqual([monthRows(jan).up, monthRows(feb).up], [daySum(jan, feb), daySum(feb, mar)]);
  assert.equal(allTime().upBytes, before + 5_000);
  assert.equal(sealedMonthsUntil(db), mar);
});
