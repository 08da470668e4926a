import assert from "node:assert/strict";
import { findImportedFile } from "./imported_files.ts";
import { TrafficLedger } from "./traffic_ledger.ts";
import { oneBucketBatch, storedTrafficSums, tempStore, utcSec } from "./_testing.ts";

const FILE = { sha256: "ab".repeat(32), path: "/tmp/a.pcap", importedSec: 1_767_225_600, frames: 3 };

Deno.test("TrafficLedger.recordImport() commits the marker with the traffic and refuses the same file again", async () => {
  await using temp = tempStore();
  const ledger = new TrafficLedger(temp.store);
  assert.equal(findImportedFile(temp.store, FILE.sha256), null);
  ledger.add(oneBucketBatch(utcSec("2026-01-01T00:00:00Z"), 100, 200));
  ledger.recordImport(FILE);
  assert.equal((await ledger.flush()).isSaved, true);
  assert.deepEqual(findImportedFile(temp.store, FILE.sha256), FILE);

  ledger.add(oneBucketBatch(utcSec("2026-01-01T00:00:00Z"), 100, 200));
  ledger.recordImport({ ...FILE, path: "/tmp/copy.pcap" });
  await assert.rejects(() => ledger.flush());
  assert.deepEqual(storedTrafficSums(temp.store).slice(0, 2), [100, 200]);
});
