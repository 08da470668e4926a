/**
 * Query times and size of a busy year of history (issue 17 items 1 and 2), run with
 * `deno run -A tests/bench/history_query_bench.ts [--days 365] [--ips-per-day 10000] [--devices 50]
 * [--services-per-day 2000] [--remote-days N] [--keep FILE]` (`--remote-days` overrides the default
 * RETENTION_REMOTE_DAYS, to measure the alternative; `--keep` copies the simulated year's database to FILE, to study it).
 *
 * Every day sees `ips-per-day` remote addresses (30% of them every day, the rest new), each talking to one of
 * `devices` LAN devices, in 15-minute buckets; each address serves one of `services-per-day` service names
 * (30% of them every day, the rest new), one address in ten unnamed (`unknown`); the ledger saves once per simulated day (rows are additive
 * UPSERTs, so the save size does not change what is stored) and retention runs daily with config.ts's
 * defaults. Then the queries behind /api/top_ips, /api/devices, /api/devices/:id, /api/services,
 * /api/summary, /api/query and /api/history/12months are timed (median of 5) on that database and, as the same-run baseline, on a
 * database of one day of the same traffic. Prints one line per measurement and a JSON summary last.
 */
import { parseArgs } from "node:util";
import { loadConfig } from "../../config.ts";
import type {
  DeviceRemoteTraffic,
  DeviceTraffic,
  RemoteTraffic,
  ServiceTraffic,
  TrafficBatch,
} from "../../capture/mod.ts";
import {
  applyRetention,
  devicesOfSpan,
  deviceTopRemotes,
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
    devices: { type: "string", default: "50" },
    "services-per-day": { type: "string", default: "2000" },
    "remote-days": { type: "string" },
    keep: { type: "string" },
  },
});
const DAYS = Number(values.days);
const IPS_PER_DAY = Number(values["ips-per-day"]);
const DEVICES = Number(values.devices);
const SERVICES_PER_DAY = Number(values["services-per-day"]);
const ZONE = "Europe/Berlin";
const START_SEC = Date.parse("2025-01-01T00:00:00+01:00") / 1000;
const BUCKETS_PER_DAY = 96;
/** config.ts's defaults, but for `--remote-days`. */
const CONFIG = loadConfig([], {
  TZ: ZONE,
  ...(values["remote-days"] === undefined ? {} : { RETENTION_REMOTE_DAYS: values["remote-days"] }),
});

/** Deterministic PRNG (mulberry32) so both databases see the same traffic. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Remote number `n` from 2001:db8::/32 (documentation range), 70% short texts, 30% full-length ones. */
function remoteIp(n: number): string {
  const hi = (n >>> 16).toString(16);
  const lo = (n & 0xffff).toString(16);
  return n % 10 < 7 ? `2001:db8::${hi}:${lo}` : `2001:db8:85a3:1234:5678:9abc:${hi}:${lo}`;
}

function deviceMac(n: number): string {
  return `02:00:5e:00:${(n >> 8).toString(16).padStart(2, "0")}:${(n & 255).toString(16).padStart(2, "0")}`;
}

/** One simulated day as one batch (all its buckets). */
function dayBatch(day: number): TrafficBatch {
  const next = random(day + 1);
  const recurring = Math.round(IPS_PER_DAY * 0.3);
  const recurringServices = Math.round(SERVICES_PER_DAY * 0.3);
  const remotes: RemoteTraffic[] = [];
  const services = new Map<string, ServiceTraffic & { upBytes: number; downBytes: number }>();
  const deviceRemotes: DeviceRemoteTraffic[] = [];
  const devices = new Map<string, DeviceTraffic & { upBytes: number; downBytes: number }>();
  const buckets = new Map<number, { up: number; down: number; packets: number }>();
  for (let i = 0; i < IPS_PER_DAY; i++) {
    const n = i < recurring ? i : recurring + day * IPS_PER_DAY + i;
    const ip = remoteIp(n);
    const deviceKey = deviceMac(n % DEVICES);
    const s = i % SERVICES_PER_DAY;
    const service = i % 10 === 9
      ? null
      : `s${s < recurringServices ? s : recurringServices + day * SERVICES_PER_DAY + s}.example`;
    const activeBuckets = i < recurring ? 8 + Math.floor(next() * 9) : 1 + Math.floor(next() * 3);
    for (let k = 0; k < activeBuckets; k++) {
      const bucketStartSec = START_SEC + day * 86_400 + Math.floor(next() * BUCKETS_PER_DAY) * 900;
      const bytes = 1 + Math.floor(next() * 5e6);
      const row = {
        bucketStartSec,
        upBytes: Math.floor(bytes / 10),
        downBytes: bytes - Math.floor(bytes / 10),
      };
      const sums = { ...row, upPackets: 3, downPackets: 9 };
      remotes.push({ ...sums, remoteIp: ip });
      deviceRemotes.push({ ...sums, remoteIp: ip, deviceKey });
      const dk = `${bucketStartSec} ${deviceKey}`;
      const d = devices.get(dk) ??
        { bucketStartSec, deviceKey, upBytes: 0, downBytes: 0, upPackets: 0, downPackets: 0 };
      devices.set(dk, {
        ...d,
        upBytes: d.upBytes + sums.upBytes,
        downBytes: d.downBytes + sums.downBytes,
        upPackets: d.upPackets + 3,
        downPackets: d.downPackets + 9,
      });
      if (service !== null) {
        const sk = `${dk} ${service}`;
        const v = services.get(sk) ?? {
          bucketStartSec,
          deviceKey,
          service,
          host: `www.${service}`,
          upBytes: 0,
          downBytes: 0,
          upPackets: 0,
          downPackets: 0,
        };
        services.set(sk, {
          ...v,
          upBytes: v.upBytes + sums.upBytes,
          downBytes: v.downBytes + sums.downBytes,
          upPackets: v.upPackets + 3,
          downPackets: v.downPackets + 9,
        });
      }
      const b = buckets.get(bucketStartSec) ?? { up: 0, down: 0, packets: 0 };
      buckets.set(bucketStartSec, {
        up: b.up + sums.upBytes,
        down: b.down + sums.downBytes,
        packets: b.packets + 3,
      });
    }
  }
  const traffic = [...buckets].map(([bucketStartSec, b]) => ({
    bucketStartSec,
    family: 6 as const,
    upBytes: b.up,
    downBytes: b.down,
    upPackets: b.packets,
    downPackets: b.packets * 3,
  }));
  return {
    traffic,
    remotes,
    health: [],
    devices: [...devices.values()],
    deviceRemotes,
    deviceAddresses: [],
    services: [...services.values()],
  };
}

function medianMs(run: () => unknown): number {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    run();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[2];
}

/** The API's queries over the last simulated day's database, every range ending at its end. */
function timeQueries(ledger: TrafficLedger, days: number): Record<string, number> {
  const endSec = START_SEC + days * 86_400;
  const last = new Date((endSec - 1) * 1000).toISOString().slice(0, 10);
  const first = new Date(START_SEC * 1000 + 43_200_000).toISOString().slice(0, 10);
  const monthAgo = new Date(Math.max(START_SEC, endSec - 30 * 86_400) * 1000 + 43_200_000).toISOString()
    .slice(0, 10);
  const device = ledger.store.db.prepare("SELECT id, key FROM devices WHERE id != 0 LIMIT 1").get() as {
    id: number;
    key: string;
  };
  return {
    topRemotesAllTime: medianMs(() => topRemotes(ledger, { limit: 10 })),
    topRemotesLast30Days: medianMs(() =>
      topRemotes(ledger, { fromSec: endSec - 30 * 86_400, toSec: endSec, limit: 10 })
    ),
    topDevicesAllTime: medianMs(() => devicesOfSpan(ledger, 0, endSec + 86_400)),
    deviceTopRemotesAllTime: medianMs(() =>
      deviceTopRemotes(ledger, {
        deviceId: device.id,
        deviceKey: device.key,
        fromSec: 0,
        toSec: endSec,
        limit: 20,
      })
    ),
    topServicesAllTime: medianMs(() =>
      servicesOfSpan(ledger, { fromSec: START_SEC, toSec: endSec, deviceId: null, limit: 10, hostLimit: 5 })
    ),
    summary: medianMs(() => trafficSummary(ledger, ZONE, endSec - 1)),
    queryLast30Days: medianMs(() => trafficByPeriod(ledger, localPeriods(monthAgo, last, "day", ZONE))),
    history12Months: medianMs(() => trafficByPeriod(ledger, localPeriods(first, last, "month", ZONE))),
  };
}

interface RunResult {
  readonly fileBytes: number;
  readonly freeBytes: number;
  readonly tableBytes: Readonly<Record<string, number>>;
  readonly seconds: number;
  readonly queryMs: Readonly<Record<string, number>>;
}

async function simulate(days: number): Promise<RunResult> {
  const dir = await Deno.makeTempDir({ prefix: "netledger-history-bench-" });
  const started = performance.now();
  try {
    const path = `${dir}/netledger.db`;
    using store = openStore(path, { log: () => {}, timeZone: ZONE });
    const ledger = new TrafficLedger(store);
    const retention = CONFIG.retention;
    for (let day = 0; day < days; day++) {
      ledger.add(dayBatch(day));
      await ledger.flush();
      applyRetention(store, {
        ...retention,
        timeZone: ZONE,
        nowSec: START_SEC + (day + 1) * 86_400,
        maxDays: 400,
      });
      pruneServiceHosts(ledger, CONFIG.serviceRetentionDays, START_SEC + (day + 1) * 86_400);
      if (day % 30 === 29) console.error(`  day ${day + 1} of ${days}`);
    }
    store.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    if (values.keep !== undefined && days === DAYS) await Deno.copyFile(path, values.keep);
    const pragma = (name: string) => Object.values(store.db.prepare(`PRAGMA ${name}`).get()!)[0] as number;
    const tableBytes = Object.fromEntries(
      (store.db.prepare("SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC")
        .all() as {
          name: string;
          bytes: number;
        }[]).map((r) => [r.name, r.bytes]),
    );
    return {
      fileBytes: (await Deno.stat(path)).size,
      freeBytes: pragma("freelist_count") * pragma("page_size"),
      tableBytes,
      seconds: (performance.now() - started) / 1000,
      queryMs: timeQueries(ledger, days),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
console.log(
  `Simulating ${DAYS} days: ${IPS_PER_DAY} remotes a day, ${DEVICES} devices, ${SERVICES_PER_DAY} services a day, zone ${ZONE}, RETENTION_REMOTE_DAYS ${CONFIG.retention.remoteDays}`,
);
const baseline = await simulate(1);
const year = await simulate(DAYS);
console.log(
  `size: ${mib(year.fileBytes)} MiB (${mib(year.freeBytes)} MiB free pages), built in ${
    year.seconds.toFixed(0)
  } s`,
);
for (const [table, bytes] of Object.entries(year.tableBytes).slice(0, 12)) {
  console.log(`  ${table}: ${mib(bytes)} MiB`);
}
const ratios: Record<string, number> = {};
for (const [name, ms] of Object.entries(year.queryMs)) {
  ratios[name] = ms / Math.max(baseline.queryMs[name], 0.001);
  console.log(
    `${name}: ${ms.toFixed(1)} ms; one-day database ${baseline.queryMs[name].toFixed(1)} ms (${
      ratios[name].toFixed(1)
    }×)`,
  );
}
console.log(JSON.stringify({
  bench: "history_query",
  days: DAYS,
  retentionRemoteDays: CONFIG.retention.remoteDays,
  ipsPerDay: IPS_PER_DAY,
  devices: DEVICES,
  servicesPerDay: SERVICES_PER_DAY,
  fileBytes: year.fileBytes,
  freeBytes: year.freeBytes,
  tableBytes: year.tableBytes,
  queryMs: year.queryMs,
  baselineQueryMs: baseline.queryMs,
  ratios,
}));
