/**
 * Benchmark of the Clash aggregation (issue 5 item 8), run with
 * `deno task bench clash` (or `deno run -A tests/bench/clash_bench.ts`; it re-runs itself with --expose-gc).
 *
 * 1. Cost per `/connections` snapshot at 1k, 10k and 50k connections: JSON.parse alone (the baseline every
 *    consumer pays) versus JSON.parse + ClashAggregator.ingest, in the same run, on the same texts in the
 *    sing-box wire layout (about 400 B per connection, clash-wire.md P9). Goal: ingest adds ≤ 30%.
 * 2. Memory after one simulated hour of churn: one snapshot per second, 1 000 live connections of which 10%
 *    are replaced by new ids every second, flushed (committed) every 300 s like the default SAVE_INTERVAL.
 * Prints one line per measurement and a JSON summary on the last line.
 */
import { ClashAggregator } from "../../clash/mod.ts";

const SIZES = [1_000, 10_000, 50_000];
const SNAPSHOTS_PER_SIZE = 6;
const ROUNDS = 5;
const GOAL_OVERHEAD = 0.3;
const CHURN_SECONDS = 3_600;
const CHURN_LIVE = 1_000;
const CHURN_REPLACED_PER_SEC = 100;
const FLUSH_EVERY_SEC = 300;
const START_SEC = 1_795_000_000;

interface Conn {
  id: string;
  client: string;
  host: string;
  chains: string[];
  up: number;
  down: number;
}

function makeConn(i: number): Conn {
  return {
    id: crypto.randomUUID(),
    client: i % 7 === 0 ? `fd00::${(i % 40).toString(16)}` : `192.168.1.${10 + (i % 40)}`,
    host: i % 5 === 0 ? "" : `cdn${i % 300}.example.com`,
    chains: i % 3 === 0 ? ["direct"] : ["HK-01", "Proxy"],
    up: 0,
    down: 0,
  };
}

/** One snapshot text in sing-box's layout (sorted keys, escaped '>'), after advancing every counter. */
function snapshotText(conns: Conn[], totals: { up: number; down: number }): string {
  const parts: string[] = [];
  for (let i = 0; i < conns.length; i++) {
    const c = conns[i];
    const dUp = 1 + (i % 17) * 31;
    const dDown = 1 + (i % 13) * 977;
    c.up += dUp;
    c.down += dDown;
    totals.up += dUp;
    totals.down += dDown;
    parts.push(
      `{"chains":${
        JSON.stringify(c.chains)
      },"download":${c.down},"id":"${c.id}","metadata":{"destinationIP":` +
        `"203.0.113.${
          i % 250
        }","destinationPort":"443","dnsMode":"normal","host":"${c.host}","network":"tcp",` +
        `"processPath":"","sourceIP":"${c.client}","sourcePort":"${
          40000 + (i % 20000)
        }","type":"tun/tun-in"},` +
        `"rule":"rule_set=geosite-video =\\u003e route(Proxy)","rulePayload":"","start":` +
        `"2026-11-23T08:41:57.584073079+08:00","upload":${c.up}}`,
    );
  }
  return `{"connections":[${parts.join(",")}],"downloadTotal":${totals.down},"memory":31481856,` +
    `"uploadTotal":${totals.up}}`;
}

/** Best of the runs, as clash-wire.md P9 measured parse: the least disturbed by other processes. */
function best(values: number[]): number {
  return Math.min(...values);
}

function benchSize(n: number) {
  const conns = Array.from({ length: n }, (_, i) => makeConn(i));
  const totals = { up: 0, down: 0 };
  const texts = Array.from({ length: SNAPSHOTS_PER_SIZE + 1 }, () => snapshotText(conns, totals));
  const parseMs: number[] = [];
  const aggregateMs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const text of texts.slice(1)) {
      const t0 = performance.now();
      JSON.parse(text);
      parseMs.push(performance.now() - t0);
    }
    const aggregator = new ClashAggregator({
      apiUrl: "bench",
      processStartSec: 0,
      resume: null,
      log: () => {},
    });
    aggregator.ingest(JSON.parse(texts[0]), START_SEC); // warm: every id known, as in steady state
    texts.slice(1).forEach((text, i) => {
      const t0 = performance.now();
      aggregator.ingest(JSON.parse(text), START_SEC + 1 + i);
      aggregateMs.push(performance.now() - t0);
    });
  }
  const parse = best(parseMs);
  const aggregate = best(aggregateMs);
  return {
    connections: n,
    snapshotMB: Number((texts[1].length / 1e6).toFixed(2)),
    parseMs: Number(parse.toFixed(2)),
    parsePlusIngestMs: Number(aggregate.toFixed(2)),
    overhead: Number((aggregate / parse - 1).toFixed(3)),
  };
}

function heapMB(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return Number((Deno.memoryUsage().heapUsed / 1e6).toFixed(1));
}

function benchChurn() {
  const before = heapMB();
  const aggregator = new ClashAggregator({
    apiUrl: "bench",
    processStartSec: 0,
    resume: null,
    log: () => {},
  });
  let conns = Array.from({ length: CHURN_LIVE }, (_, i) => makeConn(i));
  const totals = { up: 0, down: 0 };
  let next = CHURN_LIVE;
  let peakPendingRows = 0;
  for (let s = 0; s < CHURN_SECONDS; s++) {
    conns = [
      ...conns.slice(CHURN_REPLACED_PER_SEC),
      ...Array.from({ length: CHURN_REPLACED_PER_SEC }, () => makeConn(next++)),
    ];
    aggregator.ingest(JSON.parse(snapshotText(conns, totals)), START_SEC + s);
    if ((s + 1) % FLUSH_EVERY_SEC === 0) {
      peakPendingRows = Math.max(peakPendingRows, aggregator.pending().usage.length);
      aggregator.commit();
    }
  }
  const after = heapMB();
  return {
    seconds: CHURN_SECONDS,
    idsSeen: next,
    liveConnections: aggregator.stats().liveConnections,
    peakPendingRows,
    heapBeforeMB: before,
    heapAfterMB: after,
    isGcExposed: typeof (globalThis as { gc?: unknown }).gc === "function",
  };
}

/** Re-runs this script with --expose-gc (run_all.ts starts it without), so heap figures exclude garbage. */
async function rerunWithGc(): Promise<number> {
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--v8-flags=--expose-gc", new URL(import.meta.url).pathname],
    stdout: "inherit",
    stderr: "inherit",
  }).spawn().status;
  return code;
}

if (import.meta.main && typeof (globalThis as { gc?: unknown }).gc !== "function") {
  Deno.exit(await rerunWithGc());
} else if (import.meta.main) {
  const sizes = SIZES.map((n) => {
    const r = benchSize(n);
    console.log(
      `clash ingest ${n} connections (${r.snapshotMB} MB): JSON.parse ${r.parseMs} ms, parse+ingest ` +
        `${r.parsePlusIngestMs} ms, overhead ${(r.overhead * 100).toFixed(1)}% (goal ≤ ${
          GOAL_OVERHEAD * 100
        }%)`,
    );
    return r;
  });
  const churn = benchChurn();
  console.log(
    `clash churn ${churn.seconds} s, ${churn.idsSeen} ids: ${churn.liveConnections} live cursors, ` +
      `peak ${churn.peakPendingRows} pending rows, heap ${churn.heapBeforeMB} → ${churn.heapAfterMB} MB`,
  );
  console.log(JSON.stringify({ bench: "clash", sizes, churn }));
}
