import assert from "node:assert/strict";
import { openStore } from "./db.ts";
import { TrafficLedger } from "./traffic_ledger.ts";
import { backupSizeBytes, backupTo, openBackupStream } from "./backup.ts";
import { oneBucketBatch, storedTrafficSums, tempStore } from "./_testing.ts";

const MAX_WRITES_DURING_BACKUP = 5000;

/**
 * Backup copies in `dir` that this process holds open, unlinked or not (only `dir`: test files that run in
 * parallel share the process).
 */
function openBackupCopies(dir: string): string[] {
  return [...Deno.readDirSync("/proc/self/fd")].flatMap((entry) => {
    try {
      return [Deno.readLinkSync(`/proc/self/fd/${entry.name}`)];
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return []; // the descriptor of the directory listing itself
      throw e;
    }
  }).filter((target) => target.startsWith(`${dir}/.netledger-backup-`));
}

/** A bound on the wait below, not a timing assertion. */
const RELEASE_DEADLINE_MS = 20_000;

/**
 * The backup copies still open in `dir`, once none is or the deadline passed. The backup Worker's own handle
 * on the copy goes with the Worker, whose teardown ends after terminate() returns, so it may linger briefly.
 */
async function copiesLeftOpen(dir: string): Promise<string[]> {
  const deadline = Date.now() + RELEASE_DEADLINE_MS;
  while (openBackupCopies(dir).length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return openBackupCopies(dir);
}

async function fill(ledger: TrafficLedger, buckets: number): Promise<void> {
  for (let i = 0; i < buckets; i++) {
    ledger.add(oneBucketBatch(i * 900, i, 1, { remoteIp: `192.0.2.${i % 200}` }));
  }
  await ledger.flush();
}

Deno.test("backupTo() writes a consistent snapshot while flushes keep committing", async () => {
  await using temp = tempStore();
  const ledger = new TrafficLedger(temp.store);
  await fill(ledger, 20_000);
  const committed = [storedTrafficSums(temp.store)[0]];
  let isDone = false;
  const target = `${temp.dir}/backup.db`;
  const backup = backupTo(temp.store, target).finally(() => {
    isDone = true;
  });
  for (let i = 0; i < MAX_WRITES_DURING_BACKUP && !isDone; i++) {
    ledger.add(oneBucketBatch(900 * (i % 50), 1_000_000, 0));
    assert.equal((await ledger.flush()).isSaved, true);
    committed.push(storedTrafficSums(temp.store)[0]);
    // Yield to the event loop so the worker's answer can arrive.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  await backup;
  using restored = openStore(target, { log: () => {} });
  const [upBytes] = storedTrafficSums(restored);
  assert.ok(committed.includes(upBytes), `backup total ${upBytes} is one of the committed states`);
  assert.equal(restored.db.prepare("PRAGMA integrity_check").get()?.integrity_check, "ok");
});

Deno.test("openBackupStream() streams a restorable copy and leaves no temporary file", async () => {
  await using temp = tempStore();
  const ledger = new TrafficLedger(temp.store);
  await fill(ledger, 500);
  const namesBefore = [...Deno.readDirSync(temp.dir)].map((e) => e.name).sort();
  const backup = await openBackupStream(temp.store);
  assert.deepEqual([...Deno.readDirSync(temp.dir)].map((e) => e.name).sort(), namesBefore);
  const bytes = new Uint8Array(await new Response(backup.stream).arrayBuffer());
  assert.equal(bytes.length, backup.sizeBytes);
  const restoredPath = `${temp.dir}/restored/netledger.db`;
  await Deno.mkdir(`${temp.dir}/restored`);
  await Deno.writeFile(restoredPath, bytes);
  using restored = openStore(restoredPath, { log: () => {} });
  assert.deepEqual(storedTrafficSums(restored), storedTrafficSums(temp.store));
});

Deno.test("backupTo() reports a target it cannot write as a StoreError", async () => {
  await using temp = tempStore();
  await assert.rejects(backupTo(temp.store, `${temp.dir}/missing-dir/backup.db`), (e) => {
    assert.equal((e as Error).name, "StoreError");
    assert.match((e as Error).message, /back up/);
    return true;
  });
});

Deno.test("openBackupStream() closes its unlinked copy when the stream is read to the end or cancelled", async () => {
  await using temp = tempStore();
  const ledger = new TrafficLedger(temp.store);
  await fill(ledger, 2000);
  const whole = await openBackupStream(temp.store);
  const held = openBackupCopies(temp.dir);
  assert.ok(held.length > 0, "the copy is open while it is read");
  for (const target of held) assert.match(target, /\(deleted\)$/);
  await new Response(whole.stream).arrayBuffer();
  assert.deepEqual(await copiesLeftOpen(temp.dir), []);
  const cancelled = await openBackupStream(temp.store);
  const reader = cancelled.stream.getReader();
  assert.ok((await reader.read()).value!.length < cancelled.sizeBytes, "cancelled half-way");
  await reader.cancel();
  assert.deepEqual(await copiesLeftOpen(temp.dir), []);
});

Deno.test("backupSizeBytes() is the size of a copy made now, committed WAL pages included", async () => {
  await using temp = tempStore();
  const ledger = new TrafficLedger(temp.store);
  await fill(ledger, 3000);
  const backup = await openBackupStream(temp.store);
  await backup.stream.cancel();
  assert.ok(Deno.statSync(`${temp.path}-wal`).size > 0, "part of the data is still in the WAL");
  assert.equal(backupSizeBytes(temp.store), backup.sizeBytes);
});
