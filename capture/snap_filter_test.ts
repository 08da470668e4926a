import assert from "node:assert/strict";
import fc from "fast-check";
import { BPF_OP } from "../ffi/mod.ts";
import { buildFrame, ipPacket } from "../tests/helpers/frames.ts";
import { clientHelloRecord } from "../tests/helpers/sniff_packets.ts";
import {
  type BpfInstruction,
  encodeBpfProgram,
  FULL_FRAME_BYTES,
  type FullFrameClass,
  fullFrameClassesFor,
  snapFilter,
} from "./snap_filter.ts";

const SNAP = 128;

/**
 * A classic BPF interpreter with the kernel's semantics for the opcodes the snap filter uses: a load past the
 * end of the frame ends the program with 0 (drop), an unknown opcode or running off the end is an error.
 */
function runBpf(program: readonly BpfInstruction[], frame: Uint8Array): number {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  let a = 0;
  let x = 0;
  for (let pc = 0; pc < program.length; pc++) {
    const { code, jt, jf, k } = program[pc];
    switch (code) {
      case BPF_OP.LD_W_LEN:
        a = frame.length;
        break;
      case BPF_OP.LD_H_ABS:
        if (k + 2 > frame.length) return 0;
        a = view.getUint16(k);
        break;
      case BPF_OP.LD_B_ABS:
        if (k + 1 > frame.length) return 0;
        a = view.getUint8(k);
        break;
      case BPF_OP.LD_H_IND:
        if (x + k + 2 > frame.length) return 0;
        a = view.getUint16(x + k);
        break;
      case BPF_OP.LD_B_IND:
        if (x + k + 1 > frame.length) return 0;
        a = view.getUint8(x + k);
        break;
      case BPF_OP.LDX_B_MSH:
        if (k + 1 > frame.length) return 0;
        x = (view.getUint8(k) & 0xf) * 4;
        break;
      case BPF_OP.AND_K:
        a = (a & k) >>> 0;
        break;
      case BPF_OP.RSH_K:
        a = a >>> k;
        break;
      case BPF_OP.ADD_X:
        a = (a + x) >>> 0;
        break;
      case BPF_OP.TAX:
        x = a;
        break;
      case BPF_OP.JA:
        pc += k;
        break;
      case BPF_OP.JEQ_K:
        pc += a === k ? jt : jf;
        break;
      case BPF_OP.JGT_K:
        pc += a > k ? jt : jf;
        break;
      case BPF_OP.JSET_K:
        pc += (a & k) !== 0 ? jt : jf;
        break;
      case BPF_OP.RET_K:
        return k;
      default:
        throw new Error(`Unknown BPF opcode 0x${code.toString(16)} at ${pc}`);
    }
  }
  throw new Error("BPF program ran off its end");
}

/** An IPv4 or IPv6 packet with UDP or TCP ports `sport` → `dport` right after the IP header. */
function packet(
  options: {
    src: string;
    dst: string;
    sport: number;
    dport: number;
    payloadBytes: number;
    protocol?: number;
  },
  ipOptions: { ihl?: number; fragmentOffset?: number } = {},
): Uint8Array {
  const bytes = ipPacket({ ...options, ihl: ipOptions.ihl });
  const view = new DataView(bytes.buffer);
  const transportAt = bytes[0] >> 4 === 4 ? (bytes[0] & 0xf) * 4 : 40;
  view.setUint16(transportAt, options.sport);
  view.setUint16(transportAt + 2, options.dport);
  if (ipOptions.fragmentOffset) view.setUint16(6, ipOptions.fragmentOffset);
  return bytes;
}

/**
 * A TCP segment carrying `payload` after a `tcpHeaderBytes`-byte TCP header (its data offset set, options
 * zero) and, for IPv4, an `ihl`-word IP header.
 */
function tcpSegment(
  src: string,
  dst: string,
  payload: Uint8Array,
  { ihl = 5, tcpHeaderBytes = 20 }: { ihl?: number; tcpHeaderBytes?: number } = {},
): Uint8Array {
  const bytes = packet({
    src,
    dst,
    sport: 50000,
    dport: 443,
    payloadBytes: tcpHeaderBytes + payload.length,
    protocol: 6,
  }, { ihl: src.includes(":") ? undefined : ihl });
  const transportAt = src.includes(":") ? 40 : ihl * 4;
  bytes.fill(0, transportAt + 4, transportAt + tcpHeaderBytes);
  bytes[transportAt + 12] = (tcpHeaderBytes / 4) << 4;
  bytes.set(payload, transportAt + tcpHeaderBytes);
  return bytes;
}

/** A DHCPDISCOVER-sized UDP packet: a 300-byte BOOTP message, client port 68 to server port 67. */
const dhcpRequest = (extra: { ihl?: number; fragmentOffset?: number } = {}) =>
  packet({ src: "0.0.0.0", dst: "255.255.255.255", sport: 68, dport: 67, payloadBytes: 308 }, extra);
const dhcpReply = packet({
  src: "192.168.1.1",
  dst: "192.168.1.20",
  sport: 67,
  dport: 68,
  payloadBytes: 308,
});
const bigTcp = packet({
  src: "192.168.1.20",
  dst: "203.0.113.5",
  sport: 50000,
  dport: 443,
  payloadBytes: 1400,
  protocol: 6,
});
const tcpOnPort67 = packet({
  src: "192.168.1.20",
  dst: "203.0.113.5",
  sport: 68,
  dport: 67,
  payloadBytes: 400,
  protocol: 6,
});
const udp443 = packet({
  src: "192.168.1.20",
  dst: "203.0.113.5",
  sport: 40000,
  dport: 443,
  payloadBytes: 600,
});
const udp6OnPort67 = packet({
  src: "2001:db8::1",
  dst: "2001:db8::2",
  sport: 68,
  dport: 67,
  payloadBytes: 400,
});
const dns6Reply = packet({
  src: "2001:db8::53",
  dst: "2001:db8::2",
  sport: 53,
  dport: 40000,
  payloadBytes: 400,
});

/** Rows: name, socket type, frame, true when the whole frame must be kept. */
const CASES: readonly (readonly [string, "raw" | "dgram", Uint8Array, boolean])[] = [
  ["DHCP request in Ethernet", "raw", buildFrame("ethernet", dhcpRequest()).bytes, true],
  ["DHCP reply in Ethernet", "raw", buildFrame("ethernet", dhcpReply).bytes, true],
  ["DHCP request behind one 802.1Q tag", "raw", buildFrame("vlan", dhcpRequest()).bytes, true],
  [
    "DHCP request with IPv4 options (IHL 6)",
    "raw",
    buildFrame("ethernet", dhcpRequest({ ihl: 6 })).bytes,
    true,
  ],
  ["DHCP request as raw IP", "dgram", dhcpRequest(), true],
  ["DHCP reply as raw IP", "dgram", dhcpReply, true],
  [
    "a later IPv4 fragment whose bytes look like ports 68 → 67",
    "raw",
    buildFrame(
      "ethernet",
      dhcpRequest({ fragmentOffset: 100 }),
    ).bytes,
    false,
  ],
  ["big TCP in Ethernet", "raw", buildFrame("ethernet", bigTcp).bytes, false],
  ["big TCP behind one 802.1Q tag", "raw", buildFrame("vlan", bigTcp).bytes, false],
  ["big TCP as raw IP", "dgram", bigTcp, false],
  ["TCP on ports 68 → 67", "raw", buildFrame("ethernet", tcpOnPort67).bytes, false],
  ["UDP to port 443", "raw", buildFrame("ethernet", udp443).bytes, false],
  ["IPv6 UDP on ports 68 → 67 (DHCP is IPv4)", "raw", buildFrame("ethernet", udp6OnPort67).bytes, false],
  [
    "DHCP request behind QinQ (two tags: not followed)",
    "raw",
    buildFrame("qinq", dhcpRequest()).bytes,
    false,
  ],
  ["DHCP request in PPPoE (not followed)", "raw", buildFrame("pppoe", dhcpRequest()).bytes, false],
];

for (const [name, socketType, frame, isWhole] of CASES) {
  Deno.test(`snapFilter() keeps ${isWhole ? "the whole frame" : `${SNAP} bytes`} of ${name}`, () => {
    const kept = runBpf(snapFilter({ socketType, snapBytes: SNAP }), frame);
    assert.equal(kept, isWhole ? FULL_FRAME_BYTES : SNAP);
    assert.ok(frame.length > SNAP, "the case must be longer than the snap to tell anything");
  });
}

Deno.test("snapFilter() returns the snap for frames no longer than it, however short or garbled", () => {
  for (const socketType of ["raw", "dgram"] as const) {
    const program = snapFilter({ socketType, snapBytes: SNAP });
    for (let length = 0; length <= SNAP; length++) {
      assert.equal(
        runBpf(program, new Uint8Array(length).fill(0x45)),
        SNAP,
        `${socketType}, ${length} bytes`,
      );
    }
  }
});

Deno.test("snapFilter() never drops a frame: random bytes after real headers keep the snap or all", () => {
  const seed = Number(Deno.env.get("FUZZ_SEED") ?? Date.now() % 2 ** 31);
  console.log(`FUZZ_SEED=${seed}`);
  const prefixes = [
    buildFrame("ethernet", dhcpRequest()).bytes.subarray(0, 40),
    buildFrame("vlan", dhcpRequest()).bytes.subarray(0, 44),
    dhcpRequest().subarray(0, 26),
    // TCP headers whose data offset the random bytes set: the ClientHello test's indexed loads.
    buildFrame("ethernet", tcpSegment("192.168.1.20", "203.0.113.5", new Uint8Array(0))).bytes.subarray(
      0,
      46,
    ),
    buildFrame("ethernet", tcpSegment("2001:db8::1", "2001:db8::2", new Uint8Array(0))).bytes.subarray(0, 66),
    tcpSegment("192.168.1.20", "203.0.113.5", new Uint8Array(0)).subarray(0, 32),
    new Uint8Array(0),
  ];
  const programs = [false, true].flatMap((names) =>
    (["raw", "dgram"] as const).map((socketType) =>
      snapFilter({ socketType, snapBytes: SNAP, fullFrameClasses: fullFrameClassesFor(names) })
    )
  );
  fc.assert(
    fc.property(
      fc.constantFrom(...prefixes),
      fc.uint8Array({ maxLength: 400 }),
      fc.constantFrom(...programs),
      (prefix, rest, program) => {
        const frame = new Uint8Array([...prefix, ...rest]);
        const kept = runBpf(program, frame);
        return kept === SNAP || kept === FULL_FRAME_BYTES;
      },
    ),
    { seed, numRuns: 2000 },
  );
});

Deno.test("snapFilter() grows from its class table: an IPv6 class by source port", () => {
  const dnsReplies: FullFrameClass = {
    reason: "test: DNS replies",
    families: [4, 6],
    protocol: "udp",
    sourcePorts: [53],
    destinationPorts: [],
  };
  const program = snapFilter({ socketType: "raw", snapBytes: SNAP, fullFrameClasses: [dnsReplies] });
  assert.equal(runBpf(program, buildFrame("ethernet", dns6Reply).bytes), FULL_FRAME_BYTES);
  assert.equal(runBpf(program, buildFrame("vlan", dns6Reply).bytes), FULL_FRAME_BYTES);
  assert.equal(runBpf(program, buildFrame("ethernet", dhcpRequest()).bytes), SNAP);
  assert.equal(
    runBpf(snapFilter({ socketType: "raw", snapBytes: SNAP }), buildFrame("ethernet", dns6Reply).bytes),
    SNAP,
  );
});

Deno.test("snapFilter() refuses a snap shorter than the headers it reads", () => {
  assert.throws(() => snapFilter({ socketType: "raw", snapBytes: 64 }), RangeError);
  assert.ok(snapFilter({ socketType: "dgram", snapBytes: 64 }).length > 0);
});

Deno.test("encodeBpfProgram() lays instructions out as struct sock_filter, little-endian", () => {
  const bytes = encodeBpfProgram([{ code: 0x15, jt: 2, jf: 7, k: 0x0800 }, {
    code: 0x06,
    jt: 0,
    jf: 0,
    k: 128,
  }]);
  assert.deepEqual([...bytes], [0x15, 0, 2, 7, 0, 8, 0, 0, 0x06, 0, 0, 0, 128, 0, 0, 0]);
});

Deno.test("snapFilter() with SERVICE_NAMES on keeps DNS answers and QUIC long headers whole (UDP and TCP, v4 and v6); off keeps them at the snap", () => {
  const answers = [
    packet({ src: "198.51.100.53", dst: "192.168.1.20", sport: 53, dport: 40000, payloadBytes: 400 }),
    packet({
      src: "198.51.100.53",
      dst: "192.168.1.20",
      sport: 53,
      dport: 40000,
      payloadBytes: 400,
      protocol: 6,
    }),
    packet({ src: "2001:db8::53", dst: "2001:db8:1::20", sport: 53, dport: 40000, payloadBytes: 400 }),
  ];
  const query = packet({
    src: "192.168.1.20",
    dst: "198.51.100.53",
    sport: 40000,
    dport: 53,
    payloadBytes: 400,
  });
  for (const socketType of ["raw", "dgram"] as const) {
    const on = snapFilter({ socketType, snapBytes: SNAP, fullFrameClasses: fullFrameClassesFor(true) });
    const off = snapFilter({ socketType, snapBytes: SNAP, fullFrameClasses: fullFrameClassesFor(false) });
    for (const ip of answers) {
      const frame = socketType === "raw" ? buildFrame("ethernet", ip).bytes : ip;
      assert.equal(runBpf(on, frame), FULL_FRAME_BYTES, socketType);
      assert.equal(runBpf(off, frame), SNAP, socketType);
    }
    // QUIC: a long header (first payload byte 0b11......) whole on any port, a short header at the snap.
    for (const [src, dst] of [["192.168.1.20", "203.0.113.5"], ["2001:db8:1::20", "2001:db8:ff::5"]]) {
      for (const [firstByte, whole] of [[0xc3, true], [0x43, false]] as const) {
        const ip = packet({ src, dst, sport: 50000, dport: 8443, payloadBytes: 1200 });
        ip[(src.includes(":") ? 40 : 20) + 8] = firstByte;
        const frame = socketType === "raw" ? buildFrame("ethernet", ip).bytes : ip;
        assert.equal(runBpf(on, frame), whole ? FULL_FRAME_BYTES : SNAP, `${src} ${firstByte}`);
        assert.equal(runBpf(off, frame), SNAP);
      }
    }
    const frame = socketType === "raw" ? buildFrame("ethernet", query).bytes : query;
    assert.equal(runBpf(on, frame), SNAP);
    assert.equal(
      runBpf(on, socketType === "raw" ? buildFrame("ethernet", dhcpReply).bytes : dhcpReply),
      FULL_FRAME_BYTES,
    );
  }
});

Deno.test("snapFilter() with SERVICE_NAMES on keeps TCP segments that start a TLS ClientHello whole, whatever their headers' lengths; other TCP payloads keep the snap", () => {
  const hello = clientHelloRecord("www.example.com");
  const v4 = (payload: Uint8Array, headers?: { ihl?: number; tcpHeaderBytes?: number }) =>
    tcpSegment("192.168.1.20", "203.0.113.5", payload, headers);
  const v6 = (payload: Uint8Array, headers?: { tcpHeaderBytes?: number }) =>
    tcpSegment("2001:db8:1::20", "2001:db8:ff::5", payload, headers);
  const withByte = (at: number, value: number) => {
    const copy = hello.slice();
    copy[at] = value;
    return copy;
  };
  /** Rows: what, IP packet, whole with names on. */
  const cases: readonly (readonly [string, Uint8Array, boolean])[] = [
    ["IPv4, 20-byte TCP header", v4(hello), true],
    ["IPv4, TCP timestamps (32-byte header)", v4(hello, { tcpHeaderBytes: 32 }), true],
    ["IPv4, longest TCP header (60)", v4(hello, { tcpHeaderBytes: 60 }), true],
    ["IPv4 options (IHL 6), 32-byte TCP header", v4(hello, { ihl: 6, tcpHeaderBytes: 32 }), true],
    ["IPv6, 20-byte TCP header", v6(hello), true],
    ["IPv6, longest TCP header (60)", v6(hello, { tcpHeaderBytes: 60 }), true],
    ["IPv4 and TCP headers over 80 bytes (IHL 15, 60)", v4(hello, { ihl: 15, tcpHeaderBytes: 60 }), false],
    ["a ServerHello (handshake type 2)", v4(withByte(5, 2)), false],
    ["application data (record type 23)", v4(withByte(0, 0x17)), false],
    ["major version 2", v6(withByte(1, 2)), false],
    [
      "a ClientHello's bytes 12 bytes into the payload",
      v4(Uint8Array.of(...new Uint8Array(12), ...hello)),
      false,
    ],
    ["zeros", v4(new Uint8Array(hello.length)), false],
  ];
  for (const socketType of ["raw", "dgram"] as const) {
    const on = snapFilter({ socketType, snapBytes: SNAP, fullFrameClasses: fullFrameClassesFor(true) });
    const off = snapFilter({ socketType, snapBytes: SNAP, fullFrameClasses: fullFrameClassesFor(false) });
    for (const [what, ip, whole] of cases) {
      const frames = socketType === "raw"
        ? [buildFrame("ethernet", ip).bytes, buildFrame("vlan", ip).bytes]
        : [ip];
      for (const frame of frames) {
        assert.ok(frame.length > SNAP, what);
        assert.equal(runBpf(on, frame), whole ? FULL_FRAME_BYTES : SNAP, `${socketType}: ${what}`);
        assert.equal(runBpf(off, frame), SNAP, `${socketType}: ${what}, names off`);
      }
    }
  }
});
