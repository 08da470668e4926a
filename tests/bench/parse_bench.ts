/**
 * Counting-core benchmark (issue #2 item 9), run with `deno run -A tests/bench/parse_bench.ts`.
 *
 * 1. parse + classify + count, ns per packet, over a realistic mix of 4,096 frames cut to a 128-byte snap
 *    length and laid end to end in one buffer like a ring block: IPv4/IPv6 upload and download over
 *    Ethernet, VLAN, QinQ and PPPoE, LAN-only, multicast, ARP and malformed frames, ~2,800 remotes, with a
 *    drain every 300 simulated seconds. Baseline: a loop that only reads each frame's EtherType, version,
 *    length and address words through the same DataView. Each LAN host has its own MAC (about 100 devices).
 *    The configurations of PIPELINES: as shipped (devices on, names off); devices off (`countsDevices:
 *    false`), whose difference is the cost of devices (issue 14 goal: ≤ +15 ns); names on (`countsServices:
 *    true`), the cost of services (issue 15 goal: ≤ +20 ns), where 3% of the frames carry names (DNS
 *    answers, ClientHellos, QUIC Initials: nameFrame). In that mix few flows are named (the answers name
 *    random addresses), so a fourth configuration names every (device, IPv4 remote) of the mix beforehand, as
 *    when each device looked its remotes up: the cost of counting named packets.
 * 2. pcap import, packets per second: readCaptureFile() + TrafficPipeline over a temporary pcap of those
 *    frames. Baselines, same run, same file: reading the file's bytes alone with the same 1 MiB buffer, and
 *    readCaptureFile() with an empty callback.
 *
 * Each measurement runs in a process of its own (`--measure=`), TURNS of each in turns, under the V8 options
 * netledger runs with (packaging/v8_flags.ts), because netledger runs one configuration per process: in one
 * process the code V8 compiles for one pipeline serves the others too, and after names on had run there,
 * names off was 10–17 ns a packet slower than before it (docs/performance.md "Counting core"). A process
 * first counts WARMUP_REPEATS passes it does not time (V8 compiles, the tables grow to the mix: those passes
 * are 20–60% slower), then the median of REPEATS; a configuration's figure is the median over its processes.
 *
 * Goal: ≤ 100 ns per packet. Prints a table, then a JSON summary on the last line.
 *
 * `deno run -A tests/bench/parse_bench.ts --only=names-on --rounds=80` counts the mix through one of PIPELINES
 * for that many rounds and prints nothing else: under `valgrind --tool=callgrind`, two such runs
 * (parse_instructions.ts: 200 and 500 rounds) give instructions per packet, a measure a noisy machine cannot
 * blur (docs/performance.md "Instructions per packet").
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { v8FlagsArg } from "../../packaging/mod.ts";
import {
  deviceOfKey,
  parseIp,
  readCaptureFile,
  resolveLocalAddresses,
  TrafficPipeline,
} from "../../capture/mod.ts";
import {
  arpFrame,
  buildFrame,
  type Encapsulation,
  type Frame,
  ipPacket,
  snapFrame,
  truncateFrame,
} from "../helpers/frames.ts";
import { pcapBytes } from "../helpers/pcap_writer.ts";
import { transportPacket } from "../helpers/service_frames.ts";
import { a, clientHelloRecord, dnsResponse, RFC9001_CLIENT_INITIAL } from "../helpers/sniff_packets.ts";

export const MIX_FRAMES = 4096;
const SNAP_LEN = 128;
const ROUNDS = 1200;
const REPEATS = 5;
/** Passes of ROUNDS rounds a process counts before it times any (see the file comment). */
const WARMUP_REPEATS = 2;
/** Processes per configuration, in turns. */
const TURNS = 7;
const PCAP_FRAMES = 400_000;
const T0 = 1_700_000_100;
const LOCAL = resolveLocalAddresses(["192.168.1.1", "2001:db8:1:100::1"], []);

/** Deterministic PRNG (mulberry32) so every run measures the same mix. */
function random(seed: number): (below: number) => number {
  let a = seed;
  return (below) => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * below);
  };
}

/** The MAC of the mix's LAN host with address `host`. */
const hostMac = (host: string) =>
  `3c:22:fb:00:${host.includes(":") ? "06" : "04"}:${host.slice(-2).replace(/[.:]/g, "0")}`;
const PUBLIC_V4_NETS = ["192.0.2", "198.51.100", "203.0.113"];

/** The mix: shares follow a home router's uplink (mostly public TCP-sized traffic, some LAN chatter). */
function mixFrame(next: (below: number) => number): Frame {
  const size = next(10) < 4 ? 1400 + next(80) : 20 + next(120);
  const lanV4 = `192.168.1.${2 + next(50)}`;
  const publicV4 = PUBLIC_V4_NETS[next(3)] + `.${next(256)}`;
  // Each of 50 LAN hosts uses up to three IPv6 addresses (stable and temporary), as real hosts do.
  const lanV6 = `2001:db8:1:1${next(3).toString(16).padStart(2, "0")}::${(1 + next(50)).toString(16)}`;
  const publicV6 = `2001:db8:ff::${next(2000).toString(16)}`;
  const pick = next(100);
  // One MAC per LAN host; the far end of every LAN frame is the router's.
  const router = "02:00:00:00:00:01";
  const v4 = (encapsulation: Encapsulation) => {
    const isUp = next(2) === 1;
    const macs = { src: isUp ? hostMac(lanV4) : router, dst: isUp ? router : hostMac(lanV4) };
    return buildFrame(
      encapsulation,
      ipPacket(
        isUp
          ? { src: lanV4, dst: publicV4, payloadBytes: size }
          : { src: publicV4, dst: lanV4, payloadBytes: size },
      ),
      macs,
    );
  };
  const v6 = (encapsulation: Encapsulation) => {
    const isUp = next(2) === 1;
    const macs = { src: isUp ? hostMac(lanV6) : router, dst: isUp ? router : hostMac(lanV6) };
    return buildFrame(
      encapsulation,
      ipPacket(
        isUp
          ? { src: lanV6, dst: publicV6, payloadBytes: size }
          : { src: publicV6, dst: lanV6, payloadBytes: size },
      ),
      macs,
    );
  };
  if (pick < 52) return v4("ethernet");
  if (pick < 72) return v6("ethernet");
  if (pick < 77) return v4("vlan");
  if (pick < 80) return v6("qinq");
  if (pick < 85) return next(2) ? v4("pppoe") : v6("pppoe");
  if (pick < 91) {
    return buildFrame("ethernet", ipPacket({ src: lanV4, dst: "192.168.1.1", payloadBytes: size }));
  }
  if (pick < 95) {
    return buildFrame("ethernet", ipPacket({ src: lanV4, dst: "239.255.255.250", payloadBytes: 120 }));
  }
  if (pick < 98) return arpFrame();
  return truncateFrame(v4("ethernet"), 30);
}

interface Mix {
  readonly view: DataView;
  readonly offsets: Int32Array;
  readonly capturedLens: Int32Array;
  readonly originalLens: Int32Array;
  readonly frames: Frame[];
}

/**
 * Frames that carry names (issue 15), per mille of the mix: 2% DNS answers, 0.5% QUIC Initials and 0.5% TLS
 * ClientHellos, whole, as the snap filter keeps them with SERVICE_NAMES on.
 * The answers name 500 host names on the mix's public IPv4 addresses, so later frames to them are named.
 */
function nameFrame(next: (below: number) => number): Frame | null {
  const pick = next(1000);
  if (pick >= 30) return null;
  const lan = `192.168.1.${2 + next(50)}`;
  const publicV4 = PUBLIC_V4_NETS[next(3)] + `.${next(256)}`;
  const host = `h${next(500)}.example${next(20)}.com`;
  const router = "02:00:00:00:00:01";
  const mac = hostMac(lan);
  if (pick < 20) {
    // Compressed as resolvers send them: the owner is a pointer to the question.
    const payload = dnsResponse(host, [a(host, publicV4, 300)], { isCompressed: true });
    const packet = transportPacket({
      src: "198.51.100.53",
      dst: lan,
      protocol: "udp",
      srcPort: 53,
      dstPort: 40000,
      payload,
    });
    return buildFrame("ethernet", packet, { src: router, dst: mac });
  }
  const isHello = pick < 25;
  const packet = transportPacket({
    src: lan,
    dst: publicV4,
    protocol: isHello ? "tcp" : "udp",
    srcPort: 50000,
    dstPort: 443,
    payload: isHello ? clientHelloRecord(host) : RFC9001_CLIENT_INITIAL,
  });
  return buildFrame("ethernet", packet, { src: mac, dst: router });
}

/** Names every (LAN host, public IPv4 address) pair of the mix on `pipeline`, learnt at T0. */
function nameEveryIpv4Flow(pipeline: TrafficPipeline): void {
  for (let h = 2; h < 52; h++) {
    const { kind, words: [d0, d1, d2, d3] } = deviceOfKey(hostMac(`192.168.1.${h}`))!;
    for (const net of PUBLIC_V4_NETS) {
      for (let i = 0; i < 256; i++) {
        const [r0] = parseIp(`${net}.${i}`).words;
        pipeline.learnHost(
          kind,
          d0,
          d1,
          d2,
          d3,
          4,
          r0,
          0,
          0,
          0,
          `h${i}.${net.replaceAll(".", "-")}.example.com`,
          T0,
        );
      }
    }
  }
}

function buildMix(): Mix {
  const next = random(42);
  const frames = Array.from(
    { length: MIX_FRAMES },
    () => nameFrame(next) ?? snapFrame(mixFrame(next), SNAP_LEN),
  );
  const buffer = new Uint8Array(frames.reduce((n, f) => n + f.bytes.length + 16, 0));
  const offsets = new Int32Array(MIX_FRAMES);
  const capturedLens = new Int32Array(MIX_FRAMES);
  const originalLens = new Int32Array(MIX_FRAMES);
  let at = 0;
  frames.forEach((frame, i) => {
    at += 16; // room for a ring-style frame header, so frames do not share alignment with the buffer start
    buffer.set(frame.bytes, at);
    offsets[i] = at;
    capturedLens[i] = frame.bytes.length;
    originalLens[i] = frame.originalLen;
    at += frame.bytes.length;
  });
  return { view: new DataView(buffer.buffer), offsets, capturedLens, originalLens, frames };
}

/** Reads what any parser must read, and nothing else; returns a checksum so the loop cannot be elided. */
function baselineRound(mix: Mix): number {
  const { view, offsets } = mix;
  let sum = 0;
  for (let i = 0; i < MIX_FRAMES; i++) {
    const o = offsets[i];
    sum =
      (sum + view.getUint16(o + 12) + view.getUint8(o + 14) + view.getUint16(o + 16) + view.getInt32(o + 26) +
        view.getInt32(o + 30)) | 0;
  }
  return sum;
}

function pipelineRound(mix: Mix, pipeline: TrafficPipeline, timestampSec: number): void {
  const { view, offsets, capturedLens, originalLens, frames } = mix;
  for (let i = 0; i < MIX_FRAMES; i++) {
    pipeline.countFrame(view, offsets[i], capturedLens[i], originalLens[i], frames[i].linkType, timestampSec);
  }
}

/** pipelineRound() for round `r` of a run, with a drain every 300 simulated seconds. */
function countRound(mix: Mix, pipeline: TrafficPipeline, r: number): void {
  pipelineRound(mix, pipeline, T0 + r);
  if (r % 300 === 299) pipeline.drain();
}

/** The pipelines the benchmark compares, by name (also the configurations of `--only`). */
export const PIPELINES: Readonly<Record<string, () => TrafficPipeline>> = {
  /** As shipped with SERVICE_NAMES off. */
  "names-off": () => new TrafficPipeline({ localAddresses: LOCAL }),
  "names-on": () => new TrafficPipeline({ localAddresses: LOCAL, countsServices: true }),
  "devices-off": () => new TrafficPipeline({ localAddresses: LOCAL, countsDevices: false }),
  /** Names on, every (device, IPv4 remote) of the mix named beforehand. */
  named: () => {
    const pipeline = new TrafficPipeline({ localAddresses: LOCAL, countsServices: true });
    nameEveryIpv4Flow(pipeline);
    return pipeline;
  },
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** ns per packet of `round` over ROUNDS × MIX_FRAMES packets, median of REPEATS after WARMUP_REPEATS. */
function nsPerPacket(round: (r: number) => void): number {
  const samples: number[] = [];
  for (let repeat = 0; repeat < WARMUP_REPEATS + REPEATS; repeat++) {
    const start = performance.now();
    // Packet time runs on from pass to pass, as a capture's does: names expire and are learnt again.
    for (let r = 0; r < ROUNDS; r++) round(repeat * ROUNDS + r);
    if (repeat >= WARMUP_REPEATS) samples.push(((performance.now() - start) * 1e6) / (ROUNDS * MIX_FRAMES));
  }
  return median(samples);
}

async function packetsPerSec(frames: number, run: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let repeat = 0; repeat < 3; repeat++) {
    const start = performance.now();
    await run();
    samples.push(frames / ((performance.now() - start) / 1000));
  }
  return median(samples);
}

async function readBytesOnly(path: string): Promise<number> {
  using file = await Deno.open(path);
  const buffer = new Uint8Array(1024 * 1024);
  let total = 0;
  for (let n = await file.read(buffer); n !== null; n = await file.read(buffer)) total += n;
  return total;
}

/** What one measuring process reports (see measureHere). */
interface Measured {
  readonly nsPerPacket?: number;
  readonly checksum?: number;
  readonly stats?: { counted: number; ignored: number; malformed: number };
  readonly pcap?: { fileBytes: number; readOnlyPps: number; emptyPps: number; importPps: number };
}

/**
 * Measures `what` in this process: "baseline" (the header reads), "pcap" (the import), or one of PIPELINES
 * (ns per packet of countRound, median of REPEATS).
 */
async function measureHere(what: string): Promise<Measured> {
  const mix = buildMix();
  if (what === "baseline") {
    let checksum = 0;
    const nsPerPacketBaseline = nsPerPacket(() => checksum = (checksum + baselineRound(mix)) | 0);
    return { nsPerPacket: nsPerPacketBaseline, checksum };
  }
  if (what === "pcap") return { pcap: await measurePcapImport(mix) };
  if (!(what in PIPELINES)) {
    throw new TypeError(`--measure must be baseline, pcap or one of PIPELINES, got ${what}`);
  }
  const pipeline = PIPELINES[what]();
  const ns = nsPerPacket((r) => countRound(mix, pipeline, r));
  const { countedPackets, ignoredPackets, malformedPackets } = pipeline.stats();
  return {
    nsPerPacket: ns,
    stats: { counted: countedPackets, ignored: ignoredPackets, malformed: malformedPackets },
  };
}

async function measurePcapImport(mix: Mix): Promise<NonNullable<Measured["pcap"]>> {
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  try {
    const records = Array.from(
      { length: PCAP_FRAMES },
      (_, i) => ({ frame: mix.frames[i % MIX_FRAMES], timestampSec: T0 + i / 1000 }),
    );
    await Deno.writeFile(path, pcapBytes(records));
    const fileBytes = await readBytesOnly(path); // also warms the page cache
    const readOnlyPps = await packetsPerSec(PCAP_FRAMES, () => readBytesOnly(path));
    const emptyPps = await packetsPerSec(PCAP_FRAMES, () => readCaptureFile(path, () => {}));
    const importPps = await packetsPerSec(PCAP_FRAMES, () => {
      const importPipeline = new TrafficPipeline({ localAddresses: LOCAL });
      return readCaptureFile(path, (v, o, c, l, t, s) => importPipeline.countFrame(v, o, c, l, t, s));
    });
    return { fileBytes, readOnlyPps, emptyPps, importPps };
  } finally {
    await Deno.remove(path);
  }
}

/** measureHere(`what`) in a process of its own, under netledger's V8 options (see the file comment). */
async function measureInProcess(what: string): Promise<Measured> {
  const { success, stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", v8FlagsArg(), fileURLToPath(import.meta.url), `--measure=${what}`],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!success) throw new Error(`Cannot measure ${what}: its process failed`);
  return JSON.parse(new TextDecoder().decode(stdout));
}

/** Runs every measurement, TURNS processes of each configuration in turns, and returns the figures. */
export async function runParseBench(): Promise<Record<string, number>> {
  const samples = new Map<string, number[]>();
  let checksum = 0;
  let stats: Measured["stats"];
  for (let turn = 0; turn < TURNS; turn++) {
    for (const what of ["baseline", ...Object.keys(PIPELINES)]) {
      const measured = await measureInProcess(what);
      samples.set(what, [...samples.get(what) ?? [], measured.nsPerPacket!]);
      checksum = measured.checksum ?? checksum;
      if (what === "names-off") stats = measured.stats;
    }
  }
  const { fileBytes, readOnlyPps, emptyPps, importPps } = (await measureInProcess("pcap")).pcap!;
  const ns = (what: string) => median(samples.get(what)!);
  const baselineNs = ns("baseline");
  const pipelineNs = ns("names-off");
  const devicesOffNs = ns("devices-off");
  const namesOnNs = ns("names-on");
  const namedNs = ns("named");
  const devicesCost = pipelineNs - devicesOffNs;
  const namesCost = namesOnNs - pipelineNs;
  const perPacket = (name: string, value: number): [string, string, string] => [
    name,
    `${value.toFixed(1)} ns/packet`,
    `${(value / baselineNs).toFixed(2)}×`,
  ];
  const rows: [string, string, string][] = [
    ["baseline: read header fields only", `${baselineNs.toFixed(1)} ns/packet`, "1.00×"],
    perPacket("parse + classify + count", pipelineNs),
    perPacket("the same, devices off", devicesOffNs),
    perPacket("names on (SERVICE_NAMES)", namesOnNs),
    perPacket("names on, every IPv4 flow named", namedNs),
    ["baseline: read pcap file bytes", `${(readOnlyPps / 1e6).toFixed(2)} Mpackets/s`, "1.00×"],
    [
      "readCaptureFile, empty callback",
      `${(emptyPps / 1e6).toFixed(2)} Mpackets/s`,
      `${(emptyPps / readOnlyPps).toFixed(2)}×`,
    ],
    [
      "pcap import (read + count)",
      `${(importPps / 1e6).toFixed(2)} Mpackets/s`,
      `${(importPps / readOnlyPps).toFixed(2)}×`,
    ],
  ];
  console.log(
    `${MIX_FRAMES}-frame mix × ${ROUNDS} rounds, median of ${REPEATS} in a process after ${WARMUP_REPEATS} untimed, median of ${TURNS} processes; pcap ${PCAP_FRAMES} frames, ${
      (fileBytes / 1e6).toFixed(1)
    } MB`,
  );
  for (const [name, value, ratio] of rows) {
    console.log(`${name.padEnd(36)} ${value.padStart(20)} ${ratio.padStart(8)}`);
  }
  const goal = (isMet: boolean) => isMet ? "met" : "NOT met";
  console.log(
    `goal ≤ 100 ns/packet: ${
      goal(pipelineNs <= 100)
    }; mix counted ${stats?.counted}, ignored ${stats?.ignored}, malformed ${stats?.malformed} (checksum ${checksum})`,
  );
  const spread = (values: number[]) => values.map((v) => v.toFixed(1)).join(", ");
  console.log(
    `devices cost ${devicesCost.toFixed(1)} ns/packet (goal ≤ +15 ns: ${
      goal(devicesCost <= 15)
    }); per process: devices on ${spread(samples.get("names-off")!)}; off ${
      spread(samples.get("devices-off")!)
    }`,
  );
  console.log(
    `names cost ${namesCost.toFixed(1)} ns/packet (goal ≤ +20 ns: ${
      goal(namesCost <= 20)
    }); per process: names on ${spread(samples.get("names-on")!)}; with every IPv4 flow named ${
      (namedNs - pipelineNs).toFixed(1)
    } ns/packet (${(namedNs / pipelineNs).toFixed(2)}× names off)`,
  );
  return {
    baselineNs,
    pipelineNs,
    devicesOffNs,
    namesOnNs,
    namedNs,
    devicesCost,
    namesCost,
    readOnlyPps,
    emptyPps,
    importPps,
  };
}

/** Counts the mix through the pipeline `only` names for `rounds` rounds (see the file comment). */
function countOnly(only: string, rounds: number): void {
  if (!(only in PIPELINES) || !(Number.isInteger(rounds) && rounds > 0)) {
    console.error(`--only must be one of ${Object.keys(PIPELINES).join(", ")} and --rounds an integer ≥ 1`);
    Deno.exit(2);
  }
  const mix = buildMix();
  const pipeline = PIPELINES[only]();
  for (let r = 0; r < rounds; r++) countRound(mix, pipeline, r);
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { only: { type: "string" }, rounds: { type: "string" }, measure: { type: "string" } },
  });
  if (values.only !== undefined) countOnly(values.only, Number(values.rounds ?? 80));
  else if (values.measure !== undefined) console.log(JSON.stringify(await measureHere(values.measure)));
  else console.log(JSON.stringify(await runParseBench()));
}
