import assert from "node:assert/strict";
import { ServiceTable } from "./service_table.ts";
import { DeviceKind } from "./device_kind.ts";
import { BUCKET_SEC } from "./types.ts";
import { seededRandom } from "../tests/helpers/netledger_rig.ts";

Deno.test("ServiceTable grows with its rows and keeps every count exact, across drains; past maxRows a bucket is full", () => {
  const table = new ServiceTable(5000);
  const random = seededRandom(15);
  const next = (below: number) => Math.floor(random() * below);
  for (let interval = 0; interval < 2; interval++) {
    // Truth per (bucket, device low word, host id), summed independently of the table.
    const truth = new Map<string, [number, number, number, number]>();
    for (let i = 0; i < 40_000; i++) {
      const bucket = 2_000_000 + interval * 2 + next(2);
      const device = next(40);
      const host = 1 + next(60);
      const isUpload = next(2) === 0;
      const bytes = 40 + next(1500);
      const row = table.rowOf(bucket, DeviceKind.MAC, 0x3c22, device, 0, 0, host);
      table.add(row, isUpload ? bytes : 0, isUpload ? 0 : bytes, isUpload ? 1 : 0, isUpload ? 0 : 1);
      const key = `${bucket * BUCKET_SEC} 3c:22:00:00:00:${device.toString(16).padStart(2, "0")} ${host}`;
      const sums = truth.get(key) ?? [0, 0, 0, 0];
      sums[isUpload ? 0 : 1] += bytes;
      sums[isUpload ? 2 : 3] += 1;
      truth.set(key, sums);
    }
    assert.ok(truth.size > 256 * 4, `rows past the first size: ${truth.size}`);
    const { rows, fullBucketStarts } = table.drain();
    assert.equal(fullBucketStarts.size, 0);
    const got = new Map(
      rows.map((r) => [
        `${r.bucketStartSec} ${r.deviceKey} ${r.hostId}`,
        [r.upBytes, r.downBytes, r.upPackets, r.downPackets],
      ]),
    );
    assert.deepEqual(got, truth, `interval ${interval}`);
  }
  // 5,001 rows in one bucket: the last one finds the table full.
  for (let host = 1; host <= 5001; host++) {
    table.add(table.rowOf(7, DeviceKind.NONE, 0, 0, 0, 0, host), 100, 0, 1, 0);
  }
  // Counts moved off row -1 (negative) before the drain leave only what stays there.
  table.add(-1, -100, 0, -1, 0);
  table.add(-1, 300, 0, 3, 0);
  assert.equal(table.overflowPackets, 0, "as of the last drain");
  const { rows, fullBucketStarts } = table.drain();
  assert.equal(rows.length, 5000);
  assert.deepEqual([...fullBucketStarts], [7 * BUCKET_SEC]);
  assert.equal(table.overflowPackets, 3);
});

Deno.test("ServiceTable.add takes negative counts: a row's earlier packets moved to another row", () => {
  const table = new ServiceTable(10);
  const first = table.rowOf(5, DeviceKind.MAC, 0x3c22, 1, 0, 0, 1);
  const second = table.rowOf(5, DeviceKind.MAC, 0x3c22, 1, 0, 0, 2);
  // Three packets named host 1, then a new name: they move to host 1 now, and host 2 gets the whole later.
  table.add(first, 300, 40, 2, 1);
  table.add(second, -300, -40, -2, -1);
  table.add(second, 1300, 90, 5, 2);
  assert.deepEqual(
    table.drain().rows.map((r) => [r.hostId, r.upBytes, r.downBytes, r.upPackets, r.downPackets]),
    [[1, 300, 40, 2, 1], [2, 1000, 50, 3, 1]],
  );
});

Deno.test("ServiceTable row numbers stay valid while the table grows, until the drain", () => {
  const table = new ServiceTable(3000);
  const first = table.rowOf(5, DeviceKind.MAC, 0x3c22, 1, 0, 0, 1);
  const rows = [first];
  for (let host = 2; host <= 3000; host++) rows.push(table.rowOf(5, DeviceKind.MAC, 0x3c22, 1, 0, 0, host));
  assert.deepEqual(rows, rows.map((_, i) => i), "dense, in the order added");
  assert.equal(table.rowOf(5, DeviceKind.MAC, 0x3c22, 1, 0, 0, 1), first, "found again after growth");
  assert.equal(table.rowOf(5, DeviceKind.MAC, 0x3c22, 1, 0, 0, 3001), -1, "past maxRows");
  rows.forEach((row, i) =>
    table.add(row, i % 2 === 0 ? i + 1 : 0, i % 2 === 0 ? 0 : i + 1, 1 - i % 2, i % 2)
  );
  table.add(-1, 1, 0, 1, 0);
  const { rows: drained, fullBucketStarts } = table.drain();
  assert.deepEqual(
    drained.map((r) => [r.hostId, r.upBytes + r.downBytes, r.upPackets + r.downPackets]),
    rows.map((_, i) => [i + 1, i + 1, 1]),
  );
  assert.deepEqual([...fullBucketStarts], [5 * BUCKET_SEC]);
  assert.equal(table.rowOf(6, DeviceKind.NONE, 0, 0, 0, 0, 9), 0, "numbers start again after a drain");
});
