/**
 * Measuring tools of capture_bench.ts: CPU time of a process from schedstat, a tcpdump to compare with,
 * idle cost, and GET /api/health latency from inside a namespace. Every loop is bounded in count and time.
 */
import { CAPTURE_IPV4, CAPTURE_IPV6, endChild, run, type VethPair } from "../helpers/netns.ts";
import { buildFrame, ipPacket } from "../helpers/frames.ts";
import { encodeFrames } from "../helpers/inject_frames.ts";

/**
 * The last reading of every thread seen per process: tid → comm and ns on CPU. A thread that ended (Deno's
 * blocking-pool threads end after 10 s idle) keeps its last reading in the sums, so a sum never goes down
 * between two readings; its CPU after that reading is lost, which only under-counts.
 */
const lastThreadReadings = new Map<number, Map<string, { comm: string; ns: number }>>();

/**
 * Nanoseconds on CPU of the threads of `pid` that `isCounted` accepts (first field of
 * /proc/PID/task/TID/schedstat; `comm` is the thread's name).
 */
async function threadsCpuNs(pid: number, isCounted: (tid: string, comm: string) => boolean): Promise<number> {
  let threads = lastThreadReadings.get(pid);
  if (threads === undefined) lastThreadReadings.set(pid, threads = new Map());
  for await (const task of Deno.readDir(`/proc/${pid}/task`)) {
    const dir = `/proc/${pid}/task/${task.name}`;
    try {
      const comm = (await Deno.readTextFile(`${dir}/comm`)).trim();
      threads.set(task.name, {
        comm,
        ns: Number((await Deno.readTextFile(`${dir}/schedstat`)).split(" ")[0]),
      });
    } catch (e) {
      // A thread that ended between readDir and read: its last reading stays.
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  let total = 0;
  for (const [tid, t] of threads) if (isCounted(tid, t.comm)) total += t.ns;
  return total;
}

/**
 * Nanoseconds on CPU of every thread of `pid`, without the main thread (TID = PID) when `isExcludingMain` (it
 * busy-loops on purpose in the stall scenario).
 */
export function cpuNs(pid: number, isExcludingMain = false): Promise<number> {
  return threadsCpuNs(pid, (tid) => !(isExcludingMain && tid === String(pid)));
}

/**
 * Nanoseconds on CPU of the V8 platform threads of `pid` ("V8 DefaultWorker": background compilation and
 * concurrent GC), which run in bursts while V8 still tiers up or re-compiles the hot code.
 */
export function v8BackgroundCpuNs(pid: number): Promise<number> {
  return threadsCpuNs(pid, (_tid, comm) => comm.startsWith("V8 DefaultWork"));
}

/** A running `tcpdump -w /dev/null` in the capture namespace (32 MiB buffer, like RING_MB's default). */
export interface Tcpdump {
  readonly pid: number;
  /** Stops it with SIGINT and returns its own counters. */
  finish(): Promise<{ received: number; drops: number }>;
}

/** `ip` arguments that run tcpdump (libpcap, the baseline) on the capture end, writing to /dev/null. */
function tcpdumpArgs(pair: VethPair): string[] {
  return [
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
}

export async function startTcpdump(pair: VethPair): Promise<Tcpdump> {
  const child = new Deno.Command("ip", { args: tcpdumpArgs(pair), stdout: "null", stderr: "piped" }).spawn();
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

/** Latency percentiles of sequential GET /api/health requests. */
export interface Latency {
  readonly requests: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** Sends GET /api/health to the probe every 10 ms for `seconds`, from a client inside the capture namespace. */
export async function healthLatency(pair: VethPair, port: number, seconds: number): Promise<Latency> {
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

export async function tcpdumpIdleCost(pair: VethPair, send: () => Promise<unknown>): Promise<number> {
  const child = new Deno.Command("ip", {
    args: tcpdumpArgs(pair),
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

export async function idleCost(pid: number, send: () => Promise<unknown>): Promise<number> {
  const cpu0 = await cpuNs(pid);
  const t0 = performance.now();
  await send();
  const cpu1 = await cpuNs(pid);
  return (cpu1 - cpu0) / 1e6 / (performance.now() - t0) * 100;
}

/** IP length of every bench packet: counted bytes must be exactly sent × this. */
export const BENCH_IP_BYTES = 100;

/** Four public flows (IPv4/IPv6, up/down, one VLAN-tagged) with distinct remotes, all BENCH_IP_BYTES long. */
export function benchFrames(): Uint8Array[] {
  const v4 = BENCH_IP_BYTES - 20;
  const v6 = BENCH_IP_BYTES - 40;
  return [
    buildFrame("ethernet", ipPacket({ src: CAPTURE_IPV4, dst: "198.51.100.7", payloadBytes: v4 })).bytes,
    buildFrame("ethernet", ipPacket({ src: "203.0.113.9", dst: CAPTURE_IPV4, payloadBytes: v4 })).bytes,
    buildFrame("ethernet", ipPacket({ src: CAPTURE_IPV6, dst: "2001:db8:ff::7", payloadBytes: v6 })).bytes,
    buildFrame("vlan", ipPacket({ src: "2001:db8:ff::8", dst: CAPTURE_IPV6, payloadBytes: v6 })).bytes,
  ];
}

/** What one run of capture_injector sent. */
export interface Injection {
  readonly sent: number;
  readonly seconds: number;
  /** performance.now() when the injector ended. */
  readonly endedAtMs: number;
}

/** Runs the compiled capture_injector in the peer namespace; `ratePps` 0 = as fast as it can. */
export async function inject(
  injector: string,
  framesFile: string,
  pair: VethPair,
  options: { ratePps: number; seconds: number; threads: number },
): Promise<Injection> {
  const started = performance.now();
  const out = await run([
    "ip",
    "netns",
    "exec",
    pair.peerNs,
    injector,
    pair.peerIface,
    framesFile,
    String(options.ratePps),
    String(options.seconds),
    String(options.threads),
  ]);
  const sent = /^sent (\d+)/m.exec(out);
  if (sent === null) throw new Error(`capture_injector printed no count: ${out}`);
  return {
    sent: Number(sent[1]),
    seconds: (performance.now() - started) / 1000,
    endedAtMs: performance.now(),
  };
}

/** Compiles capture_injector.c into `dir` and writes benchFrames() beside it; returns both paths. */
export async function prepareInjector(dir: string): Promise<{ injector: string; framesFile: string }> {
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
  return { injector, framesFile };
}
