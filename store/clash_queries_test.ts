import assert from "node:assert/strict";
import type { ClashUnattributedRow, ClashUsageRow } from "../clash/mod.ts";
import { clashUsageRow, damageTable, tempStore, utcSec } from "./_testing.ts";
import {
  clashByPeriod,
  clashByPeriodOffThread,
  clashChainsByClient,
  clashClientInfos,
  clashClientTotals,
  clashResourceTotals,
} from "./clash_queries.ts";
import { ClashStore } from "./clash_store.ts";
import { StoreError } from "./db.ts";
import { localPeriods } from "./local_periods.ts";

const ZONE = "Asia/Kolkata";
const DAY = utcSec("2026-10-01T00:00:00Z");

/** Two days of hourly usage by two clients and unattributed bytes, half of it saved. */
function historyStore() {
  const temp = tempStore();
  const saved: ClashUsageRow[] = [];
  const unsaved: ClashUsageRow[] = [];
  const unattributed: ClashUnattributedRow[] = [];
  for (let i = 0; i < 48; i++) {
    const t = DAY + i * 3600;
    (i % 2 ? saved : unsaved).push(clashUsageRow(t, i % 3 ? "192.168.1.10" : "fd00::20", i, 2 * i));
    unattributed.push({ bucketStartSec: t, upBytes: 1, downBytes: i });
  }
  new ClashStore(temp.store).saveBatch({
    usage: saved,
    unattributed: unattributed.slice(0, 24),
    samples: [],
    clients: [],
    resume: null,
  });
  const pending = { pendingUsage: () => unsaved, pendingUnattributed: () => unattributed.slice(24) };
  return { temp, pending };
}

Deno.test("clashByPeriodOffThread() equals clashByPeriod(), unsaved rows included", async () => {
  const { temp, pending } = historyStore();
  await using _ = temp;
  const periods = localPeriods("2026-09-30", "2026-10-03", "hour", ZONE);
  for (const clientIp of [null, "192.168.1.10"]) {
    const expected = clashByPeriod(temp.store, pending, periods, clientIp);
    assert.ok(expected.some((p) => p.upBytes > 0));
    assert.deepEqual(await clashByPeriodOffThread(temp.store, pending, periods, clientIp), expected);
  }
  const total = clashByPeriod(
    temp.store,
    pending,
    localPeriods("2026-09-30", "2026-10-03", "day", ZONE),
    null,
  )
    .reduce((sum, p) => sum + p.upBytes + p.unattributedUpBytes, 0);
  assert.equal(total, (47 * 48) / 2 + 48);
});

Deno.test("proxy-client queries report a database damaged under them as StoreError corrupt", async () => {
  const { temp, pending } = historyStore();
  await using _ = temp;
  damageTable(temp.store, "clash_client_usage");
  damageTable(temp.store, "clash_usage");
  damageTable(temp.store, "clash_clients");
  const periods = localPeriods("2026-10-01", "2026-10-01", "hour", ZONE);
  const span = { fromSec: DAY, toSec: DAY + 86400, clientIp: null };
  const isCorrupt = (e: unknown) => {
    assert.ok(e instanceof StoreError, String(e));
    assert.equal(e.kind, "corrupt");
    assert.match(e.message, /^Cannot read proxy-client /);
    return true;
  };
  assert.throws(() => clashByPeriod(temp.store, pending, periods, null), isCorrupt);
  await assert.rejects(clashByPeriodOffThread(temp.store, pending, periods, null), isCorrupt);
  assert.throws(() => clashClientTotals(temp.store, pending, DAY, DAY + 86400), isCorrupt);
  assert.throws(() => clashResourceTotals(temp.store, pending, { ...span, limit: 5 }), isCorrupt);
  assert.throws(() => clashChainsByClient(temp.store, pending, DAY, DAY + 86400), isCorrupt);
  assert.throws(() => clashClientInfos(temp.store), isCorrupt);
});
