import assert from "node:assert/strict";
import type { DatabaseSync } from "node:sqlite";
import { StoreError } from "./db.ts";
import { MAX_QUEUED_READS, READ_RETRY_AFTER_SEC, ReadPool, type SnapshotRead } from "./read_pool.ts";
import { TrafficLedger } from "./traffic_ledger.ts";
import { oneBucketBatch, tempStore } from "./_testing.ts";

const UP_BYTES_SQL = "SELECT coalesce(sum(up_bytes), 0) AS up FROM traffic";

/** A read of the stored upload bytes, unsaved ones of `ledger` added at the snapshot. */
function upBytesRead(ledger: TrafficLedger): () => SnapshotRead<number> {
  return () => {
    const pending = ledger.pendingTrafficRows().reduce((sum, r) => sum + r.upBytes, 0);
    return {
      queries: [{ sql: UP_BYTES_SQL, params: [] }],
      answer: ([[row]]) => (row.up as number) + pending,
    };
  };
}

function totalChanges(db: DatabaseSync): number {
  return (db.prepare("SELECT total_changes() AS n").get() as { n: number }).n;
}

Deno.test("ReadPool.read() reopens its snapshot when a commit lands between the snapshot and the plan", async () => {
  await using temp = tempStore();
  const ledger = new TrafficLedger(temp.store);
  ledger.add(oneBucketBatch(0, 100, 0));
  await ledger.flush();
  ledger.add(oneBucketBatch(900, 10, 0));
  let calls = 0;
  const pool = new ReadPool({
    path: temp.path,
    changeCount: () => {
      // The second call is the check after the first snapshot opened: commit the unsaved 10 bytes just
      // before it, so that snapshot lacks them and the plan would no longer see them as unsaved.
      if (++calls === 2) void ledger.flush();
      return totalChanges(temp.store.db);
    },
  });
  try {
    assert.equal(await pool.read("upload bytes", upBytesRead(ledger)), 110);
    assert.equal(calls, 4, "one snapshot refused, one used");
  } finally {
    pool.close();
  }
});

Deno.test("ReadPool.read() sees every commit made before it on a Worker that stays open", async () => {
  await using temp = tempStore();
  const ledger = new TrafficLedger(temp.store);
  const pool = temp.store.readPool;
  for (let i = 1; i <= 3; i++) {
    ledger.add(oneBucketBatch(900 * i, 1000, 0));
    await ledger.flush();
    ledger.add(oneBucketBatch(900 * i, 1, 0));
    assert.equal(await pool.read("upload bytes", upBytesRead(ledger)), 1001 * i);
    await ledger.flush();
  }
});

Deno.test("ReadPool.read() refuses a read over the queue limit at once with busy and Retry-After", async () => {
  await using temp = tempStore();
  const ledger = new TrafficLedger(temp.store);
  ledger.add(oneBucketBatch(0, 7, 0));
  await ledger.flush();
  const pool = new ReadPool({ path: temp.path, changeCount: () => totalChanges(temp.store.db), workers: 2 });
  try {
    // All asked in one turn of the event loop: 2 take the Workers, MAX_QUEUED_READS wait, the rest is refused.
    const reads = Array.from(
      { length: 2 + MAX_QUEUED_READS + 3 },
      () => pool.read("upload bytes", upBytesRead(ledger)),
    );
    const settled = await Promise.allSettled(reads);
    const answers = settled.filter((s) => s.status === "fulfilled").map((s) => s.value);
    assert.deepEqual(answers, Array(2 + MAX_QUEUED_READS).fill(7));
    const refused = settled.slice(2 + MAX_QUEUED_READS);
    for (const s of refused) {
      assert.equal(s.status, "rejected");
      const error = s.reason;
      assert.ok(error instanceof StoreError, String(error));
      assert.equal(error.kind, "busy");
      assert.equal(error.retryAfterSec, READ_RETRY_AFTER_SEC);
      assert.match(error.message, /Cannot read upload bytes now: 2 long reads run and 16 wait/);
    }
    assert.equal(await pool.read("upload bytes", upBytesRead(ledger)), 7, "served again once drained");
  } finally {
    pool.close();
  }
});

Deno.test("ReadPool.read() rejects an SQL mistake as a plain Error and keeps serving", async () => {
  await using temp = tempStore();
  const pool = temp.store.readPool;
  await assert.rejects(
    pool.read(
      "nothing",
      () => ({ queries: [{ sql: "SELECT * FROM no_such_table", params: [] }], answer: () => 0 }),
    ),
    (e) => {
      assert.ok(!(e instanceof StoreError));
      assert.match((e as Error).message, /no such table/);
      return true;
    },
  );
  const ledger = new TrafficLedger(temp.store);
  assert.equal(await pool.read("upload bytes", upBytesRead(ledger)), 0);
});

Deno.test("Store.close() ends the pool: reads in flight, waiting and later are refused as busy", async () => {
  await using temp = tempStore();
  const ledger = new TrafficLedger(temp.store);
  const pool = temp.store.readPool;
  const reads = Array.from({ length: 4 }, () => pool.read("upload bytes", upBytesRead(ledger)));
  temp.store.close();
  reads.push(temp.store.readPool.read("upload bytes", upBytesRead(ledger)));
  for (const s of await Promise.allSettled(reads)) {
    assert.equal(s.status, "rejected");
    assert.ok(s.reason instanceof StoreError, String(s.reason));
    assert.equal(s.reason.kind, "busy");
    assert.match(s.reason.message, /shutting down/);
  }
});
