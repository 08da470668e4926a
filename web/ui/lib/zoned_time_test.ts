import assert from "node:assert/strict";
import {
  addDays,
  hourStartsOfDay,
  localDateAt,
  localHourLabelAt,
  monthStart,
  offsetLabel,
  wallToUtcSec,
} from "./zoned_time.ts";

Deno.test("hourStartsOfDay() gives 23 hours on the New York spring-forward day and 25 on fall-back", () => {
  const spring = hourStartsOfDay("America/New_York", "2026-03-08");
  const fall = hourStartsOfDay("America/New_York", "2026-11-01");
  assert.equal(spring.length, 23);
  assert.equal(fall.length, 25);
  assert.equal(spring[0], Date.UTC(2026, 2, 8, 5) / 1000);
  assert.equal(fall[0], Date.UTC(2026, 10, 1, 4) / 1000);
  assert.equal(hourStartsOfDay("America/New_York", "2026-03-09").length, 24);
});

Deno.test("wallToUtcSec() handles +05:45 and +05:30 zones and picks the earlier repeated hour", () => {
  assert.equal(wallToUtcSec("Asia/Kathmandu", "2026-01-01"), Date.UTC(2025, 11, 31, 18, 15) / 1000);
  assert.equal(wallToUtcSec("Asia/Kolkata", "2026-01-01", 6), Date.UTC(2026, 0, 1, 0, 30) / 1000);
  // 01:00 happens twice on 2026-11-01 in New York: first at EDT (05:00 UTC), then at EST (06:00 UTC).
  assert.equal(wallToUtcSec("America/New_York", "2026-11-01", 1), Date.UTC(2026, 10, 1, 5) / 1000);
  // 02:00 does not exist on 2026-03-08: the instant after the gap is 03:00 EDT (07:00 UTC).
  assert.equal(wallToUtcSec("America/New_York", "2026-03-08", 2), Date.UTC(2026, 2, 8, 7) / 1000);
});

Deno.test("localDateAt() and offsetLabel() follow the given zone, not the machine's", () => {
  const utcSec = Date.UTC(2026, 0, 1, 18, 20) / 1000;
  assert.equal(localDateAt("Asia/Kathmandu", utcSec), "2026-01-02");
  assert.equal(localDateAt("America/Los_Angeles", utcSec), "2026-01-01");
  assert.equal(offsetLabel("Asia/Kathmandu", utcSec), "UTC+05:45");
  assert.equal(offsetLabel("America/New_York", utcSec), "UTC-05:00");
});

Deno.test("localHourLabelAt() names the local hour like the API's hour keys, midnight as 00:00", () => {
  // 18:20 UTC is 00:05 the next day in Kathmandu (+05:45).
  const utcSec = Date.UTC(2026, 0, 1, 18, 20) / 1000;
  assert.equal(localHourLabelAt("Asia/Kathmandu", utcSec), "2026-01-02 00:00");
  assert.equal(localHourLabelAt("America/Los_Angeles", utcSec), "2026-01-01 10:00");
});

Deno.test("addDays() and monthStart() cross month and year ends", () => {
  assert.equal(addDays("2026-03-01", -1), "2026-02-28");
  assert.equal(addDays("2024-12-31", 1), "2025-01-01");
  assert.equal(monthStart("2026-01-15", -1), "2025-12-01");
  assert.equal(monthStart("2026-03-31"), "2026-03-01");
});
