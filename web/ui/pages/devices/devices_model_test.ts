import assert from "node:assert/strict";
import type { DeviceJson } from "../../../api_types.ts";
import { devicesPath, sortDevices } from "./devices_model.ts";

function device(key: string, name: string | null, up: number, down: number, lastSeen: number): DeviceJson {
  return {
    id: 1,
    key,
    mac: key,
    vendor: null,
    name,
    name_source: name === null ? null : "user",
    ips: [],
    up_bytes: up,
    down_bytes: down,
    total_bytes: up + down,
    first_seen: 0,
    last_seen: lastSeen,
    online: false,
    is_randomized_mac: false,
    is_probably_router: false,
  };
}

const DEVICES = [
  device("00:00:00:00:00:0a", "tv", 10, 500, 30),
  device("00:00:00:00:00:0b", null, 300, 100, 20),
  device("00:00:00:00:00:0c", "Laptop", 50, 50, 10),
];

Deno.test("sortDevices() sorts by each column both ways; an unnamed device sorts by its MAC", () => {
  const keys = (list: DeviceJson[]) => list.map((d) => d.key.slice(-1));
  assert.deepEqual(keys(sortDevices(DEVICES, "total", true)), ["a", "b", "c"]);
  assert.deepEqual(keys(sortDevices(DEVICES, "total", false)), ["c", "b", "a"]);
  assert.deepEqual(keys(sortDevices(DEVICES, "up", true)), ["b", "c", "a"]);
  assert.deepEqual(keys(sortDevices(DEVICES, "down", true)), ["a", "b", "c"]);
  assert.deepEqual(keys(sortDevices(DEVICES, "last_seen", false)), ["c", "b", "a"]);
  // An unnamed device sorts by its MAC ("00:…" before letters).
  assert.deepEqual(keys(sortDevices(DEVICES, "name", false)), ["b", "c", "a"]);
  assert.deepEqual(keys(sortDevices(DEVICES, "mac", true)), ["c", "b", "a"]);
});

Deno.test("devicesPath() asks for the range's dates, and CSV when asked", () => {
  const query = { start: "2026-03-01", end: "2026-03-07", granularity: "day" } as const;
  assert.equal(devicesPath(query), "/api/devices?start=2026-03-01&end=2026-03-07");
  assert.equal(devicesPath(query, "csv"), "/api/devices?start=2026-03-01&end=2026-03-07&format=csv");
});
