import assert from "node:assert/strict";
import { idKey, IdMap, readUuid, sortByKey, uuidKey } from "./id_map.ts";

interface Entry {
  id: string;
  n: number;
}

function valueOf<T extends { id: string }>(map: IdMap<T>, id: string): T | undefined {
  const slot = map.find(id);
  return slot < 0 ? undefined : map.at(slot);
}

function allIds(map: IdMap<{ id: string }>): string[] {
  const ids: string[] = [];
  map.forEach((v) => ids.push(v.id));
  return ids.sort();
}

Deno.test("IdMap keeps ids that share their last hex digits apart, UUIDs and other text alike", () => {
  const map = new IdMap<Entry>();
  const a = { id: "53448bb7-5244-4a24-9544-8edd54448d4a", n: 1 };
  const b = { id: "00000000-0000-4000-8000-00dd54448d4a", n: 2 }; // same key as a
  const c = { id: "8d4a", n: 3 }; // short, not a UUID
  const d = { id: "53448BB7-5244-4A24-9544-8EDD54448D4A", n: 4 }; // a's text in capitals: another id
  for (const v of [a, b, c, d]) map.set(v);
  assert.equal(map.size, 4);
  for (const v of [a, b, c, d]) assert.equal(valueOf(map, v.id), v);
  assert.equal(valueOf(map, "53448bb7-ffff-4a24-9544-8edd54448d4a"), undefined);
  map.delete(a.id);
  assert.equal(valueOf(map, a.id), undefined);
  assert.equal(valueOf(map, b.id), b);
  assert.equal(valueOf(map, d.id), d);
  map.set({ id: a.id, n: 5 });
  assert.equal(valueOf(map, a.id)?.n, 5);
  assert.equal(map.size, 4);
});

Deno.test("readUuid() reads canonical lowercase UUIDs only, and their key is idKey()", () => {
  const words = new Int32Array(4);
  const id = "53448bb7-5244-4a24-9544-8edd54448d4a";
  assert.equal(readUuid(id, words, 0), true);
  assert.deepEqual([...words], [0x53448bb7, 0x52444a24, 0x95448edd | 0, 0x54448d4a]);
  assert.equal(uuidKey(words, 0), idKey(id));
  for (
    const other of [
      id.toUpperCase(),
      id.slice(1),
      `${id}0`,
      id.replace("-5244", "_5244"),
      id.replace("8edd", "8edg"),
      // U+00B0 & 127 is "0": code units above 127 must not pass as digits.
      id.replace("8edd", "8ed\u00b0"),
    ]
  ) assert.equal(readUuid(other, words, 0), false, other);
});

Deno.test("IdMap matches a Map under random sets and deletes, numbers travelling with their ids", () => {
  // Ids that end alike share their key (idKey reads the last hex digits), so probe runs are long and every
  // delete shifts values back; one in five ids is not a UUID. A plain Map is the reference.
  let seed = 0x2545f491;
  const random = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  const map = new IdMap<Entry>(2);
  const reference = new Map<string, { n: number; up: number; down: number }>();
  const idOf = (i: number) =>
    i % 5 === 0 ? `text-${i}-0abcd` : `${i.toString(16).padStart(8, "0")}-0000-4000-8000-0000000${i % 3}abcd`;
  for (let step = 0; step < 5_000; step++) {
    const id = idOf(Math.floor(random() * 400));
    if (random() < 0.6) {
      const slot = map.set({ id, n: step });
      const old = reference.get(id);
      const up = old ? old.up : 0;
      assert.equal(map.number(slot, 0), up, "set keeps the numbers of an id it replaces");
      map.setNumber(slot, 1, step * 3);
      reference.set(id, { n: step, up, down: step * 3 });
      if (step % 2 === 0) {
        map.setNumber(slot, 0, step);
        reference.get(id)!.up = step;
      }
    } else {
      map.delete(id);
      reference.delete(id);
    }
    if (step % 97 === 0) {
      assert.equal(map.size, reference.size, `size at step ${step}`);
      for (let i = 0; i < 400; i++) {
        const slot = map.find(idOf(i));
        const expected = reference.get(idOf(i));
        assert.equal(slot >= 0, expected !== undefined, `id ${i}`);
        if (expected === undefined) continue;
        assert.deepEqual(
          { n: map.at(slot).n, up: map.number(slot, 0), down: map.number(slot, 1) },
          expected,
          `id ${i}`,
        );
      }
    }
  }
  const visited: [string, number][] = [];
  map.forEach((v, slot) => {
    assert.equal(map.at(slot), v);
    visited.push([v.id, v.n]);
  });
  assert.deepEqual(visited.sort(), [...reference].map(([id, r]) => [id, r.n]).sort());
});

Deno.test("IdMap.deleteUnstamped() drops exactly the values without the stamp", () => {
  const map = new IdMap<{ id: string }>();
  const ids = Array.from(
    { length: 300 },
    (_, i) =>
      i % 2 === 0
        ? `${i}-${(i % 5).toString(16).repeat(7)}`
        : `${i.toString(16).padStart(8, "0")}-1111-4000-8000-00000000000${i % 5}`,
  );
  for (const id of ids) map.set({ id }, 1);
  const kept = ids.filter((_, i) => i % 3 !== 0);
  for (const id of kept) assert.equal(map.stamp(map.find(id), 2), true);
  assert.equal(map.stamp(map.find(kept[0]), 2), false);
  map.deleteUnstamped(2, ids.length - kept.length);
  assert.deepEqual(allIds(map), [...kept].sort());
  for (const id of ids) assert.equal(valueOf(map, id)?.id, kept.includes(id) ? id : undefined);
  map.clear();
  assert.equal(map.size, 0);
  assert.deepEqual(allIds(map), []);
});

Deno.test("IdMap.reserve() makes room without losing values; ids added in key order stay reachable", () => {
  const map = new IdMap<{ id: string }>(1);
  const early = { id: "ffffffff-0000-4000-8000-00000000000f" };
  map.setNumber(map.set(early), 0, 42);
  map.reserve(5_000);
  assert.equal(map.number(map.find(early.id), 0), 42);
  const ids = Array.from(
    { length: 5_000 },
    (_, i) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`,
  );
  for (const id of ids) map.set({ id });
  assert.equal(map.size, 5_001);
  for (const id of ids) assert.equal(valueOf(map, id)?.id, id);
  assert.equal(valueOf(map, early.id), early);
});

Deno.test("sortByKey() orders indexes by the top bits of their keys", () => {
  const keys = Int32Array.from([0x0fffffff, 0, 0x08000000, 0x00001000, 0x0fff0000]);
  const order = new Int32Array(keys.length);
  sortByKey(keys, keys.length, order, new Int32Array((1 << 16) + 1));
  assert.deepEqual([...order].sort(), [0, 1, 2, 3, 4]);
  // Five keys use the fewest buckets, 16: the top 4 of the 28 key bits.
  const topBits = [...order].map((i) => keys[i] >>> 24);
  assert.deepEqual(topBits, [0, 0, 8, 15, 15]);
  assert.equal(idKey("53448bb7-5244-4a24-9544-8edd54448d4a"), 0x4448d4a);
});
