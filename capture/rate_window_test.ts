import assert from "node:assert/strict";
import { RateWindow } from "./rate_window.ts";

Deno.test("RateWindow.samples() returns the complete seconds before now, zero-filled, oldest first", () => {
  const window = new RateWindow(5);
  window.add(1000.2, 100, 0);
  window.add(1000.9, 50, 7);
  window.add(1002.5, 0, 30);
  window.add(1004.1, 999, 999); // the second in progress at now = 1004.5
  assert.deepEqual(window.samples(1004.5), [
    { ts: 999, upBytes: 0, downBytes: 0 },
    { ts: 1000, upBytes: 150, downBytes: 7 },
    { ts: 1001, upBytes: 0, downBytes: 0 },
    { ts: 1002, upBytes: 0, downBytes: 30 },
    { ts: 1003, upBytes: 0, downBytes: 0 },
  ]);
  assert.deepEqual(window.current(1003.0), { ts: 1002, upBytes: 0, downBytes: 30 });
});

Deno.test("RateWindow forgets seconds older than the window and ignores late packets for reused slots", () => {
  const window = new RateWindow(3);
  window.add(10, 1, 1);
  window.add(13, 5, 0); // reuses the slot of second 10
  window.add(10, 100, 100); // too late: the slot now holds second 13
  assert.deepEqual(window.samples(14).map((s) => s.upBytes), [0, 0, 5]);
  assert.deepEqual(window.samples(20).map((s) => s.upBytes), [0, 0, 0]);
});

Deno.test("RateWindow rejects a window that is not a positive integer", () => {
  assert.throws(() => new RateWindow(0), RangeError);
  assert.throws(() => new RateWindow(2.5), RangeError);
});

Deno.test("RateWindow.over() reads and writes the same slots as the RateWindow.shared() it was given", () => {
  const writer = RateWindow.shared(4);
  assert.ok(writer.buffer instanceof SharedArrayBuffer);
  const reader = RateWindow.over(writer.buffer as SharedArrayBuffer);
  assert.deepEqual(reader.current(1_000), { ts: 999, upBytes: 0, downBytes: 0 }, "empty at first");
  writer.add(999.5, 100, 0);
  writer.add(999.9, 0, 7);
  assert.deepEqual(reader.current(1_000), { ts: 999, upBytes: 100, downBytes: 7 });
  reader.add(1_003, 1, 1);
  assert.deepEqual(writer.current(1_004), { ts: 1_003, upBytes: 1, downBytes: 1 });
  assert.deepEqual(writer.current(1_000), { ts: 999, upBytes: 0, downBytes: 0 }, "slot reused 4 s later");
});
