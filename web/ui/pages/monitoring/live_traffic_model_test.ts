import assert from "node:assert/strict";
import { emptyLiveColumns, LIVE_WINDOW_SEC, pushSample, seedSamples } from "./live_traffic_model.ts";

Deno.test("pushSample() shifts the window by one second and adds lines of the same second", () => {
  const columns = emptyLiveColumns(1000);
  assert.equal(columns.ts[0], 1000 - LIVE_WINDOW_SEC + 1);
  assert.ok(pushSample(columns, 1001, '{"up":5,"down":7}\n'));
  assert.ok(pushSample(columns, 1001, '{"up":1,"down":1}'));
  assert.ok(pushSample(columns, 1002, '{"up":2,"down":3}'));
  const last = LIVE_WINDOW_SEC - 1;
  assert.deepEqual([columns.ts[last - 1], columns.up[last - 1], columns.down[last - 1]], [1001, 6, 8]);
  assert.deepEqual([columns.ts[last], columns.up[last], columns.down[last]], [1002, 2, 3]);
  assert.equal(columns.ts[0], 1000 - LIVE_WINDOW_SEC + 3);
  assert.equal(columns.labels.length, LIVE_WINDOW_SEC);
});

Deno.test("pushSample() rejects lines that are not {up, down}", () => {
  const columns = emptyLiveColumns(1000);
  assert.equal(pushSample(columns, 1001, "{"), false);
  assert.equal(pushSample(columns, 1001, '{"hello":"clash"}'), false);
  assert.equal(columns.ts[LIVE_WINDOW_SEC - 1], 1000);
});

Deno.test("seedSamples() fills the window's seconds from the server, except those the live lines own", () => {
  const columns = emptyLiveColumns(1000);
  const last = LIVE_WINDOW_SEC - 1;
  assert.ok(pushSample(columns, 1001, '{"up":1,"down":1}'));
  const seed = [
    { ts: 900, up_bytes: 50, down_bytes: 50 }, // before the window
    { ts: 999, up_bytes: 2, down_bytes: 3 },
    { ts: 1000, up_bytes: 4, down_bytes: 5 },
    { ts: 1001, up_bytes: 9, down_bytes: 9 }, // a live line came first: it stays
  ];
  assert.ok(seedSamples(columns, seed, 1001));
  assert.deepEqual([...columns.up.slice(last - 2)], [2, 4, 1]);
  assert.deepEqual([...columns.down.slice(last - 2)], [3, 5, 1]);
  assert.equal(columns.up.reduce((a, b) => a + b), 7);
  assert.equal(seedSamples(columns, [{ ts: 5, up_bytes: 1, down_bytes: 1 }], null), false);
});
