/**
 * Server responsiveness under full capture load (issue #3 item 6), as root: the real main.ts runs inside the
 * capture namespace of a veth pair (MONITOR_IFACE = the capture veth, BIND=127.0.0.1, SAVE_INTERVAL=5 so
 * saves fall inside every window), and a Deno client in the same namespace sends GET /api/health every 10 ms
 * (capture_measure.ts healthLatency) — first with no traffic (the baseline), then while capture_injector.c
 * sends from the peer namespace as fast as it can on one and on two sending cores. Reported per window:
 * latency p50/p99/max, kernel drops and counted vs injected packets from /api/health, and at the end the
 * bytes in the database vs the bytes injected. Documentation addresses only; every loop is bounded.
 *
 *     deno run -A tests/bench/health_latency_bench.ts [--quick]
 */
import { startNetledgerInNetns, storedTotals } from "../helpers/netledger_rig.ts";
import { createVethPair } from "../helpers/netns.ts";
import {
  BENCH_IP_BYTES,
  healthLatency,
  inject,
  type Injection,
  type Latency,
  prepareInjector,
} from "./capture_measure.ts";
import {
  type CaptureCounters,
  captureCounters,
  printTable,
  settledCounters,
  stopNetledger,
} from "./netledger_under_load.ts";

const IS_QUICK = Deno.args.includes("--quick");
/** Length of each latency window. */
const WINDOW_SEC = IS_QUICK ? 4 : 10;
/**
 * The injector starts first and runs this much longer than the window, so the client's own start-up (a
 * Deno process, slow while both cores are busy) falls inside the traffic and the whole window is loaded.
 */
const INJECT_MARGIN_SEC = 3;
/** main.ts listens here inside the capture namespace (its own port space). */
const WEB_PORT = 8080;

interface Row {
  readonly scenario: string;
  readonly injection: Injection | null;
  readonly before: CaptureCounters;
  readonly after: CaptureCounters;
  readonly latency: Latency;
  readonly isWindowLoaded: boolean;
}

function printRows(rows: readonly Row[]): void {
  const baseline = rows[0].latency;
  const ms = (n: number) => `${n.toFixed(2)} ms`;
  printTable(
    [
      "scenario",
      "injected",
      "kpps",
      "counted",
      "kernel drops",
      "requests",
      "p50",
      "p99",
      "max",
      "p99 ÷ baseline",
    ],
    rows.map((r) => {
      const counted = r.after.countedPackets - r.before.countedPackets;
      const sent = r.injection?.sent ?? 0;
      return [
        r.scenario + (r.isWindowLoaded ? "" : " (traffic ended before the client)"),
        String(sent),
        r.injection === null ? "0" : (sent / r.injection.seconds / 1000).toFixed(0),
        `${counted}${counted === sent ? " (exact)" : ` (${counted - sent})`}`,
        String(r.after.kernelDrops - r.before.kernelDrops),
        String(r.latency.requests),
        ms(r.latency.p50Ms),
        ms(r.latency.p99Ms),
        ms(r.latency.maxMs),
        `${(r.latency.p99Ms / baseline.p99Ms).toFixed(2)}×`,
      ];
    }),
  );
}

if (import.meta.main) {
  const dir = await Deno.makeTempDir({ prefix: "netledger-health-bench-" });
  try {
    const { injector, framesFile } = await prepareInjector(dir);
    const dbPath = `${dir}/netledger.db`;
    await using pair = await createVethPair();
    const netledger = await startNetledgerInNetns(pair.captureNs, dbPath, {
      RING_MB: "32",
      SAVE_INTERVAL: "5",
      WEB_PORT: String(WEB_PORT),
    });
    const rows: Row[] = [];
    let totalSent = 0;
    try {
      // JIT warm-up of the capture Worker and the HTTP path, not reported.
      const warmUp = await inject(injector, framesFile, pair, { ratePps: 100_000, seconds: 2, threads: 1 });
      totalSent += warmUp.sent;
      await settledCounters(pair.captureNs, await captureCounters(pair.captureNs), warmUp.sent);
      await healthLatency(pair, WEB_PORT, 1);

      const idleBefore = await captureCounters(pair.captureNs);
      const idle = await healthLatency(pair, WEB_PORT, WINDOW_SEC);
      const idleAfter = await captureCounters(pair.captureNs);
      rows.push({
        scenario: "no traffic (baseline)",
        injection: null,
        before: idleBefore,
        after: idleAfter,
        latency: idle,
        isWindowLoaded: true,
      });
      for (const threads of [1, 2]) {
        const before = await captureCounters(pair.captureNs);
        const sending = inject(injector, framesFile, pair, {
          ratePps: 0,
          seconds: WINDOW_SEC + INJECT_MARGIN_SEC,
          threads,
        });
        const latency = await healthLatency(pair, WEB_PORT, WINDOW_SEC);
        const clientEndedAtMs = performance.now();
        const injection = await sending;
        totalSent += injection.sent;
        rows.push({
          scenario: `max rate, ${threads} sender${threads > 1 ? "s" : ""}`,
          injection,
          before,
          after: await settledCounters(pair.captureNs, before, injection.sent),
          latency,
          isWindowLoaded: injection.endedAtMs >= clientEndedAtMs,
        });
      }
    } finally {
      const code = await stopNetledger(netledger);
      if (code !== 0) console.error(`main.ts exited with ${code}:\n${netledger.lines().join("\n")}`);
    }
    console.log(
      `GET /api/health latency, main.ts capturing on a veth in its namespace (RING_MB=32, SAVE_INTERVAL=5), ` +
        `client every 10 ms for ${WINDOW_SEC} s in the same namespace:\n`,
    );
    printRows(rows);
    const stored = storedTotals(dbPath);
    const storedBytes = stored.upBytes + stored.downBytes;
    const injectedBytes = totalSent * BENCH_IP_BYTES;
    console.log(
      `\nBytes in the database after SIGTERM vs injected over the whole run (warm-up included): ` +
        `${storedBytes} / ${injectedBytes}${storedBytes === injectedBytes ? " (exact)" : ""}`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
