/**
 * Frame builders shared by every part's tests: IPv4/IPv6 packets (UDP inside, valid checksums) wrapped in
 * Ethernet II, 802.1Q, 802.1ad QinQ, PPPoE session, Linux cooked SLL/SLL2, PPP, BSD loopback or nothing, plus
 * malformed variants. Use documentation addresses only (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
 * 2001:db8::/32) for anything public.
 *
 *     const frame = buildFrame("qinq", ipPacket({ src: "192.168.1.2", dst: "203.0.113.9", payloadBytes: 100 }));
 *     feedFrame(pipeline, frame, ts); // as the ring hands a captured frame to countFrame()
 */
import { LinkType, parseIp, type TrafficPipeline } from "../../capture/mod.ts";

/** A frame as a capture delivers it: the captured bytes, the length on the wire, the link type. */
export interface Frame {
  readonly bytes: Uint8Array;
  readonly originalLen: number;
  readonly linkType: number;
}

/** EtherType values used by the builders. */
export const EtherType = {
  IPV4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100,
  QINQ: 0x88a8,
  IPV6: 0x86dd,
  PPPOE_DISCOVERY: 0x8863,
  PPPOE_SESSION: 0x8864,
  LLDP: 0x88cc,
} as const;

/** Options of ipPacket(); the family follows `src`. */
export interface IpPacketOptions {
  readonly src: string;
  readonly dst: string;
  /** Bytes after the IP header (a UDP header and zeros when ≥ 8); default 20. */
  readonly payloadBytes?: number;
  /** IP protocol / next header; default 17 (UDP). */
  readonly protocol?: number;
  /**
   * Overrides the length field (IPv4 total length, IPv6 payload length) for garbled or super-packets. By
   * default it is the true length, capped at 0xffff: give 0 for a GSO/BIG TCP super-packet over 64 KiB.
   */
  readonly lengthField?: number;
  /** Overrides the version nibble. */
  readonly version?: number;
  /** IPv4 header length in 32-bit words; default 5. Values above 5 add zero option bytes. */
  readonly ihl?: number;
}

/** An IPv4 or IPv6 packet from `src` to `dst`; its length is what netledger must count. */
export function ipPacket(options: IpPacketOptions): Uint8Array {
  const src = parseIp(options.src);
  const dst = parseIp(options.dst);
  if (src.family !== dst.family) {
    throw new TypeError(`Cannot build packet: "${options.src}" and "${options.dst}" differ in family`);
  }
  const payloadBytes = options.payloadBytes ?? 20;
  const protocol = options.protocol ?? 17;
  if (src.family === 4) {
    const ihl = options.ihl ?? 5;
    const headerBytes = Math.max(20, ihl * 4);
    const packet = new Uint8Array(headerBytes + payloadBytes);
    const view = new DataView(packet.buffer);
    view.setUint8(0, ((options.version ?? 4) << 4) | (ihl & 15));
    view.setUint16(2, options.lengthField ?? Math.min(0xffff, packet.length));
    view.setUint8(8, 64);
    view.setUint8(9, protocol);
    view.setInt32(12, src.words[0]);
    view.setInt32(16, dst.words[0]);
    view.setUint16(10, internetChecksum(packet.subarray(0, 20), 0));
    writeUdp(packet, headerBytes, protocol, 0);
    return packet;
  }
  const packet = new Uint8Array(40 + payloadBytes);
  const view = new DataView(packet.buffer);
  view.setUint32(0, ((options.version ?? 6) << 28) >>> 0);
  view.setUint16(4, options.lengthField ?? Math.min(0xffff, payloadBytes));
  view.setUint8(6, protocol);
  view.setUint8(7, 64);
  src.words.forEach((w, i) => view.setInt32(8 + 4 * i, w));
  dst.words.forEach((w, i) => view.setInt32(24 + 4 * i, w));
  writeUdp(packet, 40, protocol, pseudoHeaderSum(packet, payloadBytes));
  return packet;
}

/** How buildFrame() wraps an IP packet. */
export type Encapsulation =
  | "ethernet"
  | "vlan"
  | "qinq"
  | "pppoe"
  | "vlan-pppoe"
  | "sll"
  | "sll2"
  | "raw"
  | "raw-ipv4"
  | "raw-ipv6"
  | "ppp"
  | "ppp-hdlc"
  | "null";

/** Source and destination MAC addresses of an Ethernet frame, "aa:bb:cc:dd:ee:ff". */
export interface MacPair {
  readonly src: string;
  readonly dst: string;
}

/** The MACs every builder uses unless told otherwise. */
export const DEFAULT_MACS: MacPair = { src: "02:00:00:00:00:02", dst: "02:00:00:00:00:01" };

/**
 * Wraps `packet` in `encapsulation`; Ethernet frames are padded to 60 bytes as on the wire and carry `macs`
 * (ignored by the other encapsulations).
 */
export function buildFrame(encapsulation: Encapsulation, packet: Uint8Array, macs = DEFAULT_MACS): Frame {
  const etherType = packet[0] >> 4 === 6 ? EtherType.IPV6 : EtherType.IPV4;
  const pppProtocol = etherType === EtherType.IPV6 ? 0x0057 : 0x0021;
  switch (encapsulation) {
    case "ethernet":
      return ethernetFrame(etherType, packet, [], macs);
    case "vlan":
      return ethernetFrame(etherType, packet, [[EtherType.VLAN, 100]], macs);
    case "qinq":
      return ethernetFrame(etherType, packet, [[EtherType.QINQ, 200], [EtherType.VLAN, 100]], macs);
    case "pppoe":
      return ethernetFrame(EtherType.PPPOE_SESSION, pppoeSession(packet, pppProtocol), [], macs);
    case "vlan-pppoe":
      return ethernetFrame(
        EtherType.PPPOE_SESSION,
        pppoeSession(packet, pppProtocol),
        [[EtherType.VLAN, 7]],
        macs,
      );
    case "sll":
      return frameOf(concat(sllHeader(etherType), packet), LinkType.LINUX_SLL);
    case "sll2":
      return frameOf(concat(sll2Header(etherType), packet), LinkType.LINUX_SLL2);
    case "raw":
      return frameOf(packet, LinkType.RAW_IP);
    case "raw-ipv4":
      return frameOf(packet, LinkType.RAW_IPV4);
    case "raw-ipv6":
      return frameOf(packet, LinkType.RAW_IPV6);
    case "ppp":
      return frameOf(concat(u16(pppProtocol), packet), LinkType.PPP);
    case "ppp-hdlc":
      return frameOf(concat(new Uint8Array([0xff, 0x03]), u16(pppProtocol), packet), LinkType.PPP_HDLC);
    case "null":
      return frameOf(concat(nullHeader(etherType === EtherType.IPV6 ? 30 : 2), packet), LinkType.NULL);
  }
}

/**
 * An Ethernet II frame from `macs.src` to `macs.dst` with `tags` ([TPID, VLAN id], outermost first), padded
 * to the 60-byte minimum.
 */
export function ethernetFrame(
  etherType: number,
  payload: Uint8Array,
  tags: readonly (readonly [number, number])[] = [],
  macs = DEFAULT_MACS,
): Frame {
  const header = new Uint8Array(14 + 4 * tags.length);
  const view = new DataView(header.buffer);
  header.set([...macBytes(macs.dst), ...macBytes(macs.src)]);
  tags.forEach(([tpid, vid], i) => {
    view.setUint16(12 + 4 * i, tpid);
    view.setUint16(14 + 4 * i, vid & 0x0fff);
  });
  view.setUint16(12 + 4 * tags.length, etherType);
  const frame = concat(header, payload);
  return frameOf(
    frame.length >= 60 ? frame : concat(frame, new Uint8Array(60 - frame.length)),
    LinkType.ETHERNET,
  );
}

/** An ARP request: a well-formed frame that carries no IP packet. */
export function arpFrame(): Frame {
  const arp = new Uint8Array(28);
  arp.set([0, 1, 0x08, 0x00, 6, 4, 0, 1]);
  arp.set([192, 0, 2, 1], 14);
  arp.set([192, 0, 2, 2], 24);
  return ethernetFrame(EtherType.ARP, arp);
}

/** The frame cut to its first `capturedLen` bytes, as a snap length cuts it: the wire length stays. */
export function snapFrame(frame: Frame, capturedLen: number): Frame {
  return {
    bytes: frame.bytes.slice(0, capturedLen),
    originalLen: frame.originalLen,
    linkType: frame.linkType,
  };
}

/** The frame cut to `length` bytes on the wire too: a truncated (malformed) frame. */
export function truncateFrame(frame: Frame, length: number): Frame {
  return frameOf(frame.bytes.slice(0, length), frame.linkType);
}

/** A copy of the frame with `length` bytes added at the end (GSO super-packets, trailers). */
export function extendFrame(frame: Frame, length: number): Frame {
  return frameOf(concat(frame.bytes, new Uint8Array(length)), frame.linkType);
}

/** A DataView over the frame's captured bytes (offset 0). */
export function frameView(frame: Frame): DataView {
  return new DataView(frame.bytes.buffer, frame.bytes.byteOffset, frame.bytes.byteLength);
}

/** Hands `frame`, captured at `timestampSec`, to `pipeline` as the ring does: the whole frame from offset 0. */
export function feedFrame(
  pipeline: Pick<TrafficPipeline, "countFrame">,
  frame: Frame,
  timestampSec: number,
): void {
  pipeline.countFrame(
    frameView(frame),
    0,
    frame.bytes.length,
    frame.originalLen,
    frame.linkType,
    timestampSec,
  );
}

/** A Frame of `bytes` whose wire length equals its captured length. */
export function frameOf(bytes: Uint8Array, linkType: number): Frame {
  return { bytes, originalLen: bytes.length, linkType };
}

function macBytes(mac: string): number[] {
  const octets = mac.split(":").map((octet) => parseInt(octet, 16));
  if (octets.length !== 6 || octets.some((o) => !(o >= 0 && o <= 255))) {
    throw new TypeError(`Cannot build frame: "${mac}" is not a MAC address aa:bb:cc:dd:ee:ff`);
  }
  return octets;
}

function pppoeSession(packet: Uint8Array, pppProtocol: number): Uint8Array {
  const header = new Uint8Array(8);
  const view = new DataView(header.buffer);
  view.setUint8(0, 0x11);
  view.setUint16(2, 0x1234);
  view.setUint16(4, packet.length + 2);
  view.setUint16(6, pppProtocol);
  return concat(header, packet);
}

function sllHeader(protocol: number): Uint8Array {
  const header = new Uint8Array(16);
  const view = new DataView(header.buffer);
  view.setUint16(2, 1);
  view.setUint16(4, 6);
  header.set([0x02, 0, 0, 0, 0, 0x01], 6);
  view.setUint16(14, protocol);
  return header;
}

function sll2Header(protocol: number): Uint8Array {
  const header = new Uint8Array(20);
  const view = new DataView(header.buffer);
  view.setUint16(0, protocol);
  view.setUint32(4, 2);
  view.setUint16(8, 1);
  view.setUint8(11, 6);
  header.set([0x02, 0, 0, 0, 0, 0x01], 12);
  return header;
}

function nullHeader(addressFamily: number): Uint8Array {
  const header = new Uint8Array(4);
  new DataView(header.buffer).setUint32(0, addressFamily, true);
  return header;
}

function u16(value: number): Uint8Array {
  return new Uint8Array([value >> 8, value & 255]);
}

/** The bytes of `parts` one after another. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A UDP header (ports 40000 → 443) at `offset` when the protocol is UDP and there is room. */
function writeUdp(packet: Uint8Array, offset: number, protocol: number, pseudoSum: number): void {
  const udpBytes = packet.length - offset;
  if (protocol !== 17 || udpBytes < 8 || udpBytes > 0xffff) return;
  const view = new DataView(packet.buffer, packet.byteOffset);
  view.setUint16(offset, 40000);
  view.setUint16(offset + 2, 443);
  view.setUint16(offset + 4, udpBytes);
  if (pseudoSum !== 0) {
    view.setUint16(offset + 6, internetChecksum(packet.subarray(offset), pseudoSum) || 0xffff);
  }
}

/** IPv6 pseudo-header sum for the UDP checksum (RFC 8200 section 8.1). */
function pseudoHeaderSum(packet: Uint8Array, payloadBytes: number): number {
  let sum = 0;
  for (let i = 8; i < 40; i += 2) sum += (packet[i] << 8) | packet[i + 1];
  return sum + (payloadBytes >>> 16) + (payloadBytes & 0xffff) + packet[6];
}

/** RFC 1071 ones'-complement checksum of `bytes`, starting from `initial`. */
function internetChecksum(bytes: Uint8Array, initial: number): number {
  let sum = initial;
  for (let i = 0; i + 1 < bytes.length; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (bytes.length % 2 === 1) sum += bytes[bytes.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
