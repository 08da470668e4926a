import assert from "node:assert/strict";
import { IdMap } from "./id_map.ts";

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
