/**
 * MAC-flood soak (issue 14 item 2), as root: the real main.ts captures inside the capture namespace of a veth
 * pair while mac_flood_injector.c (built here with gcc) sends 100 kpps (`--rate-kpps`) for 5 minutes
 * (`--seconds`) from the peer namespace, every packet from or to another random, locally administered device
 * MAC: uploads from LAN addresses to a documentation-range "public" address, downloads back. The device
 * table holds at most DEFAULT_MAX_DEVICES devices, each until it has been idle for a day, and folds the rest
 * into the exact `other` device, so RSS must stay flat however many MACs pass.
 *
 * No API call while injecting (each would drain the capture): RSS (VmRSS of the Deno process) is sampled
 * every 10 s from /proc. At the end it checks, byte for byte and packet for packet:
 * - per 15-minute bucket in the database: the devices plus `other` equal the bucket's traffic;
 * - `/api/devices` plus `other` equal `/api/query`'s summary for today;
 * - the stored total equals what the injector sent (and the capture veth's kernel rx counter), minus the
 *   kernel drops /api/debug/capture reports;
 * - exactly DEFAULT_MAX_DEVICES devices are named, those of the first drain: the table stays full of them for
 *   the whole run (far shorter than capture/device_table.ts DEVICE_IDLE_SEC), so every later new MAC is
 *   counted in `other`.
 *
 *     deno run -A tests/bench/mac_flood_bench.ts [--seconds 300] [--rate-kpps 100]
 */
import { DatabaseSync } from "node:sqlite";
import { parseArgs } from "node:util";
import { buildFrame, ipPacket } from "../helpers/frames.ts";
import { encodeFrames } from "../helpers/inject_frames.ts";
import { startNetledgerInNetns, storedTotals } from "../helpers/netledger_rig.ts";
import { CAPTURE_IFACE, createVethPair, run, runInNetns } from "../helpers/netns.ts";
import type { DebugCaptureJson, DevicesJson, QueryJson } from "../../web/api_types.ts";
import { DEFAULT_MAX_DEVICES } from "../../capture/mod.ts";
import { mib, rssBytes, stopNetledger } from "./netledger_under_load.ts";

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: "string", default: "300" },
    "rate-kpps": { type: "string", default: "100" },
  },
});
const SECONDS = Number(flags.seconds);
const RATE_PPS = Number(flags["rate-kpps"]) * 1000;
if (!(SECONDS >= 20 && SECONDS <= 900) || !(RATE_PPS > 0 && RATE_PPS <= 1_000_000)) {
  console.error("--seconds must be in 20..900 and --rate-kpps in 0..1000");
  Deno.exit(2);
}
const SAMPLE_SEC = 10;
/** The window at each end of the run whose RSS samples are compared. */
const WINDOW_SEC = Math.min(60, SECONDS / 3);
/** RSS counts as flat when the last window's mean is within this of the first's. */
const FLAT_BYTES = 5 * 1048576;
const SAVE_INTERVAL_SEC = 30;
const LAN_V4 = "192.168.50.11";
const LAN_V6 = "2001:db8:1:1::50";
const PUBLIC_V4 = "198.51.100.7";
const PUBLIC_V6 = "2001:db8:ff::7";
/** IP length of every injected packet. */
const IP_BYTES = 100;

/** The four templates mac_flood_injector.c expects, in its order; it rewrites the device MAC of each. */
function templateFrames(): Uint8Array[] {
  return [
    ipPacket({ src: LAN_V4, dst: PUBLIC_V4, payloadBytes: IP_BYTES - 20 }),
    ipPacket({ src: PUBLIC_V4, dst: LAN_V4, payloadBytes: IP_BYTES - 20 }),
    ipPacket({ src: LAN_V6, dst: PUBLIC_V6, payloadBytes: IP_BYTES - 40 }),
    ipPacket({ src: PUBLIC_V6, dst: LAN_V6, payloadBytes: IP_BYTES - 40 }),
  ].map((packet) => buildFrame("ethernet", packet).bytes);
}

/** Received packets of the capture veth, from the kernel's interface counters. */
async function rxPackets(ns: string): Promise<number> {
  const [link] = JSON.parse(await runInNetns(ns, ["ip", "-s", "-j", "link", "show", "dev", CAPTURE_IFACE]));
  return Number(link.stats64.rx.packets);
}

interface BucketCheck {
  readonly buckets: number;
  readonly mismatched: readonly string[];
  readonly namedDevices: number;
  readonly otherBytes: number;
}

/** Per bucket: device rows (other included) against traffic rows; the named devices and `other`'s bytes. */
function checkDatabase(dbPath: string): BucketCheck {
  const db = new DatabaseSync(dbPath, { readOnly: true });
  try {
    const rows = db.prepare(
      `SELECT t.bucket_start AS b, t.ub, t.db, t.up, t.dp, d.ub AS dub, d.db AS ddb, d.up AS dup, d.dp AS ddp
       FROM (SELECT bucket_start, sum(up_bytes) ub, sum(down_bytes) db, sum(up_packets) up, sum(down_packets) dp
             FROM traffic GROUP BY bucket_start) t
       LEFT JOIN (SELECT bucket_start, sum(up_bytes) ub, sum(down_bytes) db, sum(up_packets) up,
                         sum(down_packets) dp FROM device_traffic GROUP BY bucket_start) d
       USING (bucket_start) ORDER BY b`,
    ).all() as Record<string, number | null>[];
    const mismatched = rows.filter((r) =>
      r.ub !== r.dub || r.db !== r.ddb || r.up !== r.dup || r.dp !== r.ddp
    ).map((r) => `bucket ${r.b}: traffic ${r.ub}/${r.db} B, devices ${r.dub}/${r.ddb} B`);
    const named = db.prepare("SELECT count(*) AS n FROM devices WHERE id <> 0").get() as { n: number };
    const other = db.prepare(
      "SELECT total(up_bytes) + total(down_bytes) AS b FROM device_traffic WHERE device_id = 0",
    ).get() as { b: number };
    return {
      buckets: rows.length,
      mismatched,
      namedDevices: named.n,
      otherBytes: other.b,
    };
  } finally {
    db.close();
  }
}

/** Longest wait for one API answer: a stalled main thread must not hang the benchmark. */
const API_TIMEOUT_SEC = 120;

/**
 * GETs `path` from the netledger in namespace `ns` (as netledger_rig.ts apiInNetns, bounded by
 * API_TIMEOUT_SEC); resolves with the JSON body and the seconds it took, or null without an answer in time.
 */
async function timedApi<T>(ns: string, path: string): Promise<{ json: T; sec: number } | null> {
  const script = `const r = await fetch("http://127.0.0.1:8080${path}"); ` +
    `if (!r.ok) throw new Error(r.status + " " + await r.text()); console.log(await r.text());`;
  const startedMs = performance.now();
  const { code, stdout } = await new Deno.Command("ip", {
    args: [
      "netns",
      "exec",
      ns,
      "timeout",
      String(API_TIMEOUT_SEC),
      Deno.execPath(),
      "eval",
      "--quiet",
      script,
    ],
    stdout: "piped",
    stderr: "null",
  }).output();
  const sec = (performance.now() - startedMs) / 1000;
  console.log(
    `  GET ${path.split("?")[0]}: ${
      code === 0 ? `${sec.toFixed(1)} s` : `no answer in ${API_TIMEOUT_SEC} s`
    }`,
  );
  return code === 0 ? { json: JSON.parse(new TextDecoder().decode(stdout)) as T, sec } : null;
}

/** Size of the database file plus its WAL. */
async function dbBytes(dbPath: string): Promise<number> {
  let total = 0;
  for (const path of [dbPath, `${dbPath}-wal`]) {
    try {
      total += (await Deno.stat(path)).size;
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  return total;
}

/** Today (UTC: the rig runs main.ts with TZ=UTC) as YYYY-MM-DD. */
function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

if (import.meta.main) {
  const dir = await Deno.makeTempDir({ prefix: "netledger-macflood-" });
  try {
    const injector = `${dir}/mac_flood_injector`;
    await run(["gcc", "-O2", "-o", injector, new URL("./mac_flood_injector.c", import.meta.url).pathname]);
    const framesFile = `${dir}/templates.bin`;
    await Deno.writeFile(framesFile, encodeFrames(templateFrames()));
    const seed = Math.floor(Math.random() * 2 ** 31);
    const dbPath = `${dir}/netledger.db`;
    console.log(
      `MAC flood: ${RATE_PPS / 1000} kpps for ${SECONDS} s, a new random device MAC in every packet, ` +
        `SAVE_INTERVAL=${SAVE_INTERVAL_SEC}, RING_MB=32, injector seed ${seed}, load average ` +
        (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" "),
    );
    await using pair = await createVethPair();
    const netledger = await startNetledgerInNetns(pair.captureNs, dbPath, {
      RING_MB: "32",
      SAVE_INTERVAL: String(SAVE_INTERVAL_SEC),
    });
    const samples: { atSec: number; rss: number; db: number }[] = [];
    const mean = (xs: { rss: number }[]) => xs.reduce((a, s) => a + s.rss, 0) / xs.length;
    try {
      const before = (await timedApi<DebugCaptureJson>(pair.captureNs, "/api/debug/capture"))!.json.capture!;
      const rxBefore = await rxPackets(pair.captureNs);
      const sample = async (atSec: number) => {
        const s = { atSec, rss: await rssBytes(netledger.pid), db: await dbBytes(dbPath) };
        samples.push(s);
        console.log(`  ${atSec} s: RSS ${mib(s.rss)}, DB + WAL ${mib(s.db)}`);
      };
      await sample(0);
      const startedMs = performance.now();
      const sending = run([
        "ip",
        "netns",
        "exec",
        pair.peerNs,
        injector,
        pair.peerIface,
        framesFile,
        String(RATE_PPS),
        String(SECONDS),
        String(Math.ceil(RATE_PPS * SECONDS * 1.01)),
        String(seed),
      ]);
      let isSending = true;
      sending.then(() => isSending = false, () => isSending = false);
      for (let i = 1; i <= Math.floor(SECONDS / SAMPLE_SEC) && isSending; i++) {
        const waitMs = startedMs + i * SAMPLE_SEC * 1000 - performance.now();
        await new Promise((r) => setTimeout(r, Math.max(0, waitMs)));
        await sample(i * SAMPLE_SEC);
      }
      const out = await sending;
      const elapsedSec = (performance.now() - startedMs) / 1000;
      const field = (name: string) => {
        const match = new RegExp(`^${name} (\\d+)$`, "m").exec(out);
        if (match === null) throw new Error(`mac_flood_injector printed no ${name}: ${out}`);
        return Number(match[1]);
      };
      const sent = field("sent");
      const ipBytes = field("ip_bytes");
      const rx = await rxPackets(pair.captureNs) - rxBefore;
      console.log(
        `Injected ${sent} packets (${ipBytes} IP bytes) in ${elapsedSec.toFixed(1)} s: ` +
          `${Math.round(sent / elapsedSec)} pps; kernel rx counter of ${CAPTURE_IFACE} ${rx}`,
      );
      const rssFirst = mean(samples.filter((s) => s.atSec > 0 && s.atSec <= WINDOW_SEC));
      const rssLast = mean(samples.filter((s) => s.atSec > samples.at(-1)!.atSec - WINDOW_SEC));
      console.log(
        `RSS: mean of the first ${WINDOW_SEC.toFixed(0)} s ${mib(rssFirst)}, of the last ` +
          `${WINDOW_SEC.toFixed(0)} s ${mib(rssLast)} (${
            ((rssLast - rssFirst) / 1048576).toFixed(1)
          } MiB): ` +
          (Math.abs(rssLast - rssFirst) <= FLAT_BYTES ? "flat" : `NOT within ${mib(FLAT_BYTES)}`),
      );
      const debug = await timedApi<DebugCaptureJson>(pair.captureNs, "/api/debug/capture");
      const today = todayUtc();
      const query = await timedApi<QueryJson>(pair.captureNs, `/api/query?start=${today}&end=${today}`);
      const devices = await timedApi<DevicesJson>(pair.captureNs, `/api/devices?start=${today}&end=${today}`);
      const exitCode = await stopNetledger(netledger);
      if (exitCode !== 0) console.error(`main.ts exited with ${exitCode}`);
      const exact = (a: number, b: number) => a === b ? "exact" : `off by ${a - b}`;
      if (debug !== null) {
        const capture = debug.json.capture!;
        const drops = capture.kernel_drops - before.kernel_drops;
        console.log(
          `/api/debug/capture: kernel packets ${
            capture.kernel_packets - before.kernel_packets
          }, kernel drops ` +
            `${drops}, counted ${capture.counted_packets - before.counted_packets}`,
        );
        const stored = storedTotals(dbPath);
        const storedPackets = stored.upPackets + stored.downPackets;
        console.log(
          `Stored after SIGTERM vs injected minus drops: ${stored.upBytes + stored.downBytes} / ` +
            `${ipBytes - drops * IP_BYTES} bytes ${
              exact(stored.upBytes + stored.downBytes, ipBytes - drops * IP_BYTES)
            }, ` +
            `${storedPackets} / ${sent - drops} packets ${
              exact(storedPackets, sent - drops)
            }; vs the kernel rx ` +
            `counter ${exact(storedPackets + drops, rx)}`,
        );
      }
      if (query !== null && devices !== null) {
        const apiUp = devices.json.devices.reduce((a, d) => a + d.up_bytes, 0) + devices.json.other.up_bytes;
        const apiDown = devices.json.devices.reduce((a, d) => a + d.down_bytes, 0) +
          devices.json.other.down_bytes;
        console.log(
          `/api/devices (${devices.json.devices.length} devices) + other vs /api/query summary: up ${
            exact(apiUp, query.json.summary.up_bytes)
          }, down ${exact(apiDown, query.json.summary.down_bytes)}`,
        );
      }
      const check = checkDatabase(dbPath);
      console.log(
        `Per bucket, devices + other vs traffic: ${check.buckets} buckets, ` +
          (check.mismatched.length === 0 ? "all exact" : `MISMATCHED ${check.mismatched.join("; ")}`),
      );
      console.log(
        `Named devices: ${check.namedDevices}: ` +
          (check.namedDevices === DEFAULT_MAX_DEVICES
            ? `exactly the ${DEFAULT_MAX_DEVICES} the table holds, the rest in other`
            : `NOT the ${DEFAULT_MAX_DEVICES} the table holds`) +
          `; other ${check.otherBytes} bytes`,
      );
    } finally {
      netledger.kill("SIGKILL");
      await netledger.exited;
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
