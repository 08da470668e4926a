/**
 * The real program under faults: main.ts running inside the capture namespace of a veth pair (root), fed
 * known frames by a FramePump from the peer namespace, its database read directly with node:sqlite. The
 * truth is what the pump sent; the stored totals are what SQLite holds. Only documentation addresses.
 */
import { DatabaseSync } from "node:sqlite";
import { buildFrame, ipPacket } from "./frames.ts";
import { CAPTURE_IFACE, CAPTURE_IPV4, CAPTURE_IPV6 } from "./netns.ts";
import { childEnv, type ChildOutput, followOutput, ROOT_DIR } from "./run_main.ts";
import { v8FlagsArg } from "../../packaging/mod.ts";

/** SAVE_INTERVAL of every rig run: the smallest the config allows, so faults meet several saves. */
export const SAVE_INTERVAL_SEC = 5;

/** Public bytes and packets, as netledger counts them (IP layer). */
export interface Totals {
  readonly upBytes: number;
  readonly downBytes: number;
  readonly upPackets: number;
  readonly downPackets: number;
}

/** No bytes and no packets: the start of every sum. */
export const ZERO: Totals = { upBytes: 0, downBytes: 0, upPackets: 0, downPackets: 0 };

/** `a` plus `times` times `b`, field by field. */
export function addTotals(a: Totals, b: Totals, times = 1): Totals {
  return {
    upBytes: a.upBytes + times * b.upBytes,
    downBytes: a.downBytes + times * b.downBytes,
    upPackets: a.upPackets + times * b.upPackets,
    downPackets: a.downPackets + times * b.downPackets,
  };
}

const PACKETS = [
  ipPacket({ src: CAPTURE_IPV4, dst: "198.51.100.7", payloadBytes: 1000 }),
  ipPacket({ src: "203.0.113.9", dst: CAPTURE_IPV4, payloadBytes: 1400 }),
  ipPacket({ src: CAPTURE_IPV6, dst: "2001:db8:ff::7", payloadBytes: 600 }),
  ipPacket({ src: "2001:db8:ff::7", dst: CAPTURE_IPV6, payloadBytes: 1200 }),
];

/** One round of known traffic: two uploads and two downloads, IPv4 and IPv6, over Ethernet. */
export const ROUND = {
  frames: PACKETS.map((p) => buildFrame("ethernet", p).bytes),
  totals: {
    upBytes: PACKETS[0].length + PACKETS[2].length,
    downBytes: PACKETS[1].length + PACKETS[3].length,
    upPackets: 2,
    downPackets: 2,
  } satisfies Totals,
};

/** Sums of the traffic table of the database at `dbPath` (opened read-only; WAL readers never block). */
export function storedTotals(dbPath: string): Totals {
  const db = new DatabaseSync(dbPath, { readOnly: true });
  try {
    const row = db.prepare(
      "SELECT total(up_bytes) AS u, total(down_bytes) AS d, total(up_packets) AS up, total(down_packets) AS dp " +
        "FROM traffic",
    ).get() as { u: number; d: number; up: number; dp: number };
    return { upBytes: row.u, downBytes: row.d, upPackets: row.up, downPackets: row.dp };
  } finally {
    db.close();
  }
}

/** A running netledger (deno running main.ts; `ip netns exec` execs, so `pid` is Deno's own). */
export interface NetledgerChild extends ChildOutput {
  readonly pid: number;
  kill(signal: Deno.Signal): void;
}

/**
 * Starts main.ts in namespace `ns`, capturing on the veth there (or on `env.MONITOR_IFACE`), with DB_PATH
 * `dbPath` and `env` on top; resolves once the capture runs. The child is SIGKILLed if it does not get there
 * within `timeoutMs`. It listens on 127.0.0.1:8080 of the namespace: the namespace is the test's own, so
 * nothing else can hold that port.
 */
export async function startNetledgerInNetns(
  ns: string,
  dbPath: string,
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<NetledgerChild> {
  const child = new Deno.Command("ip", {
    args: ["netns", "exec", ns, Deno.execPath(), "run", v8FlagsArg(), "-A", "main.ts"],
    cwd: ROOT_DIR,
    clearEnv: true,
    env: childEnv({
      DB_PATH: dbPath,
      MONITOR_IFACE: CAPTURE_IFACE,
      BIND: "127.0.0.1",
      WEB_PORT: "8080",
      SAVE_INTERVAL: String(SAVE_INTERVAL_SEC),
      TZ: "UTC",
      RING_MB: "2",
      ...env,
    }),
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const netledger: NetledgerChild = {
    ...followOutput(child),
    pid: child.pid,
    kill(signal) {
      try {
        child.kill(signal);
      } catch (e) {
        if (!(e instanceof TypeError)) throw e; // it has exited already
      }
    },
  };
  try {
    const iface = env.MONITOR_IFACE ?? CAPTURE_IFACE;
    await netledger.waitForLine(new RegExp(`Capture on "${iface}": capturing`), { timeoutMs });
  } catch (e) {
    netledger.kill("SIGKILL");
    await netledger.exited;
    throw e;
  }
  return netledger;
}

/** GETs `path` from the netledger listening on 127.0.0.1:8080 inside namespace `ns`; returns the JSON body. */
export async function apiInNetns(ns: string, path: string): Promise<unknown> {
  const script = `const r = await fetch("http://127.0.0.1:8080${path}"); ` +
    `if (!r.ok) throw new Error(r.status + " " + await r.text()); console.log(await r.text());`;
  const { code, stdout, stderr } = await new Deno.Command("ip", {
    args: ["netns", "exec", ns, Deno.execPath(), "eval", "--quiet", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) throw new Error(`GET ${path} in ${ns} failed: ${new TextDecoder().decode(stderr)}`);
  return JSON.parse(new TextDecoder().decode(stdout));
}

/** Seeded PRNG (mulberry32) so a failing run can be repeated with the printed seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
