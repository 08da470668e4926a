/**
 * Capture benchmark (issue #3 item 9), as root: a C injector (capture_injector.c, built here with gcc)
 * drives a veth pair at rising rates; for each rate netledger's LiveCapture (ring + worker, through the
 * capture probe) and `tcpdump -w /dev/null` capture the same frames at the same time, so both see the same
 * traffic and the same background load of the shared 2-core VM. Reported per run: injected rate, kernel drops, counted vs injected
 * IP bytes, CPU µs per packet from /proc/PID/task/*\/schedstat; then 300 kpps with the probe's main thread
 * stalled 200 ms every second, the idle cost at 1 packet/s, and the latency of GET /api/health served by
 * the probe's main thread (where main.ts serves it) without traffic and at the highest rate. Every loop is
 * bounded in count and time.
 *
 *     deno run -A tests/bench/capture_bench.ts [--quick]
 */
import { buildFrame, ipPacket } from "../helpers/frames.ts";
import { encodeFrames } from "../helpers/inject_frames.ts";
import {
  CAPTURE_IPV4,
  CAPTURE_IPV6,
  createVethPair,
  endChild,
  run,
  type VethPair,
} from "../helpers/netns.ts";
import { type CaptureProbe, type ProbeEvent, startCaptureProbe } from "../helpers/capture_probe.ts";

const IS_QUICK = Deno.args.includes("--quick");
const PHASE_SEC = IS_QUICK ? 2 : 3;
const RATES_KPPS = IS_QUICK ? [100, 300] : [10, 50, 100, 200, 300, 400];
/** IP length of every bench packet: counted bytes must be exactly sent × this. */
const IP_BYTES = 100;

/** Four public flows (IPv4/IPv6, up/down) with distinct remotes, all IP_BYTES long. */
function benchFrames(): Uint8Array[] {
  const v4 = IP_BYTES - 20;
  const v6 = IP_BYTES - 40;
  return [
    buildFrame("ethernet", ipPacket({ src: CAPTURE_IPV4, dst: "198.51.100.7", payloadBytes: v4 })).bytes,
    buildFrame("ethernet", ipPacket({ src: "203.0.113.9", dst: CAPTURE_IPV4, payloadBytes: v4 })).bytes,
    buildFrame("ethernet", ipPacket({ src: CAPTURE_IPV6, dst: "2001:db8:ff::7", payloadBytes: v6 })).bytes,
    buildFrame("vlan", ipPacket({ src: "2001:db8:ff::8", dst: CAPTURE_IPV6, payloadBytes: v6 })).bytes,
  ];
}

/**
 * Nanoseconds on CPU of every thread of `pid` (first field of /proc/PID/task/TID/schedstat), without the
 * main thread (TID = PID) when `isExcludingMain` (it busy-loops on purpose in the stall scenario).
 */
async function cpuNs(pid: number, isExcludingMain = false): Promise<number> {
  let total = 0;
  for await (const task of Deno.readDir(`/proc/${pid}/task`)) {
    if (isExcludingMain && task.name === String(pid)) continue;
    try {
      total += Number((await Deno.readTextFile(`/proc/${pid}/task/${task.name}/schedstat`)).split(" ")[0]);
    } catch (e) {
      // A thread that ended between readDir and read: its time is gone with it.
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  return total;
}

interface Row {
  readonly capturer: string;
  readonly scenario: string;
  readonly sent: number;
  readonly seconds: number;
  readonly captured: number;
  readonly drops: number;
  readonly countedBytes: number | null;
  readonly cpuUsPerPacket: number;
  readonly note: string;
}

async function inject(
  injector: string,
  framesFile: string,
  pair: VethPair,
  ratePps: number,
  seconds: number,
  threads: number,
) {
  const started = performance.now();
  const out = await run([
    "ip",
    "netns",
    "exec",
    pair.peerNs,
    injector,
    pair.peerIface,
    framesFile,
    String(ratePps),
    String(seconds),
    String(threads),
  ]);
  const sent = Number(/^sent (\d+)/m.exec(out)![1]);
  return { sent, seconds: (performance.now() - started) / 1000 };
}

/** A running `tcpdump -w /dev/null` in the capture namespace (32 MiB buffer, like RING_MB's default). */
interface Tcpdump {
  readonly pid: number;
  /** Stops it with SIGINT and returns its own counters. */
  finish(): Promise<{ received: number; drops: number }>;
}

async function startTcpdump(pair: VethPair): Promise<Tcpdump> {
  const args = [
    "netns",
    "exec",
    pair.captureNs,
    "tcpdump",
    "-i",
    pair.captureIface,
    "-w",
    "/dev/null",
    "-B",
    "32768",
    "-n",
  ];
  const child = new Deno.Command("ip", { args, stdout: "null", stderr: "piped" }).spawn();
  const stderr = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const readUntil = async (isDone: () => boolean) => {
    for (let i = 0; i < 1000 && !isDone(); i++) {
      const { value, done } = await stderr.read();
      if (done) return;
      text += value;
    }
  };
  try {
    await readUntil(() => text.includes("listening on"));
    if (!text.includes("listening on")) throw new Error(`tcpdump did not start: ${text}`);
  } catch (e) {
    await endChild(child);
    throw e;
  }
  return {
    pid: child.pid,
    async finish() {
      child.kill("SIGINT");
      await readUntil(() => false);
      await endChild(child);
      return {
        received: Number(/(\d+) packets? received by filter/.exec(text)?.[1] ?? NaN),
        drops: Number(/(\d+) packets? dropped by kernel/.exec(text)?.[1] ?? NaN),
      };
    },
  };
}

/**
 * Injects one scenario while netledger (and, when given, tcpdump) capture it at the same time, then returns
 * one row per capturer. Waits (bounded) until netledger has counted or seen dropped every sent packet.
 */
async function measure(
  probe: CaptureProbe,
  tcpdump: Tcpdump | null,
  scenario: string,
  send: () => Promise<{ sent: number; seconds: number }>,
  isExcludingMain = false,
): Promise<{ rows: Row[]; lag?: ProbeEvent["lag"] }> {
  const before = await probe.status();
  const cpu0 = await cpuNs(probe.pid, isExcludingMain);
  const tcpdumpCpu0 = tcpdump ? await cpuNs(tcpdump.pid) : 0;
  const { sent, seconds } = await send();
  let after = before;
  for (let i = 0; i < 100; i++) {
    after = await probe.status();
    const seen = after.status.countedPackets - before.status.countedPackets;
    const dropped = after.status.kernelDrops - before.status.kernelDrops;
    const handed = after.totals.upPackets + after.totals.downPackets - before.totals.upPackets -
      before.totals.downPackets;
    // Counted by the worker, and handed to onBatch on the main thread.
    if (seen + dropped >= sent && handed >= seen) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const cpu1 = await cpuNs(probe.pid, isExcludingMain);
  const tcpdumpCpu1 = tcpdump ? await cpuNs(tcpdump.pid) : 0;
  const captured = after.status.kernelPackets - before.status.kernelPackets;
  const rows: Row[] = [{
    capturer: "netledger",
    scenario,
    sent,
    seconds,
    captured,
    drops: after.status.kernelDrops - before.status.kernelDrops,
    countedBytes: after.totals.upBytes + after.totals.downBytes - before.totals.upBytes -
      before.totals.downBytes,
    cpuUsPerPacket: (cpu1 - cpu0) / 1000 / Math.max(1, captured),
    note: "",
  }];
  if (tcpdump) {
    const { received, drops } = await tcpdump.finish();
    rows.push({
      capturer: "tcpdump",
      scenario,
      sent,
      seconds,
      captured: received,
      drops,
      countedBytes: null,
      cpuUsPerPacket: (tcpdumpCpu1 - tcpdumpCpu0) / 1000 / Math.max(1, received),
      note: "",
    });
  }
  return { rows, lag: after.lag };
}

function printTable(rows: readonly Row[]): void {
  const header = [
    "capturer",
    "scenario",
    "sent",
    "kpps",
    "captured",
    "drops",
    "counted/injected bytes",
    "CPU µs/pkt",
    "note",
  ];
  const lines = rows.map((r) => [
    r.capturer,
    r.scenario,
    String(r.sent),
    (r.sent / r.seconds / 1000).toFixed(0),
    String(r.captured),
    String(r.drops),
    r.countedBytes === null
      ? "-"
      : `${r.countedBytes} / ${r.sent * IP_BYTES}${r.countedBytes === r.sent * IP_BYTES ? " (exact)" : ""}`,
    r.cpuUsPerPacket.toFixed(3),
    r.note,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  console.log(fmt(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const l of lines) console.log(fmt(l));
}

/** Latency percentiles of sequential GET /api/health requests. */
interface Latency {
  readonly requests: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** Sends GET /api/health to the probe every 10 ms for `seconds`, from a client inside the capture namespace. */
async function healthLatency(pair: VethPair, port: number, seconds: number): Promise<Latency> {
  const client = `
    const url = "http://127.0.0.1:${port}/api/health";
    const end = performance.now() + ${seconds * 1000};
    const times = [];
    for (let i = 0; i < 100000 && performance.now() < end; i++) {
      const start = performance.now();
      await (await fetch(url)).text();
      times.push(performance.now() - start);
      await new Promise((r) => setTimeout(r, 10));
    }
    times.sort((a, b) => a - b);
    const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
    console.log(JSON.stringify({ requests: times.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: times.at(-1) }));
  `;
  return JSON.parse(await run(["ip", "netns", "exec", pair.captureNs, Deno.execPath(), "eval", client]));
}

async function tcpdumpIdleCost(pair: VethPair, send: () => Promise<unknown>): Promise<number> {
  const child = new Deno.Command("ip", {
    args: [
      "netns",
      "exec",
      pair.captureNs,
      "tcpdump",
      "-i",
      pair.captureIface,
      "-w",
      "/dev/null",
      "-B",
      "32768",
      "-n",
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    await new Promise((r) => setTimeout(r, 1500));
    return await idleCost(child.pid, send);
  } finally {
    await endChild(child);
  }
}

async function idleCost(pid: number, send: () => Promise<unknown>): Promise<number> {
  const cpu0 = await cpuNs(pid);
  const t0 = performance.now();
  await send();
  const cpu1 = await cpuNs(pid);
  return (cpu1 - cpu0) / 1e6 / (performance.now() - t0) * 100;
}

if (import.meta.main) {
  const dir = await Deno.makeTempDir({ prefix: "netledger-bench-" });
  try {
    const injector = `${dir}/capture_injector`;
    await run([
      "gcc",
      "-O2",
      "-pthread",
      "-o",
      injector,
      new URL("./capture_injector.c", import.meta.url).pathname,
    ]);
    const framesFile = `${dir}/frames.bin`;
    await Deno.writeFile(framesFile, encodeFrames(benchFrames()));
    await using pair = await createVethPair();
    const at = (kpps: number, threads = 1, seconds = PHASE_SEC) => () =>
      inject(injector, framesFile, pair, kpps * 1000, seconds, threads);
    const rows: Row[] = [];
    const scenarios: [string, () => Promise<{ sent: number; seconds: number }>][] = [
      ...RATES_KPPS.map((k) =>
        [`${k} kpps`, at(k)] as [string, () => Promise<{ sent: number; seconds: number }>]
      ),
      ["max, 1 sender", at(0, 1)],
      ["max, 2 senders", at(0, 2)],
    ];
    {
      await using probe = await startCaptureProbe(pair.captureNs, pair.captureIface);
      // JIT warm-up, not reported: tcpdump is compiled ahead of time, netledger's hot loop is not.
      await measure(probe, null, "warm-up", at(100, 1, 2));
      for (const [name, send] of scenarios) {
        rows.push(...(await measure(probe, await startTcpdump(pair), name, send)).rows);
      }
      await probe.stop();
    }
    let maxLag: ProbeEvent["lag"];
    let healthIdle: Latency;
    let healthLoaded: Latency;
    {
      // Separate run: the 20 ms lag timer and the HTTP client cost CPU of their own.
      await using probe = await startCaptureProbe(pair.captureNs, pair.captureIface, {
        isMeasuringLag: true,
        isServingHealth: true,
      });
      await measure(probe, null, "warm-up", at(100, 1, 2));
      const port = probe.started.healthPort!;
      healthIdle = await healthLatency(pair, port, PHASE_SEC);
      const [loaded, phase] = await Promise.all([
        healthLatency(pair, port, PHASE_SEC),
        measure(probe, null, "max, 2 senders", at(0, 2)),
      ]);
      healthLoaded = loaded;
      maxLag = phase.lag;
      await probe.stop();
    }
    {
      await using probe = await startCaptureProbe(pair.captureNs, pair.captureIface, { stallMsPerSec: 200 });
      await measure(probe, null, "warm-up", at(100, 1, 2), true);
      const stalled = await measure(
        probe,
        null,
        "300 kpps, main stalls 200 ms/s",
        at(300, 1, IS_QUICK ? 3 : 5),
        true,
      );
      rows.push({ ...stalled.rows[0], note: "CPU without the busy main thread" });
      await probe.stop();
    }
    const idleSec = IS_QUICK ? 5 : 20;
    const slow = at(0.001, 1, idleSec);
    let netledgerIdle: number;
    {
      await using probe = await startCaptureProbe(pair.captureNs, pair.captureIface);
      await new Promise((r) => setTimeout(r, 1500));
      netledgerIdle = await idleCost(probe.pid, slow);
      await probe.stop();
    }
    const tcpdumpIdle = await tcpdumpIdleCost(pair, slow);
    printTable(rows);
    console.log(
      `\nIdle cost at 1 packet/s over ${idleSec} s, % of one core: netledger ${netledgerIdle.toFixed(3)}%, ` +
        `tcpdump ${tcpdumpIdle.toFixed(3)}%`,
    );
    const ms = (n = 0) => `${n.toFixed(1)} ms`;
    const latency = (l: Latency) =>
      `p50 ${ms(l.p50Ms)}, p99 ${ms(l.p99Ms)}, max ${ms(l.maxMs)} (${l.requests} requests)`;
    console.log(`GET /api/health on the probe's main thread, no traffic:           ${latency(healthIdle)}`);
    console.log(`GET /api/health on the probe's main thread, max rate, 2 senders:  ${latency(healthLoaded)}`);
    console.log(
      `netledger main-thread event-loop lag, max rate with 2 senders: p50 ${ms(maxLag?.p50Ms)}, p99 ${
        ms(maxLag?.p99Ms)
      }, max ${ms(maxLag?.maxMs)}`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
