import assert from "node:assert/strict";
import type { HourPointJson } from "../api.ts";
import { addDays, hourStartsOfDay, wallTimeAt } from "../lib/zoned_time.ts";
import {
  isSignificantDrop,
  lineData,
  seriesColumns,
  sliceColumns,
  stackedBarData,
  sumColumns,
  todayColumns,
} from "./to_columns.ts";

function hourRow(hour: string, up: number, down: number, dropped = 0, packets = 10): HourPointJson {
  return {
    hour,
    hour_ts: `${hour.replace("T", " ")}:00`,
    up_bytes: up,
    down_bytes: down,
    total_bytes: up + down,
    dropped_packets: dropped,
    packets,
  };
}

function dayRow(day: string, up: number, dropped = 0, packets = 10) {
  return { day, up_bytes: up, down_bytes: 0, total_bytes: up, dropped_packets: dropped, packets };
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
    packets: 2,
  }], "Asia/Kathmandu");
  assert.equal(day.ts[0], Date.UTC(2026, 0, 1, 18, 15) / 1000);
  const month = seriesColumns([{
    month: "2026-02",
    up_bytes: 1,
    down_bytes: 2,
    total_bytes: 3,
    dropped_packets: 0,
    packets: 2,
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

Deno.test("seriesColumns() draws periods before the first count as no data and the future not at all", () => {
  const zone = "UTC";
  const rows = ["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04"].map((d) => dayRow(d, 5));
  const nowSec = Date.UTC(2026, 2, 3, 12) / 1000;
  const columns = seriesColumns(rows, zone, { firstDate: "2026-03-02", nowSec });
  assert.equal(columns.firstKnown, 1);
  assert.equal(columns.futureFrom, 3);
  assert.deepEqual(stackedBarData(columns)[1], [null, 5, 5, null]);
  assert.deepEqual(lineData(columns)[2], [null, 0, 0, null]);
  const empty = seriesColumns(rows, zone, { firstDate: null, nowSec });
  assert.equal(empty.firstKnown, 4);
  const months = seriesColumns(
    [{ month: "2026-01", up_bytes: 0, down_bytes: 0, total_bytes: 0, dropped_packets: 0, packets: 0 }, {
      month: "2026-02",
      up_bytes: 1,
      down_bytes: 0,
      total_bytes: 1,
      dropped_packets: 0,
      packets: 1,
    }],
    zone,
    { firstDate: "2026-02-17", nowSec },
  );
  assert.equal(months.firstKnown, 1, "the month of the first count is data");
});

Deno.test("todayColumns() of a day before any count is no data", () => {
  const nowSec = Date.UTC(2026, 2, 3, 5, 30) / 1000;
  const columns = todayColumns([], { zone: "UTC", today: "2026-03-03", nowSec, firstDate: null });
  assert.equal(columns.ts.length, 6);
  assert.equal(columns.firstKnown, 6);
});

Deno.test("sliceColumns() keeps the periods that start in the span and sumColumns() adds them", () => {
  const rows = ["00", "01", "02", "03"].map((h, i) => hourRow(`2026-03-01 ${h}:00`, i + 1, 10 * (i + 1)));
  const columns = seriesColumns(rows, "UTC", {
    firstDate: "2026-03-01",
    nowSec: Date.UTC(2026, 2, 2) / 1000,
  });
  const from = Date.UTC(2026, 2, 1, 1) / 1000;
  const slice = sliceColumns(columns, from, from + 7200);
  assert.deepEqual(slice.labels, ["2026-03-01 01:00", "2026-03-01 02:00"]);
  assert.deepEqual(sumColumns(slice), { upBytes: 5, downBytes: 50 });
  assert.equal(slice.futureFrom, 2);
});

Deno.test("isSignificantDrop() shades 1 in 1000 packets or more, not 930 of 1.2 billion", () => {
  const rows = [
    dayRow("2026-03-01", 1, 930, 1_200_000_000),
    dayRow("2026-03-02", 1, 1, 999),
    dayRow("2026-03-03", 1, 1, 998),
    dayRow("2026-03-04", 1, 0, 5),
  ];
  const columns = seriesColumns(rows, "UTC");
  assert.deepEqual([0, 1, 2, 3].map((i) => isSignificantDrop(columns, i)), [false, true, true, false]);
});
