import assert from "node:assert/strict";
import { narrowRange, rangeBounds, topIpsBounds } from "./range_steps.ts";
import { wallToUtcSec } from "./zoned_time.ts";

const KATHMANDU = "Asia/Kathmandu";
const ref = (label: string, startSec = 0) => ({ label, startSec });

Deno.test("narrowRange() opens a month by day, a day by hour and an hour alone", () => {
  assert.deepEqual(narrowRange(ref("2024-02"), ref("2024-02")), {
    start: "2024-02-01",
    end: "2024-02-29",
    granularity: "day",
  });
  assert.deepEqual(narrowRange(ref("2026-03-08"), ref("2026-03-08")), {
    start: "2026-03-08",
    end: "2026-03-08",
    granularity: "hour",
  });
  const three = wallToUtcSec(KATHMANDU, "2026-03-08", 3);
  assert.deepEqual(narrowRange(ref("2026-03-08 03:00", three), ref("2026-03-08 03:00", three)), {
    start: "2026-03-08",
    end: "2026-03-08",
    granularity: "hour",
    hours: { fromSec: three, toSec: three + 3600 },
  });
});

Deno.test("narrowRange() zooms to the dragged periods at a granularity that fits", () => {
  const table: [string, string, object][] = [
    ["2026-03-02", "2026-03-04", { start: "2026-03-02", end: "2026-03-04", granularity: "hour" }],
    ["2026-03-02", "2026-03-05", { start: "2026-03-02", end: "2026-03-05", granularity: "day" }],
    ["2025-11", "2026-01", { start: "2025-11-01", end: "2026-01-31", granularity: "day" }],
    ["2025-03", "2026-02", { start: "2025-03-01", end: "2026-02-28", granularity: "month" }],
    ["2026-03-01 00:00", "2026-03-02 23:00", { start: "2026-03-01", end: "2026-03-02", granularity: "hour" }],
  ];
  for (const [first, last, expected] of table) {
    assert.deepEqual(narrowRange(ref(first), ref(last)), expected, `${first}..${last}`);
  }
});

Deno.test("narrowRange() keeps hours across midnight, and the later 01:00 of a 25-hour day", () => {
  const zone = "America/New_York";
  const late = wallToUtcSec(zone, "2026-10-31", 22);
  const early = wallToUtcSec(zone, "2026-11-01", 1) + 3600; // the repeated 01:00
  assert.deepEqual(narrowRange(ref("2026-10-31 22:00", late), ref("2026-11-01 01:00", early)), {
    start: "2026-10-31",
    end: "2026-11-01",
    granularity: "hour",
    hours: { fromSec: late, toSec: early + 3600 },
  });
});

Deno.test("rangeBounds() names dates, or the local hours of a range with hours", () => {
  assert.deepEqual(rangeBounds({ start: "2026-03-01", end: "2026-03-07", granularity: "day" }, KATHMANDU), {
    start: "2026-03-01",
    end: "2026-03-07",
  });
  const three = wallToUtcSec(KATHMANDU, "2026-03-08", 3);
  const hours = { fromSec: three, toSec: three + 3600 };
  assert.deepEqual(
    rangeBounds({ start: "2026-03-08", end: "2026-03-08", granularity: "hour", hours }, KATHMANDU),
    { start: "2026-03-08 03:00", end: "2026-03-08 04:00" },
  );
});

Deno.test("topIpsBounds() gives dates, or first and last local hour with the offset of each", () => {
  const days = { start: "2026-03-01", end: "2026-03-07", granularity: "day" } as const;
  assert.deepEqual(topIpsBounds(days, KATHMANDU), { start: "2026-03-01", end: "2026-03-07" });
  const zone = "America/New_York";
  const first = wallToUtcSec(zone, "2026-11-01", 1); // the first 01:00, EDT
  const hours = { fromSec: first, toSec: first + 2 * 3600 }; // both 01:00 hours
  assert.deepEqual(
    topIpsBounds({ start: "2026-11-01", end: "2026-11-01", granularity: "hour", hours }, zone),
    { start: "2026-11-01T01:00-04:00", end: "2026-11-01T01:00-05:00" },
  );
});
