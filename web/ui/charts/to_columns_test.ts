import assert from "node:assert/strict";
import type { HourPointJson } from "../api.ts";
import { addDays, hourStartsOfDay, wallTimeAt } from "../lib/zoned_time.ts";
import { seriesColumns, stackedBarData, todayColumns } from "./to_columns.ts";

function hourRow(hour: string, up: number, down: number, dropped = 0): HourPointJson {
  return { hour, up_bytes: up, down_bytes: down, total_bytes: up + down, dropped_packets: dropped };
}

Deno.test("seriesColumns() keeps the repeated 01:00 of a 25-hour New York day as two later instants", () => {
  const rows = ["00", "01", "01", "02"].map((h, i) => hourRow(`2026-11-01 ${h}:00`, i, 10 * i));
  const columns = seriesColumns(rows, "America/New_York");
  const base = Date.UTC(2026, 10, 1, 4) / 1000;
  assert.deepEqual([...columns.ts], [base, base + 3600, base + 7200, base + 10800]);
  assert.deepEqual([...columns.down], [0, 10, 20, 30]);
});

Deno.test("seriesColumns() places days and months at local midnight in +05:45", () => {
  const day = seriesColumns([{
    day: "2026-01-02",
    up_bytes: 1,
    down_bytes: 2,
    total_bytes: 3,
    dropped_packets: 0,
  }], "Asia/Kathmandu");
  assert.equal(day.ts[0], Date.UTC(2026, 0, 1, 18, 15) / 1000);
  const month = seriesColumns([{
    month: "2026-02",
    up_bytes: 1,
    down_bytes: 2,
    total_bytes: 3,
    dropped_packets: 0,
  }], "Asia/Kathmandu");
  assert.equal(month.ts[0], Date.UTC(2026, 0, 31, 18, 15) / 1000);
  assert.deepEqual(month.labels, ["2026-02"]);
});

Deno.test("todayColumns() zero-fills the 23 hours of a spring-forward day up to now", () => {
  const zone = "America/New_York";
  const nowSec = Date.UTC(2026, 2, 8, 23, 30) / 1000; // 19:30 EDT
  const rows = [hourRow("2026-03-08 03:00", 5, 7, 2)];
  const columns = todayColumns(rows, { zone, today: "2026-03-08", nowSec });
  assert.equal(columns.ts.length, 19); // 00, 01, then 03..19: 02:00 does not exist
  assert.equal(columns.labels[2], "2026-03-08 03:00");
  assert.equal(columns.up[2], 5);
  assert.equal(columns.dropped[2], 2);
  assert.equal(columns.labels[1], "2026-03-08 01:00");
  assert.equal(columns.up.reduce((a, b) => a + b), 5);
});

Deno.test("stackedBarData() stacks download under upload", () => {
  const columns = seriesColumns([hourRow("2026-01-01 00:00", 3, 4)], "UTC");
  const [, top, bottom] = stackedBarData(columns);
  assert.deepEqual([top[0], bottom[0]], [7, 4]);
});

Deno.test("seriesColumns() gives every hour of a New York year its own instant, DST days included", () => {
  const zone = "America/New_York";
  const rows: HourPointJson[] = [];
  let expected: number[] = [];
  for (let day = "2026-01-01"; day <= "2026-12-31"; day = addDays(day, 1)) {
    const hours = hourStartsOfDay(zone, day);
    expected = expected.concat(hours);
    hours.forEach((t) =>
      rows.push(hourRow(`${day} ${String(wallTimeAt(zone, t).hour).padStart(2, "0")}:00`, 1, 2))
    );
  }
  assert.equal(rows.length, 8760);
  assert.deepEqual([...seriesColumns(rows, zone).ts], expected);
});

Deno.test("seriesColumns() falls back to the zone rules across a gap in sparse hours", () => {
  const columns = seriesColumns(
    [hourRow("2026-03-08 00:00", 1, 1), hourRow("2026-03-08 05:00", 1, 1)],
    "America/New_York",
  );
  assert.deepEqual([...columns.ts], [Date.UTC(2026, 2, 8, 5) / 1000, Date.UTC(2026, 2, 8, 9) / 1000]);
});
