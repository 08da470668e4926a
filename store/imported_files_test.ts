import assert from "node:assert/strict";
import { type CaptureFileMark, findImportedFile, ImportMarkConflictError } from "./imported_files.ts";
import { TrafficLedger } from "./traffic_ledger.ts";
import { oneBucketBatch, storedTrafficSums, tempStore, utcSec } from "./_testing.ts";

const MARK: CaptureFileMark = {
  kind: "capture_file",
  sha256: "ab".repeat(32),
  path: "/tmp/a.pcap",
  importedSec: 1_767_225_600,
  frames: 3,
  isComplete: true,
  previousFrames: null,
};
const BUCKET = utcSec("2026-01-01T00:00:00Z");

Deno.test("TrafficLedger.recordImport() commits the marker with the traffic and refuses the same file again", async () => {
  await using temp = tempStore();
  const ledger = new TrafficLedger(temp.store);
  assert.equal(findImportedFile(temp.store, MARK.sha256), null);
  ledger.add(oneBucketBatch(BUCKET, 100, 200));
  ledger.recordImport(MARK);
  assert.equal((await ledger.flush()).isSaved, true);
  const { kind: _, previousFrames: __, ...stored } = MARK;
  assert.deepEqual(findImportedFile(temp.store, MARK.sha256), stored);

  ledger.add(oneBucketBatch(BUCKET, 100, 200));
  ledger.recordImport({ ...MARK, path: "/tmp/copy.pcap" });
  await assert.rejects(() => ledger.flush());
  assert.deepEqual(storedTrafficSums(temp.store).slice(0, 2), [100, 200]);
});

Deno.test("TrafficLedger.recordImport() continues only the partial marker it names, once", async () => {
  await using temp = tempStore();
  const ledger = new TrafficLedger(temp.store);
  ledger.add(oneBucketBatch(BUCKET, 10, 20));
  ledger.recordImport({ ...MARK, frames: 5, isComplete: false });
  assert.equal((await ledger.flush()).isSaved, true);
  assert.equal(findImportedFile(temp.store, MARK.sha256)?.isComplete, false);

  // Two imports that both read the marker at 5 frames: the first save wins, the second changes nothing.
  ledger.add(oneBucketBatch(BUCKET, 1, 2));
  ledger.recordImport({ ...MARK, frames: 9, isComplete: true, previousFrames: 5 });
  assert.equal((await ledger.flush()).isSaved, true);
  const other = new TrafficLedger(temp.store);
  other.add(oneBucketBatch(BUCKET, 1, 2));
  other.recordImport({ ...MARK, frames: 9, isComplete: true, previousFrames: 5 });
  await assert.rejects(() => other.flush(), ImportMarkConflictError);
  assert.deepEqual(storedTrafficSums(temp.store).slice(0, 2), [11, 22]);
  assert.deepEqual(findImportedFile(temp.store, MARK.sha256), {
    sha256: MARK.sha256,
    path: MARK.path,
    importedSec: MARK.importedSec,
    frames: 9,
    isComplete: true,
  });
});
