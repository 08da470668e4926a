import assert from "node:assert/strict";
import type { TrafficBatch } from "../capture/mod.ts";
import { tempStore, utcSec } from "./_testing.ts";
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
