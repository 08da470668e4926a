/**
 * Packets with names in them, for sniff/'s unit tests and tests/sniff_fuzz_test.ts: the published QUIC client
 * Initials of RFC 9001 Appendix A.2 and RFC 9369 Appendix A.2, and builders for DNS responses and TLS
 * ClientHellos. Public addresses only from the documentation ranges.
 *
 *     const answer = dnsResponse("www.example.com", [cname("www.example.com", "edge.example.net"),
 *       a("edge.example.net", "192.0.2.7", 300)]);
 */

/** The bytes of a hex string; white space is ignored. */
export function hex(text: string): Uint8Array {
  const digits = text.replace(/\s+/g, "");
  return Uint8Array.from(digits.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

/** The Destination Connection ID of both RFCs' sample packets. */
export const RFC_SAMPLE_DCID = hex("8394c8f03e515708");

/**
 * RFC 9001 Appendix A.2 (and RFC 9369 Appendix A.2): the unprotected CRYPTO frame of the sample client Initial,
 * a real client's ClientHello at offset 0 (its SNI is example.com); PADDING fills the rest of the payload.
 */
export const RFC_CLIENT_INITIAL_CRYPTO_FRAME = hex(`
  060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e86804fe3a47f06a2b69484c000004130113
  02010000c000000010000e00000b6578616d706c652e636f6dff01000100000a00080006001d00170018001000070005
  04616c706e000500050100000000003300260024001d00209370b2c9caa47fbabaf4559fedba753de171fa71f50f1ce1
  5d43e994ec74d748002b0003020304000d0010000e0403050306030203080408050806002d00020101001c0002400100
  3900320408ffffffffffffffff05048000ffff07048000ffff0801100104800075300901100f088394c8f03e51570806
  048000ffff
`);

/** RFC 9001 Appendix A.2: the protected client Initial (QUIC v1), one 1200-byte datagram; its SNI is example.com. */
export const RFC9001_CLIENT_INITIAL = hex([
  "c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11d242b123dc9bd8bab936b47d92ec356c",
  "0bab7df5976d27cd449f63300099f3991c260ec4c60d17b31f8429157bb35a1282a643a8d2262cad67500cadb8e7378c",
  "8eb7539ec4d4905fed1bee1fc8aafba17c750e2c7ace01e6005f80fcb7df621230c83711b39343fa028cea7f7fb5ff89",
  "eac2308249a02252155e2347b63d58c5457afd84d05dfffdb20392844ae812154682e9cf012f9021a6f0be17ddd0c208",
  "4dce25ff9b06cde535d0f920a2db1bf362c23e596d11a4f5a6cf3948838a3aec4e15daf8500a6ef69ec4e3feb6b1d98e",
  "610ac8b7ec3faf6ad760b7bad1db4ba3485e8a94dc250ae3fdb41ed15fb6a8e5eba0fc3dd60bc8e30c5c4287e53805db",
  "059ae0648db2f64264ed5e39be2e20d82df566da8dd5998ccabdae053060ae6c7b4378e846d29f37ed7b4ea9ec5d82e7",
  "961b7f25a9323851f681d582363aa5f89937f5a67258bf63ad6f1a0b1d96dbd4faddfcefc5266ba6611722395c906556",
  "be52afe3f565636ad1b17d508b73d8743eeb524be22b3dcbc2c7468d54119c7468449a13d8e3b95811a198f3491de3e7",
  "fe942b330407abf82a4ed7c1b311663ac69890f4157015853d91e923037c227a33cdd5ec281ca3f79c44546b9d90ca00",
  "f064c99e3dd97911d39fe9c5d0b23a229a234cb36186c4819e8b9c5927726632291d6a418211cc2962e20fe47feb3edf",
  "330f2c603a9d48c0fcb5699dbfe5896425c5bac4aee82e57a85aaf4e2513e4f05796b07ba2ee47d80506f8d2c25e50fd",
  "14de71e6c418559302f939b0e1abd576f279c4b2e0feb85c1f28ff18f58891ffef132eef2fa09346aee33c28eb130ff2",
  "8f5b766953334113211996d20011a198e3fc433f9f2541010ae17c1bf202580f6047472fb36857fe843b19f5984009dd",
  "c324044e847a4f4a0ab34f719595de37252d6235365e9b84392b061085349d73203a4a13e96f5432ec0fd4a1ee65accd",
  "d5e3904df54c1da510b0ff20dcc0c77fcb2c0e0eb605cb0504db87632cf3d8b4dae6e705769d1de354270123cb11450e",
  "fc60ac47683d7b8d0f811365565fd98c4c8eb936bcab8d069fc33bd801b03adea2e1fbc5aa463d08ca19896d2bf59a07",
  "1b851e6c239052172f296bfb5e72404790a2181014f3b94a4e97d117b438130368cc39dbb2d198065ae3986547926cd2",
  "162f40a29f0c3c8745c0f50fba3852e566d44575c29d39a03f0cda721984b6f440591f355e12d439ff150aab7613499d",
  "bd49adabc8676eef023b15b65bfc5ca06948109f23f350db82123535eb8a7433bdabcb909271a6ecbcb58b936a88cd4e",
  "8f2e6ff5800175f113253d8fa9ca8885c2f552e657dc603f252e1a8e308f76f0be79e2fb8f5d5fbbe2e30ecadd220723",
  "c8c0aea8078cdfcb3868263ff8f0940054da48781893a7e49ad5aff4af300cd804a6b6279ab3ff3afb64491c85194aab",
  "760d58a606654f9f4400e8b38591356fbf6425aca26dc85244259ff2b19c41b9f96f3ca9ec1dde434da7d2d392b905dd",
  "f3d1f9af93d1af5950bd493f5aa731b4056df31bd267b6b90a079831aaf579be0a39013137aac6d404f518cfd4684064",
  "7e78bfe706ca4cf5e9c5453e9f7cfd2b8b4c8d169a44e55c88d4a9a7f9474241e221af44860018ab0856972e194cd934",
].join(""));

/** RFC 9369 Appendix A.2: the same ClientHello in a QUIC v2 client Initial, one 1200-byte datagram. */
export const RFC9369_CLIENT_INITIAL = hex([
  "d76b3343cf088394c8f03e5157080000449ea0c95e82ffe67b6abcdb4298b485dd04de806071bf03dceebfa162e75d6c",
  "96058bdbfb127cdfcbf903388e99ad049f9a3dd4425ae4d0992cfff18ecf0fdb5a842d09747052f17ac2053d21f57c5d",
  "250f2c4f0e0202b70785b7946e992e58a59ac52dea6774d4f03b55545243cf1a12834e3f249a78d395e0d18f4d766004",
  "f1a2674802a747eaa901c3f10cda5500cb9122faa9f1df66c392079a1b40f0de1c6054196a11cbea40afb6ef5253cd68",
  "18f6625efce3b6def6ba7e4b37a40f7732e093daa7d52190935b8da58976ff3312ae50b187c1433c0f028edcc4c2838b",
  "6a9bfc226ca4b4530e7a4ccee1bfa2a3d396ae5a3fb512384b2fdd851f784a65e03f2c4fbe11a53c7777c023462239dd",
  "6f7521a3f6c7d5dd3ec9b3f233773d4b46d23cc375eb198c63301c21801f6520bcfb7966fc49b393f0061d974a2706df",
  "8c4a9449f11d7f3d2dcbb90c6b877045636e7c0c0fe4eb0f697545460c806910d2c355f1d253bc9d2452aaa549e27a1f",
  "ac7cf4ed77f322e8fa894b6a83810a34b361901751a6f5eb65a0326e07de7c1216ccce2d0193f958bb3850a833f7ae43",
  "2b65bc5a53975c155aa4bcb4f7b2c4e54df16efaf6ddea94e2c50b4cd1dfe06017e0e9d02900cffe1935e0491d77ffb4",
  "fdf85290fdd893d577b1131a610ef6a5c32b2ee0293617a37cbb08b847741c3b8017c25ca9052ca1079d8b78aebd4787",
  "6d330a30f6a8c6d61dd1ab5589329de714d19d61370f8149748c72f132f0fc99f34d766c6938597040d8f9e2bb522ff9",
  "9c63a344d6a2ae8aa8e51b7b90a4a806105fcbca31506c446151adfeceb51b91abfe43960977c87471cf9ad4074d30e1",
  "0d6a7f03c63bd5d4317f68ff325ba3bd80bf4dc8b52a0ba031758022eb025cdd770b44d6d6cf0670f4e990b22347a7db",
  "848265e3e5eb72dfe8299ad7481a408322cac55786e52f633b2fb6b614eaed18d703dd84045a274ae8bfa73379661388",
  "d6991fe39b0d93debb41700b41f90a15c4d526250235ddcd6776fc77bc97e7a417ebcb31600d01e57f32162a8560cacc",
  "7e27a096d37a1a86952ec71bd89a3e9a30a2a26162984d7740f81193e8238e61f6b5b984d4d3dfa033c1bb7e4f0037fe",
  "bf406d91c0dccf32acf423cfa1e7071010d3f270121b493ce85054ef58bada42310138fe081adb04e2bd901f2f13458b",
  "3d6758158197107c14ebb193230cd1157380aa79cae1374a7c1e5bbcb80ee23e06ebfde206bfb0fcbc0edc4ebec30966",
  "1bdd908d532eb0c6adc38b7ca7331dce8dfce39ab71e7c32d318d136b6100671a1ae6a6600e3899f31f0eed19e3417d1",
  "34b90c9058f8632c798d4490da4987307cba922d61c39805d072b589bd52fdf1e86215c2d54e6670e07383a27bbffb5a",
  "ddf47d66aa85a0c6f9f32e59d85a44dd5d3b22dc2be80919b490437ae4f36a0ae55edf1d0b5cb4e9a3ecabee93dfc6e3",
  "8d209d0fa6536d27a5d6fbb17641cde27525d61093f1b28072d111b2b4ae5f89d5974ee12e5cf7d5da4d6a31123041f3",
  "3e61407e76cffcdcfd7e19ba58cf4b536f4c4938ae79324dc402894b44faf8afbab35282ab659d13c93f70412e85cb19",
  "9a37ddec600545473cfb5a05e08d0b209973b2172b4d21fb69745a262ccde96ba18b2faa745b6fe189cf772a9f84cbfc",
].join(""));

/** Record types of the builders (RFC 1035 §3.2.2, RFC 3596, RFC 9460). */
export const DnsType = { A: 1, CNAME: 5, AAAA: 28, SVCB: 64, HTTPS: 65 } as const;

/** One resource record: owner name, type, TTL and RDATA as bytes (names in RDATA uncompressed). */
export interface DnsRecord {
  readonly name: string;
  readonly type: number;
  readonly ttlSec: number;
  readonly data: Uint8Array;
}

/** A name in wire form without compression (RFC 1035 §3.1); "" is the root. */
export function dnsName(name: string): Uint8Array {
  const out: number[] = [];
  for (const label of name === "" ? [] : name.split(".")) {
    const bytes = new TextEncoder().encode(label);
    out.push(bytes.length, ...bytes);
  }
  out.push(0);
  return Uint8Array.from(out);
}

/** An A record for a dotted IPv4 address. */
export function a(name: string, address: string, ttlSec = 300): DnsRecord {
  return { name, type: DnsType.A, ttlSec, data: Uint8Array.from(address.split("."), Number) };
}

/** An AAAA record for a fully written IPv6 address (eight groups). */
export function aaaa(name: string, address: string, ttlSec = 300): DnsRecord {
  return { name, type: DnsType.AAAA, ttlSec, data: ipv6Bytes(address) };
}

/** A CNAME record. */
export function cname(name: string, target: string, ttlSec = 300): DnsRecord {
  return { name, type: DnsType.CNAME, ttlSec, data: dnsName(target) };
}

/**
 * An HTTPS record in ServiceMode (RFC 9460 §2.2): priority 1, TargetName "." (the owner), alpn "h2", then the
 * given IPv4 and IPv6 hints.
 */
export function https(
  name: string,
  ipv4: readonly string[],
  ipv6: readonly string[],
  ttlSec = 300,
): DnsRecord {
  const params = [
    ...svcParam(1, Uint8Array.of(2, 0x68, 0x32)), // alpn=h2
    ...(ipv4.length > 0 ? svcParam(4, Uint8Array.from(ipv4.flatMap((v4) => v4.split(".").map(Number)))) : []),
    ...(ipv6.length > 0 ? svcParam(6, Uint8Array.from(ipv6.flatMap((v6) => [...ipv6Bytes(v6)]))) : []),
  ];
  return { name, type: DnsType.HTTPS, ttlSec, data: Uint8Array.of(0, 1, 0, ...params) };
}

function svcParam(key: number, value: Uint8Array): number[] {
  return [key >> 8, key & 0xff, value.length >> 8, value.length & 0xff, ...value];
}

function ipv6Bytes(address: string): Uint8Array {
  return Uint8Array.from(
    address.split(":").flatMap((group) => {
      const value = parseInt(group, 16);
      return [value >> 8, value & 0xff];
    }),
  );
}

/** Header fields of dnsResponse(); the defaults make a NOERROR response to a recursive query. */
export interface DnsResponseOptions {
  /** Flags, RFC 1035 §4.1.1; default 0x8180 (QR, RD, RA, NOERROR). */
  readonly flags?: number;
  /** The ANCOUNT written, when it should lie; default the number of answers. */
  readonly answerCount?: number;
  /** The question type; default A. */
  readonly questionType?: number;
  /**
   * Write the owner of each record named as the question as a pointer to it (0xc00c), as resolvers do;
   * default false: every name written out.
   */
  readonly isCompressed?: boolean;
}

/** A DNS response message (the UDP payload) with one question and `answers`, compressed only if asked. */
export function dnsResponse(
  question: string,
  answers: readonly DnsRecord[],
  options: DnsResponseOptions = {},
) {
  const flags = options.flags ?? 0x8180;
  const count = options.answerCount ?? answers.length;
  const qtype = options.questionType ?? DnsType.A;
  const out = [0x12, 0x34, flags >> 8, flags & 0xff, 0, 1, count >> 8, count & 0xff, 0, 0, 0, 0];
  out.push(...dnsName(question), qtype >> 8, qtype & 0xff, 0, 1);
  for (const record of answers) {
    const ttl = record.ttlSec;
    const owner = options.isCompressed && record.name === question ? [0xc0, 0x0c] : dnsName(record.name);
    out.push(...owner, record.type >> 8, record.type & 0xff, 0, 1);
    out.push(ttl >>> 24, (ttl >>> 16) & 0xff, (ttl >>> 8) & 0xff, ttl & 0xff);
    out.push(record.data.length >> 8, record.data.length & 0xff, ...record.data);
  }
  return Uint8Array.from(out);
}

/**
 * A resolver's answer as it comes off the wire, compressed: www.example.com is a CNAME of
 * www.example.com.edgekey.net, itself a CNAME of e1234.a.akamaiedge.net (whose "net" points into the first
 * CNAME's RDATA), which has two A records.
 */
export const COMPRESSED_CNAME_ANSWER = hex(`
  1234 8180 0001 0004 0000 0000
  03777777 076578616d706c65 03636f6d 00 0001 0001
  c00c 0005 0001 00000e10 001d
    03777777 076578616d706c65 03636f6d 0765646765 6b6579 036e6574 00
  c02d 0005 0001 0000012c 0015
    056531323334 0161 0a616b616d616965646765 c045
  c056 0001 0001 00000014 0004 c000020a
  c056 0001 0001 00000014 0004 c000020b
`);

/** `message` as DNS over TCP sends it: a 2-byte length prefix first (RFC 1035 §4.2.2, RFC 7766). */
export function withTcpLength(message: Uint8Array): Uint8Array {
  return Uint8Array.of(message.length >> 8, message.length & 0xff, ...message);
}

/**
 * A TLS 1.3-style ClientHello handshake message (RFC 8446 §4.1.2), without its record header: a 32-byte
 * session id, three cipher suites, then `extensionsBefore` (type, data) pairs, server_name with `sni` (when not
 * null), and supported_versions.
 */
export function clientHelloMessage(
  sni: string | null,
  extensionsBefore: readonly (readonly [number, Uint8Array])[] = [],
): Uint8Array {
  const extensions: number[] = [];
  const add = (type: number, data: Uint8Array) =>
    extensions.push(type >> 8, type & 0xff, data.length >> 8, data.length & 0xff, ...data);
  for (const [type, data] of extensionsBefore) add(type, data);
  if (sni !== null) {
    const name = new TextEncoder().encode(sni);
    const entry = [0, name.length >> 8, name.length & 0xff, ...name];
    add(0, Uint8Array.of(entry.length >> 8, entry.length & 0xff, ...entry));
  }
  add(43, Uint8Array.of(2, 3, 4)); // supported_versions: TLS 1.3
  const legacyVersion = [3, 3];
  const random = new Uint8Array(32).fill(0xab);
  const sessionId = [32, ...new Uint8Array(32).fill(0xcd)];
  const cipherSuites = [0, 6, 0x13, 0x01, 0x13, 0x02, 0x13, 0x03];
  const compressionMethods = [1, 0];
  const body = [
    ...legacyVersion,
    ...random,
    ...sessionId,
    ...cipherSuites,
    ...compressionMethods,
    extensions.length >> 8,
    extensions.length & 0xff,
    ...extensions,
  ];
  return Uint8Array.of(1, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff, ...body);
}

/** clientHelloMessage() in one TLS handshake record, as the first TCP payload of a connection carries it. */
export function clientHelloRecord(
  sni: string | null,
  extensionsBefore: readonly (readonly [number, Uint8Array])[] = [],
): Uint8Array {
  const message = clientHelloMessage(sni, extensionsBefore);
  return Uint8Array.of(0x16, 3, 1, message.length >> 8, message.length & 0xff, ...message);
}

/** Byte values at the edges of length and pointer encodings. */
const BOUNDARY_BYTES = [0x00, 0x01, 0x3f, 0x40, 0x7f, 0x80, 0xbf, 0xc0, 0xff];

/**
 * Mutated copies of packets for fuzz tests, in one scratch buffer (each result is valid until the next call):
 * one to four edits, each a flipped bit, a byte set to a boundary value, a cut, up to 64 random bytes appended,
 * or a slice copied over another place (which plants lengths and pointers where they lie).
 */
export class PacketMutator {
  readonly #scratch = new Uint8Array(4096);
  readonly #random: () => number;

  constructor(random: () => number) {
    this.#random = random;
  }

  /** A random integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.#random() * n);
  }

  /** A mutant of `seed` (at most 4,032 bytes); edits land at or after `from` seven times out of eight. */
  mutate(seed: Uint8Array, from = 0): Uint8Array {
    const out = this.#scratch;
    out.set(seed);
    let length = seed.length;
    const edits = 1 + this.int(4);
    for (let e = 0; e < edits && length > 0; e++) {
      const at = from < length && this.int(8) > 0 ? from + this.int(length - from) : this.int(length);
      switch (this.int(5)) {
        case 0:
          out[at] ^= 1 << this.int(8);
          break;
        case 1:
          out[at] = this.int(4) === 0 ? this.int(256) : BOUNDARY_BYTES[this.int(BOUNDARY_BYTES.length)];
          break;
        case 2:
          length = at;
          break;
        case 3: {
          const extra = Math.min(1 + this.int(64), out.length - length);
          for (let i = 0; i < extra; i++) out[length + i] = this.int(256);
          length += extra;
          break;
        }
        default: {
          const size = 1 + this.int(Math.min(8, length - at));
          out.copyWithin(this.int(length - size + 1), at, at + size);
        }
      }
    }
    return out.subarray(0, length);
  }
}
