import assert from "node:assert/strict";
import { parseIp } from "./ip_prefix.ts";
import { DeviceKind } from "./device_kind.ts";
import {
  type DeviceCredit,
  NO_DEVICE_ROW,
  NO_NAME_STAMP,
  RemoteTable,
  type ServiceCredit,
} from "./remote_table.ts";
import { MAX_DEVICE_ROWS } from "./device_table.ts";
import { seededRandom } from "../tests/helpers/netledger_rig.ts";
import { BUCKET_SEC } from "./types.ts";

/**
 * Adds a packet of the device with MAC 02:00:00:00:00:<mac> (0: no device) from its local IPv4 address
 * word `local` (0: none), and returns the row's slot.
 */
function add(
  table: RemoteTable,
  bucketStartSec: number,
  ip: string,
  isUpload: boolean,
  bytes: number,
  mac = 0,
  local = 0,
): number {
  const { family, words } = parseIp(ip);
  const kind = mac === 0 ? DeviceKind.NONE : DeviceKind.MAC;
  const [w0, w1, w2, w3] = words;
  return table.add(
    bucketStartSec / BUCKET_SEC,
    family,
    w0,
    w1,
    w2,
    w3,
    kind,
    local === 0 ? 0 : 4,
    mac === 0 ? 0 : 0x0200,
    mac,
    local,
    0,
    0,
    0,
    isUpload,
    bytes,
  );
}

Deno.test("RemoteTable counts up and down per bucket and address, then drains empty", () => {
  const table = new RemoteTable();
  add(table, 900, "203.0.113.9", true, 100);
  add(table, 900, "203.0.113.9", false, 1500);
  add(table, 900, "203.0.113.9", false, 40);
  add(table, 1800, "203.0.113.9", true, 60);
  add(table, 900, "2001:db8::9", true, 80);
  const rows = table.drain().remotes.sort((a, b) =>
    a.bucketStartSec - b.bucketStartSec || a.remoteIp.localeCompare(b.remoteIp)
  );
  assert.deepEqual(rows, [
    { bucketStartSec: 900, remoteIp: "2001:db8::9", upBytes: 80, downBytes: 0, upPackets: 1, downPackets: 0 },
    {
      bucketStartSec: 900,
      remoteIp: "203.0.113.9",
      upBytes: 100,
      downBytes: 1540,
      upPackets: 1,
      downPackets: 2,
    },
    {
      bucketStartSec: 1800,
      remoteIp: "203.0.113.9",
      upBytes: 60,
      downBytes: 0,
      upPackets: 1,
      downPackets: 0,
    },
  ]);
  assert.equal(table.size, 0);
  assert.deepEqual(table.drain(), { remotes: [], deviceRemotes: [] });
});

Deno.test("RemoteTable keeps at most maxEntries rows and keeps the heaviest when full", () => {
  const table = new RemoteTable(8);
  for (let i = 1; i <= 3; i++) add(table, 0, `203.0.113.${i}`, true, 1_000_000 * i);
  let maxSize = 0;
  for (let i = 1; i <= 5000; i++) {
    add(table, 0, `2001:db8:ff::${i.toString(16)}`, false, 40 + (i % 7));
    maxSize = Math.max(maxSize, table.size);
  }
  assert.equal(maxSize, 8);
  assert.ok(table.compactions > 0);
  const heavy = table.drain().remotes.filter((r) => r.upBytes >= 1_000_000).map((
    r,
  ) => [r.remoteIp, r.upBytes]);
  assert.deepEqual(heavy.sort(), [["203.0.113.1", 1_000_000], ["203.0.113.2", 2_000_000], [
    "203.0.113.3",
    3_000_000,
  ]]);
});

Deno.test("RemoteTable grows past its initial size without losing rows", () => {
  const table = new RemoteTable(10_000);
  for (let i = 0; i < 9000; i++) add(table, 0, `2001:db8::${i.toString(16)}`, true, i);
  const rows = table.drain().remotes;
  assert.equal(rows.length, 9000);
  assert.equal(rows.reduce((sum, r) => sum + r.upBytes, 0), (8999 * 9000) / 2);
});

Deno.test("RemoteTable rejects a bound below 2", () => {
  assert.throws(() => new RemoteTable(1), RangeError);
});

Deno.test("RemoteTable keys rows by device too, and sums a remote over its devices", () => {
  const table = new RemoteTable();
  add(table, 900, "203.0.113.9", true, 100, 1);
  add(table, 900, "203.0.113.9", false, 30, 2);
  add(table, 900, "203.0.113.9", false, 5, 1);
  add(table, 900, "198.51.100.7", true, 7);
  const { remotes, deviceRemotes } = table.drain();
  const byKey = (rows: { remoteIp: string; deviceKey?: string }[]) =>
    rows.map((r) => `${r.deviceKey ?? "-"} ${r.remoteIp}`).sort();
  assert.deepEqual(byKey(remotes), ["- 198.51.100.7", "- 203.0.113.9"]);
  assert.deepEqual(remotes.find((r) => r.remoteIp === "203.0.113.9"), {
    bucketStartSec: 900,
    remoteIp: "203.0.113.9",
    upBytes: 100,
    downBytes: 35,
    upPackets: 1,
    downPackets: 2,
  });
  assert.deepEqual(byKey(deviceRemotes), [
    " 198.51.100.7",
    "02:00:00:00:00:01 203.0.113.9",
    "02:00:00:00:00:02 203.0.113.9",
  ]);
  const first = deviceRemotes.find((r) => r.deviceKey === "02:00:00:00:00:01")!;
  assert.deepEqual([first.upBytes, first.downBytes, first.upPackets, first.downPackets], [100, 5, 1, 1]);
});

Deno.test("RemoteTable rows keep the device and service rows set for them through growth and compaction", () => {
  const credits: number[][] = [];
  const table = new RemoteTable(64, { credit: (...counts) => credits.push(counts) });
  // One MAC device from two local addresses: two rows, each with its own device row.
  const first = add(table, 900, "203.0.113.9", true, 100_000, 1, 10);
  const second = add(table, 900, "203.0.113.9", true, 100_000, 1, 11);
  assert.notEqual(first, second);
  assert.equal(table.deviceRowAt(first), NO_DEVICE_ROW);
  assert.equal(table.nameStampAt(first), NO_NAME_STAMP);
  table.setDeviceRow(first, 7);
  table.setDeviceRow(second, 8);
  table.rebindServiceRow(first, 3, 4095, 12, true, 100_000);
  table.rebindServiceRow(second, 5, 17, 0, true, 100_000);
  // Light rows grow the table and then fill it: compactions keep the two heavy rows.
  for (let i = 1; i <= 500; i++) {
    table.setDeviceRow(add(table, 900, `2001:db8::${i.toString(16)}`, false, 40), 100 + i);
  }
  assert.ok(table.compactions > 0);
  const kept = (slot: number) => [
    table.deviceRowAt(slot),
    table.serviceRowAt(slot),
    table.nameStampSlotAt(slot),
    table.nameStampAt(slot),
  ];
  assert.deepEqual(kept(add(table, 900, "203.0.113.9", false, 5, 1, 10)), [7, 3, 4095, 12]);
  assert.deepEqual(kept(add(table, 900, "203.0.113.9", false, 5, 1, 11)), [8, 5, 17, 0]);
  assert.deepEqual(credits, [], "rows without a service row credit nothing, dropped or not");
  // The two rows are one device's remote when drained, and each credits its service row with all it holds.
  const deviceRows = table.drain().deviceRemotes.filter((r) => r.remoteIp === "203.0.113.9");
  assert.deepEqual(deviceRows.map((r) => [r.deviceKey, r.upBytes, r.downBytes]).sort(), [
    ["02:00:00:00:00:01", 100_000, 5],
    ["02:00:00:00:00:01", 100_000, 5],
  ]);
  assert.deepEqual(credits.sort(), [[3, 100_000, 5, 1, 1], [5, 100_000, 5, 1, 1]]);
  const again = add(table, 900, "203.0.113.9", true, 1, 1, 10);
  assert.deepEqual([table.deviceRowAt(again), table.nameStampAt(again)], [NO_DEVICE_ROW, NO_NAME_STAMP]);
  // The device row and the name stamp slot share a word: each keeps its own at their largest values.
  table.setDeviceRow(again, MAX_DEVICE_ROWS - 1);
  table.rebindServiceRow(again, 2, 4095, 7, true, 1);
  table.setDeviceRow(again, -1);
  assert.deepEqual(kept(again), [-1, 2, 4095, 7]);
  table.setDeviceRow(again, MAX_DEVICE_ROWS - 1);
  assert.deepEqual(kept(again), [MAX_DEVICE_ROWS - 1, 2, 4095, 7]);
});

Deno.test("RemoteTable credits each service row exactly its packets, through name changes, compactions and drains", () => {
  const random = seededRandom(14);
  const next = (below: number) => Math.floor(random() * below);
  const credited = new Map<number, number[]>();
  const credit: ServiceCredit = {
    credit: (row, ...counts) => {
      const sums = credited.get(row) ?? [0, 0, 0, 0];
      counts.forEach((n, i) => sums[i] += n);
      credited.set(row, sums);
    },
  };
  // 40 rows at most: 300 remotes fill it, so compactions drop rows that hold credited packets.
  const table = new RemoteTable(40, credit);
  const truth = new Map<number, number[]>();
  for (let interval = 0; interval < 3; interval++) {
    for (let i = 0; i < 20_000; i++) {
      const ip = `198.51.100.${next(i % 5000 < 2500 ? 30 : 300) % 256}`;
      const isUpload = next(2) === 0;
      const bytes = 40 + next(1500);
      const slot = add(table, interval * BUCKET_SEC, ip, isUpload, bytes, 1 + next(3), 10);
      // As TrafficPipeline does: the row's service row is set at its first packet, and again when its name
      // stamp changes (here at random: 1 packet in 50), to any of 20 rows, or -1 or -2 (no row).
      if (table.nameStampAt(slot) === NO_NAME_STAMP || next(50) === 0) {
        table.rebindServiceRow(slot, next(22) - 2, 0, i, isUpload, bytes);
      }
      const row = table.serviceRowAt(slot);
      const sums = truth.get(row) ?? [0, 0, 0, 0];
      sums[isUpload ? 0 : 1] += bytes;
      sums[isUpload ? 2 : 3] += 1;
      truth.set(row, sums);
    }
    table.drain();
    assert.deepEqual(
      new Map([...credited].filter(([, sums]) => sums.some((n) => n !== 0))),
      truth,
      `interval ${interval}`,
    );
  }
  assert.ok(table.compactions > 10, `compactions: ${table.compactions}`);
});

Deno.test("RemoteTable credits each device row exactly its packets and last second, through compactions and drains", () => {
  const random = seededRandom(15);
  const next = (below: number) => Math.floor(random() * below);
  const credited = new Map<number, number[]>();
  const credit: DeviceCredit = {
    credit: (row, upBytes, downBytes, upPackets, downPackets, lastSeenSec) => {
      const sums = credited.get(row) ?? [0, 0, 0, 0, 0];
      [upBytes, downBytes, upPackets, downPackets].forEach((n, i) => sums[i] += n);
      sums[4] = Math.max(sums[4], lastSeenSec);
      credited.set(row, sums);
    },
  };
  // 40 rows at most: 300 remotes fill it, so compactions drop rows whose packets must reach their device.
  const table = new RemoteTable(40, null, credit);
  for (let interval = 0; interval < 3; interval++) {
    const truth = new Map<number, number[]>();
    credited.clear();
    for (let i = 0; i < 20_000; i++) {
      const ip = `198.51.100.${next(i % 5000 < 2500 ? 30 : 300) % 256}`;
      const isUpload = next(2) === 0;
      const bytes = 40 + next(1500);
      const local = 1 + next(4);
      const slot = add(table, interval * BUCKET_SEC, ip, isUpload, bytes, 1 + next(3), local);
      // As TrafficPipeline does: the device row is set at the row's first packet, here one per local address
      // (-1: the device table was full), and each packet marks its second.
      if (table.deviceRowAt(slot) === NO_DEVICE_ROW) table.setDeviceRow(slot, local === 4 ? -1 : local);
      const second = Math.floor((i / 20_000) * BUCKET_SEC);
      table.markSeen(slot, second);
      const row = table.deviceRowAt(slot);
      const sums = truth.get(row) ?? [0, 0, 0, 0, 0];
      sums[isUpload ? 0 : 1] += bytes;
      sums[isUpload ? 2 : 3] += 1;
      sums[4] = interval * BUCKET_SEC + second;
      truth.set(row, sums);
    }
    table.drain();
    assert.deepEqual(credited, truth, `interval ${interval}`);
  }
  assert.ok(table.compactions > 10, `compactions: ${table.compactions}`);
});
