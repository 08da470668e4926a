import assert from "node:assert/strict";
import { isQuicInitial, readQuicInitialSni, sniOfCryptoFrames } from "./quic_initial.ts";
import { clientInitialKeys, headerProtectionMask, initialCipher, QUIC_V1, QUIC_V2 } from "./quic_crypto.ts";
import {
  clientHelloMessage,
  hex,
  PacketMutator,
  RFC9001_CLIENT_INITIAL,
  RFC9369_CLIENT_INITIAL,
  RFC_CLIENT_INITIAL_CRYPTO_FRAME,
  RFC_SAMPLE_DCID,
} from "../tests/helpers/sniff_packets.ts";
import { seededRandom } from "../tests/helpers/netledger_rig.ts";

/** Both RFCs' published keys, masks and packets (RFC 9001 Appendix A.1-A.2, RFC 9369 Appendix A.1-A.2). */
const VECTORS = [
  {
    rfc: "RFC 9001 (v1)",
    version: QUIC_V1,
    key: "1f369613dd76d5467730efcbe3b1a22d",
    iv: "fa044b2f42a3fd3b46fb255c",
    hp: "9f50449e04a0e810283a1e9933adedd2",
    sample: "d1b1c98dd7689fb8ec11d242b123dc9b",
    mask: "437b9aec36",
    packet: RFC9001_CLIENT_INITIAL,
  },
  {
    rfc: "RFC 9369 (v2)",
    version: QUIC_V2,
    key: "8b1a0bc121284290a29e0971b5cd045d",
    iv: "91f73e2351d8fa91660e909f",
    hp: "45b95e15235d6f45a6b19cbcb0294ba9",
    sample: "ffe67b6abcdb4298b485dd04de806071",
    mask: "94a0c95e80",
    packet: RFC9369_CLIENT_INITIAL,
  },
] as const;

function hexOf(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

for (const vector of VECTORS) {
  Deno.test(`clientInitialKeys() derives the client key, IV and header protection key of ${vector.rfc}`, async () => {
    const keys = await clientInitialKeys(RFC_SAMPLE_DCID, vector.version);
    assert.deepEqual(
      { key: hexOf(keys!.key), iv: hexOf(keys!.iv), hp: hexOf(keys!.hp) },
      { key: vector.key, iv: vector.iv, hp: vector.hp },
    );
  });

  Deno.test(`headerProtectionMask() is AES-ECB of the sample under the derived key, as in ${vector.rfc}`, async () => {
    const cipher = await initialCipher(RFC_SAMPLE_DCID, vector.version);
    const mask = await headerProtectionMask(cipher!.hpKey, hex(vector.sample));
    assert.equal(hexOf(mask.subarray(0, 5)), vector.mask);
  });

  Deno.test(`readQuicInitialSni() reads example.com from the client Initial of ${vector.rfc}`, async () => {
    const packet = vector.packet.slice();
    assert.equal(isQuicInitial(packet), true);
    assert.equal(await readQuicInitialSni(packet), "example.com");
    assert.deepEqual(packet, vector.packet, "the caller's bytes stay as they were");
  });
}

Deno.test("clientInitialKeys() and initialCipher() know no other version", async () => {
  assert.equal(await clientInitialKeys(RFC_SAMPLE_DCID, 0xff00001d), null);
  assert.equal(await initialCipher(RFC_SAMPLE_DCID, 0xff00001d), null);
});

Deno.test("initialCipher() derives once per connection's DCID and version, for the latest 64", () => {
  const dcid = hex("a1a2a3a4a5a6a7a8");
  const first = initialCipher(dcid, QUIC_V1);
  assert.equal(initialCipher(dcid.slice(), QUIC_V1), first);
  assert.notEqual(initialCipher(dcid, QUIC_V2), first);
  for (let i = 0; i < 64; i++) initialCipher(Uint8Array.of(0xb0, i, 1, 2, 3, 4, 5, 6), QUIC_V1);
  assert.notEqual(initialCipher(dcid, QUIC_V1), first, "the oldest entries make room");
});

/** A CRYPTO frame (RFC 9000 §19.6) with 2-byte varints. */
function cryptoFrame(offset: number, data: Uint8Array): number[] {
  return [0x06, 0x40 | (offset >> 8), offset & 0xff, 0x40 | (data.length >> 8), data.length & 0xff, ...data];
}

/**
 * A client Initial as a client sends it: `frames` padded to a 1200-byte datagram, sealed with AES-128-GCM
 * under the keys of `dcid`, then header-protected; a 4-byte packet number, no SCID and no token.
 */
async function sealClientInitial(
  version: number,
  dcid: Uint8Array,
  frames: readonly number[],
  packetNumber = 0,
): Promise<Uint8Array> {
  const keys = (await clientInitialKeys(dcid, version))!;
  const headerBytes = 1 + 4 + 1 + dcid.length + 1 + 1 + 2 + 4;
  const plain = new Uint8Array(Math.max(frames.length, 1200 - headerBytes - 16));
  plain.set(frames);
  const length = 4 + plain.length + 16;
  const pn = [
    packetNumber >>> 24,
    (packetNumber >>> 16) & 0xff,
    (packetNumber >>> 8) & 0xff,
    packetNumber & 0xff,
  ];
  const typeBits = version === QUIC_V1 ? 0 : 1;
  const header = Uint8Array.of(
    0xc0 | (typeBits << 4) | 0x03,
    version >>> 24,
    (version >>> 16) & 0xff,
    (version >>> 8) & 0xff,
    version & 0xff,
    dcid.length,
    ...dcid,
    0,
    0,
    0x40 | (length >> 8),
    length & 0xff,
    ...pn,
  );
  const nonce = keys.iv.slice();
  for (let i = 0; i < 4; i++) nonce[8 + i] ^= pn[i];
  const aesKey = await crypto.subtle.importKey("raw", keys.key as BufferSource, "AES-GCM", false, [
    "encrypt",
  ]);
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv: nonce, additionalData: header },
    aesKey,
    plain,
  );
  const packet = Uint8Array.of(...header, ...new Uint8Array(sealed));
  const pnAt = header.length - 4;
  const { hpKey } = (await initialCipher(dcid, version))!;
  const mask = await headerProtectionMask(hpKey, packet.subarray(pnAt + 4, pnAt + 20));
  packet[0] ^= mask[0] & 0x0f;
  for (let i = 0; i < 4; i++) packet[pnAt + i] ^= mask[1 + i];
  return packet;
}

Deno.test("sealClientInitial() (this test's client) reproduces both RFCs' sample packets byte for byte", async () => {
  const frames = [...RFC_CLIENT_INITIAL_CRYPTO_FRAME];
  assert.deepEqual(await sealClientInitial(QUIC_V1, RFC_SAMPLE_DCID, frames, 2), RFC9001_CLIENT_INITIAL);
  assert.deepEqual(await sealClientInitial(QUIC_V2, RFC_SAMPLE_DCID, frames, 2), RFC9369_CLIENT_INITIAL);
});

Deno.test("readQuicInitialSni() joins CRYPTO frames sent out of order between PING, ACK and PADDING", async () => {
  const hello = clientHelloMessage("video.example.net", [[21, new Uint8Array(100)]]);
  const [first, second, third] = [hello.subarray(0, 50), hello.subarray(50, 140), hello.subarray(140)];
  const ack = [0x02, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00]; // largest 0, delay 0, one more range, first range 0
  const frames = [
    0x01,
    ...cryptoFrame(140, third),
    0x00,
    0x00,
    ...ack,
    ...cryptoFrame(0, first),
    0x01,
    ...cryptoFrame(50, second),
  ];
  const packet = await sealClientInitial(QUIC_V2, hex("0011223344556677aabb"), frames);
  assert.equal(await readQuicInitialSni(packet), "video.example.net");
});

Deno.test("readQuicInitialSni() reads a ClientHello that continues in the next Initial when the SNI came first", async () => {
  const hello = clientHelloMessage("www.example.org", [[21, new Uint8Array(1500)]]);
  const dcid = hex("0102030405060708");
  // The server_name extension follows the 1500-byte padding extension: it is in the tail.
  const tail = hello.subarray(1300);
  const head = hello.subarray(0, 700);
  assert.equal(await readQuicInitialSni(await sealClientInitial(QUIC_V1, dcid, cryptoFrame(0, head))), null);
  assert.equal(
    await readQuicInitialSni(await sealClientInitial(QUIC_V1, dcid, cryptoFrame(1300, tail))),
    null,
  );
  const early = clientHelloMessage("www.example.org", []);
  const cut = [
    ...cryptoFrame(0, early.subarray(0, early.length - 3)),
    ...cryptoFrame(3000, new Uint8Array(10)),
  ];
  assert.equal(await readQuicInitialSni(await sealClientInitial(QUIC_V1, dcid, cut)), "www.example.org");
});

Deno.test("readQuicInitialSni() reads the Initial of a datagram that coalesces another packet after it", async () => {
  const datagram = Uint8Array.of(...RFC9001_CLIENT_INITIAL, 0xd0, ...new Uint8Array(100).fill(7));
  assert.equal(await readQuicInitialSni(datagram), "example.com");
});

/** Datagrams that are no client Initial worth decrypting, each with what is wrong in it. */
function refusedHeaders(): (readonly [string, Uint8Array])[] {
  const edit = (change: (packet: Uint8Array) => void) => {
    const packet = RFC9001_CLIENT_INITIAL.slice();
    change(packet);
    return packet;
  };
  return [
    ["an empty datagram", new Uint8Array(0)],
    ["a datagram under 1200 bytes", RFC9001_CLIENT_INITIAL.subarray(0, 1199)],
    ["a short header", edit((p) => (p[0] = 0x40))],
    ["draft-29's version", edit((p) => p.set([0xff, 0x00, 0x00, 0x1d], 1))],
    ["a version negotiation packet", edit((p) => p.set([0, 0, 0, 0], 1))],
    ["v1 with v2's Initial type bits (its 0-RTT)", edit((p) => (p[0] |= 0x10))],
    ["v2 with v1's Initial type bits (its Retry)", edit((p) => p.set([0x6b, 0x33, 0x43, 0xcf], 1))],
    ["a 21-byte DCID", edit((p) => (p[5] = 21))],
    ["a 255-byte SCID", edit((p) => (p[14] = 255))],
    ["a token length past the end", edit((p) => (p[15] = 0x7f))],
    ["a Length past the end", edit((p) => (p[16] = 0x48))],
    ["a Length too short for the sample", edit((p) => p.set([0x40, 0x13], 16))],
  ];
}

for (const [what, datagram] of refusedHeaders()) {
  Deno.test(`isQuicInitial() and readQuicInitialSni() refuse ${what}`, async () => {
    assert.equal(isQuicInitial(datagram), false);
    assert.equal(await readQuicInitialSni(datagram), null);
  });
}

Deno.test("readQuicInitialSni() returns null when authentication fails", async () => {
  for (const at of [3 * 100, 1199, 9, 20]) { // ciphertext, tag, DCID, packet number
    const packet = RFC9001_CLIENT_INITIAL.slice();
    packet[at] ^= 0x01;
    assert.equal(isQuicInitial(packet), true, `byte ${at}`);
    assert.equal(await readQuicInitialSni(packet), null, `byte ${at}`);
  }
});

Deno.test("readQuicInitialSni() returns null for an Initial without a ClientHello", async () => {
  const onlyPing = await sealClientInitial(QUIC_V1, hex("0102030405060708"), [0x01]);
  assert.equal(await readQuicInitialSni(onlyPing), null);
  const unknownFrame = await sealClientInitial(QUIC_V1, hex("0102030405060708"), [
    0x08,
    ...cryptoFrame(0, clientHelloMessage("example.com")),
  ]);
  assert.equal(await readQuicInitialSni(unknownFrame), null, "a STREAM frame ends the read");
});

Deno.test("sniOfCryptoFrames() takes 100,000 mutated decrypted payloads without a throw (the frames the fuzz test's sealed packets never reach)", () => {
  const hello = clientHelloMessage("video.example.net", [[21, new Uint8Array(40)]]);
  const ack = [0x03, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03];
  const seeds = [
    Uint8Array.from([
      ...cryptoFrame(60, hello.subarray(60)),
      0x01,
      ...ack,
      ...cryptoFrame(0, hello.subarray(0, 60)),
    ]),
    Uint8Array.from([...RFC_CLIENT_INITIAL_CRYPTO_FRAME, 0, 0, 0]),
  ];
  assert.deepEqual(seeds.map(sniOfCryptoFrames), ["video.example.net", "example.com"]);
  const seed = Number(Deno.env.get("NETLEDGER_FUZZ_SEED") ?? 15);
  const mutator = new PacketMutator(seededRandom(seed));
  let named = 0;
  for (let run = 0; run < 100_000; run++) {
    const name = sniOfCryptoFrames(mutator.mutate(seeds[run % 2]));
    if (name !== null) named++;
  }
  assert.ok(named > 0, `seed ${seed}`);
});
