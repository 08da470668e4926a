/**
 * The real netledger for browser tests and benchmarks: writes a pcap of known traffic, imports it with
 * `main.ts --pcap` into a temporary database, then serves it with `main.ts` on 127.0.0.1 and a port it picks.
 * Capture runs on "lo", where nothing is public, so the served numbers never move during a test.
 */
import { buildFrame, ipPacket } from "./frames.ts";
import { type CaptureRecord, writeCaptureFile } from "./pcap_writer.ts";
import { childEnv, ROOT_DIR, startMain } from "./run_main.ts";

/** The host behind which the pcap's traffic flows. */
export const LOCAL_IP = "192.168.7.2";

/** A running netledger serving one temporary database; dispose to stop it (SIGTERM, then SIGKILL). */
export interface NetledgerServer extends AsyncDisposable {
  readonly baseUrl: string;
  /** Everything the server printed so far (for failure messages). */
  output(): string;
}

function serverEnv(
  dbPath: string,
  timeZone: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return childEnv({
    DB_PATH: dbPath,
    TZ: timeZone,
    LOCAL_IPS: LOCAL_IP,
    MONITOR_IFACE: "lo",
    SAVE_INTERVAL: "5",
    ...extra,
  });
}

/**
 * Upload and download packets between LOCAL_IP and documentation addresses. Remote n gets n times the base
 * traffic, so the top-IP order is known.
 */
export function trafficRecords(timestampsSec: readonly number[], remotes = 12): CaptureRecord[] {
  const records: CaptureRecord[] = [];
  for (const [i, timestampSec] of timestampsSec.entries()) {
    const n = (i % remotes) + 1;
    const remote = n % 2 === 0 ? `203.0.113.${n}` : `198.51.100.${n}`;
    records.push({
      frame: buildFrame("ethernet", ipPacket({ src: LOCAL_IP, dst: remote, payloadBytes: 100 * n })),
      timestampSec,
    });
    records.push({
      frame: buildFrame("ethernet", ipPacket({ src: remote, dst: LOCAL_IP, payloadBytes: 1000 + 20 * n })),
      timestampSec: timestampSec + 0.5,
    });
  }
  return records;
}

/** Writes `records` as a pcap in `dir` and imports it with `main.ts --pcap`; throws with its output on failure. */
export async function importTraffic(
  options: { dir: string; dbPath: string; timeZone: string; records: readonly CaptureRecord[] },
): Promise<void> {
  const pcapPath = `${options.dir}/traffic.pcap`;
  await writeCaptureFile(pcapPath, options.records, { format: "pcap" });
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts", "--pcap", pcapPath],
    cwd: ROOT_DIR,
    env: serverEnv(options.dbPath, options.timeZone),
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!result.success) {
    const text = new TextDecoder().decode(result.stdout) + new TextDecoder().decode(result.stderr);
    throw new Error(`Cannot import "${pcapPath}": main.ts --pcap exited ${result.code}: ${text}`);
  }
}

/**
 * Starts `main.ts` on 127.0.0.1 and a port it picks, and resolves once it serves. `iface` replaces the
 * capture interface ("lo").
 */
export async function startNetledger(
  options: { dbPath: string; timeZone: string; iface?: string },
): Promise<NetledgerServer> {
  const main = await startMain({
    flags: ["-A"],
    env: serverEnv(options.dbPath, options.timeZone, {
      BIND: "127.0.0.1",
      ...(options.iface ? { MONITOR_IFACE: options.iface } : {}),
    }),
  });
  return {
    baseUrl: main.baseUrl,
    output: main.output,
    async [Symbol.asyncDispose]() {
      await main.stop();
    },
  };
}
