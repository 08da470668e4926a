import assert from "node:assert/strict";
import type { ClashPendingBatch, ClashUsageRow } from "../clash/mod.ts";
import { clashUsageRow, tempStore, utcSec } from "./_testing.ts";
import { clashByPeriod, clashResourceTotals, clashTotal } from "./clash_queries.ts";
import { applyClashRetention, SAMPLE_RETENTION_DAYS } from "./clash_retention.ts";
import { ClashStore } from "./clash_store.ts";
import { localPeriods } from "./local_periods.ts";

const ZONE = "Asia/Kolkata"; // +05:30: local midnight falls inside a UTC hour
const NO_PENDING = { pendingUsage: () => [], pendingUnattributed: () => [] };

function batch(rows: ClashUsageRow[], more: Partial<ClashPendingBatch> = {}): ClashPendingBatch {
  return { usage: rows, unattributed: [], samples: [], clients: [], resume: null, ...more };
}

Deno.test("ClashStore.saveBatch() adds to existing rows and replaces the resume cursors in one transaction", async () => {
  await using temp = tempStore();
  const clash = new ClashStore(temp.store);
  const t = utcSec("2026-11-23T10:00:00Z");
  const resume = {
    apiUrl: "http://127.0.0.1:9090",
    uploadTotal: 10,
    downloadTotal: 20,
    carryUpBytes: 0,
    carryDownBytes: -3,
  };
  clash.saveBatch(batch([clashUsageRow(t, "192.168.1.10", 5, 6)], {
    resume: { ...resume, cursors: [{ id: "x", upBytes: 5, downBytes: 6 }] },
  }));
  clash.saveBatch(batch([clashUsageRow(t, "192.168.1.10", 1, 1)], {
    unattributed: [{ bucketStartSec: t, upBytes: 2, downBytes: 2 }],
    resume: { ...resume, cursors: [{ id: "y", upBytes: 1, downBytes: 1 }] },
  }));
  assert.deepEqual(clashTotal(temp.store, NO_PENDING, t, t + 900), {
    upBytes: 6,
    downBytes: 7,
    unattributedUpBytes: 2,
    unattributedDownBytes: 2,
  });
  assert.deepEqual(clash.loadResume(), { ...resume, cursors: [{ id: "y", upBytes: 1, downBytes: 1 }] });
});

Deno.test("ClashStore.saveBatch() writes nothing when any part fails", async () => {
  await using temp = tempStore();
  const clash = new ClashStore(temp.store);
  const t = utcSec("2026-11-23T10:00:00Z");
  const bad = batch([clashUsageRow(t, "192.168.1.10", 5, 6)], {
    samples: [{ tsSec: t, upBytes: Number.NaN, downBytes: 1 }], // NOT NULL violation after the usage rows
  });
  assert.throws(() => clash.saveBatch(bad));
  assert.deepEqual(clashTotal(temp.store, NO_PENDING, 0, 2 * t).upBytes, 0);
  assert.equal(temp.store.db.isTransaction, false);
});

Deno.test("applyClashRetention() rolls old rows into local-day spans with exact totals and drops old samples", async () => {
  await using temp = tempStore();
  const clash = new ClashStore(temp.store);
  const day = utcSec("2026-10-01T00:00:00Z");
  const rows: ClashUsageRow[] = [];
  for (let i = 0; i < 96; i++) {
    rows.push(
      clashUsageRow(day + i * 900, i % 2 ? "fd00::20" : "192.168.1.10", i, 2 * i, `r${i % 3}.example.com`),
    );
  }
  clash.saveBatch(batch(rows, {
    unattributed: rows.map((r) => ({ bucketStartSec: r.bucketStartSec, upBytes: 1, downBytes: 1 })),
    samples: [{ tsSec: day, upBytes: 1, downBytes: 1 }],
  }));
  const periods = localPeriods("2026-10-01", "2026-10-01", "day", ZONE);
  const before = clashByPeriod(temp.store, NO_PENDING, periods, null);
  const resourcesBefore = clashResourceTotals(temp.store, NO_PENDING, {
    fromSec: 0,
    toSec: 2 * day,
    clientIp: null,
    limit: 10,
  });
  const nowSec = utcSec("2026-11-23T12:00:00Z");
  const result = applyClashRetention(temp.store, { clashDays: 30, timeZone: ZONE, nowSec });
  assert.ok(result.rowsMerged > 0);
  assert.equal(result.samplesDeleted, 1);
  assert.deepEqual(
    clashByPeriod(temp.store, NO_PENDING, periods, null),
    before,
    "local day totals stay exact",
  );
  assert.deepEqual(
    clashResourceTotals(temp.store, NO_PENDING, { fromSec: 0, toSec: 2 * day, clientIp: null, limit: 10 }),
    resourcesBefore,
  );
  const spans = temp.store.db.prepare("SELECT DISTINCT bucket_start AS s FROM clash_usage ORDER BY s").all()
    .map((r) => (r as { s: number }).s);
  assert.deepEqual(
    spans,
    [day, utcSec("2026-10-01T18:30:00Z")],
    "one span per UTC day split at local midnight",
  );
  const again = applyClashRetention(temp.store, { clashDays: 30, timeZone: ZONE, nowSec });
  assert.equal(again.rowsMerged, 0, "a second pass changes nothing");
  assert.ok(SAMPLE_RETENTION_DAYS < 30);
});
