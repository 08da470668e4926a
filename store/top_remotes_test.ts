import assert from "node:assert/strict";
import { TrafficLedger } from "./traffic_ledger.ts";
import { topRemotes, topRemotesOffThread } from "./top_remotes.ts";
import { StoreError } from "./db.ts";
import { damageTable, oneBucketBatch, tempStore, utcSec } from "./_testing.ts";

Deno.test("topRemotes() and topRemotesOffThread() rank stored and unsaved bytes together, remainder aside", async () => {
  await using temp = tempStore();
  const ledger = new TrafficLedger(temp.store);
  const t = utcSec("2024-06-01T00:00:00Z");
  const remote = (ip: string, up: number, down: number, sec = t) => ({
    traffic: [],
    remotes: [{
      bucketStartSec: sec,
      remoteIp: ip,
      upBytes: up,
      downBytes: down,
      upPackets: 1,
      downPackets: 1,
    }],
    health: [],
  });
  ledger.add(remote("192.0.2.1", 500, 500));
  ledger.add(remote("192.0.2.2", 400, 400));
  ledger.add(remote("192.0.2.3", 300, 300));
  ledger.add(remote("other", 9000, 9000));
  ledger.add(remote("192.0.2.9", 9999, 9999, t + 86400));
  await ledger.flush();
  ledger.add(remote("192.0.2.3", 150, 160)); // overtakes .2 only with its unsaved bytes
  ledger.add(remote("2001:db8::1", 10, 20));
  const top = topRemotes(ledger, { fromSec: t, toSec: t + 86400, limit: 2 });
  assert.deepEqual(top.remotes, [
    { remoteIp: "192.0.2.1", upBytes: 500, downBytes: 500 },
    { remoteIp: "192.0.2.3", upBytes: 450, downBytes: 460 },
  ]);
  assert.deepEqual(top.other, { upBytes: 9000, downBytes: 9000 });
  const all = topRemotes(ledger, { limit: 10 });
  assert.deepEqual(all.remotes.map((r) => r.remoteIp), [
    "192.0.2.9",
    "192.0.2.1",
    "192.0.2.3",
    "192.0.2.2",
    "2001:db8::1",
  ]);
  assert.deepEqual(await topRemotesOffThread(ledger, { fromSec: t, toSec: t + 86400, limit: 2 }), top);
  assert.deepEqual(await topRemotesOffThread(ledger, { limit: 10 }), all);
});

Deno.test("topRemotesOffThread() stays exact when a flush commits while the Worker reads", async () => {
  await using temp = tempStore();
  const ledger = new TrafficLedger(temp.store);
  const add = (ip: string, up: number) =>
    ledger.add({
      traffic: [],
      remotes: [{
        bucketStartSec: 900,
        remoteIp: ip,
        upBytes: up,
        downBytes: 0,
        upPackets: 1,
        downPackets: 0,
      }],
      health: [],
    });
  add("198.51.100.1", 100);
  await ledger.flush();
  add("198.51.100.1", 10);
  add("198.51.100.2", 50);
  const reading = topRemotesOffThread(ledger, { limit: 5 });
  // Moves the pending bytes to the database while the first read is under way.
  await ledger.flush();
  assert.deepEqual((await reading).remotes, [
    { remoteIp: "198.51.100.1", upBytes: 110, downBytes: 0 },
    { remoteIp: "198.51.100.2", upBytes: 50, downBytes: 0 },
  ]);
});

Deno.test("topRemotes() and topRemotesOffThread() report a damaged database as a StoreError", async () => {
  await using temp = tempStore();
  const ledger = new TrafficLedger(temp.store);
  ledger.add(oneBucketBatch(900, 10, 20, { remoteIp: "192.0.2.1" }));
  await ledger.flush();
  damageTable(temp.store, "remote_traffic");
  const isCorrupt = (e: unknown) => {
    assert.ok(e instanceof StoreError, String(e));
    assert.equal(e.kind, "corrupt");
    assert.match(e.message, /read top remotes/);
    return true;
  };
  assert.throws(() => topRemotes(ledger, { limit: 5 }), isCorrupt);
  await assert.rejects(topRemotesOffThread(ledger, { limit: 5 }), isCorrupt);
});
