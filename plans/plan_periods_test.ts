import assert from "node:assert/strict";
import { parsePeriodRule } from "./parse_plan.ts";
import { periodAt, periodDatesOf, periodOfDate, previousPeriod } from "./plan_periods.ts";

const TODAY = "2030-01-01";
const rule = (text: string) => parsePeriodRule(text, TODAY);
const utc = (iso: string) => Date.parse(iso) / 1000;

Deno.test("periodDatesOf() cuts each kind of period, table", () => {
  const cases: [name: string, rule: string, date: string, start: string, end: string][] = [
    ["calendar month", "calendar", "2026-02-14", "2026-02-01", "2026-02-28"],
    ["calendar, leap February", "calendar", "2028-02-29", "2028-02-01", "2028-02-29"],
    ["monthly:15 after the 15th", "monthly:15", "2026-03-20", "2026-03-15", "2026-04-14"],
    ["monthly:15 before the 15th", "monthly:15", "2026-03-02", "2026-02-15", "2026-03-14"],
    ["monthly:15 on the 15th", "monthly:15", "2026-03-15", "2026-03-15", "2026-04-14"],
    [
      "monthly:31 in February: starts on its last day",
      "monthly:31",
      "2026-03-05",
      "2026-02-28",
      "2026-03-30",
    ],
    ["monthly:31 on 28 Feb", "monthly:31", "2026-02-28", "2026-02-28", "2026-03-30"],
    ["monthly:31 on 27 Feb", "monthly:31", "2026-02-27", "2026-01-31", "2026-02-27"],
    ["monthly:31 in a leap February", "monthly:31", "2028-02-29", "2028-02-29", "2028-03-30"],
    ["monthly:31 in a leap February, 28th", "monthly:31", "2028-02-28", "2028-01-31", "2028-02-28"],
    ["monthly:31 in April (30 days)", "monthly:31", "2026-04-30", "2026-04-30", "2026-05-30"],
    ["monthly:31 on 31 March", "monthly:31", "2026-03-31", "2026-03-31", "2026-04-29"],
    ["monthly:30 in March, before", "monthly:30", "2026-03-01", "2026-02-28", "2026-03-29"],
    ["monthly:29 in a common February", "monthly:29", "2026-03-10", "2026-02-28", "2026-03-28"],
    ["monthly:1 is the calendar month", "monthly:1", "2026-12-31", "2026-12-01", "2026-12-31"],
    ["monthly:15 across a year", "monthly:15", "2027-01-03", "2026-12-15", "2027-01-14"],
    ["every 30 days, first period", "every:30:2026-01-07", "2026-01-07", "2026-01-07", "2026-02-05"],
    ["every 30 days, across the year", "every:30:2026-01-07", "2027-01-01", "2026-12-03", "2027-01-01"],
    ["every 30 days, next year", "every:30:2026-01-07", "2027-01-02", "2027-01-02", "2027-01-31"],
    ["every 30 days, over a leap day", "every:30:2028-02-15", "2028-03-15", "2028-02-15", "2028-03-15"],
    ["every 1 day", "every:1:2026-01-01", "2026-06-30", "2026-06-30", "2026-06-30"],
    ["every 7 days before the start", "every:7:2026-01-07", "2026-01-01", "2025-12-31", "2026-01-06"],
    ["weekly:mon on a Wednesday", "weekly:mon", "2026-12-02", "2026-11-30", "2026-12-06"],
    ["weekly:mon on a Monday", "weekly:mon", "2026-11-30", "2026-11-30", "2026-12-06"],
    ["weekly:sun on a Saturday", "weekly:sun", "2026-12-05", "2026-11-29", "2026-12-05"],
    ["weekly:sun on a Sunday", "weekly:sun", "2026-12-06", "2026-12-06", "2026-12-12"],
    ["weekly:fri across a year", "weekly:fri", "2027-01-01", "2027-01-01", "2027-01-07"],
  ];
  for (const [name, text, date, start, end] of cases) {
    assert.deepEqual(periodDatesOf(rule(text), date), { start, end }, name);
  }
});

Deno.test("periodOfDate() puts the bounds at local midnight, exact across DST, table", () => {
  const cases: [
    name: string,
    zone: string,
    rule: string,
    date: string,
    startIso: string,
    endIso: string,
    days: number,
  ][] = [
    // New York: DST starts 2026-03-08 (a 23-hour day) and ends 2026-11-01 (25 hours).
    [
      "New York, March has a 23-hour day",
      "America/New_York",
      "calendar",
      "2026-03-10",
      "2026-03-01T05:00:00Z",
      "2026-04-01T04:00:00Z",
      31,
    ],
    [
      "New York, the DST-start day as a period",
      "America/New_York",
      "every:1:2026-01-01",
      "2026-03-08",
      "2026-03-08T05:00:00Z",
      "2026-03-09T04:00:00Z",
      1,
    ],
    [
      "New York, the DST-end day as a period",
      "America/New_York",
      "every:1:2026-01-01",
      "2026-11-01",
      "2026-11-01T04:00:00Z",
      "2026-11-02T05:00:00Z",
      1,
    ],
    [
      "New York, week over the DST end",
      "America/New_York",
      "weekly:sun",
      "2026-11-03",
      "2026-11-01T04:00:00Z",
      "2026-11-08T05:00:00Z",
      7,
    ],
    // Berlin: DST starts 2026-03-29 and ends 2026-10-25.
    [
      "Berlin, monthly:15 over the DST start",
      "Europe/Berlin",
      "monthly:15",
      "2026-04-01",
      "2026-03-14T23:00:00Z",
      "2026-04-14T22:00:00Z",
      31,
    ],
    [
      "Berlin, the DST-end day",
      "Europe/Berlin",
      "every:1:2026-01-01",
      "2026-10-25",
      "2026-10-24T22:00:00Z",
      "2026-10-25T23:00:00Z",
      1,
    ],
    [
      "Berlin, weekly:mon over the DST end",
      "Europe/Berlin",
      "weekly:mon",
      "2026-10-25",
      "2026-10-18T22:00:00Z",
      "2026-10-25T23:00:00Z",
      7,
    ],
    [
      "Kathmandu +05:45",
      "Asia/Kathmandu",
      "calendar",
      "2026-12-04",
      "2026-11-30T18:15:00Z",
      "2026-12-31T18:15:00Z",
      31,
    ],
    [
      "UTC, leap February",
      "UTC",
      "calendar",
      "2028-02-10",
      "2028-02-01T00:00:00Z",
      "2028-03-01T00:00:00Z",
      29,
    ],
  ];
  for (const [name, zone, text, date, startIso, endIso, days] of cases) {
    const period = periodOfDate(rule(text), date, zone);
    assert.deepEqual(
      { startSec: period.startSec, endSec: period.endSec, days: period.days },
      { startSec: utc(startIso), endSec: utc(endIso), days },
      name,
    );
    assert.equal((period.startSec % 900) + (period.endSec % 900), 0, `${name}: bounds are bucket bounds`);
  }
});

Deno.test("periodAt() finds the period of an instant by its local date, at both sides of local midnight", () => {
  const monthly = rule("monthly:15");
  // 2026-03-14T23:30Z is 00:30 on the 15th in Berlin (UTC+1) but still the 14th in UTC.
  assert.equal(periodAt(monthly, utc("2026-03-14T23:30:00Z"), "Europe/Berlin").start, "2026-03-15");
  assert.equal(periodAt(monthly, utc("2026-03-14T23:30:00Z"), "UTC").start, "2026-02-15");
  // 18:14Z on Nov 30 is 23:59 in Kathmandu; 18:15Z is midnight of December 1st.
  assert.equal(periodAt(rule("calendar"), utc("2026-11-30T18:14:59Z"), "Asia/Kathmandu").start, "2026-11-01");
  assert.equal(periodAt(rule("calendar"), utc("2026-11-30T18:15:00Z"), "Asia/Kathmandu").start, "2026-12-01");
});

Deno.test("previousPeriod() is contiguous, and a TZ change moves both periods' bounds to the new zone's midnights", () => {
  const monthly = rule("monthly:31");
  const current = periodOfDate(monthly, "2026-03-10", "Europe/Berlin");
  const previous = previousPeriod(monthly, current, "Europe/Berlin");
  assert.deepEqual([previous.start, previous.end], ["2026-01-31", "2026-02-27"]);
  assert.equal(previous.endSec, current.startSec);
  // The same periods under another TZ: same dates, bounds at Kathmandu's midnights, still contiguous.
  const currentKtm = periodOfDate(monthly, "2026-03-10", "Asia/Kathmandu");
  const previousKtm = previousPeriod(monthly, currentKtm, "Asia/Kathmandu");
  assert.deepEqual([previousKtm.start, currentKtm.start], [previous.start, current.start]);
  assert.equal(previousKtm.endSec, currentKtm.startSec);
  assert.equal(currentKtm.startSec, utc("2026-02-27T18:15:00Z"));
  assert.equal(current.startSec - currentKtm.startSec, 4.75 * 3600);
});
