import assert from "node:assert/strict";
import {
  BadParamError,
  checkDateRange,
  parseChoice,
  parseDate,
  parseGranularity,
  parseLimit,
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
