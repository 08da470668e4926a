import assert from "node:assert/strict";
import type { TrafficBatch } from "../capture/mod.ts";
import { deviceById, devicesOfSpan, setDeviceName } from "./device_queries.ts";
import { PendingDeltas } from "./pending_deltas.ts";
import { TrafficLedger } from "./traffic_ledger.ts";
import { tempStore, utcSec } from "./_testing.ts";

const T0 = utcSec("2026-03-02T10:00:00Z");
const TV = "3c:22:fb:00:00:07";

/** One bucket of TV traffic (or none) with the DHCP names given. */
function batch(dhcpNames: { deviceKey: string; name: string }[], hasTraffic = true): TrafficBatch {
  const row = { bucketStartSec: T0, upBytes: 10, downBytes: 20, upPackets: 1, downPackets: 1 };
  return {
    traffic: hasTraffic ? [{ ...row, family: 4 }] : [],
    remotes: [],
    health: [],
    devices: hasTraffic ? [{ ...row, deviceKey: TV }] : [],
    deviceAddresses: [],
    dhcpNames,
  };
}

function tvName(ledger: TrafficLedger): [string | null, string | null] {
  const id = devicesOfSpan(ledger, T0, T0 + 900).devices.find((d) => d.key === TV)!.id!;
  const device = deviceById(ledger, id)!;
  return [device.name, device.nameSource];
}

Deno.test("TrafficLedger stores a DHCP name with the source dhcp, in the same save as its device's traffic", async () => {
  await using temp = tempStore();
  const ledger = new TrafficLedger(temp.store);
  ledger.add(batch([{ deviceKey: TV, name: "Living-Room-TV" }]));
  const result = await ledger.flush();
  assert.equal(result.isSaved, true);
  assert.deepEqual(tvName(ledger), ["Living-Room-TV", "dhcp"]);
  ledger.add(batch([{ deviceKey: TV, name: "tv-2" }]));
  await ledger.flush();
  assert.deepEqual(tvName(ledger), ["tv-2", "dhcp"], "a newer DHCP name replaces the older");
});

Deno.test("TrafficLedger never lets a DHCP name replace a name a user gave", async () => {
  await using temp = tempStore();
  const ledger = new TrafficLedger(temp.store);
  ledger.add(batch([]));
  await ledger.flush();
  const id = devicesOfSpan(ledger, T0, T0 + 900).devices[0].id!;
  assert.equal(setDeviceName(ledger, id, "Grandma's TV"), true);
  ledger.add(batch([{ deviceKey: TV, name: "LGwebOSTV" }]));
  await ledger.flush();
  assert.deepEqual(tvName(ledger), ["Grandma's TV", "user"]);
  assert.equal(setDeviceName(ledger, id, null), true);
  ledger.add(batch([{ deviceKey: TV, name: "LGwebOSTV" }]));
  await ledger.flush();
  assert.deepEqual(tvName(ledger), ["LGwebOSTV", "dhcp"], "once the user's name is removed, DHCP names it");
});

Deno.test("PendingDeltas keeps the newest DHCP name of a device when a failed save is put back", () => {
  const older = new PendingDeltas();
  older.addBatch(batch([{ deviceKey: TV, name: "older" }]));
  const newer = new PendingDeltas();
  newer.addBatch(batch([{ deviceKey: TV, name: "newer" }], false));
  assert.equal(newer.isEmpty, false, "a name alone is something to save");
  older.addAll(newer);
  assert.deepEqual([...older.dhcpNames], [[TV, "newer"]]);
});
