import assert from "node:assert/strict";
import { defaultPeriodFields, periodFields, periodRule, quotaText } from "./plan_rule.ts";

const BASE = defaultPeriodFields("2026-12-04");

for (const rule of ["calendar", "monthly:15", "monthly:31", "every:30:2026-01-07", "weekly:sun"]) {
  Deno.test(`periodFields() and periodRule() carry "${rule}" both ways`, () => {
    assert.equal(periodRule(periodFields(rule, BASE)), rule);
  });
}

Deno.test("periodFields() keeps the other kinds' values, and an unknown rule leaves the base", () => {
  const monthly = periodFields("monthly:15", BASE);
  assert.deepEqual(monthly, { ...BASE, kind: "monthly", day: "15" });
  assert.deepEqual(periodFields("yearly:1", monthly), monthly);
  assert.equal(periodRule({ ...monthly, kind: "every" }), "every:30:2026-12-04");
});

Deno.test("periodRule() trims what was typed, so the server's 400 names a value, not a space", () => {
  assert.equal(periodRule({ ...BASE, kind: "monthly", day: " 32 " }), "monthly:32");
});

const QUOTAS: readonly [number | null, string][] = [
  [null, ""],
  [1.2e12, "1.2TB"],
  [2e12, "2TB"],
  [500 * 2 ** 30, "500GiB"],
  [100e9, "100GB"],
  [1.5 * 2 ** 40, "1.5TiB"],
  [123_456_789, "123456789"],
  [999, "999"],
];

for (const [bytes, text] of QUOTAS) {
  Deno.test(`quotaText() writes ${bytes} as "${text}"`, () => {
    assert.equal(quotaText(bytes), text);
  });
}
