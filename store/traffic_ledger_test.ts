import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { TrafficLedger } from "./traffic_ledger.ts";
import { trafficTotal } from "./traffic_queries.ts";
import { oneBucketBatch, storedTrafficSums, tempStore } from "./_testing.ts";

const T0 = 1_700_000_100 - (1_700_000_100 % 900);
const ALL_TIME: [number, number] = [0, Number.MAX_SAFE_INTEGER];

Deno.test("TrafficLedger.flush() commits pending deltas once and queries include them before and after", async () => {
  await using temp = tempStore();
  const ledger = new TrafficLedger(temp.store);
  ledger.add(oneBucketBatch(T0, 100, 1000, { remoteIp: "192.0.2.10", droppedPackets: 2 }));
  ledger.add(oneBucketBatch(T0, 5, 50, { remoteIp: "192.0.2.10" }));
  assert.deepEqual(trafficTotal(ledger, ...ALL_TIME), { upBytes: 105, downBytes: 1050 });
  assert.deepEqual(storedTrafficSums(temp.store), [0, 0, 0, 0]);

  const result = await ledger.flush();
  // traffic, remote, health, the device row (a batch without devices counts as the "other" device) and
  // that device's remainder row of remotes.
  assert.deepEqual(result, { isSaved: true, rowCount: 5, error: null });
  assert.deepEqual(storedTrafficSums(temp.store), [105, 1050, 2, 2]);
  const device = temp.store.db.prepare("SELECT device_id, up_bytes, down_bytes FROM device_traffic").all();
  assert.deepEqual(device.map((r) => ({ ...r })), [{ device_id: 0, up_bytes: 105, down_bytes: 1050 }]);
  assert.deepEqual(ledger.pendingTrafficRows(), []);
  assert.deepEqual(trafficTotal(ledger, ...ALL_TIME), { upBytes: 105, downBytes: 1050 });

  ledger.add(oneBucketBatch(T0, 1, 1, { remoteIp: "192.0.2.10" }));
  await ledger.flush();
  assert.deepEqual(await ledger.flush(), { isSaved: true, rowCount: 0, error: null });
  assert.deepEqual(storedTrafficSums(temp.store), [106, 1051, 3, 3]);
  const remote = temp.store.db.prepare("SELECT up_bytes, down_bytes FROM remote_traffic").all();
  assert.deepEqual(remote.map((r) => ({ ...r })), [{ up_bytes: 106, down_bytes: 1051 }]);
  const health = temp.store.db.prepare("SELECT dropped_packets FROM bucket_health").get();
  assert.deepEqual({ ...health }, { dropped_packets: 2 });
});

Deno.test("TrafficLedger.flush() keeps deltas while another process holds the lock and saves them later", async () => {
  await using temp = tempStore();
  const ledger = new TrafficLedger(temp.store, { lockRetryDelaysMs: [] });
  const other = new DatabaseSync(temp.path);
  try {
    other.exec("BEGIN IMMEDIATE");
    ledger.add(oneBucketBatch(T0, 10, 20));
    const first = await ledger.flush();
    assert.equal(first.isSaved, false);
    assert.equal(first.error?.kind, "locked");
    assert.equal((await ledger.flush()).error?.kind, "locked");
    assert.equal(temp.logLines.length, 1, "one line per condition, not per attempt");
    assert.match(temp.logLines[0], /another process holds the write lock.*counts stay in memory/);
    assert.deepEqual(ledger.status().errorKind, "locked");
    ledger.add(oneBucketBatch(T0, 1, 2));
    assert.deepEqual(trafficTotal(ledger, ...ALL_TIME), { upBytes: 11, downBytes: 22 });
    other.exec("COMMIT");
    assert.equal((await ledger.flush()).isSaved, true);
    assert.match(temp.logLines[1], /works again/);
    assert.equal(ledger.status().errorKind, null);
    assert.deepEqual(storedTrafficSums(temp.store), [11, 22, 2, 2]);
  } finally {
    other.close();
  }
});

Deno.test("TrafficLedger.flush() retries a lock after a delay and keeps what arrives meanwhile", async () => {
  await using temp = tempStore();
  const ledger = new TrafficLedger(temp.store, { lockRetryDelaysMs: [20] });
  const other = new DatabaseSync(temp.path);
  try {
    other.exec("BEGIN IMMEDIATE");
    ledger.add(oneBucketBatch(T0, 10, 20));
    // The first attempt runs (and fails) inside flush(); the retry waits for a timer.
    const flushing = ledger.flush();
    assert.equal(ledger.flush(), flushing, "concurrent calls share one flush");
    ledger.add(oneBucketBatch(T0 + 900, 3, 4));
    assert.deepEqual(
      trafficTotal(ledger, ...ALL_TIME),
      { upBytes: 13, downBytes: 24 },
      "in-flight deltas visible",
    );
    assert.deepEqual(temp.logLines, [
      `Saving traffic to "${temp.path}" found the database locked by another process; retrying up to 1 time within 20 ms`,
    ]);
    other.exec("COMMIT");
    const result = await flushing;
    assert.equal(result.isSaved, true);
    assert.deepEqual(storedTrafficSums(temp.store), [10, 20, 1, 1]);
    assert.deepEqual(trafficTotal(ledger, ...ALL_TIME), { upBytes: 13, downBytes: 24 });
    await ledger.flush();
    assert.deepEqual(storedTrafficSums(temp.store), [13, 24, 2, 2]);
    assert.deepEqual(temp.logLines.slice(1), [
      `Saved traffic to "${temp.path}" on retry 1: 10 bytes up and 20 down (1 and 1 packets) since start`,
      `Saved traffic to "${temp.path}": 13 bytes up and 24 down (2 and 2 packets) since start`,
    ]);
  } finally {
    other.close();
  }
});

Deno.test("TrafficLedger.flush() says once that a long lock makes it wait, not at every save", async () => {
  await using temp = tempStore();
  const ledger = new TrafficLedger(temp.store, { lockRetryDelaysMs: [1] });
  const other = new DatabaseSync(temp.path);
  try {
    other.exec("BEGIN IMMEDIATE");
    for (let i = 0; i < 3; i++) {
      ledger.add(oneBucketBatch(T0, 10, 20));
      assert.equal((await ledger.flush()).error?.kind, "locked");
    }
    assert.equal(temp.logLines.length, 2, temp.logLines.join("\n"));
    assert.match(temp.logLines[0], /found the database locked by another process; retrying up to 1 time/);
    assert.match(temp.logLines[1], /counts stay in memory/);
    other.exec("COMMIT");
    assert.equal((await ledger.flush()).isSaved, true);
    assert.match(temp.logLines[2], /works again/);
    assert.match(temp.logLines[3], /: 30 bytes up and 60 down \(3 and 3 packets\) since start$/);
  } finally {
    other.close();
  }
});

Deno.test("TrafficLedger.flush() keeps counting in memory while the database is full and resumes after", async () => {
  await using temp = tempStore();
  const ledger = new TrafficLedger(temp.store, { lockRetryDelaysMs: [] });
  const db = temp.store.db;
  const pages = (db.prepare("PRAGMA page_count").get() as { page_count: number }).page_count;
  db.exec(`PRAGMA max_page_count = ${pages}`);
  let expectedUp = 0;
  for (let i = 0; i < 3000; i++) {
    ledger.add(oneBucketBatch(T0 + i * 900, i, 2 * i, { remoteIp: `198.51.100.${i % 200}` }));
    expectedUp += i;
  }
  const failed = await ledger.flush();
  assert.equal(failed.error?.kind, "full");
  assert.deepEqual(storedTrafficSums(temp.store), [0, 0, 0, 0], "the failed transaction left nothing behind");
  assert.match(temp.logLines[0], /disk is full/);
  ledger.add(oneBucketBatch(T0, 1, 1));
  db.exec("PRAGMA max_page_count = 1073741823");
  assert.equal((await ledger.flush()).isSaved, true);
  assert.deepEqual(storedTrafficSums(temp.store), [expectedUp + 1, 2 * expectedUp + 1, 3001, 3001]);
});

Deno.test("TrafficLedger.flush() reports a read-only database and saves once it is writable", async () => {
  await using temp = tempStore();
  const ledger = new TrafficLedger(temp.store, { lockRetryDelaysMs: [] });
  temp.store.db.exec("PRAGMA query_only = 1");
  ledger.add(oneBucketBatch(T0, 7, 8));
  assert.equal((await ledger.flush()).error?.kind, "readonly");
  assert.match(temp.logLines[0], /not writable/);
  temp.store.db.exec("PRAGMA query_only = 0");
  assert.equal((await ledger.flush()).isSaved, true);
  assert.deepEqual(storedTrafficSums(temp.store), [7, 8, 1, 1]);
});
