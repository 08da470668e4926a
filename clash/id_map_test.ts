import assert from "node:assert/strict";
import { idKey, IdMap, sortByKey } from "./id_map.ts";

Deno.test("IdMap keeps ids that share their first hex digits apart", () => {
  const map = new IdMap<{ id: string; n: number }>();
  const a = { id: "53448bb7-5244-4a24-9544-8edd54448d4a", n: 1 };
  const b = { id: "53448bb0-0000-4000-8000-000000000000", n: 2 }; // same first 7 digits
  const c = { id: "5344", n: 3 }; // short, not a UUID
  for (const v of [a, b, c]) map.set(v);
  assert.equal(map.size, 3);
  assert.equal(map.get(a.id), a);
  assert.equal(map.get(b.id), b);
  assert.equal(map.get(c.id), c);
  assert.equal(map.get("53448bb7-ffff-4a24-9544-8edd54448d4a"), undefined);
  map.delete(a.id);
  assert.equal(map.get(a.id), undefined);
  assert.equal(map.get(b.id), b);
  map.set({ id: a.id, n: 4 });
  assert.equal(map.get(a.id)?.n, 4);
  assert.equal(map.size, 3);
});

Deno.test("IdMap.forEach() visits every value and allows deleting the visited one", () => {
  const map = new IdMap<{ id: string }>();
  const ids = Array.from({ length: 500 }, (_, i) => `${(i % 7).toString(16).repeat(7)}-${i}`);
  for (const id of ids) map.set({ id });
  const seen: string[] = [];
  map.forEach((v) => {
    seen.push(v.id);
    if (v.id.endsWith("0")) map.delete(v.id);
  });
  assert.deepEqual(seen.sort(), [...ids].sort());
  assert.equal(map.size, ids.filter((id) => !id.endsWith("0")).length);
  assert.deepEqual(map.values().map((v) => v.id).sort(), ids.filter((id) => !id.endsWith("0")).sort());
  map.clear();
  assert.equal(map.size, 0);
});

Deno.test("IdMap matches a Map under random sets and deletes of ids that share their key", () => {
  // Ids that end alike share their key (idKey reads the last hex digits), so probe runs are long and every
  // delete shifts values back; a plain Map is the reference.
  let seed = 0x2545f491;
  const random = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  const map = new IdMap<{ id: string; n: number }>();
  const reference = new Map<string, number>();
  const idOf = (i: number) => `${i.toString(16).padStart(8, "0")}-0000-4000-8000-0000000${i % 3}abcd`;
  for (let step = 0; step < 5_000; step++) {
    const id = idOf(Math.floor(random() * 400));
    if (random() < 0.6) {
      map.set({ id, n: step });
      reference.set(id, step);
    } else {
      map.delete(id);
      reference.delete(id);
    }
    if (step % 97 === 0) {
      assert.equal(map.size, reference.size, `size at step ${step}`);
      for (let i = 0; i < 400; i++) assert.equal(map.get(idOf(i))?.n, reference.get(idOf(i)), `id ${i}`);
    }
  }
  assert.deepEqual(map.values().map((v) => [v.id, v.n]).sort(), [...reference].sort());
});

Deno.test("IdMap.deleteUnstamped() drops exactly the values without the stamp", () => {
  const map = new IdMap<{ id: string }>();
  const ids = Array.from({ length: 300 }, (_, i) => `${i}-${(i % 5).toString(16).repeat(7)}`);
  for (const id of ids) map.set({ id }, 1);
  const kept = ids.filter((_, i) => i % 3 !== 0);
  for (const id of kept) assert.equal(map.stamp(map.find(id), 2), true);
  assert.equal(map.stamp(map.find(kept[0]), 2), false);
  map.deleteUnstamped(2, ids.length - kept.length);
  assert.deepEqual(map.values().map((v) => v.id).sort(), [...kept].sort());
  for (const id of ids) assert.equal(map.get(id)?.id, kept.includes(id) ? id : undefined);
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
