/**
 * Soak (issue #6 item 9), as root: the real main.ts captures inside the capture namespace of a veth pair for
 * 10 minutes (`--quick`: 2) while churn_injector.c (built here with gcc) sends a steady 50 kpps
 * (`--rate-kpps`) from the peer namespace in which every packet has another remote address: IPv4 cycling
 * through 198.51.100/24, 203.0.113/24 and 192.0.2/24, and IPv6 in 2001:db8:ff:ff::/64 never repeating, so
 * millions of distinct remotes cross the capture table and the ledger, with SAVE_INTERVAL=30 so many saves
 * happen. Every minute (`--quick`: 30 s) it prints main.ts's RSS (VmRSS of the Deno process), the database
 * size and the capture counters; at the end kernel drops, counted vs injected packets and bytes (the
 * database after SIGTERM's final flush) and whether RSS stayed within 10% of its value after warm-up.
 * First, in the same run, a fresh main.ts gets the same rate for 2 minutes (`--quick`: 1) from only four
 * remotes per family: the RSS baseline that tells churn's share from the program's own working set.
 * Documentation addresses only; every loop is bounded in count and time.
 *
 *     deno run -A tests/bench/soak_bench.ts [--quick] [--rate-kpps 50] [--minutes 10] [--baseline-minutes 2]
 */
import { parseArgs } from "node:util";
import { DEFAULT_MAX_REMOTES } from "../../capture/mod.ts";
import { DEFAULT_MAX_PENDING_REMOTES } from "../../store/mod.ts";
import { buildFrame, ipPacket } from "../helpers/frames.ts";
import { encodeFrames } from "../helpers/inject_frames.ts";
import { startNetledgerInNetns, storedTotals } from "../helpers/netledger_rig.ts";
import { CAPTURE_IPV4, CAPTURE_IPV6, createVethPair, run } from "../helpers/netns.ts";
import {
  type CaptureCounters,
  captureCounters,
  mib,
  printTable,
  rssBytes,
  settledCounters,
  stopNetledger,
} from "./netledger_under_load.ts";

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    quick: { type: "boolean", default: false },
    "rate-kpps": { type: "string", default: "50" },
    minutes: { type: "string" },
    "baseline-minutes": { type: "string" },
  },
});
const RATE_PPS = Number(flags["rate-kpps"]) * 1000;
const MINUTES = Number(flags.minutes ?? (flags.quick ? 2 : 10));
const BASELINE_MINUTES = Number(flags["baseline-minutes"] ?? (flags.quick ? 1 : 2));
if (
  !(RATE_PPS > 0 && RATE_PPS <= 1_000_000) || !(MINUTES >= 1 && MINUTES <= 15) ||
  !(BASELINE_MINUTES >= 0 && BASELINE_MINUTES <= 15)
) {
  console.error("--rate-kpps must be in 0..1000, --minutes in 1..15 and --baseline-minutes in 0..15");
  Deno.exit(2);
}
const SAMPLE_SEC = flags.quick ? 30 : 60;
/** RSS is judged against the sample at this point: JIT, heap and both bounded tables have grown by then. */
const WARM_UP_SEC = MINUTES >= 4 ? 120 : 60;
/** How far later samples may stray from the warm-up sample and still count as flat. */
const FLAT_TOLERANCE = 0.1;
/** Remotes per family of the baseline phase: the same rate and saves without churn. */
const BASELINE_REMOTES = 4;
/** IPv4 remotes churn_injector.c cycles through: .3 to .254 of three /24s. */
const IPV4_REMOTES = 3 * 252;
/** IP length of every injected packet (IPv4 and IPv6). */
const IP_BYTES = 100;
const SAVE_INTERVAL_SEC = 30;

/** The four templates churn_injector.c expects, in its order; it rewrites the remote of each packet. */
function templateFrames(): Uint8Array[] {
  const v4 = IP_BYTES - 20;
  const v6 = IP_BYTES - 40;
  return [
    ipPacket({ src: CAPTURE_IPV4, dst: "198.51.100.3", payloadBytes: v4 }),
    ipPacket({ src: "198.51.100.3", dst: CAPTURE_IPV4, payloadBytes: v4 }),
    ipPacket({ src: CAPTURE_IPV6, dst: "2001:db8:ff:ff::3", payloadBytes: v6 }),
    ipPacket({ src: "2001:db8:ff:ff::3", dst: CAPTURE_IPV6, payloadBytes: v6 }),
  ].map((packet) => buildFrame("ethernet", packet).bytes);
}

interface Sample {
  readonly atSec: number;
  readonly rssBytes: number;
  readonly dbBytes: number;
  readonly counters: CaptureCounters;
}

/** What one phase injected, counted and stored. */
interface PhaseResult {
  readonly samples: readonly Sample[];
  readonly sent: number;
  readonly ipBytes: number;
  readonly ipv6Remotes: number;
  readonly countedPackets: number;
  readonly kernelDrops: number;
  readonly storedBytes: number;
  readonly storedPackets: number;
  readonly finalDbBytes: number;
}

/** Size of the database file plus its WAL. */
async function dbBytes(dbPath: string): Promise<number> {
  let total = 0;
  for (const path of [dbPath, `${dbPath}-wal`]) {
    try {
      total += (await Deno.stat(path)).size;
    } catch (e) {
      // No WAL between checkpoints or before the first write: it adds nothing.
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  return total;
}

/**
 * Starts a fresh main.ts (new database in `dir`) in a new veth pair, injects RATE_PPS for `minutes` with
 * `remotes` remotes per family (0: churn), samples every SAMPLE_SEC, then stops it with SIGTERM.
 */
async function runPhase(
  options: {
    injector: string;
    framesFile: string;
    dir: string;
    minutes: number;
    remotes: number;
    seed: number;
  },
): Promise<PhaseResult> {
  const dbPath = `${options.dir}/netledger-${options.remotes}.db`;
  const seconds = options.minutes * 60;
  await using pair = await createVethPair();
  const netledger = await startNetledgerInNetns(pair.captureNs, dbPath, {
    RING_MB: "32",
    SAVE_INTERVAL: String(SAVE_INTERVAL_SEC),
  });
  const samples: Sample[] = [];
  let injected: { sent: number; ipBytes: number; ipv6Remotes: number };
  let final: CaptureCounters;
  let exitCode: number;
  try {
    const sample = async (atSec: number) => {
      const s = {
        atSec,
        rssBytes: await rssBytes(netledger.pid),
        dbBytes: await dbBytes(dbPath),
        counters: await captureCounters(pair.captureNs),
      };
      samples.push(s);
      console.log(
        `  ${(atSec / 60).toFixed(1)} min: RSS ${mib(s.rssBytes)}, DB ${mib(s.dbBytes)}, ` +
          `${s.counters.countedPackets} counted, ${s.counters.kernelDrops} drops`,
      );
    };
    await sample(0);
    const startedMs = performance.now();
    const sending = run([
      "ip",
      "netns",
      "exec",
      pair.peerNs,
      options.injector,
      pair.peerIface,
      options.framesFile,
      String(RATE_PPS),
      String(seconds),
      String(Math.ceil(RATE_PPS * seconds * 1.01)),
      String(options.seed),
      String(options.remotes),
    ]);
    let isSending = true;
    sending.then(() => isSending = false, () => isSending = false);
    for (let i = 1; i <= Math.floor(seconds / SAMPLE_SEC) && isSending; i++) {
      const waitMs = startedMs + i * SAMPLE_SEC * 1000 - performance.now();
      await new Promise((r) => setTimeout(r, Math.max(0, waitMs)));
      if (isSending) await sample(i * SAMPLE_SEC);
    }
    const out = await sending;
    const field = (name: string) => {
      const match = new RegExp(`^${name} (\\d+)$`, "m").exec(out);
      if (match === null) throw new Error(`churn_injector printed no ${name}: ${out}`);
      return Number(match[1]);
    };
    injected = { sent: field("sent"), ipBytes: field("ip_bytes"), ipv6Remotes: field("ipv6_remotes") };
    final = await settledCounters(pair.captureNs, samples[0].counters, injected.sent);
    await sample((performance.now() - startedMs) / 1000);
  } finally {
    exitCode = await stopNetledger(netledger);
  }
  if (exitCode !== 0) console.error(`main.ts exited with ${exitCode}:\n${netledger.lines().join("\n")}`);
  const stored = storedTotals(dbPath);
  return {
    samples,
    ...injected,
    countedPackets: final.countedPackets - samples[0].counters.countedPackets,
    kernelDrops: final.kernelDrops - samples[0].counters.kernelDrops,
    storedBytes: stored.upBytes + stored.downBytes,
    storedPackets: stored.upPackets + stored.downPackets,
    finalDbBytes: await dbBytes(dbPath),
  };
}

function printSamples(samples: readonly Sample[], reference: Sample | undefined): void {
  printTable(
    ["minute", "RSS", "vs warm-up", "DB + WAL", "counted packets", "kernel drops", "pending remote rows"],
    samples.map((s) => [
      (s.atSec / 60).toFixed(1),
      mib(s.rssBytes),
      reference === undefined || s.atSec < reference.atSec
        ? "-"
        : `${((s.rssBytes / reference.rssBytes - 1) * 100).toFixed(1)}%`,
      mib(s.dbBytes),
      String(s.counters.countedPackets),
      String(s.counters.kernelDrops),
      String(s.counters.pendingRemoteRows),
    ]),
  );
}

function printCounts(name: string, minutes: number, ipv4Remotes: number, r: PhaseResult): void {
  const exact = (a: number, b: number) => a === b ? " (exact)" : ` (${a - b})`;
  console.log(
    `${name}: injected ${r.sent} packets in ${minutes} min (${r.ipv6Remotes} distinct IPv6 remotes, ` +
      `${ipv4Remotes} IPv4 remotes); kernel drops ${r.kernelDrops}; counted ${r.countedPackets} / ${r.sent} ` +
      `packets${exact(r.countedPackets, r.sent)}; database after SIGTERM ${r.storedBytes} / ${r.ipBytes} ` +
      `bytes${exact(r.storedBytes, r.ipBytes)}, ${r.storedPackets} / ${r.sent} ` +
      `packets${exact(r.storedPackets, r.sent)}, file ${mib(r.finalDbBytes)}`,
  );
}

/** Least-squares slope of RSS over `samples`, in bytes per minute. */
function rssSlopePerMin(samples: readonly Sample[]): number {
  const n = samples.length;
  const meanT = samples.reduce((a, s) => a + s.atSec / 60, 0) / n;
  const meanR = samples.reduce((a, s) => a + s.rssBytes, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const s of samples) {
    covariance += (s.atSec / 60 - meanT) * (s.rssBytes - meanR);
    variance += (s.atSec / 60 - meanT) ** 2;
  }
  return variance === 0 ? 0 : covariance / variance;
}

/**
 * The flatness judgement: every sample after warm-up within FLAT_TOLERANCE of the warm-up sample, plus the
 * RSS trend from warm-up on (a GC sawtooth has a peak but no slope; a leak has a slope).
 */
function printVerdict(
  samples: readonly Sample[],
  reference: Sample | undefined,
  baseline: Sample | undefined,
) {
  if (reference === undefined) {
    console.log("RSS verdict: no sample after warm-up (run longer)");
    return;
  }
  const later = samples.filter((s) => s.atSec > reference.atSec);
  const worst = Math.max(0, ...later.map((s) => Math.abs(s.rssBytes / reference.rssBytes - 1)));
  const peak = later.reduce((a, s) => s.rssBytes > a.rssBytes ? s : a, reference);
  const slope = rssSlopePerMin([reference, ...later]);
  console.log(
    `RSS verdict: later samples within ${(worst * 100).toFixed(1)}% of minute ` +
      `${(reference.atSec / 60).toFixed(1)} (${mib(reference.rssBytes)}): ` +
      (worst <= FLAT_TOLERANCE ? "flat" : `NOT within ${FLAT_TOLERANCE * 100}%`) +
      `; peak ${mib(peak.rssBytes)} at minute ${(peak.atSec / 60).toFixed(1)}; trend from warm-up on ` +
      `${(slope / 1048576).toFixed(2)} MiB/min` +
      (baseline === undefined
        ? ""
        : `; final RSS ${(samples.at(-1)!.rssBytes / baseline.rssBytes).toFixed(2)}× ` +
          `the no-churn baseline's (${mib(baseline.rssBytes)})`),
  );
}

if (import.meta.main) {
  const dir = await Deno.makeTempDir({ prefix: "netledger-soak-" });
  try {
    const injector = `${dir}/churn_injector`;
    await run(["gcc", "-O2", "-o", injector, new URL("./churn_injector.c", import.meta.url).pathname]);
    const framesFile = `${dir}/templates.bin`;
    await Deno.writeFile(framesFile, encodeFrames(templateFrames()));
    const seed = Math.floor(Math.random() * 2 ** 31);
    console.log(
      `Soak: ${RATE_PPS / 1000} kpps for ${MINUTES} min, SAVE_INTERVAL=${SAVE_INTERVAL_SEC}, RING_MB=32, ` +
        `injector seed ${seed}. Memory bound: the capture remote table holds ≤ ${DEFAULT_MAX_REMOTES} rows ` +
        `per drain (≈ 9.7 MB, capture/remote_table.ts), the ledger's pending map ≤ ` +
        `${DEFAULT_MAX_PENDING_REMOTES} (bucket, remote) rows (≈ 10 MiB, store/pending_deltas.ts), so RSS must ` +
        `stay within ${FLAT_TOLERANCE * 100}% of its value at minute ${
          WARM_UP_SEC / 60
        } however many remotes pass`,
    );
    const phase = { injector, framesFile, dir, seed };
    let baseline: PhaseResult | null = null;
    if (BASELINE_MINUTES > 0) {
      console.log(`\nBaseline: ${BASELINE_REMOTES} remotes per family, ${BASELINE_MINUTES} min`);
      baseline = await runPhase({ ...phase, minutes: BASELINE_MINUTES, remotes: BASELINE_REMOTES });
    }
    console.log(`\nChurn: a new remote in every packet, ${MINUTES} min`);
    const churn = await runPhase({ ...phase, minutes: MINUTES, remotes: 0 });

    if (baseline !== null) {
      console.log(`\nBaseline, ${BASELINE_REMOTES} remotes per family:\n`);
      printSamples(baseline.samples, undefined);
    }
    const reference = churn.samples.find((s) => s.atSec >= WARM_UP_SEC);
    console.log(`\nChurn:\n`);
    printSamples(churn.samples, reference);
    console.log("");
    if (baseline !== null) printCounts("Baseline", BASELINE_MINUTES, BASELINE_REMOTES, baseline);
    printCounts("Churn", MINUTES, IPV4_REMOTES, churn);
    printVerdict(churn.samples, reference, baseline?.samples.at(-1));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
