import assert from "node:assert/strict";
import { samplesJson } from "./monitoring_json.ts";

Deno.test("samplesJson() takes a second the monitor still holds from its lines alone, and keeps the span", () => {
  const saved = [
    { tsSec: 99, upBytes: 9, downBytes: 9 },
    { tsSec: 100, upBytes: 1, downBytes: 2 },
    { tsSec: 103, upBytes: 3, downBytes: 3 }, // a flush caught the first line of second 103
  ];
  const recent = [
    { tsSec: 103, upBytes: 3, downBytes: 3 },
    { tsSec: 103, upBytes: 4, downBytes: 5 },
    { tsSec: 101, upBytes: 7, downBytes: 8 },
    { tsSec: 160, upBytes: 1, downBytes: 1 },
  ];
  assert.deepEqual(samplesJson(saved, recent, { fromSec: 100, toSec: 160 }), {
    samples: [
      { ts: 100, up_bytes: 1, down_bytes: 2 },
      { ts: 101, up_bytes: 7, down_bytes: 8 },
      { ts: 103, up_bytes: 7, down_bytes: 8 },
    ],
  });
});
