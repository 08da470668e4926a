import assert from "node:assert/strict";
import { periodRange, quickRange, type QuickRangeId, quickRangeIdOf } from "./quick_ranges.ts";

interface Row {
  readonly id: QuickRangeId;
  readonly today: string;
  readonly expected: { start: string; end: string; granularity: string };
  readonly note?: string;
}

const ROWS: readonly Row[] = [
  {
    id: "today",
    today: "2026-03-01",
    expected: { start: "2026-03-01", end: "2026-03-01", granularity: "hour" },
  },
  {
    id: "yesterday",
    today: "2026-03-01",
    expected: { start: "2026-02-28", end: "2026-02-28", granularity: "hour" },
  },
  {
    id: "last_7_days",
    today: "2026-03-03",
    expected: { start: "2026-02-25", end: "2026-03-03", granularity: "day" },
  },
  {
    id: "last_30_days",
    today: "2026-03-01",
    expected: { start: "2026-01-31", end: "2026-03-01", granularity: "day" },
  },
  {
    id: "this_month",
    today: "2026-03-17",
    expected: { start: "2026-03-01", end: "2026-03-17", granularity: "day" },
  },
  {
    id: "last_month",
    today: "2026-01-10",
    expected: { start: "2025-12-01", end: "2025-12-31", granularity: "day" },
  },
  {
    id: "last_month",
    today: "2024-03-31",
    expected: { start: "2024-02-01", end: "2024-02-29", granularity: "day" },
    note: "in a leap year",
  },
  {
    id: "this_year",
    today: "2026-11-23",
    expected: { start: "2026-01-01", end: "2026-11-23", granularity: "month" },
  },
];

for (const row of ROWS) {
  Deno.test(`quickRange() ${row.id} on ${row.today}${row.note ? ` ${row.note}` : ""}`, () => {
    assert.deepEqual(quickRange(row.id, row.today), row.expected);
  });
}

Deno.test("periodRange() runs a current period to today and a past one to its end, by day", () => {
  const period = { start: "2026-11-15", end: "2026-12-14" };
  assert.deepEqual(periodRange(period, "2026-12-04"), {
    start: "2026-11-15",
    end: "2026-12-04",
    granularity: "day",
  });
  assert.deepEqual(periodRange(period, "2026-12-20"), {
    start: "2026-11-15",
    end: "2026-12-14",
    granularity: "day",
  });
  assert.deepEqual(periodRange(period, "2026-11-15"), {
    start: "2026-11-15",
    end: "2026-11-15",
    granularity: "day",
  });
});

Deno.test("quickRangeIdOf() names the button clicked when two select the same range, else the first", () => {
  // On the 7th, the last 7 days are this month's days; on the 6th they are not.
  const seventh = "2026-12-07";
  const month = quickRange("this_month", seventh);
  assert.deepEqual(month, quickRange("last_7_days", seventh));
  assert.equal(quickRangeIdOf(month, seventh, "this_month"), "this_month");
  assert.equal(quickRangeIdOf(month, seventh, "last_7_days"), "last_7_days");
  assert.equal(quickRangeIdOf(month, seventh), "last_7_days");
  assert.equal(
    quickRangeIdOf(month, seventh, "today"),
    "last_7_days",
    "a click that does not match is no preference",
  );
  const sixth = "2026-12-06";
  assert.equal(quickRangeIdOf(quickRange("this_month", sixth), sixth), "this_month");
});
