/**
 * Property/fuzz test of the counting core (issue #2 item 8): 4,000 fast-check cases, each a built or random
 * frame expanded into 250 deterministic mutants, feed 1,000,000 frames to parseFrame() and a TrafficPipeline
 * and compare every result with the slow, obviously-correct reference below (byte arrays, BigInt addresses,
 * no DataView). Mutants hold random bytes; nothing is sent anywhere. Reproduce with FUZZ_SEED=<printed seed>.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  BUCKET_SEC,
  LinkType,
  OTHER_REMOTE_IP,
  ParsedFrame,
  parseFrame,
  ParseOutcome,
  resolveLocalAddresses,
  TrafficPipeline,
} from "../capture/mod.ts";
import { arpFrame, buildFrame, type Encapsulation, type Frame, frameOf, ipPacket } from "./helpers/frames.ts";
import {
  type Reference,
  referenceClassify,
  referenceParse,
  referenceParseIp,
} from "./helpers/reference_parser.ts";

const CASES = 4_000;
const MUTANTS_PER_CASE = 250;
const SEED = Number(Deno.env.get("FUZZ_SEED") ?? Math.floor(Math.random() * 2 ** 31));
const T0 = 1_700_000_100;

const HOST_IPS = ["198.51.100.7", "192.168.1.1", "2001:db8:1:100::1", "::ffff:192.0.2.200"];
const LOCAL = resolveLocalAddresses(HOST_IPS, []);
const V4_POOL = [
  "192.168.1.2",
  "10.0.0.9",
  "172.16.5.4",
  "203.0.113.9",
  "192.0.2.1",
  "192.0.2.200",
  "198.51.100.7",
  "224.0.0.251",
  "239.255.255.250",
  "240.0.0.1",
  "255.255.255.255",
  "127.0.0.1",
  "169.254.1.1",
  "0.0.0.0",
];
const V6_POOL = [
  "2001:db8:1:100::1",
  "2001:db8:1:1ff::9",
  "2001:db8:ff::1",
  "2001:db8:1:200::5",
  "fd00::1",
  "fe80::1",
  "ff02::fb",
  "::1",
  "::",
  "::ffff:192.168.1.2",
  "::ffff:203.0.113.9",
  "::ffff:198.51.100.7",
];
const ENCAPSULATIONS: readonly Encapsulation[] = [
  "ethernet",
  "vlan",
  "qinq",
  "pppoe",
  "vlan-pppoe",
  "sll",
  "sll2",
  "raw",
  "raw-ipv4",
  "raw-ipv6",
  "ppp",
  "ppp-hdlc",
  "null",
];
const LINK_TYPES = [...Object.values(LinkType), 147, 105, 65535];

/** Edge cases every run starts from: empty, truncated, bad version, IHL < 5, maximum lengths. */
const EDGE_FRAMES: readonly Frame[] = [
  frameOf(new Uint8Array(0), LinkType.ETHERNET),
  frameOf(new Uint8Array(1), LinkType.RAW_IP),
  frameOf(new Uint8Array(13), LinkType.ETHERNET),
  arpFrame(),
  ...[0, 1, 4].map((ihl) =>
    buildFrame("ethernet", ipPacket({ src: "192.168.1.2", dst: "203.0.113.9", ihl }))
  ),
  ...[0, 5, 15].map((version) =>
    buildFrame("raw", ipPacket({ src: "192.168.1.2", dst: "203.0.113.9", version }))
  ),
  buildFrame("ethernet", ipPacket({ src: "192.168.1.2", dst: "203.0.113.9", payloadBytes: 65_515 })),
  buildFrame("sll2", ipPacket({ src: "2001:db8:ff::1", dst: "fd00::1", payloadBytes: 65_535 })),
  buildFrame("vlan", ipPacket({ src: "192.168.1.2", dst: "203.0.113.9", lengthField: 0xffff })),
  buildFrame("qinq", ipPacket({ src: "fd00::1", dst: "2001:db8:ff::1", lengthField: 0, payloadBytes: 300 })),
];

/** `arbitrary` in one case out of 8, else undefined: most built frames stay well-formed until mutated. */
function rarely<T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: 7, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });
}

const builtFrame = fc.record({
  encapsulation: fc.constantFrom(...ENCAPSULATIONS),
  isV6: fc.boolean(),
  src: fc.nat(),
  dst: fc.nat(),
  payloadBytes: fc.oneof(fc.integer({ min: 0, max: 1500 }), fc.constantFrom(0, 8, 65_495)),
  lengthField: rarely(fc.integer({ min: 0, max: 0xffff })),
  ihl: rarely(fc.integer({ min: 0, max: 15 })),
}).map(({ encapsulation, isV6, src, dst, payloadBytes, lengthField, ihl }) => {
  const pool = isV6 || encapsulation === "raw-ipv6" ? V6_POOL : V4_POOL;
  const packet = ipPacket({
    src: pool[src % pool.length],
    dst: pool[dst % pool.length],
    payloadBytes,
    lengthField,
    ihl,
  });
  return buildFrame(encapsulation === "raw-ipv6" && !isV6 ? "raw" : encapsulation, packet);
});
const randomFrame = fc.record({
  bytes: fc.uint8Array({ maxLength: 160 }),
  linkType: fc.constantFrom(...LINK_TYPES),
}).map(({ bytes, linkType }) => frameOf(bytes, linkType));
const fuzzCase = fc.record({
  base: fc.oneof(
    { weight: 6, arbitrary: builtFrame },
    { weight: 2, arbitrary: randomFrame },
    { weight: 1, arbitrary: fc.constantFrom(...EDGE_FRAMES) },
  ),
  mutationSeed: fc.integer(),
  bucket: fc.integer({ min: 0, max: 3 }),
});

/** xorshift32: cheap deterministic randomness for the mutants of one case. */
function random(seed: number): (below: number) => number {
  let state = seed | 0 || 0x9e3779b9;
  return (below) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % below;
  };
}

/** A mutant of `base` written into `buffer` at a random offset: byte edits, cuts, snap lengths, link types. */
function mutate(base: Frame, buffer: Uint8Array, next: (below: number) => number) {
  const offset = next(64);
  let length = base.bytes.length;
  buffer.set(base.bytes, offset);
  const edits = next(3) === 0 ? 1 + next(3) : 0;
  for (let i = 0; i < edits; i++) {
    const at = next(Math.max(1, Math.min(length, 72)));
    const choice = next(4);
    buffer[offset + at] = choice === 0 ? 0 : choice === 1 ? 0xff : next(256);
  }
  let originalLen = length;
  const cut = next(8);
  if (cut === 0) length = originalLen = next(length + 1); // truncated on the wire
  else if (cut === 1) length = next(length + 1); // snap length
  else if (cut === 2) originalLen = length + next(70_000); // trailer or super-packet beyond the snap
  else if (cut === 3) originalLen = next(length + 1); // original shorter than captured (bogus)
  const linkType = next(16) === 0 ? LINK_TYPES[next(LINK_TYPES.length)] : base.linkType;
  // Rarely a captured length beyond the buffer: the caller's bug must still not throw.
  if (next(500) === 0) length = buffer.length - offset + 1 + next(10);
  return { offset, length, originalLen, linkType };
}

interface Tally {
  fed: number;
  counted: number;
  ignored: number;
  malformed: number;
  /** "bucket family direction" → bytes, packets. */
  readonly traffic: Map<string, [number, number]>;
  /** "bucket family address" → up bytes, down bytes, up packets, down packets. */
  readonly remotes: Map<string, [number, number, number, number]>;
}

function newTally(): Tally {
  return { fed: 0, counted: 0, ignored: 0, malformed: 0, traffic: new Map(), remotes: new Map() };
}

function tallyReference(tally: Tally, ref: Reference, bucketStartSec: number): void {
  tally.fed++;
  if (ref.kind === "malformed") return void tally.malformed++;
  if (ref.kind !== "ip") return void tally.ignored++;
  const classified = referenceClassify(ref, LOCAL);
  if (classified === null) return void tally.ignored++;
  tally.counted++;
  const trafficKey = `${bucketStartSec} ${ref.family} ${classified.isUpload}`;
  const t = tally.traffic.get(trafficKey) ?? [0, 0];
  tally.traffic.set(trafficKey, [t[0] + ref.ipBytes, t[1] + 1]);
  const remoteKey = `${bucketStartSec} ${classified.remoteFamily} ${classified.remote}`;
  const r = tally.remotes.get(remoteKey) ?? [0, 0, 0, 0];
  const [i, j] = classified.isUpload ? [0, 2] : [1, 3];
  r[i] += ref.ipBytes;
  r[j] += 1;
  tally.remotes.set(remoteKey, r);
}

/** The drained batch equals the reference tally exactly: traffic per bucket/family/direction, and each remote. */
function assertBatchMatches(pipeline: TrafficPipeline, tally: Tally): void {
  const batch = pipeline.drain();
  const traffic = new Map<string, [number, number]>();
  for (const t of batch.traffic) {
    if (t.upPackets > 0) traffic.set(`${t.bucketStartSec} ${t.family} true`, [t.upBytes, t.upPackets]);
    if (t.downPackets > 0) traffic.set(`${t.bucketStartSec} ${t.family} false`, [t.downBytes, t.downPackets]);
  }
  assert.deepEqual(traffic, tally.traffic);
  const remotes = new Map<string, [number, number, number, number]>();
  for (const r of batch.remotes) {
    assert.notEqual(r.remoteIp, OTHER_REMOTE_IP, "no remainder below the bound");
    const { family, value } = referenceParseIp(r.remoteIp);
    remotes.set(`${r.bucketStartSec} ${family} ${value}`, [
      r.upBytes,
      r.downBytes,
      r.upPackets,
      r.downPackets,
    ]);
  }
  assert.deepEqual(remotes, tally.remotes);
}

Deno.test("parseFrame() and TrafficPipeline agree with the reference parser on 1,000,000 random and mutated frames", () => {
  console.log(`parser fuzz seed: ${SEED} (rerun with FUZZ_SEED=${SEED})`);
  const buffer = new Uint8Array(70_000);
  const view = new DataView(buffer.buffer);
  const parsed = new ParsedFrame();
  const pipeline = new TrafficPipeline({ localAddresses: LOCAL });
  const total = newTally();
  fc.assert(
    fc.property(fuzzCase, ({ base, mutationSeed, bucket }) => {
      const next = random(mutationSeed);
      const tally = newTally();
      const bucketStartSec = T0 + bucket * BUCKET_SEC;
      for (let i = 0; i < MUTANTS_PER_CASE; i++) {
        buffer.fill(0, 0, 64 + base.bytes.length);
        const { offset, length, originalLen, linkType } = mutate(base, buffer, next);
        const ref = offset + length > buffer.length
          ? { kind: "malformed" as const }
          : referenceParse(buffer.subarray(offset, offset + length), originalLen, linkType);
        const outcome = parseFrame(view, offset, length, originalLen, linkType, parsed);
        const expected = ref.kind === "ip" ? (ref.family === 4 ? ParseOutcome.IPV4 : ParseOutcome.IPV6) : {
          "malformed": ParseOutcome.MALFORMED,
          "not-ip": ParseOutcome.NOT_IP,
          "unsupported": ParseOutcome.UNSUPPORTED_LINK,
        }[ref.kind];
        assert.equal(outcome, expected, `outcome of mutant ${i}`);
        if (ref.kind === "ip") {
          assert.equal(parsed.ipBytes, ref.ipBytes, `ipBytes of mutant ${i}`);
          assert.equal(parsed.srcOffset, offset + ref.srcAt, `source offset of mutant ${i}`);
          assert.equal(parsed.dstOffset, offset + ref.dstAt, `destination offset of mutant ${i}`);
        }
        pipeline.countFrame(view, offset, length, originalLen, linkType, bucketStartSec + next(BUCKET_SEC));
        tallyReference(tally, ref, bucketStartSec);
      }
      assertBatchMatches(pipeline, tally);
      total.fed += tally.fed;
      total.counted += tally.counted;
      total.ignored += tally.ignored;
      total.malformed += tally.malformed;
    }),
    { seed: SEED, numRuns: CASES, endOnFailure: true },
  );
  const stats = pipeline.stats();
  assert.equal(stats.seenPackets, CASES * MUTANTS_PER_CASE);
  assert.equal(stats.seenPackets, total.fed);
  assert.equal(stats.countedPackets + stats.ignoredPackets + stats.malformedPackets, stats.seenPackets);
  assert.deepEqual(
    [stats.countedPackets, stats.ignoredPackets, stats.malformedPackets],
    [total.counted, total.ignored, total.malformed],
  );
  console.log(
    `fed ${total.fed}: counted ${total.counted}, ignored ${total.ignored}, malformed ${total.malformed}`,
  );
});
