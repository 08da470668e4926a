import assert from "node:assert/strict";
import type { TrafficBatch } from "../capture/mod.ts";
import { tempStore, utcSec } from "./_testing.ts";
import {
  buildMonthRows,
  pruneRemoteIps,
  SEALED_TABLES,
  sealedMonthsUntil,
  sealSpan,
} from "./history_rollup.ts";
import { SpanCalendar } from "./history_spans.ts";
import { applyRetention } from "./retention.ts";
import { hostnamesOf, pruneServiceHosts, servicesOfSpan } from "./service_queries.ts";
import { TrafficLedger } from "./traffic_ledger.ts";

const PHONE = "3c:22:fb:00:00:07";
const T = utcSec("2026-03-10T10:00:00Z");
const DAY = { fromSec: utcSec("2026-03-10T00:00:00Z"), toSec: utcSec("2026-03-11T00:00:00Z") };

function row(deviceKey: string, service: string, host: string, up: number, down: number) {
  return {
    bucketStartSec: T,
    deviceKey,
    service,
    host,
    upBytes: up,
    downBytes: down,
    upPackets: 1,
    downPackets: 1,
  };
}

/** A bucket of 10,000 up / 20,000 down: the phone's 6,000 / 12,000, the rest the "other" device's. */
const BATCH: TrafficBatch = {
  traffic: [{
    bucketStartSec: T,
    family: 4,
    upBytes: 10_000,
    downBytes: 20_000,
    upPackets: 6,
    downPackets: 6,
  }],
  remotes: [],
  health: [],
  devices: [
    { bucketStartSec: T, deviceKey: PHONE, upBytes: 6_000, downBytes: 12_000, upPackets: 4, downPackets: 4 },
    { bucketStartSec: T, deviceKey: "other", upBytes: 4_000, downBytes: 8_000, upPackets: 2, downPackets: 2 },
  ],
  services: [
    row(PHONE, "googlevideo.com", "rr3---sn-abc.googlevideo.com", 1_000, 9_000),
    row(PHONE, "example.com", "www.example.com", 2_000, 1_000),
    row(PHONE, "(unknown)", "(unknown)", 3_000, 2_000),
    row("other", "example.com", "cdn.example.com", 500, 500),
    row("other", "(other)", "(other)", 3_500, 7_500),
  ],
  remoteHosts: [{
    remoteIp: "203.0.113.7",
    host: "www.example.com",
    service: "example.com",
    lastSeenSec: T + 5,
  }],
};

function partsSum(s: ReturnType<typeof servicesOfSpan>) {
  let up = s.unknown.upBytes + s.other.upBytes;
  let down = s.unknown.downBytes + s.other.downBytes;
  for (const x of s.services) {
    up += x.upBytes;
    down += x.downBytes;
  }
  return [up, down];
}

Deno.test("servicesOfSpan: parts add up to the total, unsaved and saved alike, box and device", async () => {
  await using temp = tempStore();
  const ledger = new TrafficLedger(temp.store, { timeZone: "UTC" });
  ledger.add(BATCH);
  for (const phase of ["unsaved", "saved"]) {
    if (phase === "saved") assert.equal((await ledger.flush()).isSaved, true);
    const box = servicesOfSpan(ledger, { ...DAY, deviceId: null, limit: 10, hostLimit: 5 });
    assert.deepEqual(box.services.map((s) => [s.name, s.upBytes, s.downBytes]), [
      ["googlevideo.com", 1_000, 9_000],
      ["example.com", 2_500, 1_500],
    ], phase);
    assert.deepEqual(box.services[1].hosts, [
      { name: "www.example.com", totalBytes: 3_000 },
      { name: "cdn.example.com", totalBytes: 1_000 },
    ]);
    assert.deepEqual([box.unknown.upBytes, box.unknown.downBytes], [3_000, 2_000], phase);
    assert.deepEqual(partsSum(box), [10_000, 20_000], phase);
    const top1 = servicesOfSpan(ledger, { ...DAY, deviceId: null, limit: 1, hostLimit: 5 });
    assert.deepEqual(partsSum(top1), [10_000, 20_000], phase);
    assert.deepEqual([top1.other.upBytes, top1.other.downBytes], [6_000, 9_000]);
    assert.deepEqual(
      hostnamesOf(ledger, ["203.0.113.7", "198.51.100.1"], DAY.fromSec, DAY.toSec),
      new Map([["203.0.113.7", "www.example.com"]]),
    );
  }
  const id = Number(
    (temp.store.db.prepare("SELECT id FROM devices WHERE key = ?").get(PHONE) as { id: number }).id,
  );
  const phone = servicesOfSpan(ledger, { ...DAY, deviceId: id, limit: 10, hostLimit: 5 });
  assert.deepEqual(phone.services.map((s) => [s.name, s.upBytes + s.downBytes]), [
    ["googlevideo.com", 10_000],
    ["example.com", 3_000],
  ]);
  assert.deepEqual(phone.services[1].hosts, [{ name: "www.example.com", totalBytes: 3_000 }]);
  assert.deepEqual(partsSum(phone), [6_000, 12_000]);
  assert.deepEqual([phone.unknown.upBytes, phone.unknown.downBytes], [3_000, 2_000]);
  // remote_host_days keys by the remote_ips id: the dictionary keeps the ids it references.
  assert.equal(pruneRemoteIps(temp.store, T + 10 * 86_400), 0);
  assert.equal(
    hostnamesOf(ledger, ["203.0.113.7"], DAY.fromSec, DAY.toSec).get("203.0.113.7"),
    "www.example.com",
  );
  // Past SERVICE_RETENTION_DAYS the host names go; the service bytes stay.
  assert.ok(pruneServiceHosts(ledger, 90, T + 91 * 86_400) > 0);
  const later = servicesOfSpan(ledger, { ...DAY, deviceId: null, limit: 10, hostLimit: 5 });
  assert.deepEqual(later.services.map((s) => [s.name, s.hosts.length]), [["googlevideo.com", 0], [
    "example.com",
    0,
  ]]);
  assert.deepEqual(partsSum(later), [10_000, 20_000]);
  assert.equal(hostnamesOf(ledger, ["203.0.113.7"], DAY.fromSec, DAY.toSec).size, 0);
});

/** 75 days from 2026-01-01 UTC, one bucket a day: 8 services of varying weight (5 a day), the rest unknown. */
function historyBatches(): TrafficBatch[] {
  const start = utcSec("2026-01-01T10:00:00Z");
  return Array.from({ length: 75 }, (_, d) => {
    const bucketStartSec = start + d * 86_400;
    const services = Array.from({ length: 5 }, (_, i) => {
      const n = (d + i) % 8;
      return {
        ...row(PHONE, `s${n}.example`, `www.s${n}.example`, 100 * (n + 1), 1_000 * ((d * n) % 7 + 1)),
        bucketStartSec,
      };
    });
    const named = services.reduce((a, r) => [a[0] + r.upBytes, a[1] + r.downBytes], [0, 0]);
    const total = { upBytes: named[0] + 1_234, downBytes: named[1] + 4_321, upPackets: 9, downPackets: 9 };
    return {
      traffic: [{ bucketStartSec, family: 4, ...total }],
      remotes: [],
      health: [],
      devices: [{ bucketStartSec, deviceKey: PHONE, ...total }],
      services,
    } as TrafficBatch;
  });
}

Deno.test("servicesOfSpan: an all-time answer is the same from day and month rows after sealing and deleting the 15-minute rows", async () => {
  await using temp = tempStore({ timeZone: "UTC" });
  const ledger = new TrafficLedger(temp.store, { timeZone: "UTC" });
  for (const batch of historyBatches()) ledger.add(batch);
  assert.equal((await ledger.flush()).isSaved, true);
  const db = temp.store.db;
  const deviceId = Number(
    (db.prepare("SELECT id FROM devices WHERE key = ?").get(PHONE) as { id: number }).id,
  );
  const range = {
    fromSec: utcSec("2026-01-01T00:00:00Z"),
    toSec: utcSec("2026-03-17T00:00:00Z"),
    hostLimit: 0,
  };
  const box = (limit: number) => servicesOfSpan(ledger, { ...range, deviceId: null, limit });
  const phone = (limit: number) => servicesOfSpan(ledger, { ...range, deviceId, limit });
  const before = [box(10), box(3), phone(10)];
  assert.equal(before[0].services.length, 8);
  assert.deepEqual(partsSum(before[0]), [before[0].total.upBytes, before[0].total.downBytes]);
  const count = (table: string) =>
    (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  assert.equal(count("service_traffic"), 75 * 5);

  const retention = {
    fineDays: 0,
    remoteDays: 30,
    timeZone: "UTC",
    nowSec: utcSec("2027-01-01T00:00:00Z"),
  };
  for (let pass = 0; pass < 20 && !applyRetention(temp.store, retention).isComplete; pass++);
  assert.equal(count("service_traffic"), 0, "15-minute service rows go after RETENTION_REMOTE_DAYS");
  const sealedUntil = sealedMonthsUntil(db, "service_months");
  assert.equal(sealedUntil, utcSec("2027-01-01T00:00:00Z"));
  assert.deepEqual([box(10), box(3), phone(10)], before);
  // The months January and February are answered from their month rows: without their day rows, the same.
  db.prepare("DELETE FROM service_days WHERE span_start < ?").run(utcSec("2026-03-01T00:00:00Z"));
  assert.deepEqual([box(10), box(3)], before.slice(0, 2));
});

Deno.test("sealing the service tables to a small K folds into service_id 0 and keeps every part exact", async () => {
  await using temp = tempStore({ timeZone: "UTC" });
  const ledger = new TrafficLedger(temp.store, { timeZone: "UTC" });
  for (const batch of historyBatches()) ledger.add(batch);
  assert.equal((await ledger.flush()).isSaved, true);
  const db = temp.store.db;
  const deviceId = Number(
    (db.prepare("SELECT id FROM devices WHERE key = ?").get(PHONE) as { id: number }).id,
  );
  const range = {
    fromSec: utcSec("2026-01-01T00:00:00Z"),
    toSec: utcSec("2026-03-17T00:00:00Z"),
    hostLimit: 0,
  };
  const answer = () => [
    servicesOfSpan(ledger, { ...range, deviceId: null, limit: 10 }),
    servicesOfSpan(ledger, { ...range, deviceId, limit: 10 }),
  ];
  const sums = (table: string, outer: string) =>
    db.prepare(
      `SELECT span_start, ${outer} AS o, sum(up_bytes) AS u, sum(down_bytes) AS d, sum(up_packets) AS up,
       sum(down_packets) AS dp FROM ${table} GROUP BY 1, 2 ORDER BY 1, 2`,
    ).all().map((r) => ({ ...r }));
  const before = answer();
  for (const name of ["service_days", "service_months", "device_service_days"]) {
    const table = { ...SEALED_TABLES.find((t) => t.name === name)!, keep: 2 };
    assert.equal(table.id, "service_id");
    const outer = table.outer[0] ?? "0";
    if (table.source !== undefined) {
      // A month's rows are made from its (sealed) day rows when it is sealed: they sum to them exactly.
      const calendar = new SpanCalendar("UTC");
      const days = db.prepare(`SELECT DISTINCT span_start AS s FROM ${table.source}`).all() as {
        s: number;
      }[];
      for (const month of new Set(days.map(({ s }) => calendar.monthStartOf(s)))) {
        buildMonthRows(db, table, month, calendar.monthStartOf(month + 32 * 86_400));
      }
      const total = (t: string) =>
        db.prepare(`SELECT sum(up_bytes) AS u, sum(down_bytes) AS d FROM ${t}`).get();
      assert.deepEqual({ ...total(name) }, { ...total(table.source) }, `${name} made from ${table.source}`);
    }
    const spans = db.prepare(`SELECT DISTINCT span_start AS s FROM ${name}`).all() as { s: number }[];
    const sumsBefore = sums(name, outer);
    let folded = 0;
    for (const { s } of spans) folded += sealSpan(db, table, s);
    assert.ok(folded > 0, name);
    assert.deepEqual(sums(name, outer), sumsBefore, `${name}: every span's sums unchanged`);
    const most = db.prepare(
      `SELECT max(n) AS n FROM (SELECT ${outer} AS o, count(*) AS n FROM ${name} WHERE service_id != 0 GROUP BY span_start, o)`,
    ).get() as { n: number };
    assert.equal(most.n, 2, name);
  }
  // Fine rows gone: the box's answer comes from the sealed day rows.
  db.exec("DELETE FROM service_traffic");
  const after = answer();
  for (const [i, a] of after.entries()) {
    assert.deepEqual(a.total, before[i].total);
    assert.deepEqual(a.unknown, before[i].unknown, "unknown is not what sealing folds");
    assert.deepEqual(partsSum(a), [a.total.upBytes, a.total.downBytes]);
    assert.ok(a.other.upBytes + a.other.downBytes > 0, "the folded bytes are in other");
  }
});
