import assert from "node:assert/strict";
import { MAX_HOST_BYTES, NameQueue } from "./name_queue.ts";

type Taken = [number[], string];

function takeAll(queue: NameQueue): Taken[] {
  const out: Taken[] = [];
  queue.take((dk, d0, d1, d2, d3, rf, r0, r1, r2, r3, host) =>
    out.push([[dk, d0, d1, d2, d3, rf, r0, r1, r2, r3], host])
  );
  return out;
}

Deno.test("NameQueue hands over every record whole, in order, through many wraps of the ring", () => {
  const buffer = NameQueue.create(8);
  const writer = new NameQueue(buffer);
  const reader = new NameQueue(buffer);
  const long = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(57)}.com`;
  assert.equal(long.length, MAX_HOST_BYTES);
  let sent = 0;
  for (let round = 0; round < 50; round++) {
    const expected: Taken[] = [];
    for (let i = 0; i < 1 + round % 8; i++, sent++) {
      const words = [1, 0x3c22, -sent | 0, 0, 0, 6, 0x20010db8, -1, 0x7fffffff, sent];
      const host = sent % 5 === 0 ? long : `h${sent}.example.com`;
      assert.ok(
        writer.offer(
          words[0],
          words[1],
          words[2],
          words[3],
          words[4],
          words[5],
          words[6],
          words[7],
          words[8],
          words[9],
          host,
        ),
      );
      expected.push([words, host]);
    }
    assert.deepEqual(takeAll(reader), expected, `round ${round}`);
  }
  assert.deepEqual(takeAll(reader), []);
});

Deno.test("NameQueue refuses a record when full and hosts that are not short printable ASCII, losing none it took", () => {
  const queue = new NameQueue(NameQueue.create(4));
  for (let i = 0; i < 4; i++) assert.ok(queue.offer(1, 0, i, 0, 0, 4, i, 0, 0, 0, `h${i}.example.com`));
  assert.ok(queue.isFull);
  assert.equal(queue.offer(1, 0, 9, 0, 0, 4, 9, 0, 0, 0, "late.example.com"), false);
  for (const bad of ["", "a".repeat(MAX_HOST_BYTES + 1), "bücher.example", "a b.example", "tab\t.example"]) {
    assert.equal(
      new NameQueue(NameQueue.create(4)).offer(1, 0, 0, 0, 0, 4, 1, 0, 0, 0, bad),
      false,
      JSON.stringify(bad),
    );
  }
  assert.deepEqual(takeAll(queue).map(([, host]) => host), [0, 1, 2, 3].map((i) => `h${i}.example.com`));
  assert.ok(queue.offer(1, 0, 9, 0, 0, 4, 9, 0, 0, 0, "late.example.com"));
  assert.throws(() => NameQueue.create(6), /power of two/);
});
