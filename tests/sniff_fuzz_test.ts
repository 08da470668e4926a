/**
 * 1,000,000 mutated DNS responses, TLS ClientHellos, HTTP requests and QUIC Initials through sniff/'s parsers
 * (issue 15 "Show"): none throws, none writes to the packet it reads, and every name that comes out is a clean
 * host name that serviceOf() and displayHostName() take.
 *
 * Mutations start from valid packets (docs/services-wire.md lists what each parser relies on) and apply one to
 * four edits: a flipped bit, a byte set to a boundary value (0x00, 0x3f, 0x40, 0xc0, 0xff, …), a cut, random
 * bytes appended, or a slice copied over another place (which plants lengths and pointers where they lie).
 * DNS and TLS mutants are also read amid other bytes, given their bounds, as the counting path reads them.
 * QUIC is bounded so the run stays short on a loaded 2-core machine: all 200,000 QUIC mutants go through the
 * synchronous header check (isQuicInitial), and a sample of 2,000 of them through the WebCrypto decryption
 * (readQuicInitialSni), each edit there placed after the header most of the time, so that decryption and
 * authentication are what gets exercised. The seed is printed; NETLEDGER_FUZZ_SEED repeats a run.
 */
import assert from "node:assert/strict";
import {
  cleanHostName,
  displayHostName,
  isQuicInitial,
  readClientHelloSni,
  readHttpHost,
  readQuicInitialSni,
  serviceOf,
} from "../sniff/mod.ts";
import { type DnsAddress, type DnsAnswer, readDnsAnswer } from "./helpers/dns_answer_objects.ts";
import { seededRandom } from "./helpers/netledger_rig.ts";
import {
  a,
  aaaa,
  clientHelloRecord,
  cname,
  COMPRESSED_CNAME_ANSWER,
  dnsResponse,
  DnsType,
  https,
  PacketMutator,
  RFC9001_CLIENT_INITIAL,
  RFC9369_CLIENT_INITIAL,
  RFC_CLIENT_INITIAL_CRYPTO_FRAME,
  withTcpLength,
} from "./helpers/sniff_packets.ts";

const DNS_RUNS = 400_000;
const TLS_RUNS = 250_000;
const HTTP_RUNS = 150_000;
const QUIC_RUNS = 200_000;
const QUIC_DECRYPT_RUNS = 2_000;

const DNS_SEEDS = [
  COMPRESSED_CNAME_ANSWER,
  dnsResponse("www.example.com", [
    cname("www.example.com", "www.example.com.edge.example.net", 3600),
    cname("www.example.com.edge.example.net", "e1.a.example.net"),
    a("e1.a.example.net", "192.0.2.10", 20),
    a("e1.a.example.net", "192.0.2.11", 20),
  ]),
  dnsResponse("example.com", [https("example.com", ["192.0.2.5"], ["2001:db8:0:0:0:0:0:5"])], {
    questionType: DnsType.HTTPS,
  }),
  dnsResponse("v6.example.org", [aaaa("v6.example.org", "2001:db8:0:0:0:0:0:1", 60)]),
];

const TLS_SEEDS = [
  clientHelloRecord("video.example.net"),
  clientHelloRecord("www.example.org", [[0x0a0a, new Uint8Array(0)], [21, new Uint8Array(64)]]),
  Uint8Array.of(0x16, 3, 1, 0, 0xf1, ...RFC_CLIENT_INITIAL_CRYPTO_FRAME.subarray(4)),
];

const HTTP_SEEDS = [
  "GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: fuzz\r\n\r\n",
  "POST /api HTTP/1.0\r\nContent-Length: 0\r\nhost: api.example.org:8080\r\n\r\n",
].map((text) => new TextEncoder().encode(text));

const QUIC_SEEDS = [RFC9001_CLIENT_INITIAL, RFC9369_CLIENT_INITIAL];

/** A sum that changes when any byte does (position-weighted), to show a parser left its input alone. */
function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i++) sum = (sum * 31 + bytes[i]) >>> 0;
  return sum;
}

/** Asserts what every name out of a parser must be. */
function checkName(name: string, what: string): void {
  assert.equal(cleanHostName(name), name, `${what} gave an unclean name ${JSON.stringify(name)}`);
  assert.equal(typeof serviceOf(name), "string");
  assert.equal(typeof displayHostName(name), "string");
}

function checkDnsAnswer(answer: DnsAnswer): void {
  checkName(answer.name, "readDnsAnswer");
  assert.ok(answer.addresses.length > 0);
  answer.addresses.forEach(checkAddress);
}

function checkAddress(address: DnsAddress): void {
  assert.equal(address.words.length, address.family === 4 ? 1 : 4);
  assert.ok(address.words.every((w) => Number.isInteger(w) && w >= -(2 ** 31) && w < 2 ** 31));
  assert.ok(Number.isInteger(address.ttlSec) && address.ttlSec >= 0 && address.ttlSec < 2 ** 31);
}

const AMID_OFFSET = 5;
/** Bytes that continue a DNS label, then end its name (the root label), over and over. */
const DNS_JUNK = junkOf([...new Array(15).fill(0x61), 0]);
/** Bytes that continue an SNI host name. */
const TLS_JUNK = junkOf([0x61]);

function junkOf(pattern: readonly number[]): Uint8Array {
  return Uint8Array.from({ length: 1 << 16 }, (_, i) => pattern[i % pattern.length]);
}

/**
 * `packet` at AMID_OFFSET in a larger buffer of `junk`, which a parser that reads past its bounds would take
 * in.
 */
function amid(packet: Uint8Array, junk: Uint8Array): Uint8Array {
  const bytes = junk.slice(0, AMID_OFFSET + packet.length + 400);
  bytes.set(packet, AMID_OFFSET);
  return bytes;
}

/**
 * A DNS response followed by 4,000 bytes of DNS_JUNK: reading it leaves them in the parser's copy of the
 * message, where a read past the next message's end would find them.
 */
const DNS_POISON = Uint8Array.from(
  { length: 4000 },
  (_, i) => i < 12 ? [0, 0, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0][i] : DNS_JUNK[i],
);

/** Runs `parse` over `runs` mutants of `seeds`; returns how many gave a result. Reports the packet on a throw. */
function fuzz<T>(
  mutator: PacketMutator,
  seeds: readonly Uint8Array[],
  runs: number,
  parse: (packet: Uint8Array, run: number) => T | null,
  check: (result: T) => void,
): number {
  let named = 0;
  for (let run = 0; run < runs; run++) {
    const packet = mutator.mutate(seeds[run % seeds.length]);
    const before = run % 16 === 0 ? checksum(packet) : 0;
    let result: T | null;
    try {
      result = parse(packet, run);
    } catch (error) {
      throw new Error(`Parser threw on run ${run}: ${Array.from(packet, (b) => b.toString(16)).join(" ")}`, {
        cause: error,
      });
    }
    if (run % 16 === 0) assert.equal(checksum(packet), before, `run ${run} changed its input`);
    if (result !== null) {
      check(result);
      named++;
    }
  }
  return named;
}

Deno.test("sniff/'s parsers take 1,000,000 mutated packets without a throw, and name only with clean names", async () => {
  const seed = Number(Deno.env.get("NETLEDGER_FUZZ_SEED") ?? Math.floor(Math.random() * 2 ** 31));
  console.log(`seed ${seed} (NETLEDGER_FUZZ_SEED=${seed} repeats these packets)`);
  const mutator = new PacketMutator(seededRandom(seed));

  const tcpSeeds = DNS_SEEDS.map(withTcpLength);
  // The counting path hands the parsers the capture's buffer with the payload's bounds: one run in four reads
  // the mutant again amid bytes that would continue it, and must give the same answer.
  const readDns = (tcp: boolean) => (p: Uint8Array, run: number) => {
    const answer = readDnsAnswer(p, tcp);
    if (run % 4 === 0) {
      readDnsAnswer(DNS_POISON, false);
      assert.deepEqual(readDnsAnswer(amid(p, DNS_JUNK), tcp, AMID_OFFSET, AMID_OFFSET + p.length), answer);
    }
    return answer;
  };
  const dnsNamed = fuzz(mutator, DNS_SEEDS, DNS_RUNS / 2, readDns(false), checkDnsAnswer) +
    fuzz(mutator, tcpSeeds, DNS_RUNS / 2, readDns(true), checkDnsAnswer);
  const tlsNamed = fuzz(mutator, TLS_SEEDS, TLS_RUNS, (p, run) => {
    const name = readClientHelloSni(p);
    if (run % 4 === 0) {
      assert.equal(readClientHelloSni(amid(p, TLS_JUNK), AMID_OFFSET, AMID_OFFSET + p.length), name);
    }
    return name;
  }, (n) => checkName(n, "readClientHelloSni"));
  const httpNamed = fuzz(mutator, HTTP_SEEDS, HTTP_RUNS, readHttpHost, (n) => checkName(n, "readHttpHost"));
  const quicPassed = fuzz(mutator, QUIC_SEEDS, QUIC_RUNS, (p) => isQuicInitial(p) || null, () => {});

  let quicNamed = 0;
  for (let run = 0; run < QUIC_DECRYPT_RUNS; run++) {
    // Edits after the 22-byte header (most of the time), so the packet reaches decryption.
    const packet = mutator.mutate(QUIC_SEEDS[run % 2], 22).slice();
    const copy = packet.slice();
    const name = await readQuicInitialSni(packet);
    assert.deepEqual(packet, copy, `QUIC run ${run} changed its input`);
    if (name !== null) {
      checkName(name, "readQuicInitialSni");
      quicNamed++;
    }
  }
  console.log(
    `named: DNS ${dnsNamed}/${DNS_RUNS}, TLS ${tlsNamed}/${TLS_RUNS}, HTTP ${httpNamed}/${HTTP_RUNS}, ` +
      `QUIC headers passed ${quicPassed}/${QUIC_RUNS}, QUIC decrypted ${quicNamed}/${QUIC_DECRYPT_RUNS}`,
  );
  // Mutants that keep a name show the accept paths ran too, not only the early rejects.
  for (const count of [dnsNamed, tlsNamed, httpNamed, quicPassed, quicNamed]) assert.ok(count > 0);
});
