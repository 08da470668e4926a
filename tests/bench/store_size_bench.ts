/**
 * Database size after one simulated year of a busy NAS (issue 6 item 6), run with
 * `deno run -A tests/bench/store_size_bench.ts [--days 365] [--ips-per-day 10000] [--services-per-day 2000]
 * [--zone Europe/Berlin]`.
 *
 * Every day sees `ips-per-day` distinct remote addresses: 30% come back every day (CDNs, cloud sync) and are
 * active in ~12 of the day's 96 buckets, 70% are new that day and active in 1–3 buckets. Each address serves
 * one of `services-per-day` service names (30% of them every day, the rest new; one address in ten
 * unnamed). Both IP families
 * carry traffic in every bucket; one bucket in 100 has kernel drops. The ledger is flushed once per
 * simulated hour (flush size does not change what is stored: rows are UPSERT-added) and retention runs once
 * per simulated day with the defaults of config.ts (RETENTION_FINE_DAYS, RETENTION_REMOTE_DAYS).
 *
 * Baseline, same run, same data: the same year with retention off (every 15-minute row kept). Prints one
 * line per measurement and a JSON summary on the last line. Since schema v5 (docs/history-storage.md) the
 * remote rows are compact-keyed and also kept per local day and month, sealed to the heaviest plus an exact
 * remainder; tests/bench/history_query_bench.ts measures the same year with devices and per-device remotes.
 */
import { parseArgs } from "node:util";
import { loadConfig } from "../../config.ts";
import type { TrafficBatch } from "../../capture/mod.ts";
import {
  applyRetention,
  localPeriods,
  openStore,
  pruneServiceHosts,
  servicesOfSpan,
  topRemotes,
  trafficByPeriod,
  TrafficLedger,
  trafficSummary,
} from "../../store/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    days: { type: "string", default: "365" },
    "ips-per-day": { type: "string", default: "10000" },
    "services-per-day": { type: "string", default: "2000" },
    zone: { type: "string", default: "Europe/Berlin" },
  },
});
const DAYS = Number(values.days);
const IPS_PER_DAY = Number(values["ips-per-day"]);
const SERVICES_PER_DAY = Number(values["services-per-day"]);
const ZONE = values.zone;
const RECURRING_SHARE = 0.3;
const START_SEC = Date.parse("2025-01-01T00:00:00Z") / 1000;
/** Host names are kept this long in both runs, as main.ts's retention pass does (SERVICE_RETENTION_DAYS). */
const SERVICE_RETENTION_DAYS = loadConfig([], { TZ: ZONE }).serviceRetentionDays;
const BUCKETS_PER_DAY = 96;

/** Deterministic PRNG (mulberry32) so both runs see the same traffic. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Remote address number `n` as text, from 2001:db8::/32 only (documentation range, issue rules). 70% get
 * a short form as long as a typical IPv4 text, 30% a full-length form as long as a typical IPv6 one, so
 * the stored strings have realistic sizes.
 */
function remoteIp(n: number): string {
  const hi = (n >>> 16).toString(16);
  const lo = (n & 0xffff).toString(16);
  return n % 10 < 7 ? `2001:db8::${hi}:${lo}` : `2001:db8:85a3:1234:5678:9abc:${hi}:${lo}`;
}

/** One simulated day as one batch per bucket. */
function dayBatches(day: number): TrafficBatch[] {
  const next = random(day + 1);
  const recurring = Math.round(IPS_PER_DAY * RECURRING_SHARE);
  const recurringServices = Math.round(SERVICES_PER_DAY * RECURRING_SHARE);
  const perBucket: { remoteIp: string; service: string | null; bytes: number }[][] = Array.from(
    { length: BUCKETS_PER_DAY },
    () => [],
  );
  for (let i = 0; i < IPS_PER_DAY; i++) {
    const ip = i < recurring ? remoteIp(i) : remoteIp(recurring + day * IPS_PER_DAY + i);
    const s = i % SERVICES_PER_DAY;
    const service = i % 10 === 9
      ? null
      : `s${s < recurringServices ? s : recurringServices + day * SERVICES_PER_DAY + s}.example`;
    const activeBuckets = i < recurring ? 8 + Math.floor(next() * 9) : 1 + Math.floor(next() * 3);
    for (let k = 0; k < activeBuckets; k++) {
      perBucket[Math.floor(next() * BUCKETS_PER_DAY)].push({
        remoteIp: ip,
        service,
        bytes: 1 + Math.floor(next() * 5e6),
      });
    }
  }
  return perBucket.map((remotes, b) => {
    const bucketStartSec = START_SEC + day * 86_400 + b * 900;
    let up = 0;
    let down = 0;
    const services = new Map<string, { upBytes: number; downBytes: number }>();
    const rows = remotes.map((r) => {
      const upBytes = Math.floor(r.bytes / 10);
      up += upBytes;
      down += r.bytes - upBytes;
      if (r.service !== null) {
        const v = services.get(r.service) ?? { upBytes: 0, downBytes: 0 };
        services.set(r.service, { upBytes: v.upBytes + upBytes, downBytes: v.downBytes + r.bytes - upBytes });
      }
      return {
        bucketStartSec,
        remoteIp: r.remoteIp,
        upBytes,
        downBytes: r.bytes - upBytes,
        upPackets: 3,
        downPackets: 9,
      };
    });
    const v4Up = Math.floor(up * 0.7);
    const v4Down = Math.floor(down * 0.7);
    return {
      traffic: [
        { bucketStartSec, family: 4, upBytes: v4Up, downBytes: v4Down, upPackets: 100, downPackets: 300 },
        {
          bucketStartSec,
          family: 6,
          upBytes: up - v4Up,
          downBytes: down - v4Down,
          upPackets: 50,
          downPackets: 150,
        },
      ],
      remotes: rows,
      services: [...services].map(([service, v]) => ({
        bucketStartSec,
        deviceKey: "other",
        service,
        host: `www.${service}`,
        ...v,
        upPackets: 3,
        downPackets: 9,
      })),
      health: next() < 0.01 ? [{ bucketStartSec, malformedPackets: 1, droppedPackets: 42 }] : [],
    };
  });
}

interface RunResult {
  readonly fileBytes: number;
  /** Bytes of free pages inside the file (reused by later writes). */
  readonly freeBytes: number;
  readonly trafficRows: number;
  readonly remoteRows: number;
  /** Rows of remote_days and remote_months (v5). */
  readonly remoteSpanRows: number;
  readonly seconds: number;
  /** Milliseconds of API queries on the final database, next to a full scan of remote_traffic. */
  readonly queryMs: Readonly<Record<string, number>>;
}

function timeMs(run: () => unknown): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

/** Times the queries behind /api/summary, /api/history/12months and /api/top_ips on the final database. */
function timeQueries(ledger: TrafficLedger): Record<string, number> {
  const endSec = START_SEC + DAYS * 86_400;
  const lastDate = new Date((endSec - 1) * 1000).toISOString().slice(0, 10);
  const firstDate = new Date((endSec - 30 * 86_400) * 1000).toISOString().slice(0, 10);
  return {
    fullScanOfRemoteRows: timeMs(() =>
      ledger.store.db.prepare("SELECT sum(up_bytes) FROM remote_traffic").get()
    ),
    summary: timeMs(() => trafficSummary(ledger, ZONE, endSec - 1)),
    twelveMonths: timeMs(() => trafficByPeriod(ledger, localPeriods("2025-01-01", lastDate, "month", ZONE))),
    topIpsLast30Days: timeMs(() =>
      topRemotes(ledger, { fromSec: Date.parse(firstDate) / 1000, toSec: endSec, limit: 10 })
    ),
    topIpsAllTime: timeMs(() => topRemotes(ledger, { limit: 10 })),
    topServicesAllTime: timeMs(() =>
      servicesOfSpan(ledger, { fromSec: START_SEC, toSec: endSec, deviceId: null, limit: 10, hostLimit: 5 })
    ),
  };
}

async function simulate(retention: { fineDays: number; remoteDays: number } | null): Promise<RunResult> {
  const dir = await Deno.makeTempDir({ prefix: "netledger-size-bench-" });
  const started = performance.now();
  try {
    const store = openStore(`${dir}/netledger.db`, { log: (line) => console.error(line), timeZone: ZONE });
    try {
      const ledger = new TrafficLedger(store);
      for (let day = 0; day < DAYS; day++) {
        const batches = dayBatches(day);
        for (const [b, batch] of batches.entries()) {
          ledger.add(batch);
          if (b % 4 === 3) await ledger.flush();
        }
        if (retention) {
          applyRetention(store, { ...retention, timeZone: ZONE, nowSec: START_SEC + (day + 1) * 86_400 });
          pruneServiceHosts(ledger, SERVICE_RETENTION_DAYS, START_SEC + (day + 1) * 86_400);
        }
      }
      store.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      const queryMs = timeQueries(ledger);
      const pragma = (name: string) => Object.values(store.db.prepare(`PRAGMA ${name}`).get()!)[0] as number;
      const freeBytes = pragma("freelist_count") * pragma("page_size");
      const count = (table: string) =>
        (store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
      const trafficRows = count("traffic");
      const remoteRows = count("remote_traffic");
      const remoteSpanRows = count("remote_days") + count("remote_months");
      return {
        fileBytes: (await Deno.stat(`${dir}/netledger.db`)).size,
        freeBytes,
        trafficRows,
        remoteRows,
        remoteSpanRows,
        seconds: (performance.now() - started) / 1000,
        queryMs,
      };
    } finally {
      store.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const defaults = loadConfig([], { TZ: ZONE }).retention;
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
console.log(
  `Simulating ${DAYS} days, ${IPS_PER_DAY} distinct remotes a day, ${SERVICES_PER_DAY} services a day, zone ${ZONE}`,
);
const describe = (r: RunResult) =>
  `${mib(r.fileBytes)} MiB (${mib(r.freeBytes)} MiB of it free pages), ${r.trafficRows} traffic rows, ` +
  `${r.remoteRows} remote rows, ${r.remoteSpanRows} day and month rows (${r.seconds.toFixed(0)} s)`;
const retained = await simulate(defaults);
console.log(
  `default retention (fine ${defaults.fineDays} d, remote ${defaults.remoteDays} d): ${describe(retained)}`,
);
const baseline = await simulate(null);
console.log(`baseline, no rollups: ${describe(baseline)}`);
const ratio = retained.fileBytes / baseline.fileBytes;
const queries = (r: RunResult) =>
  Object.entries(r.queryMs).map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join(", ");
console.log(`queries, default retention: ${queries(retained)}`);
console.log(`queries, no rollups: ${queries(baseline)}`);
console.log(`size with default retention / without: ${ratio.toFixed(3)}`);
console.log(JSON.stringify({
  bench: "store_size",
  days: DAYS,
  ipsPerDay: IPS_PER_DAY,
  servicesPerDay: SERVICES_PER_DAY,
  zone: ZONE,
  retention: defaults,
  retainedBytes: retained.fileBytes,
  retainedFreeBytes: retained.freeBytes,
  baselineBytes: baseline.fileBytes,
  ratio,
  retainedRemoteRows: retained.remoteRows,
  baselineRemoteRows: baseline.remoteRows,
  retainedQueryMs: retained.queryMs,
  baselineQueryMs: baseline.queryMs,
}));
