/**
 * Capture benchmark (issue #3 item 9), as root: a C injector (capture_injector.c, built here with gcc)
 * drives a veth pair at rising rates; for each rate netledger's LiveCapture (ring + worker, through the
 * capture probe) and then `tcpdump -w /dev/null` capture the same frames at the same rate, one at a time so
 * they do not compete for the 2 cores. Reported per run: injected rate, kernel drops, counted vs injected
 * IP bytes, CPU µs per packet from /proc/PID/task/*\/schedstat; then 300 kpps with the probe's main thread
 * stalled 200 ms every second, and the idle cost at 1 packet/s. Every loop is bounded in count and time.
 *
 *     deno run -A tests/bench/capture_bench.ts [--quick]
 */
import { buildFrame, ipPacket } from "../helpers/frames.ts";
import { encodeFrames } from "../helpers/inject_frames.ts";
import { CAPTURE_IPV4, CAPTURE_IPV6, createVethPair, run, type VethPair } from "../helpers/netns.ts";
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

async function netledgerPhase(
  probe: CaptureProbe,
  scenario: string,
  send: () => Promise<{ sent: number; seconds: number }>,
  isExcludingMain = false,
): Promise<Row & { lag?: ProbeEvent["lag"] }> {
  const before = await probe.status();
  const cpu0 = await cpuNs(probe.pid, isExcludingMain);
  const { sent, seconds } = await send();
  // Wait (bounded) until every sent packet is either counted or reported dropped by the kernel.
  let after = before;
  for (let i = 0; i < 100; i++) {
    after = await probe.status();
    const seen = after.status.countedPackets - before.status.countedPackets;
    const dropped = after.status.kernelDrops - before.status.kernelDrops;
    if (seen + dropped >= sent) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  // The counted bytes reach onBatch with the next report; one more bounded wait for it.
  for (let i = 0; i < 30; i++) {
    const counted = after.totals.upPackets + after.totals.downPackets - before.totals.upPackets -
      before.totals.downPackets;
    if (counted >= after.status.countedPackets - before.status.countedPackets) break;
    await new Promise((r) => setTimeout(r, 100));
    after = await probe.status();
  }
  const cpu1 = await cpuNs(probe.pid, isExcludingMain);
  const captured = after.status.kernelPackets - before.status.kernelPackets;
  const counted = after.totals.upBytes + after.totals.downBytes - before.totals.upBytes -
    before.totals.downBytes;
  return {
    capturer: "netledger",
    scenario,
    sent,
    seconds,
    captured,
    drops: after.status.kernelDrops - before.status.kernelDrops,
    countedBytes: counted,
    cpuUsPerPacket: (cpu1 - cpu0) / 1000 / Math.max(1, captured),
    note: "",
    lag: after.lag,
  };
}

async function tcpdumpPhase(
  pair: VethPair,
  scenario: string,
  send: () => Promise<{ sent: number; seconds: number }>,
): Promise<Row> {
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
    stderr: "piped",
  }).spawn();
  const stderr = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  try {
    for (let i = 0; i < 1000 && !text.includes("listening on"); i++) {
      const { value, done } = await stderr.read();
      if (done) throw new Error(`tcpdump ended: ${text}`);
      text += value;
    }
    const cpu0 = await cpuNs(child.pid);
    const { sent, seconds } = await send();
    // tcpdump has no status to ask; its ring is drained within its 200 ms poll timeout at most.
    await new Promise((r) => setTimeout(r, 500));
    const cpu1 = await cpuNs(child.pid);
    child.kill("SIGINT");
    for (let i = 0; i < 1000; i++) {
      const { value, done } = await stderr.read();
      if (done) break;
      text += value;
    }
    await child.status;
    const received = Number(/(\d+) packets? received by filter/.exec(text)?.[1] ?? NaN);
    const drops = Number(/(\d+) packets? dropped by kernel/.exec(text)?.[1] ?? NaN);
    return {
      capturer: "tcpdump",
      scenario,
      sent,
      seconds,
      captured: received,
      drops,
      countedBytes: null,
      cpuUsPerPacket: (cpu1 - cpu0) / 1000 / Math.max(1, received),
      note: "",
    };
  } finally {
    try {
      child.kill("SIGKILL");
    } catch (e) {
      // Already exited after SIGINT: nothing to kill.
      if (!(e instanceof TypeError)) throw e;
    }
    await child.status;
  }
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

async function tcpdumpIdleCost(pair: VethPair, send: () => Promise<unknown>): Promise<number> {
  const child = new Deno.Command("ip", {
    args: ["netns", "exec", pair.captureNs, "tcpdump", "-i", pair.captureIface, "-w", "/dev/null", "-B", "32768", "-n"],
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    await new Promise((r) => setTimeout(r, 1500));
    return await idleCost(child.pid, send);
  } finally {
    child.kill("SIGKILL");
    await child.status;
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
      await netledgerPhase(probe, "warm-up", at(100, 1, 2));
      for (const [name, send] of scenarios) rows.push(await netledgerPhase(probe, name, send));
      await probe.stop();
    }
    let maxLag: ProbeEvent["lag"];
    {
      // Separate run: the 20 ms lag timer costs CPU of its own (~0.7 ms per wake-up on this VM).
      await using probe = await startCaptureProbe(pair.captureNs, pair.captureIface, { isMeasuringLag: true });
      await netledgerPhase(probe, "warm-up", at(100, 1, 2));
      maxLag = (await netledgerPhase(probe, "max, 2 senders", at(0, 2))).lag;
      await probe.stop();
    }
    for (const [name, send] of scenarios) rows.push(await tcpdumpPhase(pair, name, send));
    {
      await using probe = await startCaptureProbe(pair.captureNs, pair.captureIface, { stallMsPerSec: 200 });
      await netledgerPhase(probe, "warm-up", at(100, 1, 2), true);
      const row = await netledgerPhase(probe, "300 kpps, main stalls 200 ms/s", at(300, 1, IS_QUICK ? 3 : 5), true);
      rows.push({ ...row, note: "CPU without the busy main thread" });
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
    console.log(`netledger main-thread event-loop lag, max rate with 2 senders: p50 ${ms(maxLag?.p50Ms)}, p99 ${ms(maxLag?.p99Ms)}, max ${ms(maxLag?.maxMs)}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
