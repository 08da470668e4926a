import assert from "node:assert/strict";
import { parseIp } from "./ip_prefix.ts";
import { RemoteTable } from "./remote_table.ts";
import { BUCKET_SEC } from "./types.ts";

function add(table: RemoteTable, bucketStartSec: number, ip: string, isUpload: boolean, bytes: number): void {
  const { family, words } = parseIp(ip);
  table.add(bucketStartSec / BUCKET_SEC, family, words[0], words[1], words[2], words[3], isUpload, bytes);
}

Deno.test("RemoteTable counts up and down per bucket and address, then drains empty", () => {
  const table = new RemoteTable();
  add(table, 900, "203.0.113.9", true, 100);
  add(table, 900, "203.0.113.9", false, 1500);
  add(table, 900, "203.0.113.9", false, 40);
  add(table, 1800, "203.0.113.9", true, 60);
  add(table, 900, "2001:db8::9", true, 80);
  const rows = table.drain().sort((a, b) =>
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
  assert.deepEqual(table.drain(), []);
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
  const heavy = table.drain().filter((r) => r.upBytes >= 1_000_000).map((r) => [r.remoteIp, r.upBytes]);
  assert.deepEqual(heavy.sort(), [["203.0.113.1", 1_000_000], ["203.0.113.2", 2_000_000], [
    "203.0.113.3",
    3_000_000,
  ]]);
});

Deno.test("RemoteTable grows past its initial size without losing rows", () => {
  const table = new RemoteTable(10_000);
  for (let i = 0; i < 9000; i++) add(table, 0, `2001:db8::${i.toString(16)}`, true, i);
  const rows = table.drain();
  assert.equal(rows.length, 9000);
  assert.equal(rows.reduce((sum, r) => sum + r.upBytes, 0), (8999 * 9000) / 2);
});

Deno.test("RemoteTable rejects a bound below 2", () => {
  assert.throws(() => new RemoteTable(1), RangeError);
});
