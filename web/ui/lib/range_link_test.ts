import assert from "node:assert/strict";
import { rangeFromHash, rangeHash } from "./range_link.ts";

Deno.test("rangeHash() and rangeFromHash() round-trip a range", () => {
  const query = { start: "2026-03-01", end: "2026-03-31", granularity: "day" } as const;
  assert.equal(rangeHash(query), "#/?start=2026-03-01&end=2026-03-31&granularity=day");
  assert.deepEqual(rangeFromHash(rangeHash(query)), query);
});

Deno.test("rangeHash() names another route's path, e.g. the Devices page", () => {
  const query = { start: "2026-03-01", end: "2026-03-07", granularity: "day" } as const;
  assert.equal(rangeHash(query, "/devices"), "#/devices?start=2026-03-01&end=2026-03-07&granularity=day");
  assert.deepEqual(rangeFromHash(rangeHash(query, "/devices")), query);
});

Deno.test("rangeHash() and rangeFromHash() round-trip hours inside a day", () => {
  const hours = { fromSec: 1772334000, toSec: 1772337600 };
  const query = { start: "2026-03-01", end: "2026-03-01", granularity: "hour", hours } as const;
  const hash = "#/?start=2026-03-01&end=2026-03-01&granularity=hour&from=1772334000&to=1772337600";
  assert.equal(rangeHash(query), hash);
  assert.deepEqual(rangeFromHash(hash), query);
});

Deno.test("rangeFromHash() ignores hashes without a complete, ordered range", () => {
  for (
    const hash of [
      "",
      "#/",
      "#/monitoring",
      "#/?start=2026-03-01&end=2026-03-31",
      "#/?start=2026-03-01&end=2026-03-31&granularity=week",
      "#/?start=2026-3-1&end=2026-03-31&granularity=day",
      "#/?start=2026-04-01&end=2026-03-31&granularity=day",
      "#/?start=2026-03-01&end=2026-03-01&granularity=hour&from=1772334000",
      "#/?start=2026-03-01&end=2026-03-01&granularity=hour&from=1772337600&to=1772334000",
      "#/?start=2026-03-01&end=2026-03-01&granularity=hour&from=-1&to=1772334000",
      "#/?start=2026-03-01&end=2026-03-01&granularity=day&from=1772334000&to=1772337600",
    ]
  ) {
    assert.equal(rangeFromHash(hash), null, hash);
  }
});
