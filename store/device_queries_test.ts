import assert from "node:assert/strict";
import type { TrafficBatch } from "../capture/mod.ts";
import { openStore } from "./db.ts";
import { deviceById, deviceIps, devicesOfSpan, OTHER_DEVICE_ID, setDeviceName } from "./device_queries.ts";
import { localPeriods } from "./local_periods.ts";
import { MIGRATIONS } from "./migrations.ts";
import { applyRetention } from "./retention.ts";
import { TrafficLedger } from "./traffic_ledger.ts";
import { trafficByPeriod, trafficTotal } from "./traffic_queries.ts";
import { tempStore, utcSec } from "./_testing.ts";

const T0 = utcSec("2026-03-02T10:00:00Z");
const PHONE = "3c:22:fb:00:00:07";
const RANDOM = "da:a1:19:00:00:01";
const ROUTER = "00:11:22:33:44:55";

/** One bucket: `parts` of [device key, up, down] and the traffic they add up to (IPv4), with addresses. */
function batch(
  startSec: number,
  parts: readonly [string, number, number][],
  ips: [string, string][] = [],
): TrafficBatch {
  const up = parts.reduce((n, p) => n + p[1], 0);
  const down = parts.reduce((n, p) => n + p[2], 0);
  return {
    traffic: [{
      bucketStartSec: startSec,
      family: 4,
      upBytes: up,
      downBytes: down,
      upPackets: 2,
      downPackets: 2,
    }],
    remotes: [],
    health: [],
    devices: parts.map(([deviceKey, upBytes, downBytes]) => ({
      bucketStartSec: startSec,
      deviceKey,
      upBytes,
      downBytes,
      upPackets: 1,
      downPackets: 1,
    })),
    deviceAddresses: ips.map(([deviceKey, ip]) => ({
      deviceKey,
      ip,
      firstSeenSec: startSec,
      lastSeenSec: startSec + 5,
    })),
  };
}

function assertAddsUp(ledger: TrafficLedger, fromSec: number, toSec: number): void {
  const { devices, other } = devicesOfSpan(ledger, fromSec, toSec);
  const total = trafficTotal(ledger, fromSec, toSec);
  assert.equal(devices.reduce((n, d) => n + d.upBytes, other.upBytes), total.upBytes);
  assert.equal(devices.reduce((n, d) => n + d.downBytes, other.downBytes), total.downBytes);
}

Deno.test("devicesOfSpan() lists unsaved devices with id null, saved ones by id, and adds up to the total", async () => {
  await using temp = tempStore();
  const ledger = new TrafficLedger(temp.store);
  ledger.add(batch(T0, [[PHONE, 100, 1000], [RANDOM, 5, 50], ["other", 1, 2]], [[PHONE, "192.168.1.20"], [
    PHONE,
    "2001:db8:1:100::aa",
  ], [RANDOM, "192.168.1.30"]]));
  const before = devicesOfSpan(ledger, T0, T0 + 900);
  assert.deepEqual(before.devices.map((d) => [d.id, d.key, d.upBytes, d.downBytes]), [
    [null, PHONE, 100, 1000],
    [null, RANDOM, 5, 50],
  ]);
  assert.deepEqual(before.other, { upBytes: 1, downBytes: 2 });
  assert.equal(before.devices[1].isLocallyAdministered, true);
  assertAddsUp(ledger, T0, T0 + 900);

  await ledger.flush();
  ledger.add(batch(T0 + 900, [[PHONE, 7, 70]], [[PHONE, "2001:db8:1:100::bb"]]));
  const after = devicesOfSpan(ledger, T0, T0 + 1800);
  const phone = after.devices[0];
  assert.equal(phone.key, PHONE);
  assert.ok(phone.id !== null && phone.id > OTHER_DEVICE_ID);
  assert.deepEqual([phone.upBytes, phone.downBytes], [107, 1070]);
  assert.deepEqual(phone.ips.map((i) => i.ip), ["2001:db8:1:100::bb", "192.168.1.20", "2001:db8:1:100::aa"]);
  assert.deepEqual([phone.firstSeenSec, phone.lastSeenSec], [T0, T0 + 905]);
  assert.equal(after.devices[1].isLocallyAdministered, true);
  assert.equal(phone.isLocallyAdministered, false);
  assertAddsUp(ledger, T0, T0 + 1800);
  assert.deepEqual(deviceIps(ledger, phone.id!).map((i) => i.ip), [
    "2001:db8:1:100::bb",
    "192.168.1.20",
    "2001:db8:1:100::aa",
  ]);

  const days = localPeriods("2026-03-02", "2026-03-02", "hour", "UTC");
  const series = trafficByPeriod(ledger, days, { id: phone.id!, key: PHONE });
  assert.deepEqual(
    series.filter((p) => p.upBytes > 0).map((p) => [p.label, p.upBytes, p.downBytes, p.packets]),
    [
      ["2026-03-02 10:00", 107, 1070, 4],
    ],
  );
});

Deno.test("setDeviceName() names a saved device with source user, clears it with null, refuses other", async () => {
  await using temp = tempStore();
  const ledger = new TrafficLedger(temp.store);
  ledger.add(batch(T0, [[PHONE, 1, 1]]));
  await ledger.flush();
  const id = devicesOfSpan(ledger, T0, T0 + 900).devices[0].id!;
  assert.equal(setDeviceName(ledger, id, "Anna's phone"), true);
  assert.deepEqual([deviceById(ledger, id)?.name, deviceById(ledger, id)?.nameSource], [
    "Anna's phone",
    "user",
  ]);
  assert.equal(setDeviceName(ledger, id, null), true);
  assert.deepEqual([deviceById(ledger, id)?.name, deviceById(ledger, id)?.nameSource], [null, null]);
  assert.equal(setDeviceName(ledger, OTHER_DEVICE_ID, "x"), false);
  assert.equal(setDeviceName(ledger, 9999, "x"), false);
  assert.equal(deviceById(ledger, 9999), null);
});

Deno.test("A MAC with IPv4 addresses of three subnets is flagged as probably a router, and stays one device", async () => {
  await using temp = tempStore();
  const ledger = new TrafficLedger(temp.store);
  ledger.add(batch(T0, [[ROUTER, 10, 10], [PHONE, 1, 1]], [
    [ROUTER, "192.168.2.10"],
    [ROUTER, "192.168.2.11"],
    [ROUTER, "192.168.3.10"],
    [PHONE, "192.168.1.20"],
    [PHONE, "192.168.1.21"],
  ]));
  await ledger.flush();
  assert.deepEqual(devicesOfSpan(ledger, T0, T0 + 900).devices.map((d) => [d.key, d.isProbablyRouter]), [
    [ROUTER, false],
    [PHONE, false],
  ]);
  ledger.add(batch(T0 + 900, [[ROUTER, 10, 10]], [[ROUTER, "10.9.0.4"]]));
  await ledger.flush();
  const { devices } = devicesOfSpan(ledger, T0, T0 + 1800);
  assert.deepEqual(devices.map((d) => [d.key, d.isProbablyRouter, d.ips.length]), [
    [ROUTER, true, 4],
    [PHONE, false, 2],
  ]);
});

Deno.test("The devices migration gives the history counted before it to the other device, exactly", async () => {
  await using old = tempStore({ migrations: MIGRATIONS.slice(0, 3) });
  old.store.db.exec(
    `INSERT INTO traffic (bucket_start, family, up_bytes, down_bytes, up_packets, down_packets)
    VALUES (${T0}, 4, 10, 20, 1, 2), (${T0}, 6, 1, 2, 1, 1), (${T0 + 900}, 4, 5, 6, 1, 1)`,
  );
  old.store.close();
  using migrated = openStore(old.path, { log: () => {} });
  const ledger = new TrafficLedger(migrated);
  const { devices, other } = devicesOfSpan(ledger, 0, T0 + 1800);
  assert.deepEqual(devices, []);
  assert.deepEqual(other, { upBytes: 16, downBytes: 28 });
  assertAddsUp(ledger, T0, T0 + 900);
});

Deno.test("applyRetention() rolls device rows into days whose sums are the fine rows' sums", async () => {
  await using temp = tempStore();
  const ledger = new TrafficLedger(temp.store);
  const start = utcSec("2026-01-01T00:00:00Z");
  for (let i = 0; i < 3 * 96; i++) {
    ledger.add(batch(start + i * 900, [[PHONE, i, 2 * i], [RANDOM, 1, i % 7], ["other", 3, 0]]));
  }
  await ledger.flush();
  const days = localPeriods("2026-01-01", "2026-01-03", "day", "Asia/Kolkata");
  const spanOf = (d: (typeof days)[number]) => devicesOfSpan(ledger, d.startSec, d.endSec);
  const before = days.map(spanOf);
  const count = () =>
    (temp.store.db.prepare("SELECT count(*) AS n FROM device_traffic").get() as { n: number }).n;
  const rowsBefore = count();
  const result = applyRetention(temp.store, {
    fineDays: 0,
    remoteDays: 1,
    timeZone: "Asia/Kolkata",
    nowSec: utcSec("2026-01-05T00:00:00Z"),
  });
  assert.ok(result.deviceRowsMerged > 0);
  assert.equal(count(), rowsBefore - result.deviceRowsMerged);
  assert.deepEqual(days.map(spanOf), before);
  for (const d of days) assertAddsUp(ledger, d.startSec, d.endSec);
});
