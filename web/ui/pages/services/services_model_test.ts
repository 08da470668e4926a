import assert from "node:assert/strict";
import type { ServiceJson } from "../../../api_types.ts";
import { servicesPath, sortServices } from "./services_model.ts";

function service(name: string, up: number, down: number): ServiceJson {
  return {
    name,
    up_bytes: up,
    down_bytes: down,
    total_bytes: up + down,
    up_fmt: "",
    down_fmt: "",
    total_fmt: "",
    up_packets: 1,
    down_packets: 1,
    share: 0,
    hosts: [],
  };
}

Deno.test("sortServices() sorts by a byte column heaviest first, by name A first, ties by name", () => {
  const rows = [service("b.example", 5, 5), service("a.example", 1, 9), service("c.example", 9, 0)];
  assert.deepEqual(sortServices(rows, "total", true).map((s) => s.name), [
    "a.example",
    "b.example",
    "c.example",
  ]);
  assert.deepEqual(sortServices(rows, "up", true).map((s) => s.name), [
    "c.example",
    "b.example",
    "a.example",
  ]);
  assert.deepEqual(sortServices(rows, "name", false).map((s) => s.name), [
    "a.example",
    "b.example",
    "c.example",
  ]);
});

Deno.test("servicesPath() names the dates, and the device and limit only when given", () => {
  const query = { start: "2026-12-01", end: "2026-12-04", granularity: "day" } as const;
  assert.equal(servicesPath(query), "/api/services?start=2026-12-01&end=2026-12-04");
  assert.equal(
    servicesPath(query, { device: 0, limit: 5 }),
    "/api/services?start=2026-12-01&end=2026-12-04&device=0&limit=5",
  );
});
