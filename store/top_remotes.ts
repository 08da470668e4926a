/**
 * The heaviest remote addresses of a span, exact including the ledger's unsaved deltas: the candidates are
 * the stored top `limit` plus every remote with pending bytes (a remote outside both cannot outrank the
 * stored top). The stored part reads the coarsest spans that tile the range (history_spans.ts: sealed
 * months, days, then 15-minute rows at the edges; tests/bench/history_query_bench.ts), and the API still
 * runs it in the store's pool of reader Workers: `topRemotesOffThread`.
 */
import type { RemoteTraffic } from "../capture/mod.ts";
import type { SQLInputValue } from "node:sqlite";
import { OTHER_REMOTE_IP } from "./pending_deltas.ts";
import type { TrafficLedger } from "./traffic_ledger.ts";
import type { TrafficTotals } from "./traffic_queries.ts";
import { planSpans, type SpanPlan } from "./history_spans.ts";
import { sealedMonthsUntil } from "./history_rollup.ts";

/** Bytes exchanged with one remote address. */
export interface RemoteTotals extends TrafficTotals {
  readonly remoteIp: string;
}

/** The heaviest remotes of a span plus the traffic of addresses that were folded into OTHER_REMOTE_IP. */
export interface TopRemotes {
  readonly remotes: readonly RemoteTotals[];
  readonly other: TrafficTotals;
}

/** Options of topRemotes; a missing bound means "since the first" / "up to the last" row. */
export interface TopRemotesOptions {
  readonly fromSec?: number;
  readonly toSec?: number;
  readonly limit: number;
}

const END_OF_TIME_SEC = Number.MAX_SAFE_INTEGER;
const WHAT = "top remotes";

/**
 * Stored sums of the top `limit` remotes and of the listed ones (JSON array), over the pieces of a SpanPlan
 * (docs/history-storage.md "Picking the spans of a range"). A remote may appear twice, with the same sums.
 */
function candidatesSql(plan: SpanPlan): string {
  const slice = (table: string, column: string) =>
    `SELECT remote_id, up_bytes, down_bytes FROM ${table} WHERE ${column} >= ? AND ${column} < ?`;
  const parts = [
    ...plan.months.map(() => slice("remote_months", "span_start")),
    ...plan.days.map(() => slice("remote_days", "span_start")),
    ...plan.fine.map(() => slice("remote_traffic", "bucket_start")),
  ];
  const rows = parts.length > 0 ? parts.join("\n  UNION ALL ") : "SELECT 0, 0, 0 WHERE 0";
  return `
WITH r(remote_id, up_bytes, down_bytes) AS (${rows}),
s AS MATERIALIZED (
  SELECT remote_id, sum(up_bytes) AS up, sum(down_bytes) AS down FROM r GROUP BY remote_id)
SELECT * FROM (
  SELECT i.ip AS ip, s.up AS up, s.down AS down FROM s JOIN remote_ips i ON i.id = s.remote_id
  WHERE s.remote_id != 0 ORDER BY s.up + s.down DESC, i.ip LIMIT ?)
UNION ALL
SELECT i.ip, s.up, s.down FROM s JOIN remote_ips i ON i.id = s.remote_id
WHERE i.ip IN (SELECT value FROM json_each(?))`;
}

interface StoredRow {
  readonly ip: string;
  readonly up: number;
  readonly down: number;
}

interface Plan {
  readonly sql: string;
  readonly params: SQLInputValue[];
  readonly pending: readonly RemoteTraffic[];
  readonly limit: number;
}

/** Top remotes on this thread: for small spans such as today's (/metrics). */
export function topRemotes(ledger: TrafficLedger, options: TopRemotesOptions): TopRemotes {
  const plan = planQuery(ledger, options);
  const rows = ledger.store.read(WHAT, (db) => db.prepare(plan.sql).all(...plan.params));
  return merge(rows as unknown as StoredRow[], plan);
}

/**
 * Top remotes with the stored part read in the store's ReadPool, so the event loop stays free however long
 * the scan takes; the unsaved deltas are taken at the Worker's snapshot (ReadPool.read), so nothing is
 * missed or counted twice. Throws StoreError: "busy" when the pool's queue is full, or the database's.
 */
export function topRemotesOffThread(ledger: TrafficLedger, options: TopRemotesOptions): Promise<TopRemotes> {
  return ledger.store.readPool.read(WHAT, () => {
    const plan = planQuery(ledger, options);
    return {
      queries: [{ sql: plan.sql, params: plan.params }],
      answer: ([rows]) => merge(rows as unknown as StoredRow[], plan),
    };
  });
}

function planQuery(ledger: TrafficLedger, options: TopRemotesOptions): Plan {
  const fromSec = options.fromSec ?? 0;
  const toSec = options.toSec ?? END_OF_TIME_SEC;
  const pending = ledger.pendingRemoteRows().filter((r) =>
    r.bucketStartSec >= fromSec && r.bucketStartSec < toSec
  );
  const pendingIps = new Set(pending.map((r) => r.remoteIp)).add(OTHER_REMOTE_IP);
  const store = ledger.store;
  const spans = planSpans(fromSec, toSec, store.timeZone, store.read(WHAT, (db) => sealedMonthsUntil(db)));
  const ranges = [...spans.months, ...spans.days, ...spans.fine].flat();
  return {
    sql: candidatesSql(spans),
    params: [...ranges, options.limit, JSON.stringify([...pendingIps])],
    pending,
    limit: options.limit,
  };
}

function merge(rows: readonly StoredRow[], plan: Plan): TopRemotes {
  const totals = new Map<string, { upBytes: number; downBytes: number }>();
  for (const r of rows) totals.set(r.ip, { upBytes: r.up, downBytes: r.down });
  for (const r of plan.pending) {
    const t = totals.get(r.remoteIp) ?? { upBytes: 0, downBytes: 0 };
    totals.set(r.remoteIp, { upBytes: t.upBytes + r.upBytes, downBytes: t.downBytes + r.downBytes });
  }
  const other = totals.get(OTHER_REMOTE_IP) ?? { upBytes: 0, downBytes: 0 };
  totals.delete(OTHER_REMOTE_IP);
  const remotes = [...totals].map(([remoteIp, t]) => ({ remoteIp, ...t }))
    .sort((a, b) =>
      (b.upBytes + b.downBytes) - (a.upBytes + a.downBytes) || compareText(a.remoteIp, b.remoteIp)
    )
    .slice(0, plan.limit);
  return { remotes, other };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
