/**
 * Helpers of the benchmarks that run the real main.ts inside the capture namespace of a veth pair
 * (health_latency_bench.ts, soak_bench.ts): its capture counters from /api/health, its RSS, an orderly stop,
 * and a plain-text table. Every wait is bounded in count and time.
 */
import { apiInNetns, type NetledgerChild } from "../helpers/netledger_rig.ts";

/** The cumulative capture counters of /api/health (capture.*), as numbers. */
export interface CaptureCounters {
  readonly kernelPackets: number;
  readonly kernelDrops: number;
  readonly countedPackets: number;
  readonly pendingRemoteRows: number;
}

interface HealthJson {
  readonly capture: { kernel_packets: number; kernel_drops: number; counted_packets: number } | null;
  readonly store: { pending_remote_rows: number };
}

/** GET /api/health from inside `ns` (a Deno client started with `ip netns exec`). */
export async function captureCounters(ns: string): Promise<CaptureCounters> {
  const health = await apiInNetns(ns, "/api/health") as HealthJson;
  if (health.capture === null) throw new Error("netledger reports no capture in /api/health");
  return {
    kernelPackets: health.capture.kernel_packets,
    kernelDrops: health.capture.kernel_drops,
    countedPackets: health.capture.counted_packets,
    pendingRemoteRows: health.store.pending_remote_rows,
  };
}

/**
 * Polls /api/health (at most 30 times, 0.5 s apart) until netledger has counted or seen dropped `sent`
 * packets more than `before`; returns the last counters either way.
 */
export async function settledCounters(
  ns: string,
  before: CaptureCounters,
  sent: number,
): Promise<CaptureCounters> {
  let after = before;
  for (let i = 0; i < 30; i++) {
    after = await captureCounters(ns);
    const seen = after.countedPackets - before.countedPackets + after.kernelDrops - before.kernelDrops;
    if (seen >= sent) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return after;
}

/** Resident set size of process `pid` in bytes (VmRSS of /proc/PID/status). */
export async function rssBytes(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (kib === null) throw new Error(`No VmRSS in /proc/${pid}/status`);
  return Number(kib[1]) * 1024;
}

/** SIGTERM (final flush), then SIGKILL after `graceMs` if it has not exited; resolves with the exit code. */
export async function stopNetledger(netledger: NetledgerChild, graceMs = 60_000): Promise<number> {
  netledger.kill("SIGTERM");
  const timer = setTimeout(() => netledger.kill("SIGKILL"), graceMs);
  try {
    return (await netledger.exited).code;
  } finally {
    clearTimeout(timer);
  }
}

/** Prints `rows` under `header` as a Markdown table. */
export function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const row of rows) console.log(line(row));
}

/** Bytes as MiB with one decimal. */
export function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}
