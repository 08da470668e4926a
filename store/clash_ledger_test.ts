import assert from "node:assert/strict";
import type { ClashPendingBatch } from "../clash/mod.ts";
import { clashUsageRow, tempStore, utcSec } from "./_testing.ts";
import { ClashLedger } from "./clash_ledger.ts";
import { ClashStore } from "./clash_store.ts";
import { StoreError } from "./db.ts";
import { localPeriods } from "./local_periods.ts";

const T = utcSec("2026-11-23T10:00:00Z");

function batch(more: Partial<ClashPendingBatch>): ClashPendingBatch {
  return { usage: [], unattributed: [], samples: [], clients: [], resume: null, ...more };
}

Deno.test("ClashLedger reads what is saved plus the monitor's unsaved rows", async () => {
  await using temp = tempStore();
  new ClashStore(temp.store).saveBatch(batch({ usage: [clashUsageRow(T, "192.168.1.10", 5, 6)] }));
  const unsaved = [clashUsageRow(T, "192.168.1.10", 1, 1), clashUsageRow(T, "fd00::20", 3, 4)];
  const ledger = new ClashLedger(temp.store, {
    pendingUsage: () => unsaved,
    pendingUnattributed: () => [{ bucketStartSec: T, upBytes: 2, downBytes: 2 }],
  });
  assert.deepEqual(ledger.total(T, T + 900), {
    upBytes: 9,
    downBytes: 11,
    unattributedUpBytes: 2,
    unattributedDownBytes: 2,
  });
  assert.deepEqual(ledger.clientTotals(T, T + 900).map((c) => [c.key, c.upBytes, c.downBytes]), [
    ["192.168.1.10", 6, 7],
    ["fd00::20", 3, 4],
  ]);
  const [day] = ledger.byPeriod(localPeriods("2026-11-23", "2026-11-23", "day", "UTC"), "fd00::20");
  assert.equal(day.upBytes, 3);
  const query = { fromSec: T, toSec: T + 900, clientIp: "192.168.1.10" };
  assert.deepEqual(ledger.resourceTotals({ ...query, limit: 5 }).map((r) => r.key), ["a.example.com"]);
  assert.deepEqual(ledger.chainTotals(query).map((r) => r.key), ["Proxy > HK-01"]);
  assert.deepEqual([...ledger.chainsByClient(T, T + 900).keys()].sort(), ["192.168.1.10", "fd00::20"]);
});

Deno.test("ClashLedger.setClientName() keeps names apart from first/last seen", async () => {
  await using temp = tempStore();
  const clash = new ClashStore(temp.store);
  const ledger = new ClashLedger(temp.store, { pendingUsage: () => [], pendingUnattributed: () => [] });
  ledger.setClientName("192.168.1.10", "NAS");
  clash.saveBatch(batch({ clients: [{ clientIp: "192.168.1.10", firstSeenSec: 100, lastSeenSec: 200 }] }));
  clash.saveBatch(batch({ clients: [{ clientIp: "192.168.1.10", firstSeenSec: 300, lastSeenSec: 400 }] }));
  assert.deepEqual(ledger.clientInfos().get("192.168.1.10"), {
    clientIp: "192.168.1.10",
    name: "NAS",
    firstSeenSec: 100,
    lastSeenSec: 400,
  });
  ledger.setClientName("192.168.1.10", null);
  assert.equal(ledger.clientInfos().get("192.168.1.10")?.name, null);
});

Deno.test("ClashLedger.setClientName() throws StoreError when the database refuses the write", async () => {
  await using temp = tempStore();
  const ledger = new ClashLedger(temp.store, { pendingUsage: () => [], pendingUnattributed: () => [] });
  temp.store.db.exec("PRAGMA query_only = ON");
  assert.throws(
    () => ledger.setClientName("192.168.1.10", "NAS"),
    (e) =>
      e instanceof StoreError && e.kind === "readonly" && /name client "192\.168\.1\.10"/.test(e.message),
  );
});

Deno.test("ClashLedger.samples() reads the saved seconds of a span, oldest first", async () => {
  await using temp = tempStore();
  const clash = new ClashStore(temp.store);
  clash.saveBatch(
    batch({ samples: [{ tsSec: T + 2, upBytes: 5, downBytes: 6 }, { tsSec: T, upBytes: 1, downBytes: 2 }] }),
  );
  clash.saveBatch(
    batch({
      samples: [{ tsSec: T + 2, upBytes: 1, downBytes: 1 }, { tsSec: T + 9, upBytes: 7, downBytes: 7 }],
    }),
  );
  const ledger = new ClashLedger(temp.store, { pendingUsage: () => [], pendingUnattributed: () => [] });
  assert.deepEqual(ledger.samples(T, T + 9), [
    { tsSec: T, upBytes: 1, downBytes: 2 },
    { tsSec: T + 2, upBytes: 6, downBytes: 7 },
  ]);
});
