/**
 * Frame parser: finds the IP header in one captured frame and the number of IP-layer bytes to count.
 * Runs once per packet, so it reads a DataView in place, writes into a reused ParsedFrame, returns a numeric
 * ParseOutcome and never allocates or throws (issue #2 item 2).
 */
import { LinkType } from "./link_type.ts";

/** What parseFrame() found; IPV4/IPV6 fill the ParsedFrame, the others leave it stale. */
export const ParseOutcome = {
  /** Headers truncated or garbled: counted as malformed, never as traffic. */
  MALFORMED: -1,
  /** A well-formed frame that carries no IP packet (ARP, LLDP, PPP control, ...): ignored. */
  NOT_IP: 0,
  /** A link type parseFrame() does not understand: ignored. */
  UNSUPPORTED_LINK: 1,
  IPV4: 4,
  IPV6: 6,
} as const;

/**
 * Trailing bytes after the IP packet that are still link framing, not a super-packet: Ethernet pads every
 * frame to 60 bytes (at most 26 bytes after a 20-byte IPv4 packet) and some captures keep the 4-byte FCS.
 * Anything longer is a GSO/GRO super-packet whose IP length field no longer covers its payload (issue #3
 * item 7) and is counted from the frame's original length instead.
 */
export const MAX_LINK_TRAILER_BYTES = 46;

/** Where the IP header of the last parsed frame is; one instance is reused for every packet. */
export class ParsedFrame {
  /** 4 or 6. */
  family = 0;
  /** Offset in the view of the IP header. */
  ipOffset = 0;
  /** Bytes to count: the IP length field, or the original length minus the link header for super-packets. */
  ipBytes = 0;
  /** Offsets in the view of the source and destination addresses (4 or 16 bytes each). */
  srcOffset = 0;
  dstOffset = 0;
  /**
   * The IP protocol (IPv6: the first next header) and the offset in the view where its header would start
   * (IPv6: after the fixed header, extension headers not walked), for the DHCP and name tests that follow.
   */
  protocol = 0;
  transportOffset = 0;
}

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;
const ETHERTYPE_QINQ = 0x88a8;
/** Pre-standard QinQ outer tag still used by some switches. */
const ETHERTYPE_QINQ_OLD = 0x9100;
const ETHERTYPE_PPPOE_SESSION = 0x8864;
const PPP_IPV4 = 0x0021;
const PPP_IPV6 = 0x0057;
const AF_INET = 2;
const ANY_VERSION = 0;

/**
 * Parses one frame of `linkType` at `offset` in `view`. `capturedLen` bytes are present (a snap length may
 * cut the frame); `originalLen` is the length on the wire, which bounds the IP length field. Never throws.
 *
 * Ethernet is tested before the switch and the other link types live in parseOtherLink(): this keeps
 * parseFrame() small enough for V8 to inline into countFrame() (checked with --trace-turbo-inlining), and
 * the common frame takes two branches (the cost per packet: tests/bench/parse_bench.ts, docs/performance.md).
 */
export function parseFrame(
  view: DataView,
  offset: number,
  capturedLen: number,
  originalLen: number,
  linkType: number,
  out: ParsedFrame,
): number {
  if (!(offset >= 0) || !(capturedLen >= 0) || offset + capturedLen > view.byteLength) {
    return ParseOutcome.MALFORMED;
  }
  const frameLen = originalLen > capturedLen ? originalLen : capturedLen;
  if (linkType !== LinkType.ETHERNET) {
    return parseOtherLink(view, offset, capturedLen, frameLen, linkType, out);
  }
  if (capturedLen < 14) return ParseOutcome.MALFORMED;
  const end = offset + capturedLen;
  const etherType = view.getUint16(offset + 12);
  // Untagged IPv4 and IPv6 first: most frames on a home uplink are one of these.
  if (etherType === ETHERTYPE_IPV4) return parseIpv4(view, offset, end, frameLen, offset + 14, out);
  if (etherType === ETHERTYPE_IPV6) return parseIpv6(view, offset, end, frameLen, offset + 14, out);
  return parseAfterEtherType(view, offset, end, frameLen, etherType, offset + 14, out);
}

/** parseFrame() for every link type but Ethernet. */
function parseOtherLink(
  view: DataView,
  offset: number,
  capturedLen: number,
  frameLen: number,
  linkType: number,
  out: ParsedFrame,
): number {
  const end = offset + capturedLen;
  switch (linkType) {
    case LinkType.LINUX_SLL:
      if (capturedLen < 16) return ParseOutcome.MALFORMED;
      return parseAfterEtherType(view, offset, end, frameLen, view.getUint16(offset + 14), offset + 16, out);
    case LinkType.LINUX_SLL2:
      if (capturedLen < 20) return ParseOutcome.MALFORMED;
      return parseAfterEtherType(view, offset, end, frameLen, view.getUint16(offset), offset + 20, out);
    case LinkType.RAW_IP:
    case LinkType.RAW_DLT_12:
    case LinkType.RAW_DLT_14:
      return parseIp(view, offset, end, frameLen, offset, ANY_VERSION, out);
    case LinkType.RAW_IPV4:
      return parseIp(view, offset, end, frameLen, offset, 4, out);
    case LinkType.RAW_IPV6:
      return parseIp(view, offset, end, frameLen, offset, 6, out);
    case LinkType.PPP:
    case LinkType.PPP_HDLC:
      return parsePpp(view, offset, end, frameLen, out);
    case LinkType.NULL:
    case LinkType.LOOP:
      return parseLoopback(view, offset, end, frameLen, out);
    default:
      return ParseOutcome.UNSUPPORTED_LINK;
  }
}

/** Walks any stack of VLAN tags and a PPPoE session header, then parses IP. */
function parseAfterEtherType(
  view: DataView,
  frameStart: number,
  end: number,
  frameLen: number,
  etherType: number,
  payloadOffset: number,
  out: ParsedFrame,
): number {
  let type = etherType;
  let p = payloadOffset;
  // Each tag is 4 bytes (TPID already read, TCI, inner EtherType); QinQ stacks 802.1ad over 802.1Q.
  while (type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ || type === ETHERTYPE_QINQ_OLD) {
    if (p + 4 > end) return ParseOutcome.MALFORMED;
    type = view.getUint16(p + 2);
    p += 4;
  }
  if (type === ETHERTYPE_IPV4) return parseIpv4(view, frameStart, end, frameLen, p, out);
  if (type === ETHERTYPE_IPV6) return parseIpv6(view, frameStart, end, frameLen, p, out);
  if (type !== ETHERTYPE_PPPOE_SESSION) return ParseOutcome.NOT_IP;
  // RFC 2516: version/type 0x11, code 0, session id, length, then the 2-byte PPP protocol.
  if (p + 8 > end) return ParseOutcome.MALFORMED;
  if (view.getUint16(p) !== 0x1100) return ParseOutcome.MALFORMED;
  const protocol = view.getUint16(p + 6);
  if (protocol === PPP_IPV4) return parseIpv4(view, frameStart, end, frameLen, p + 8, out);
  if (protocol === PPP_IPV6) return parseIpv6(view, frameStart, end, frameLen, p + 8, out);
  return ParseOutcome.NOT_IP;
}

/** PPP with or without the RFC 1662 address/control bytes 0xff 0x03. */
function parsePpp(
  view: DataView,
  frameStart: number,
  end: number,
  frameLen: number,
  out: ParsedFrame,
): number {
  let p = frameStart;
  if (p + 2 <= end && view.getUint8(p) === 0xff && view.getUint8(p + 1) === 0x03) p += 2;
  if (p + 2 > end) return ParseOutcome.MALFORMED;
  const protocol = view.getUint16(p);
  if (protocol === PPP_IPV4) return parseIp(view, frameStart, end, frameLen, p + 2, 4, out);
  if (protocol === PPP_IPV6) return parseIp(view, frameStart, end, frameLen, p + 2, 6, out);
  return ParseOutcome.NOT_IP;
}

/** BSD loopback: a 4-byte address family, in host order (NULL) or network order (LOOP). */
function parseLoopback(
  view: DataView,
  frameStart: number,
  end: number,
  frameLen: number,
  out: ParsedFrame,
): number {
  if (frameStart + 4 > end) return ParseOutcome.MALFORMED;
  const little = view.getUint32(frameStart, true);
  const big = view.getUint32(frameStart, false);
  if (little === AF_INET || big === AF_INET) {
    return parseIp(view, frameStart, end, frameLen, frameStart + 4, 4, out);
  }
  if (isInet6Family(little) || isInet6Family(big)) {
    return parseIp(view, frameStart, end, frameLen, frameStart + 4, 6, out);
  }
  return ParseOutcome.NOT_IP;
}

/** AF_INET6 as BSD loopback headers carry it: Linux 10, NetBSD/OpenBSD 24, FreeBSD 28, macOS 30. */
function isInet6Family(family: number): boolean {
  return family === 10 || family === 24 || family === 28 || family === 30;
}

/**
 * Parses the IP header at `ipOffset`; `version` is 4, 6 or ANY_VERSION. Headers must be within the captured
 * bytes; the IP length must fit in the original frame length (a snap length cuts only the capture).
 */
function parseIp(
  view: DataView,
  frameStart: number,
  end: number,
  frameLen: number,
  ipOffset: number,
  version: number,
  out: ParsedFrame,
): number {
  if (ipOffset + 1 > end) return ParseOutcome.MALFORMED;
  const found = view.getUint8(ipOffset) >> 4;
  if (found === 4 && version !== 6) return parseIpv4(view, frameStart, end, frameLen, ipOffset, out);
  if (found === 6 && version !== 4) return parseIpv6(view, frameStart, end, frameLen, ipOffset, out);
  return ParseOutcome.MALFORMED;
}

/** Parses an IPv4 header at `ipOffset` (see parseIp); any other version nibble is malformed. */
function parseIpv4(
  view: DataView,
  frameStart: number,
  end: number,
  frameLen: number,
  ipOffset: number,
  out: ParsedFrame,
): number {
  if (ipOffset + 20 > end) return ParseOutcome.MALFORMED;
  // One read for version, IHL and total length (bytes 0..3): DataView calls are the parser's main cost.
  const word = view.getUint32(ipOffset);
  if (word >>> 28 !== 4) return ParseOutcome.MALFORMED;
  const wireIpLen = frameLen - (ipOffset - frameStart);
  const headerLen = ((word >>> 24) & 15) * 4;
  const totalLen = word & 0xffff;
  if (headerLen < 20 || headerLen > wireIpLen) return ParseOutcome.MALFORMED;
  // Total length 0: a BIG TCP / TSO super-packet over 64 KiB, counted from the frame (issue #3 item 7).
  const ipBytes = totalLen === 0 ? wireIpLen : countedLength(totalLen, headerLen, wireIpLen);
  if (ipBytes < 0) return ParseOutcome.MALFORMED;
  out.family = 4;
  out.ipOffset = ipOffset;
  out.ipBytes = ipBytes;
  out.srcOffset = ipOffset + 12;
  out.dstOffset = ipOffset + 16;
  out.protocol = view.getUint8(ipOffset + 9);
  out.transportOffset = ipOffset + headerLen;
  return ParseOutcome.IPV4;
}

/** Parses an IPv6 header at `ipOffset` (see parseIp); any other version nibble is malformed. */
function parseIpv6(
  view: DataView,
  frameStart: number,
  end: number,
  frameLen: number,
  ipOffset: number,
  out: ParsedFrame,
): number {
  const wireIpLen = frameLen - (ipOffset - frameStart);
  if (ipOffset + 40 > end || wireIpLen < 40) return ParseOutcome.MALFORMED;
  if (view.getUint8(ipOffset) >> 4 !== 6) return ParseOutcome.MALFORMED;
  // Payload length and next header in one read (bytes 4..7).
  const word = view.getUint32(ipOffset + 4);
  const ipBytes = countedLength(40 + (word >>> 16), 40, wireIpLen);
  if (ipBytes < 0) return ParseOutcome.MALFORMED;
  out.family = 6;
  out.ipOffset = ipOffset;
  out.ipBytes = ipBytes;
  out.srcOffset = ipOffset + 8;
  out.dstOffset = ipOffset + 24;
  out.protocol = (word >>> 8) & 0xff;
  out.transportOffset = ipOffset + 40;
  return ParseOutcome.IPV6;
}

/**
 * The bytes to count for an IP length field `fieldLen`: -1 when it is impossible (shorter than the header or
 * beyond the frame), the frame's IP bytes for a super-packet, else the field.
 */
function countedLength(fieldLen: number, headerLen: number, wireIpLen: number): number {
  if (fieldLen < headerLen || fieldLen > wireIpLen) return -1;
  return wireIpLen - fieldLen > MAX_LINK_TRAILER_BYTES ? wireIpLen : fieldLen;
}
