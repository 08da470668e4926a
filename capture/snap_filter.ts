/**
 * The classic BPF program the capture socket runs on every frame (filter.txt, linux/filter.h): it returns how
 * many bytes of the frame the kernel copies into the ring. Most frames keep the snap (128 bytes: every header
 * the parser reads). Frames of a FULL_FRAME_CLASSES entry come whole, because what netledger reads from them
 * lies past the snap: a DHCP request's hostname options start after byte 282 of the BOOTP message (issue 14
 * item 4, RFC 2131 §3, RFC 2132 §3.14, RFC 4702).
 *
 * The program starts with one length test: a frame no longer than the snap is copied whole anyway, so it
 * returns the snap at once, and every later load reads inside a frame longer than the snap. That matters
 * because a classic BPF load past the end of a frame ends the program with 0, which drops the frame: a short
 * or malformed frame would then go uncounted. snapFilter() refuses a snap too short for its deepest load.
 *
 * Where offset 0 is: a SOCK_RAW socket on an Ethernet link sees the Ethernet header (one in-frame 802.1Q tag
 * is followed; the kernel has usually moved the tag into the skb already); a SOCK_DGRAM socket (ppp, tun,
 * WireGuard, IP tunnels: capture/link_info.ts) sees the IP header. IPv6 packets match only when the
 * transport header follows the fixed header directly (no extension headers), and IPv4 fragments after the
 * first never match: they carry no ports.
 *
 * To hand over a new kind of packet whole, add a FullFrameClass; the builder below (a few instructions and
 * forward labels) grows the program from the table.
 */
import { BPF_OP, SOCK_FILTER } from "../ffi/mod.ts";

/** A kind of IP packet that the capture needs whole (not cut to the snap). */
export interface FullFrameClass {
  /** What reads the packet, and why it needs more than the snap (for the reader of the table). */
  readonly reason: string;
  readonly families: readonly (4 | 6)[];
  readonly protocol: "udp" | "tcp";
  /** The packet matches when its source port is one of these, or its destination port one of those. */
  readonly sourcePorts: readonly number[];
  readonly destinationPorts: readonly number[];
  /**
   * Also match, on any port, a UDP payload whose first byte has its two top bits set: a QUIC long header
   * (RFC 9000 §17.2), whose Initial holds the ClientHello.
   */
  readonly quicLongHeaders?: boolean;
  /**
   * Also match, on any port, a TCP payload that starts with a TLS handshake record holding a ClientHello
   * (RFC 8446 §5.1 and §4: content type 22, major version 3, handshake type 1 after the 5-byte record header).
   */
  readonly tlsClientHellos?: boolean;
}

/** The packet classes the capture receives whole. */
export const FULL_FRAME_CLASSES: readonly FullFrameClass[] = [
  {
    reason: "DHCPv4 host name (option 12) and client FQDN (option 81) past byte 282: capture/dhcp_names.ts",
    families: [4],
    protocol: "udp",
    // Client to server 68 → 67, server to client 67 → 68, relay to server 67 → 67.
    sourcePorts: [67, 68],
    destinationPorts: [67, 68],
  },
];

/**
 * With SERVICE_NAMES on (issue 15 item 2), also DNS responses over UDP and TCP (an answer's names and
 * addresses lie past the snap), UDP packets with a QUIC long header (an Initial's ClientHello is encrypted
 * across the whole datagram) and TCP segments that start a TLS ClientHello (its server_name extension follows
 * the session id, the cipher suites and often other extensions, well past the snap):
 * capture/service_counter.ts.
 */
export const SERVICE_NAME_CLASSES: readonly FullFrameClass[] = [
  {
    reason: "DNS answers (A, AAAA, CNAME, HTTPS hints) past the snap: capture/service_counter.ts",
    families: [4, 6],
    protocol: "udp",
    sourcePorts: [53],
    destinationPorts: [],
  },
  {
    reason: "QUIC Initials (their ClientHello's SNI, RFC 9001 §5): capture/service_counter.ts",
    families: [4, 6],
    protocol: "udp",
    sourcePorts: [],
    destinationPorts: [],
    quicLongHeaders: true,
  },
  {
    reason: "DNS answers over TCP (RFC 7766): capture/service_counter.ts",
    families: [4, 6],
    protocol: "tcp",
    sourcePorts: [53],
    destinationPorts: [],
  },
  {
    reason: "TLS ClientHellos (their SNI, RFC 6066 §3): capture/service_counter.ts",
    families: [4, 6],
    protocol: "tcp",
    sourcePorts: [],
    destinationPorts: [],
    tlsClientHellos: true,
  },
];

/** The classes a capture receives whole: SERVICE_NAMES=off keeps everything but DHCP at the snap. */
export function fullFrameClassesFor(serviceNames: boolean): readonly FullFrameClass[] {
  return serviceNames ? [...FULL_FRAME_CLASSES, ...SERVICE_NAME_CLASSES] : FULL_FRAME_CLASSES;
}

/** The return value that keeps a frame whole: tcpdump's default snap, above any frame the ring can hold. */
export const FULL_FRAME_BYTES = 262_144;

/** One classic BPF instruction, as linux/filter.h struct sock_filter holds it. */
export interface BpfInstruction {
  readonly code: number;
  /** Instructions skipped when the condition holds (0: the next one). */
  readonly jt: number;
  readonly jf: number;
  readonly k: number;
}

/** Longest IPv4 header, the most an LDX_B_MSH can put in X. */
const MAX_IPV4_HEADER_BYTES = 60;
/** Longest TCP header: its data offset is 4 bits of 32-bit words. */
const MAX_TCP_HEADER_BYTES = 60;
/**
 * Longest IPv4 and TCP headers together that the ClientHello test follows: a header without options and the
 * longest TCP header, or options on both that add up to no more. Longer ones keep the snap, so that every
 * payload load lies inside it (IPv4 options are all but unseen on the internet).
 */
const MAX_IPV4_TCP_HEADER_BYTES = 80;
const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;
const IP_PROTOCOL = { udp: 17, tcp: 6 } as const;

/** A jump target: a label, or NEXT for the instruction that follows. */
type Target = string;
const NEXT: Target = "";

interface PendingInstruction {
  readonly code: number;
  readonly k: number;
  readonly onTrue: Target;
  readonly onFalse: Target;
}

/** Collects instructions with symbolic forward jumps; build() resolves them. */
class ProgramBuilder {
  readonly #items: PendingInstruction[] = [];
  readonly #labels = new Map<string, number>();
  /** One past the deepest byte any load reads. */
  deepestLoadEnd = 0;

  /** A load; `maxIndex` is the most X can hold when it runs (an indexed load reads at X + k). */
  load(code: number, k: number, maxIndex = MAX_IPV4_HEADER_BYTES): void {
    const size = code === BPF_OP.LD_H_ABS || code === BPF_OP.LD_H_IND ? 2 : 1;
    const indexBytes = code === BPF_OP.LD_H_IND || code === BPF_OP.LD_B_IND ? maxIndex : 0;
    if (code !== BPF_OP.LD_W_LEN) this.deepestLoadEnd = Math.max(this.deepestLoadEnd, indexBytes + k + size);
    this.#items.push({ code, k, onTrue: NEXT, onFalse: NEXT });
  }

  /** An ALU or register-transfer instruction (AND_K, RSH_K, ADD_X, TAX). */
  alu(code: number, k = 0): void {
    this.#items.push({ code, k, onTrue: NEXT, onFalse: NEXT });
  }

  jumpIf(code: number, k: number, onTrue: Target, onFalse: Target = NEXT): void {
    this.#items.push({ code, k, onTrue, onFalse });
  }

  jump(to: Target): void {
    this.#items.push({ code: BPF_OP.JA, k: 0, onTrue: to, onFalse: NEXT });
  }

  ret(bytes: number): void {
    this.#items.push({ code: BPF_OP.RET_K, k: bytes, onTrue: NEXT, onFalse: NEXT });
  }

  label(name: string): void {
    if (this.#labels.has(name)) throw new RangeError(`Cannot label BPF instruction: "${name}" is taken`);
    this.#labels.set(name, this.#items.length);
  }

  build(): BpfInstruction[] {
    return this.#items.map((item, at) => {
      const skip = (target: Target, max: number) => {
        if (target === NEXT) return 0;
        const to = this.#labels.get(target);
        if (to === undefined || to <= at || to - at - 1 > max) {
          throw new RangeError(
            `Cannot build BPF program: jump from ${at} to "${target}" is not forward in range`,
          );
        }
        return to - at - 1;
      };
      if (item.code === BPF_OP.JA) {
        return { code: item.code, jt: 0, jf: 0, k: skip(item.onTrue, 0xffff_ffff) };
      }
      return { code: item.code, jt: skip(item.onTrue, 255), jf: skip(item.onFalse, 255), k: item.k };
    });
  }
}

/** How to build a snap filter. */
export interface SnapFilterOptions {
  /** "raw": frames start at the Ethernet header; "dgram": at the IP header (capture/link_info.ts). */
  readonly socketType: "raw" | "dgram";
  /** Bytes kept of every other frame. */
  readonly snapBytes: number;
  /** Default FULL_FRAME_CLASSES. */
  readonly fullFrameClasses?: readonly FullFrameClass[];
}

const SNAP = "snap";
const FULL = "full";

/**
 * The filter program for one capture socket. Throws RangeError when snapBytes is shorter than the deepest
 * header the program reads (so a load could end past a frame and drop it) or a jump does not fit.
 */
export function snapFilter(options: SnapFilterOptions): BpfInstruction[] {
  const classes = options.fullFrameClasses ?? FULL_FRAME_CLASSES;
  const b = new ProgramBuilder();
  b.load(BPF_OP.LD_W_LEN, 0);
  b.jumpIf(BPF_OP.JGT_K, options.snapBytes, NEXT, SNAP);
  const ipStarts = options.socketType === "raw" ? [14, 18] : [0];
  if (options.socketType === "raw") {
    b.load(BPF_OP.LD_H_ABS, 12);
    b.jumpIf(BPF_OP.JEQ_K, ETHERTYPE_IPV4, "ipv4@14");
    b.jumpIf(BPF_OP.JEQ_K, ETHERTYPE_IPV6, "ipv6@14");
    b.jumpIf(BPF_OP.JEQ_K, ETHERTYPE_VLAN, NEXT, SNAP);
    b.load(BPF_OP.LD_H_ABS, 16);
    b.jumpIf(BPF_OP.JEQ_K, ETHERTYPE_IPV4, "ipv4@18");
    b.jumpIf(BPF_OP.JEQ_K, ETHERTYPE_IPV6, "ipv6@18", SNAP);
  } else {
    b.load(BPF_OP.LD_B_ABS, 0);
    b.alu(BPF_OP.AND_K, 0xf0);
    b.jumpIf(BPF_OP.JEQ_K, 0x40, "ipv4@0");
    b.jumpIf(BPF_OP.JEQ_K, 0x60, "ipv6@0", SNAP);
  }
  for (const ipStart of ipStarts) {
    addIpv4(b, ipStart, classes.filter((c) => c.families.includes(4)));
    addIpv6(b, ipStart, classes.filter((c) => c.families.includes(6)));
  }
  b.label(SNAP);
  b.ret(options.snapBytes);
  b.label(FULL);
  b.ret(FULL_FRAME_BYTES);
  if (b.deepestLoadEnd > options.snapBytes) {
    throw new RangeError(
      `Cannot build the snap filter: a ${options.snapBytes}-byte snap is shorter than the ${b.deepestLoadEnd} bytes it reads`,
    );
  }
  return b.build();
}

/** IPv4 at `at`: no later fragment, the protocol, then the ports after the header (its length from IHL). */
function addIpv4(b: ProgramBuilder, at: number, classes: readonly FullFrameClass[]): void {
  b.label(`ipv4@${at}`);
  b.load(BPF_OP.LD_H_ABS, at + 6);
  b.jumpIf(BPF_OP.JSET_K, 0x1fff, SNAP); // fragment offset ≠ 0: no transport header here
  b.load(BPF_OP.LD_B_ABS, at + 9);
  const protocols = protocolsOf(classes);
  for (const protocol of protocols) b.jumpIf(BPF_OP.JEQ_K, IP_PROTOCOL[protocol], `ipv4@${at}/${protocol}`);
  b.jump(SNAP);
  for (const protocol of protocols) {
    b.label(`ipv4@${at}/${protocol}`);
    b.load(BPF_OP.LDX_B_MSH, at);
    addTransport(b, 4, at, classes.filter((c) => c.protocol === protocol));
  }
}

/** IPv6 at `at`: the next header is the transport (no extension headers), ports right after 40 bytes. */
function addIpv6(b: ProgramBuilder, at: number, classes: readonly FullFrameClass[]): void {
  b.label(`ipv6@${at}`);
  b.load(BPF_OP.LD_B_ABS, at + 6);
  const protocols = protocolsOf(classes);
  for (const protocol of protocols) b.jumpIf(BPF_OP.JEQ_K, IP_PROTOCOL[protocol], `ipv6@${at}/${protocol}`);
  b.jump(SNAP);
  for (const protocol of protocols) {
    b.label(`ipv6@${at}/${protocol}`);
    addTransport(b, 6, at, classes.filter((c) => c.protocol === protocol));
  }
}

/**
 * The transport header of an IP packet at `ipAt` (for IPv4, X holds its header's length): source port, then
 * destination port, then the payload tests; FULL on a match.
 */
function addTransport(
  b: ProgramBuilder,
  family: 4 | 6,
  ipAt: number,
  classes: readonly FullFrameClass[],
): void {
  const [loadH, loadB, transportAt] = family === 4
    ? [BPF_OP.LD_H_IND, BPF_OP.LD_B_IND, ipAt]
    : [BPF_OP.LD_H_ABS, BPF_OP.LD_B_ABS, ipAt + 40];
  const sources = new Set(classes.flatMap((c) => c.sourcePorts));
  const destinations = new Set(classes.flatMap((c) => c.destinationPorts));
  if (sources.size > 0) {
    b.load(loadH, transportAt);
    for (const port of sources) b.jumpIf(BPF_OP.JEQ_K, port, FULL);
  }
  if (destinations.size > 0) {
    b.load(loadH, transportAt + 2);
    for (const port of destinations) b.jumpIf(BPF_OP.JEQ_K, port, FULL);
  }
  if (classes.some((c) => c.quicLongHeaders === true)) {
    // The UDP payload's first byte, 8 bytes into the transport header.
    b.load(loadB, transportAt + 8);
    b.alu(BPF_OP.AND_K, 0xc0);
    b.jumpIf(BPF_OP.JEQ_K, 0xc0, FULL);
  }
  if (classes.some((c) => c.tlsClientHellos === true)) addTlsClientHello(b, family, ipAt);
  b.jump(SNAP);
}

/**
 * FULL when the TCP payload starts a TLS handshake record holding a ClientHello. The payload's offset is the
 * IP header's length (IPv4: X; IPv6: 40) plus the TCP header's (its data offset × 4), moved into X for the
 * indexed loads; headers longer than the test follows keep the snap.
 */
function addTlsClientHello(b: ProgramBuilder, family: 4 | 6, ipAt: number): void {
  const maxHeaders = family === 4 ? MAX_IPV4_TCP_HEADER_BYTES : MAX_TCP_HEADER_BYTES;
  const payloadAt = family === 4 ? ipAt : ipAt + 40;
  if (family === 4) b.load(BPF_OP.LD_B_IND, ipAt + 12);
  else b.load(BPF_OP.LD_B_ABS, ipAt + 40 + 12);
  b.alu(BPF_OP.AND_K, 0xf0);
  b.alu(BPF_OP.RSH_K, 2); // the data offset (high nibble) × 4
  if (family === 4) {
    b.alu(BPF_OP.ADD_X);
    b.jumpIf(BPF_OP.JGT_K, maxHeaders, SNAP);
  }
  b.alu(BPF_OP.TAX);
  b.load(BPF_OP.LD_B_IND, payloadAt, maxHeaders);
  b.jumpIf(BPF_OP.JEQ_K, 0x16, NEXT, SNAP); // handshake
  b.load(BPF_OP.LD_B_IND, payloadAt + 1, maxHeaders);
  b.jumpIf(BPF_OP.JEQ_K, 3, NEXT, SNAP); // major version 3 (TLS 1.0 to 1.3)
  b.load(BPF_OP.LD_B_IND, payloadAt + 5, maxHeaders);
  b.jumpIf(BPF_OP.JEQ_K, 1, FULL, SNAP); // after the 5-byte record header: a ClientHello
}

function protocolsOf(classes: readonly FullFrameClass[]): ("udp" | "tcp")[] {
  return [...new Set(classes.map((c) => c.protocol))];
}

/** The program as an array of struct sock_filter, for sock_fprog.filter (the kernel's byte order). */
export function encodeBpfProgram(program: readonly BpfInstruction[]): Uint8Array {
  const bytes = new Uint8Array(program.length * SOCK_FILTER.size);
  const view = new DataView(bytes.buffer);
  program.forEach((instruction, i) => {
    const at = i * SOCK_FILTER.size;
    view.setUint16(at + SOCK_FILTER.code, instruction.code, true);
    view.setUint8(at + SOCK_FILTER.jumpTrue, instruction.jt);
    view.setUint8(at + SOCK_FILTER.jumpFalse, instruction.jf);
    view.setUint32(at + SOCK_FILTER.k, instruction.k, true);
  });
  return bytes;
}
