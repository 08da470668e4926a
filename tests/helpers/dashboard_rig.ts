/**
 * The real netledger for browser tests and benchmarks: writes a pcap of known traffic, imports it with
 * `main.ts --pcap` into a temporary database, then serves it with `main.ts` on 127.0.0.1 and a free port.
 * Capture runs on "lo", where nothing is public, so the served numbers never move during a test.
 */
import { buildFrame, ipPacket } from "./frames.ts";
import { type CaptureRecord, writeCaptureFile } from "./pcap_writer.ts";

const MAIN_TS = new URL("../../main.ts", import.meta.url).pathname;
const REPO_DIR = new URL("../../", import.meta.url).pathname;
/** The host behind which the pcap's traffic flows. */
export const LOCAL_IP = "192.168.7.2";
const READY_TIMEOUT_MS = 60_000;

/** A running netledger serving one temporary database. */
export interface NetledgerServer extends AsyncDisposable {
  readonly baseUrl: string;
  readonly dbPath: string;
  /** Everything the server printed so far (for failure messages). */
  output(): string;
}

/** A TCP port free on 127.0.0.1 right now (netledger does not accept WEB_PORT=0). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

function serverEnv(
  dbPath: string,
  timeZone: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: Deno.env.get("HOME") ?? "/root",
    DENO_DIR: Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME") ?? "/root"}/.cache/deno`,
    DB_PATH: dbPath,
    TZ: timeZone,
    LOCAL_IPS: LOCAL_IP,
    MONITOR_IFACE: "lo",
    SAVE_INTERVAL: "5",
    ...extra,
  };
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
    args: ["run", "-A", MAIN_TS, "--pcap", pcapPath],
    cwd: REPO_DIR,
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

async function collect(stream: ReadableStream<Uint8Array>, sink: string[]): Promise<void> {
  const decoder = new TextDecoder();
  for await (const chunk of stream) sink.push(decoder.decode(chunk, { stream: true }));
}

/**
 * Starts `main.ts` on a free port and resolves once /api/health answers; dispose to stop it (SIGTERM).
 * `iface` replaces the capture interface ("lo"); `env` adds variables (e.g. CLASH_API_URL).
 */
export async function startNetledger(
  options: { dbPath: string; timeZone: string; iface?: string; env?: Readonly<Record<string, string>> },
): Promise<NetledgerServer> {
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN_TS],
    cwd: REPO_DIR,
    env: serverEnv(options.dbPath, options.timeZone, {
      WEB_PORT: String(port),
      BIND: "127.0.0.1",
      ...(options.iface ? { MONITOR_IFACE: options.iface } : {}),
      ...options.env,
    }),
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const printed: string[] = [];
  const readers = Promise.all([collect(child.stdout, printed), collect(child.stderr, printed)]);
  const baseUrl = `http://127.0.0.1:${port}`;
  const server: NetledgerServer = {
    baseUrl,
    dbPath: options.dbPath,
    output: () => printed.join(""),
    async [Symbol.asyncDispose]() {
      try {
        child.kill("SIGTERM");
      } catch (e) {
        // Already exited (it crashed): its status below still resolves.
        if (!(e instanceof TypeError)) throw e;
      }
      await child.status;
      await readers;
    },
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let exited = false;
  child.status.then(() => exited = true);
  while (true) {
    try {
      const response = await fetch(`${baseUrl}/api/health`);
      await response.body?.cancel();
      if (response.ok) return server;
    } catch (e) {
      if (!(e instanceof TypeError)) throw e; // connection refused: not listening yet
    }
    if (exited || Date.now() > deadline) {
      await server[Symbol.asyncDispose]();
      throw new Error(`netledger did not serve ${baseUrl}/api/health: ${server.output()}`);
    }
    // Readiness poll of a starting child process, bounded by READY_TIMEOUT_MS: not a sleep-and-hope.
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
