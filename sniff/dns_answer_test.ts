import assert from "node:assert/strict";
import { readDnsAnswer } from "../tests/helpers/dns_answer_objects.ts";
import {
  a,
  aaaa,
  cname,
  COMPRESSED_CNAME_ANSWER,
  dnsName,
  dnsResponse,
  DnsType,
  hex,
  https,
  withTcpLength,
} from "../tests/helpers/sniff_packets.ts";

/** The addresses of an answer as text, with their TTLs, in record order. */
function addressesOf(message: Uint8Array, tcp = false): string[] | null {
  const answer = readDnsAnswer(message, tcp);
  if (answer === null) return null;
  return answer.addresses.map((address) => {
    const bytes = bytesOf(address.words);
    return `${address.family === 4 ? bytes.join(".") : hexOf(bytes)}/${address.ttlSec}`;
  });
}

/** Network-order bytes of 32-bit words. */
function bytesOf(words: readonly number[]): number[] {
  return words.flatMap((w) => [w >>> 24, (w >>> 16) & 255, (w >>> 8) & 255, w & 255]);
}

function hexOf(bytes: readonly number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("readDnsAnswer() follows a compressed CNAME chain and names the addresses after the asked name", () => {
  const answer = readDnsAnswer(COMPRESSED_CNAME_ANSWER, false);
  assert.equal(answer?.name, "www.example.com");
  assert.deepEqual(addressesOf(COMPRESSED_CNAME_ANSWER), ["192.0.2.10/20", "192.0.2.11/20"]);
});

Deno.test("readDnsAnswer() reads owners that point to the question as the names written out, mixed case and TCP too", () => {
  const answers = [
    a("Www.Example.com", "192.0.2.10", 60),
    aaaa("Www.Example.com", "2001:db8:0:0:0:0:0:10", 120),
    cname("Www.Example.com", "edge.example.net"),
    a("edge.example.net", "192.0.2.11", 30),
  ];
  const plain = dnsResponse("Www.Example.com", answers);
  const compressed = dnsResponse("Www.Example.com", answers, { isCompressed: true });
  assert.ok(compressed.length < plain.length - 40, "three owners are pointers");
  const expected = readDnsAnswer(plain, false);
  assert.equal(expected?.addresses.length, 3);
  assert.deepEqual(readDnsAnswer(compressed, false), expected);
  assert.deepEqual(readDnsAnswer(withTcpLength(compressed), true), expected);
});

Deno.test("readDnsAnswer() follows a CNAME chain written in any record order", () => {
  const message = dnsResponse("shop.example.com", [
    a("edge.example.net", "198.51.100.4", 60),
    cname("cdn.example.org", "edge.example.net"),
    cname("shop.example.com", "cdn.example.org"),
  ]);
  assert.equal(readDnsAnswer(message, false)?.name, "shop.example.com");
  assert.deepEqual(addressesOf(message), ["198.51.100.4/60"]);
});

Deno.test("readDnsAnswer() keeps nothing of the answer read before: its chain, aliases and addresses", () => {
  const long = dnsResponse("shop.example.com", [
    cname("shop.example.com", "edge.example.net"),
    ...Array.from({ length: 30 }, (_, i) => a("edge.example.net", `198.51.100.${i}`, 60)),
    aaaa("edge.example.net", "2001:db8:0:0:0:0:0:4", 60),
  ]);
  assert.equal(addressesOf(long)?.length, 31);
  // The next answer's address records are owned by a name that was on the last answer's chain only.
  assert.equal(
    readDnsAnswer(dnsResponse("www.example.com", [a("edge.example.net", "192.0.2.1")]), false),
    null,
  );
  assert.deepEqual(
    addressesOf(dnsResponse("www.example.com", [a("www.example.com", "192.0.2.9", 5)])),
    ["192.0.2.9/5"],
  );
  assert.deepEqual(addressesOf(long)?.slice(-2), ["198.51.100.29/60", "20010db8000000000000000000000004/60"]);
});

Deno.test("readDnsAnswer() ignores addresses of names outside the asked name's chain", () => {
  const message = dnsResponse("www.example.com", [
    cname("www.example.com", "edge.example.net"),
    a("edge.example.net", "192.0.2.1"),
    a("victim.example.org", "203.0.113.66"),
  ]);
  assert.deepEqual(addressesOf(message), ["192.0.2.1/300"]);
  assert.equal(readDnsAnswer(dnsResponse("www.example.com", [a("other.example", "192.0.2.1")]), false), null);
});

Deno.test("readDnsAnswer() reads AAAA records and the ipv4hint/ipv6hint of an HTTPS record", () => {
  const message = dnsResponse("example.com", [
    https("example.com", ["192.0.2.5", "192.0.2.6"], ["2001:db8:0:0:0:0:0:5"], 3600),
    aaaa("example.com", "2001:db8:0:0:0:0:0:7", 120),
  ], { questionType: DnsType.HTTPS });
  assert.equal(readDnsAnswer(message, false)?.name, "example.com");
  assert.deepEqual(addressesOf(message), [
    "192.0.2.5/3600",
    "192.0.2.6/3600",
    "20010db8000000000000000000000005/3600",
    "20010db8000000000000000000000007/120",
  ]);
});

Deno.test("readDnsAnswer() reads the hints of an HTTPS record through a CNAME, and none in AliasMode", () => {
  const alias = {
    name: "example.com",
    type: DnsType.HTTPS,
    ttlSec: 60,
    data: Uint8Array.of(0, 0, ...dnsName("a.example.net")),
  };
  const message = dnsResponse("www.example.com", [
    cname("www.example.com", "svc.example.net"),
    https("svc.example.net", ["198.51.100.9"], []),
    alias,
  ], { questionType: DnsType.HTTPS });
  assert.deepEqual(addressesOf(message), ["198.51.100.9/300"]);
  assert.equal(readDnsAnswer(dnsResponse("example.com", [alias]), false), null);
});

Deno.test("readDnsAnswer() lower-cases the asked name and reads a TTL with the top bit set as 0 (RFC 2181 §8)", () => {
  const message = dnsResponse("WwW.ExAmPle.COM", [a("www.example.com", "192.0.2.3", 0x80000001)]);
  assert.equal(readDnsAnswer(message, false)?.name, "www.example.com");
  assert.deepEqual(addressesOf(message), ["192.0.2.3/0"]);
});

Deno.test("readDnsAnswer() hands out the addresses as numbers, not views of the packet", () => {
  const message = dnsResponse("example.com", [a("example.com", "192.0.2.3")]);
  const answer = readDnsAnswer(message, false)!;
  message.fill(0);
  assert.deepEqual(bytesOf(answer.addresses[0].words), [192, 0, 2, 3]);
});

Deno.test("readDnsAnswer() reads DNS over TCP after its length prefix, and what fits of a truncated one", () => {
  const message = dnsResponse("example.com", [a("example.com", "192.0.2.1"), a("example.com", "192.0.2.2")]);
  const tcp = withTcpLength(message);
  assert.deepEqual(addressesOf(tcp, true), ["192.0.2.1/300", "192.0.2.2/300"]);
  // The segment ends inside the second record: the first still counts.
  assert.deepEqual(addressesOf(tcp.subarray(0, tcp.length - 2), true), ["192.0.2.1/300"]);
  assert.equal(readDnsAnswer(tcp.subarray(0, 13), true), null);
  assert.equal(readDnsAnswer(tcp.subarray(0, 1), true), null);
  assert.equal(readDnsAnswer(tcp, false), null, "read as UDP, the prefix garbles the header");
});

/** Hostile and unusable messages, each with what is wrong in it. */
const REFUSED: readonly (readonly [string, Uint8Array])[] = [
  ["empty", new Uint8Array(0)],
  ["a header only", new Uint8Array(12)],
  ["a query (QR clear)", dnsResponse("example.com", [a("example.com", "192.0.2.1")], { flags: 0x0100 })],
  ["NXDOMAIN", dnsResponse("example.com", [a("example.com", "192.0.2.1")], { flags: 0x8183 })],
  ["opcode 2 (status)", dnsResponse("example.com", [a("example.com", "192.0.2.1")], { flags: 0x9180 })],
  ["no answers", dnsResponse("example.com", [])],
  [
    "an A record of 5 bytes",
    dnsResponse("example.com", [{ ...a("example.com", "192.0.2.1"), data: new Uint8Array(5) }]),
  ],
  ["an invalid asked name", dnsResponse("_dmarc.example.com", [a("_dmarc.example.com", "192.0.2.1")])],
  ["an asked IPv4 literal", dnsResponse("192.0.2.1", [a("192.0.2.1", "192.0.2.1")])],
  ["a question pointing at itself", hex("1234 8180 0001 0001 0000 0000 c00c 0001 0001")],
  ["a question pointing forwards", hex("1234 8180 0001 0001 0000 0000 c00e 0001 0001 00")],
  ["a question pointing past the end", hex("1234 8180 0001 0001 0000 0000 c0ff 0001 0001")],
  ["a label of 64 bytes (type 01)", hex(`1234 8180 0001 0001 0000 0000 40${"61".repeat(64)}00 0001 0001`)],
  ["a name over 255 bytes", dnsResponse(`${"a".repeat(63)}.`.repeat(4) + "com", [a("x.com", "192.0.2.1")])],
  ["a count that lies and no record", dnsResponse("example.com", [], { answerCount: 3 })],
  [
    "a count that lies and a cut record",
    dnsResponse("example.com", [a("example.com", "192.0.2.1")]).subarray(0, 40),
  ],
];

for (const [what, message] of REFUSED) {
  Deno.test(`readDnsAnswer() returns null for ${what}`, () => {
    assert.equal(readDnsAnswer(message, false), null);
  });
}

Deno.test("readDnsAnswer() stops at an answer whose owner pointer loops, keeping the records before it", () => {
  const good = dnsResponse("example.com", [a("example.com", "192.0.2.1")], { answerCount: 2 });
  const loopAt = good.length;
  const looping = Uint8Array.of(
    ...good,
    0xc0 | (loopAt >> 8),
    loopAt & 0xff,
    0,
    1,
    0,
    1,
    0,
    0,
    0,
    9,
    0,
    4,
    1,
    2,
    3,
    4,
  );
  assert.deepEqual(addressesOf(looping), ["192.0.2.1/300"]);
  // A loop of two pointers that each go back once: the second jump does not land below the first.
  const twoStep = hex("1234 8180 0001 0001 0000 0000 0161 c00c 0001 0001");
  assert.equal(readDnsAnswer(twoStep, false), null);
});

Deno.test("readDnsAnswer() keeps the records read before a count that lies", () => {
  const message = dnsResponse("example.com", [a("example.com", "192.0.2.1")], { answerCount: 40 });
  assert.deepEqual(addressesOf(message), ["192.0.2.1/300"]);
});
