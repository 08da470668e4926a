/**
 * Link-layer types, numbered as pcap LINKTYPE_* values (https://www.tcpdump.org/linktypes.html), which
 * is also what a pcapng interface block carries. The live ring maps each interface's ARPHRD type onto one
 * of these, so one parser serves files and interfaces.
 */

/** Numeric link-type codes understood by parseFrame(). */
export const LinkType = {
  /** BSD loopback / macOS utun: 4-byte address family in host byte order, then IP. */
  NULL: 0,
  /** Ethernet II, with optional 802.1Q / 802.1ad tags and PPPoE session frames. */
  ETHERNET: 1,
  /** PPP: optional HDLC address/control bytes (0xff 0x03), then a 2-byte PPP protocol. */
  PPP: 9,
  /** Raw IP as DLT_RAW is numbered on most BSDs (some files carry the DLT value, not LINKTYPE_RAW). */
  RAW_DLT_12: 12,
  /** Raw IP as DLT_RAW is numbered on OpenBSD. */
  RAW_DLT_14: 14,
  /** PPP in HDLC-like framing (RFC 1662). */
  PPP_HDLC: 50,
  /** Raw IPv4 or IPv6, told apart by the version nibble (tun, WireGuard, Linux ppp0). */
  RAW_IP: 101,
  /** OpenBSD loopback: 4-byte address family in network byte order, then IP. */
  LOOP: 108,
  /** Linux cooked capture v1 (16-byte header, "any" interface). */
  LINUX_SLL: 113,
  /** Raw IPv4 only. */
  RAW_IPV4: 228,
  /** Raw IPv6 only. */
  RAW_IPV6: 229,
  /** Linux cooked capture v2 (20-byte header). */
  LINUX_SLL2: 276,
} as const;

/** Short name of a link type for log lines, e.g. "ETHERNET" or "linktype 147". */
export function linkTypeName(linkType: number): string {
  const entry = Object.entries(LinkType).find(([, code]) => code === linkType);
  return entry ? entry[0] : `linktype ${linkType}`;
}
