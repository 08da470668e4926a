/**
 * Read-outs of a ClashAggregator's state (aggregator_state.ts) into the plain records that leave clash/
 * (types.ts). Pure functions: each copies what it reads and changes nothing.
 */
import {
  type AggregatorState,
  type Cursor,
  DOWN_COLUMN,
  LAST_BYTE_SEC_COLUMN,
  type MutableUsageRow,
  NO_BYTES_YET,
  UP_COLUMN,
} from "./aggregator_state.ts";
import type { IdMap } from "./id_map.ts";
import type {
  ClashClientSeen,
  ClashCursor,
  ClashLiveClient,
  ClashLiveConnection,
  ClashPendingBatch,
  ClashResumeState,
  ClashUnattributedRow,
  ClashUsageRow,
} from "./types.ts";

/** The core totals and carry of a resume state, without the cursors that `pendingBatch` adds. */
export type ResumeTotals = Omit<ClashResumeState, "cursors">;

/**
 * Everything not yet committed, as one flush writes it; `resume` is null before the first snapshot (then
 * the stored state stays as it is). `samples` is left empty for the caller that keeps them.
 */
export function pendingBatch(state: AggregatorState, resume: ResumeTotals | null): ClashPendingBatch {
  return {
    usage: usageRecords(state.usage),
    unattributed: unattributedRecords(state.unattributed),
    samples: [],
    clients: clientsSeen(state.usage),
    resume: resume === null ? null : { ...resume, cursors: cursorRecords(state.cursors) },
  };
}

/** The pending usage rows. */
export function usageRecords(usage: AggregatorState["usage"]): ClashUsageRow[] {
  return [...usage.values()].map(usageRecord);
}

/** The pending unattributed rows. */
export function unattributedRecords(unattributed: AggregatorState["unattributed"]): ClashUnattributedRow[] {
  return [...unattributed].map(([bucketStartSec, r]) => ({ bucketStartSec, ...r }));
}

/** The connections the latest snapshot listed: cursors resumed and not seen since are left out. */
export function liveConnectionRecords(cursors: IdMap<Cursor>): ClashLiveConnection[] {
  const out: ClashLiveConnection[] = [];
  cursors.forEach((c, slot) => {
    if (c.live === null) return;
    out.push({
      id: c.id,
      ...c.live,
      upBytes: cursors.number(slot, UP_COLUMN),
      downBytes: cursors.number(slot, DOWN_COLUMN),
    });
  });
  return out;
}

/** Live state per client IP, from the connections the latest snapshot listed. */
export function liveClientRecords(cursors: IdMap<Cursor>): ClashLiveClient[] {
  const byIp = new Map<
    string,
    { n: number; last: number | null; oldest: number | null; chains: Set<string> }
  >();
  cursors.forEach((c, slot) => {
    if (c.live === null) return;
    let e = byIp.get(c.live.clientIp);
    if (!e) byIp.set(c.live.clientIp, e = { n: 0, last: null, oldest: null, chains: new Set() });
    e.n++;
    const lastByteSec = cursors.number(slot, LAST_BYTE_SEC_COLUMN);
    if (lastByteSec !== NO_BYTES_YET) e.last = Math.max(e.last ?? 0, lastByteSec);
    if (c.live.startSec !== null) e.oldest = Math.min(e.oldest ?? Infinity, c.live.startSec);
    e.chains.add(c.live.chain);
  });
  return [...byIp].map(([clientIp, e]) => ({
    clientIp,
    activeConnections: e.n,
    lastByteSec: e.last,
    oldestStartSec: e.oldest,
    chains: [...e.chains].sort(),
  }));
}

/** The counters every cursor was accounted up to, for the resume state. */
function cursorRecords(cursors: IdMap<Cursor>): ClashCursor[] {
  const out: ClashCursor[] = [];
  cursors.forEach((c, slot) => {
    out.push({
      id: c.id,
      upBytes: cursors.number(slot, UP_COLUMN),
      downBytes: cursors.number(slot, DOWN_COLUMN),
    });
  });
  return out;
}

/** First and last byte time per client over the pending rows that carried bytes. */
function clientsSeen(usage: AggregatorState["usage"]): ClashClientSeen[] {
  const seen = new Map<string, { firstSeenSec: number; lastSeenSec: number }>();
  for (const r of usage.values()) {
    if (r.lastByteSec === 0) continue;
    const s = seen.get(r.clientIp);
    if (s) {
      s.firstSeenSec = Math.min(s.firstSeenSec, r.firstByteSec);
      s.lastSeenSec = Math.max(s.lastSeenSec, r.lastByteSec);
    } else seen.set(r.clientIp, { firstSeenSec: r.firstByteSec, lastSeenSec: r.lastByteSec });
  }
  return [...seen].map(([clientIp, s]) => ({ clientIp, ...s }));
}

function usageRecord(r: MutableUsageRow): ClashUsageRow {
  return {
    bucketStartSec: r.bucketStartSec,
    clientIp: r.clientIp,
    resource: r.resource,
    chain: r.chain,
    rule: r.rule,
    upBytes: r.upBytes,
    downBytes: r.downBytes,
    newConnections: r.newConnections,
  };
}
