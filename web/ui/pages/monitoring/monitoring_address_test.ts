import assert from "node:assert/strict";
import { monitoringAddressOf, monitoringHash } from "./monitoring_address.ts";

Deno.test("monitoringAddressOf() reads the range and client that monitoringHash() writes", () => {
  const address = {
    range: { start: "2026-11-01", end: "2026-11-23", granularity: "day" as const },
    client: "fd00::20",
  };
  const hash = monitoringHash(address);
  assert.equal(hash, "#/monitoring?start=2026-11-01&end=2026-11-23&granularity=day&client=fd00%3A%3A20");
  assert.deepEqual(monitoringAddressOf(hash), address);
  assert.equal(monitoringHash({ range: null, client: null }), "#/monitoring");
});

Deno.test("monitoringAddressOf() names nothing for a missing or malformed part", () => {
  assert.deepEqual(monitoringAddressOf("#/monitoring"), { range: null, client: null });
  assert.deepEqual(monitoringAddressOf("#/monitoring?client=192.168.1.10&start=2026-13"), {
    range: null,
    client: "192.168.1.10",
  });
  assert.deepEqual(
    monitoringAddressOf("#/monitoring?start=2026-11-05&end=2026-11-05&granularity=hour&from=1&to=3601").range,
    { start: "2026-11-05", end: "2026-11-05", granularity: "hour" },
    "whole days only",
  );
});
