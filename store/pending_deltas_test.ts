import assert from "node:assert/strict";
import { DEFAULT_MAX_PENDING_REMOTES, OTHER_REMOTE_IP, PendingDeltas } from "./pending_deltas.ts";

function remote(bucketStartSec: number, remoteIp: string, upBytes: number, downBytes: number) {
  return { bucketStartSec, remoteIp, upBytes, downBytes, upPackets: 1, downPackets: 2 };
}

Deno.test("PendingDeltas stays bounded under a million distinct remotes and keeps exact totals", () => {
  const pending = new PendingDeltas();
  const buckets = [900_000, 900_900];
  for (const b of buckets) {
    pending.addTraffic({
      bucketStartSec: b,
      family: 4,
      upBytes: 0,
      downBytes: 0,
      upPackets: 0,
      downPackets: 0,
    });
  }
  let upBytes = 0;
  let downBytes = 0;
  let maxHeld = 0;
  for (let i = 0; i < 1_000_000; i++) {
    // A scan: every address once, in two buckets; a few heavy talkers keep coming back.
    const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    pending.addRemote(remote(buckets[i & 1], ip, 1, 2));
    upBytes += 1;
    downBytes += 2;
    if (i % 1000 === 0) {
      pending.addRemote(remote(buckets[0], "203.0.113.7", 5000, 9000));
      upBytes += 5000;
      downBytes += 9000;
    }
    maxHeld = Math.max(maxHeld, pending.remoteCount);
  }
  assert.ok(maxHeld <= DEFAULT_MAX_PENDING_REMOTES + buckets.length, `held at most ${maxHeld} rows`);
  const rows = pending.remoteRows();
  assert.equal(rows.reduce((n, r) => n + r.upBytes, 0), upBytes);
  assert.equal(rows.reduce((n, r) => n + r.downBytes, 0), downBytes);
  assert.equal(rows.reduce((n, r) => n + r.upPackets, 0), 1_000_000 + 1000);
  const heavy = rows.find((r) => r.remoteIp === "203.0.113.7");
  assert.deepEqual(heavy && [heavy.upBytes, heavy.downBytes], [5000 * 1000, 9000 * 1000]);
  assert.equal(rows.filter((r) => r.remoteIp === OTHER_REMOTE_IP).length, buckets.length);
});

Deno.test("PendingDeltas folds the lightest remotes into their own bucket's remainder", () => {
  const pending = new PendingDeltas(4);
  pending.addTraffic({
    bucketStartSec: 0,
    family: 4,
    upBytes: 0,
    downBytes: 0,
    upPackets: 0,
    downPackets: 0,
  });
  pending.addTraffic({
    bucketStartSec: 900,
    family: 6,
    upBytes: 0,
    downBytes: 0,
    upPackets: 0,
    downPackets: 0,
  });
  pending.addRemote(remote(0, "198.51.100.1", 100, 0));
  pending.addRemote(remote(0, "198.51.100.2", 1, 0));
  pending.addRemote(remote(900, "198.51.100.3", 2, 0));
  pending.addRemote(remote(900, "198.51.100.4", 300, 0));
  pending.addRemote(remote(900, "198.51.100.5", 400, 0));
  pending.addRemote(remote(900, "198.51.100.6", 500, 0));
  pending.addRemote(remote(0, "198.51.100.7", 600, 0));
  const byKey = Object.fromEntries(
    pending.remoteRows().map((r) => [`${r.bucketStartSec} ${r.remoteIp}`, r.upBytes]),
  );
  // Limit 4 + one remainder row per pending bucket: the 7th row folds all but the heaviest 3 (3/4 of 4).
  assert.deepEqual(byKey, {
    "0 other": 1 + 100,
    "900 other": 2 + 300,
    "900 198.51.100.5": 400,
    "900 198.51.100.6": 500,
    "0 198.51.100.7": 600,
  });
});

Deno.test("PendingDeltas.addAll() sums another set into this one", () => {
  const a = new PendingDeltas();
  const b = new PendingDeltas();
  a.addBatch({
    traffic: [{ bucketStartSec: 0, family: 4, upBytes: 1, downBytes: 2, upPackets: 3, downPackets: 4 }],
    remotes: [remote(0, "192.0.2.1", 1, 2)],
    health: [{ bucketStartSec: 0, malformedPackets: 1, droppedPackets: 2 }],
  });
  b.addBatch({
    traffic: [{ bucketStartSec: 0, family: 4, upBytes: 10, downBytes: 20, upPackets: 30, downPackets: 40 }],
    remotes: [remote(0, "192.0.2.1", 10, 20)],
    health: [{ bucketStartSec: 0, malformedPackets: 10, droppedPackets: 20 }],
  });
  a.addAll(b);
  assert.deepEqual(a.trafficRows(), [
    { bucketStartSec: 0, family: 4, upBytes: 11, downBytes: 22, upPackets: 33, downPackets: 44 },
  ]);
  assert.deepEqual(
    a.remoteRows(),
    [remote(0, "192.0.2.1", 11, 22)].map((r) => ({ ...r, upPackets: 2, downPackets: 4 })),
  );
  assert.deepEqual(a.healthRows(), [{ bucketStartSec: 0, malformedPackets: 11, droppedPackets: 22 }]);
  assert.equal(b.isEmpty, false);
});
