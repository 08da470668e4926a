import assert from "node:assert/strict";
import {
  BadParamError,
  checkDateRange,
  checkSpan,
  parseChoice,
  parseDate,
  parseGranularity,
  parseLimit,
  parseSpanBound,
} from "./params.ts";

function assertBad(fn: () => unknown, parameter: string): void {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof BadParamError, String(e));
    assert.equal(e.parameter, parameter);
    assert.match(e.message, new RegExp(`^Invalid parameter "${parameter}": got "`));
    return true;
  });
}

Deno.test("parseDate() accepts real calendar dates and names the parameter otherwise", () => {
  assert.equal(parseDate("2024-02-29", "start"), "2024-02-29");
  assert.equal(parseDate(undefined, "start"), null);
  assert.equal(parseDate("", "end", "2024-01-01"), "2024-01-01");
  for (
    const bad of [
      "2023-02-29",
      "2024-13-01",
      "2024-1-1",
      "yesterday",
      "2024-01-01T00:00",
      "1969-12-31",
      "3000-01-01",
    ]
  ) {
    assertBad(() => parseDate(bad, "start"), "start");
  }
});

Deno.test("parseGranularity(), parseLimit() and parseChoice() reject what they do not know", () => {
  assert.equal(parseGranularity(undefined), "day");
  assert.equal(parseGranularity("month"), "month");
  assertBad(() => parseGranularity("week"), "granularity");
  assertBad(() => parseGranularity("HOUR"), "granularity");
  assert.equal(parseLimit("25", { fallback: 10, max: 100 }), 25);
  assert.equal(parseLimit(undefined, { fallback: 10, max: 100 }), 10);
  for (const bad of ["abc", "0", "101", "-1", "1.5", "1e2", " 5"]) {
    assertBad(() => parseLimit(bad, { fallback: 10, max: 100 }), "limit");
  }
  assert.equal(parseChoice("csv", "format", ["json", "csv"], "json"), "csv");
  assertBad(() => parseChoice("xml", "format", ["json", "csv"], "json"), "format");
});

Deno.test("checkDateRange() rejects start after end and absurd ranges", () => {
  checkDateRange("2024-01-01", "2024-01-01", "hour");
  checkDateRange("2000-01-01", "2024-12-31", "day");
  checkDateRange("1970-01-01", "2799-12-31", "month");
  assertBad(() => checkDateRange("2024-01-02", "2024-01-01", "day"), "start");
  assertBad(() => checkDateRange("2000-01-01", "2024-12-31", "hour"), "end");
  assertBad(() => checkDateRange("1970-01-01", "2999-12-31", "day"), "end");
  assertBad(() => checkDateRange("1970-01-01", "2999-12-31", "month"), "end");
});

const NEW_YORK = "America/New_York";
const utcSec = (iso: string) => Date.parse(iso) / 1000;

Deno.test("parseSpanBound() reads a local date or hour as the first second of it, or the second after it", () => {
  const bound = (value: string | undefined, edge: "start" | "end") =>
    parseSpanBound(value, "start", { timeZone: NEW_YORK, edge });
  assert.equal(bound(undefined, "start"), null);
  assert.equal(bound("", "end"), null);
  assert.equal(bound("2025-06-15", "start"), utcSec("2025-06-15T04:00Z"));
  assert.equal(bound("2025-06-15", "end"), utcSec("2025-06-16T04:00Z"));
  assert.equal(bound("2025-06-15T03:00", "start"), utcSec("2025-06-15T07:00Z"));
  assert.equal(bound("2025-06-15T03:00", "end"), utcSec("2025-06-15T08:00Z"));
  assert.equal(bound("2025-06-15T03:00-04:00", "start"), utcSec("2025-06-15T07:00Z"));
  // The day DST ends has 25 hours; the day it starts, 23.
  assert.equal(bound("2025-11-02", "end")! - bound("2025-11-02", "start")!, 25 * 3600);
  assert.equal(bound("2025-03-09", "end")! - bound("2025-03-09", "start")!, 23 * 3600);
});

Deno.test("parseSpanBound() covers both of a repeated hour unless its offset picks one", () => {
  const bound = (value: string, edge: "start" | "end") =>
    parseSpanBound(value, "end", { timeZone: NEW_YORK, edge });
  assert.equal(bound("2025-11-02T01:00", "start"), utcSec("2025-11-02T05:00Z"));
  assert.equal(bound("2025-11-02T01:00", "end"), utcSec("2025-11-02T07:00Z"));
  assert.equal(bound("2025-11-02T01:00-04:00", "start"), utcSec("2025-11-02T05:00Z"));
  assert.equal(bound("2025-11-02T01:00-04:00", "end"), utcSec("2025-11-02T06:00Z"));
  assert.equal(bound("2025-11-02T01:00-05:00", "start"), utcSec("2025-11-02T06:00Z"));
  assert.equal(bound("2025-11-02T01:00-05:00", "end"), utcSec("2025-11-02T07:00Z"));
});

Deno.test("parseSpanBound() names the parameter for malformed values, skipped hours and foreign offsets", () => {
  for (
    const bad of [
      "2025-06-15T03",
      "2025-06-15T03:30",
      "2025-06-15T24:00",
      "2025-06-15 03:00",
      "2025-02-29T03:00",
      "1969-12-31T23:00",
      "2025-06-15T03:00Z",
      "2025-06-15T03:00 04:00",
      "2025-06-15T03:00+09:00",
      "2025-03-09T02:00", // DST skips 02:00 in New York
      "2025-03-09T02:00-05:00",
    ]
  ) {
    assertBad(() => parseSpanBound(bad, "start", { timeZone: NEW_YORK, edge: "start" }), "start");
    assertBad(() => parseSpanBound(bad, "end", { timeZone: NEW_YORK, edge: "end" }), "end");
  }
});

Deno.test("checkSpan() rejects empty, reversed and absurd spans", () => {
  const given = { start: "a", end: "b" };
  checkSpan({ fromSec: 0, toSec: 3600 }, given);
  checkSpan({ fromSec: 0, toSec: 10_000 * 86_400 + 3600 }, given);
  assertBad(() => checkSpan({ fromSec: 3600, toSec: 3600 }, given), "start");
  assertBad(() => checkSpan({ fromSec: 7200, toSec: 3600 }, given), "start");
  assertBad(() => checkSpan({ fromSec: 0, toSec: 10_001 * 86_400 }, given), "end");
});
