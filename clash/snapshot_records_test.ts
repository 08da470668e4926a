import assert from "node:assert/strict";
import { idKey, TEXT_ID, UUID_ID } from "./id_map.ts";
import {
  DOWN_DOUBLE,
  KIND_INT,
  MALFORMED,
  RECORD_DOUBLES,
  RECORD_INTS,
  SnapshotRecords,
  UP_DOUBLE,
} from "./snapshot_records.ts";

const UUID = "53448bb7-5244-4a24-9544-8edd54448d4a";

function kindOf(records: SnapshotRecords, i: number): number {
  return records.records32[i * RECORD_INTS + KIND_INT];
}

function countersOf(records: SnapshotRecords, i: number): [number, number] {
  const at = i * RECORD_DOUBLES;
  return [records.records64[at + UP_DOUBLE], records.records64[at + DOWN_DOUBLE]];
}

Deno.test("SnapshotRecords.read() reads ids and counters, and marks and counts malformed entries", () => {
  const records = new SnapshotRecords();
  const big = 7 * 2 ** 30; // past 2^31: not a V8 small integer
  const malformed = records.read([
    { id: UUID, upload: 5, download: big },
    { id: "conn-1", upload: 0, download: 0 },
    { id: 5, upload: 1, download: 1 },
    null as never,
    { id: "conn-2", upload: -1, download: 1 },
    { id: "conn-3", upload: 1 },
    { id: "conn-4", upload: "1", download: 1 },
  ]);
  assert.equal(malformed, 5);
  assert.deepEqual(
    Array.from({ length: 7 }, (_, i) => kindOf(records, i)),
    [UUID_ID, TEXT_ID, MALFORMED, MALFORMED, MALFORMED, MALFORMED, MALFORMED],
  );
  assert.deepEqual(countersOf(records, 0), [5, big]);
  assert.deepEqual(countersOf(records, 1), [0, 0]);
  // A UUID's key is the one its text would get, so both kinds sort alike.
  assert.deepEqual([...records.keys.subarray(0, 3)], [idKey(UUID), idKey("conn-1"), 0]);
});

Deno.test("SnapshotRecords.read() puts the entries in key order, growing for a longer list", () => {
  const records = new SnapshotRecords();
  records.read([{ id: UUID, upload: 1, download: 1 }]);
  for (const n of [1000, 10, 3000]) {
    const list = Array.from(
      { length: n },
      (_, i) => ({ id: crypto.randomUUID(), upload: i, download: 2 * i }),
    );
    assert.equal(records.read(list), 0);
    const order = [...records.order.subarray(0, n)];
    assert.deepEqual([...order].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i));
    // Every size sorts at least by the top 4 of the 28 key bits (id_map.ts sortByKey).
    for (let j = 1; j < n; j++) {
      assert.ok(records.keys[order[j - 1]] >>> 24 <= records.keys[order[j]] >>> 24, `order at ${j}`);
    }
    // The records stay at their list index: the order only says where to look.
    assert.deepEqual(countersOf(records, n - 1), [n - 1, 2 * (n - 1)]);
    assert.equal(records.keys[n - 1], idKey(list[n - 1].id));
  }
});
