/**
 * The heaviest remote addresses of a span, exact including the ledger's unsaved deltas: the candidates are
 * the stored top `limit` plus every remote with pending bytes (a remote outside both cannot outrank the
 * stored top). Over a year of a busy NAS the stored part scans millions of rows (seconds, measured in
 * tests/bench/store_size_bench.ts), so the API runs it in the store's pool of reader Workers:
 * `topRemotesOffThread`.
 */
import type { RemoteTraffic } from "../capture/mod.ts";
import type { SQLInputValue } from "node:sqlite";
import { OTHER_REMOTE_IP } from "./pending_deltas.ts";
import type { TrafficLedger } from "./traffic_ledger.ts";
import type { TrafficTotals } from "./traffic_queries.ts";

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
 * Stored sums of the top `limit` remotes and of the listed ones (JSON array). A remote may appear twice,
 * with the same sums.
 */
const CANDIDATES_SQL = `
SELECT * FROM (
  SELECT remote_ip AS ip, sum(up_bytes) AS up, sum(down_bytes) AS down FROM remote_traffic
  WHERE bucket_start >= ?1 AND bucket_start < ?2 AND remote_ip != ?3
  GROUP BY remote_ip ORDER BY sum(up_bytes) + sum(down_bytes) DESC, remote_ip LIMIT ?4)
UNION ALL
SELECT * FROM (
  SELECT remote_ip AS ip, sum(up_bytes) AS up, sum(down_bytes) AS down FROM remote_traffic
  WHERE bucket_start >= ?1 AND bucket_start < ?2 AND remote_ip IN (SELECT value FROM json_each(?5))
  GROUP BY remote_ip)`;

interface StoredRow {
  readonly ip: string;
  readonly up: number;
  readonly down: number;
}

interface Plan {
  readonly params: SQLInputValue[];
  readonly pending: readonly RemoteTraffic[];
  readonly limit: number;
}

/** Top remotes on this thread: for small spans such as today's (/metrics). */
export function topRemotes(ledger: TrafficLedger, options: TopRemotesOptions): TopRemotes {
  const plan = planQuery(ledger, options);
  const rows = ledger.store.read(WHAT, (db) => db.prepare(CANDIDATES_SQL).all(...plan.params));
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
      queries: [{ sql: CANDIDATES_SQL, params: plan.params }],
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
  return {
    params: [fromSec, toSec, OTHER_REMOTE_IP, options.limit, JSON.stringify([...pendingIps])],
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
