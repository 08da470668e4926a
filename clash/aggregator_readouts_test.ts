import assert from "node:assert/strict";
import { liveClientRecords, liveConnectionRecords, pendingBatch } from "./aggregator_readouts.ts";
import {
  type AggregatorState,
  type Cursor,
  CURSOR_COLUMNS,
  DOWN_COLUMN,
  LAST_BYTE_SEC_COLUMN,
  type MutableBytes,
  type MutableUsageRow,
  UP_COLUMN,
} from "./aggregator_state.ts";
import type { LiveFacts } from "./connection_facts.ts";
import { IdMap } from "./id_map.ts";

const T0 = 1_795_000_000;

function facts(clientIp: string, chain: string, startSec: number | null): LiveFacts {
  return {
    clientIp,
    resource: "video.example.com",
    chain,
    rule: "final",
    network: "tcp",
    inbound: "tun/tun-in",
    destination: "video.example.com:443",
    startSec,
  };
}

/** Cursors as the accounting leaves them: [id, live facts or null when resumed, up, down, last byte sec]. */
function cursorsOf(rows: [string, LiveFacts | null, number, number, number][]): IdMap<Cursor> {
  const cursors = new IdMap<Cursor>(CURSOR_COLUMNS);
  for (const [id, live, up, down, lastByteSec] of rows) {
    const slot = cursors.set({ id, live, row: null, rowGeneration: -1 });
    cursors.setNumber(slot, UP_COLUMN, up);
    cursors.setNumber(slot, DOWN_COLUMN, down);
    cursors.setNumber(slot, LAST_BYTE_SEC_COLUMN, lastByteSec);
  }
  return cursors;
}

function usageRow(
  clientIp: string,
  bytes: number,
  firstByteSec: number,
  lastByteSec: number,
): MutableUsageRow {
  return {
    bucketStartSec: T0,
    clientIp,
    resource: `r${bytes}`,
    chain: "direct",
    rule: "final",
    upBytes: bytes,
    downBytes: 2 * bytes,
    newConnections: 1,
    firstByteSec,
    lastByteSec,
  };
}

function stateOf(
  cursors: IdMap<Cursor>,
  usage: MutableUsageRow[] = [],
  unattributed: [number, MutableBytes][] = [],
): AggregatorState {
  return {
    cursors,
    usage: new Map(usage.map((r) => [`${r.clientIp}\n${r.resource}`, r])),
    unattributed: new Map(unattributed),
  };
}

Deno.test("liveClientRecords() sums live cursors per client: count, last bytes, oldest start, chains", () => {
  const cursors = cursorsOf([
    ["a", facts("192.168.1.10", "Proxy > HK-01", T0 - 50), 10, 10, T0 + 5],
    ["b", facts("192.168.1.10", "direct", T0 - 90), 0, 0, 0],
    ["c", facts("192.168.1.10", "direct", null), 3, 3, T0 + 9],
    ["d", facts("fd00::20", "direct", null), 0, 0, 0],
    ["resumed", null, 500, 500, 0],
  ]);
  const byIp = new Map(liveClientRecords(cursors).map((c) => [c.clientIp, c]));
  assert.deepEqual([...byIp.keys()].sort(), ["192.168.1.10", "fd00::20"]);
  assert.deepEqual(byIp.get("192.168.1.10"), {
    clientIp: "192.168.1.10",
    activeConnections: 3,
    lastByteSec: T0 + 9,
    oldestStartSec: T0 - 90,
    chains: ["Proxy > HK-01", "direct"],
  });
  // No bytes yet and no start time: both null, not 0.
  assert.deepEqual(byIp.get("fd00::20"), {
    clientIp: "fd00::20",
    activeConnections: 1,
    lastByteSec: null,
    oldestStartSec: null,
    chains: ["direct"],
  });
});

Deno.test("liveConnectionRecords() lists live cursors with their counters, not resumed ones unseen yet", () => {
  const live = facts("192.168.1.10", "direct", T0);
  const cursors = cursorsOf([["a", live, 10, 20, T0], ["resumed", null, 500, 500, 0]]);
  assert.deepEqual(liveConnectionRecords(cursors), [{ id: "a", ...live, upBytes: 10, downBytes: 20 }]);
});

Deno.test("pendingBatch() copies rows, first/last seen per client, and every cursor into the resume state", () => {
  const cursors = cursorsOf([["a", facts("192.168.1.10", "direct", T0), 10, 20, T0], [
    "resumed",
    null,
    5,
    6,
    0,
  ]]);
  const state = stateOf(
    cursors,
    [
      usageRow("192.168.1.10", 7, T0 + 3, T0 + 8),
      usageRow("192.168.1.10", 9, T0 + 1, T0 + 4),
      // A row that only counted a new connection carried no bytes: it says nothing about when.
      usageRow("192.168.1.30", 0, 0, 0),
    ],
    [[T0, { upBytes: 4, downBytes: 5 }]],
  );
  const totals = {
    apiUrl: "http://127.0.0.1:9090",
    uploadTotal: 100,
    downloadTotal: 200,
    carryUpBytes: -3,
    carryDownBytes: 0,
  };
  const batch = pendingBatch(state, totals);
  assert.deepEqual(batch.usage.map((r) => [r.clientIp, r.upBytes, r.downBytes, r.newConnections]), [
    ["192.168.1.10", 7, 14, 1],
    ["192.168.1.10", 9, 18, 1],
    ["192.168.1.30", 0, 0, 1],
  ]);
  assert.ok(!("firstByteSec" in batch.usage[0]), "a usage record carries only ClashUsageRow's fields");
  assert.deepEqual(batch.unattributed, [{ bucketStartSec: T0, upBytes: 4, downBytes: 5 }]);
  assert.deepEqual(batch.clients, [{ clientIp: "192.168.1.10", firstSeenSec: T0 + 1, lastSeenSec: T0 + 8 }]);
  assert.deepEqual(batch.samples, []);
  assert.deepEqual(batch.resume, {
    ...totals,
    cursors: [{ id: "a", upBytes: 10, downBytes: 20 }, { id: "resumed", upBytes: 5, downBytes: 6 }]
      .sort((x, y) => cursors.find(x.id) - cursors.find(y.id)),
  });
  // The copies are the caller's: counting on does not change them.
  state.usage.get("192.168.1.10\nr7")!.upBytes += 1;
  assert.equal(batch.usage[0].upBytes, 7);
  // Before the first snapshot there is no resume state to write.
  assert.equal(pendingBatch(state, null).resume, null);
});
