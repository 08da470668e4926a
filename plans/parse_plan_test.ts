import assert from "node:assert/strict";
import { parsePlanList, parseThreshold } from "./parse_plan.ts";
import { parseSize } from "./parse_size.ts";
import { PlanFieldError } from "./plan_field_error.ts";
import { planId } from "./plan_id.ts";
import { formatPeriodRule } from "./plan_spec.ts";

const TODAY = "2026-12-04";

Deno.test("parsePlanList() reads the issue's example", () => {
  const plans = parsePlanList("ISP;monthly:15;total;1.2TB|VPS upload;every:30:2026-01-07;upload;2TB", TODAY);
  assert.deepEqual(plans.map((p) => [p.id, p.name, formatPeriodRule(p.period), p.counts, p.quotaBytes]), [
    ["isp", "ISP", "monthly:15", "total", 1_200_000_000_000],
    ["vps-upload", "VPS upload", "every:30:2026-01-07", "upload", 2_000_000_000_000],
  ]);
  assert.deepEqual(parsePlanList("", TODAY), []);
  assert.deepEqual(
    parsePlanList("Phone ; weekly:SUN ; download ; none", TODAY).map((p) => [p.period, p.quotaBytes]),
    [[{ kind: "weekly", weekday: 7 }, null]],
  );
});

Deno.test("parseSize() says which base: decimal TB, binary GiB, exact integers", () => {
  const cases: [string, number][] = [
    ["1.2TB", 1_200_000_000_000],
    ["1.2 TB", 1_200_000_000_000],
    ["500GiB", 500 * 2 ** 30],
    ["100GB", 100e9],
    ["0.5 KiB", 512],
    ["1EB", 1e18],
    ["12345", 12345],
    ["1.000000001GB", 1_000_000_001],
  ];
  for (const [text, bytes] of cases) assert.equal(parseSize(text), bytes, text);
});

Deno.test("parsePlanList() names the field of every bad input, table", () => {
  const cases: [name: string, text: string, field: RegExp][] = [
    ["quota 0", "A;calendar;total;0GB", /^plan 1 QUOTA: got "0GB"/],
    ["negative quota", "A;calendar;total;-5GB", /^plan 1 QUOTA/],
    ["over 1 EB", "A;calendar;total;2EB", /^plan 1 QUOTA: .*at most 1 EB/],
    ["unknown unit", "A;calendar;total;5XB", /^plan 1 QUOTA: .*a unit of/],
    [
      "day 0",
      "A;monthly:0;total;1TB",
      /^plan 1 PERIOD: got "monthly:0", expected monthly:DAY with DAY from 1 to 31/,
    ],
    ["day 32", "A;monthly:32;total;1TB", /^plan 1 PERIOD: got "monthly:32"/],
    ["N = 0", "A;every:0:2026-01-01;total;1TB", /^plan 1 PERIOD: .*N from 1/],
    ["start in the future", "A;every:30:2026-12-05;total;1TB", /^plan 1 PERIOD: .*not after today/],
    ["no such date", "A;every:30:2026-02-30;total;1TB", /^plan 1 PERIOD: .*a real date/],
    ["unknown weekday", "A;weekly:xyz;total;1TB", /^plan 1 PERIOD/],
    ["unknown counts", "A;calendar;both;1TB", /^plan 1 COUNTS: got "both"/],
    [
      "missing field",
      "A;calendar;total",
      /^plan 1: got "A;calendar;total", expected NAME;PERIOD;COUNTS;QUOTA/,
    ],
    ["second plan's empty name", "A;calendar;total;1TB| ;calendar;total;1TB", /^plan 2 NAME/],
    ["same id twice", "Home;calendar;total;1TB|home;calendar;total;1TB", /^plan 2 NAME: .*"home"/],
  ];
  for (const [name, text, field] of cases) {
    assert.throws(() => parsePlanList(text, TODAY), (e) => {
      assert.ok(e instanceof PlanFieldError, name);
      assert.match(e.message, field, name);
      return true;
    });
  }
});

Deno.test("parseThreshold() takes 1%..1000% and forecast", () => {
  assert.deepEqual(parseThreshold("80%"), { kind: "percent", percent: 80 });
  assert.deepEqual(parseThreshold(" Forecast "), { kind: "forecast" });
  for (const bad of ["0%", "1001%", "80", "x"]) assert.throws(() => parseThreshold(bad), PlanFieldError, bad);
});

Deno.test("planId() slugs names, and hashes names without Latin letters stably", () => {
  assert.equal(planId("VPS upload"), "vps-upload");
  assert.equal(planId("  Kid's tablet (50 GB) "), "kid-s-tablet-50-gb");
  assert.equal(planId("Café Münster"), "cafe-munster");
  assert.match(planId("Дом"), /^plan-[0-9a-f]{8}$/);
  assert.equal(planId("Дом"), planId("Дом"));
  assert.notEqual(planId("Дом"), planId("Дача"));
});
