/**
 * The real netledger for browser tests and benchmarks: writes a pcap of known traffic, imports it with
 * `main.ts --pcap` into a temporary database, then serves it with `main.ts` on 127.0.0.1 and a port it picks.
 * Capture runs on "lo", where nothing is public, so the served numbers never move during a test.
 */
import { buildFrame, ipPacket } from "./frames.ts";
import { type CaptureRecord, writeCaptureFile } from "./pcap_writer.ts";
import { childEnv, importPcap, type MainProcess, startMain } from "./run_main.ts";

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
  const result = await importPcap(serverEnv(options.dbPath, options.timeZone), pcapPath);
  if (result.code !== 0) {
    throw new Error(`Cannot import "${pcapPath}": main.ts --pcap exited ${result.code}: ${result.output}`);
  }
}

/** Where and how startNetledger runs main.ts. */
export interface NetledgerOptions {
  /** The database; absent, a new one in a temporary folder that dispose removes. */
  readonly dbPath?: string;
  readonly timeZone: string;
  /** Replaces the capture interface ("lo"). */
  readonly iface?: string;
  /** More environment for main.ts (AUTH_PASSWORD, CLASH_API_URL…), over the defaults. */
  readonly env?: Record<string, string>;
}

/** Starts `main.ts` on 127.0.0.1 and a port it picks, and resolves once it serves. */
export async function startNetledger(options: NetledgerOptions): Promise<NetledgerServer> {
  const tempDir = options.dbPath === undefined ? await Deno.makeTempDir({ prefix: "netledger-ui-" }) : null;
  let main: MainProcess;
  try {
    main = await startMain({
      flags: ["-A"],
      env: serverEnv(options.dbPath ?? `${tempDir}/netledger.db`, options.timeZone, {
        BIND: "127.0.0.1",
        ...(options.iface ? { MONITOR_IFACE: options.iface } : {}),
        ...options.env,
      }),
    });
  } catch (e) {
    if (tempDir !== null) await Deno.remove(tempDir, { recursive: true });
    throw e;
  }
  return {
    baseUrl: main.baseUrl,
    output: main.output,
    async [Symbol.asyncDispose]() {
      try {
        await main.stop();
      } finally {
        if (tempDir !== null) await Deno.remove(tempDir, { recursive: true });
      }
    },
  };
}
