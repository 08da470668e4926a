/**
 * The known frame set of the live-capture tests: each frame with what netledger must count for it (IPv4/IPv6,
 * upload/download, 802.1Q, QinQ, PPPoE, LAN-only, same-/56, multicast, malformed). Documentation addresses only.
 */
import { buildFrame, type Encapsulation, ipPacket, truncateFrame } from "./frames.ts";
import { CAPTURE_IPV4, CAPTURE_IPV6 } from "./netns.ts";

/** One injected frame and what netledger must count for it. */
export interface Case {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly upBytes: number;
  readonly downBytes: number;
  readonly isMalformed?: boolean;
}

function counted(
  name: string,
  encapsulation: Encapsulation,
  direction: "up" | "down",
  src: string,
  dst: string,
  payloadBytes: number,
): Case {
  const packet = ipPacket({ src, dst, payloadBytes });
  const isUpload = direction === "up";
  return {
    name,
    bytes: buildFrame(encapsulation, packet).bytes,
    upBytes: isUpload ? packet.length : 0,
    downBytes: isUpload ? 0 : packet.length,
  };
}

function ignored(name: string, encapsulation: Encapsulation, src: string, dst: string): Case {
  return {
    name,
    bytes: buildFrame(encapsulation, ipPacket({ src, dst, payloadBytes: 200 })).bytes,
    upBytes: 0,
    downBytes: 0,
  };
}

/** The known frame set; the last frame is counted, so once it is counted every earlier frame was read. */
export const CASES: readonly Case[] = [
  ignored("IPv4 LAN-only", "ethernet", "192.168.1.10", "192.168.1.20"),
  ignored("IPv6 same /56", "ethernet", CAPTURE_IPV6, "2001:db8:1:2a::5"),
  ignored("IPv4 multicast (SSDP)", "ethernet", CAPTURE_IPV4, "239.255.255.250"),
  ignored("IPv6 multicast (mDNS)", "ethernet", "fe80::1", "ff02::fb"),
  {
    name: "malformed: IPv4 header cut short",
    bytes:
      truncateFrame(buildFrame("ethernet", ipPacket({ src: "203.0.113.9", dst: CAPTURE_IPV4 })), 24).bytes,
    upBytes: 0,
    downBytes: 0,
    isMalformed: true,
  },
  {
    name: "malformed: IPv4 IHL 3",
    bytes: buildFrame("ethernet", ipPacket({ src: "203.0.113.9", dst: CAPTURE_IPV4, ihl: 3 })).bytes,
    upBytes: 0,
    downBytes: 0,
    isMalformed: true,
  },
  counted("IPv4 upload", "ethernet", "up", CAPTURE_IPV4, "198.51.100.7", 1200),
  counted("IPv6 upload", "ethernet", "up", CAPTURE_IPV6, "2001:db8:ff::7", 700),
  counted("IPv6 download", "ethernet", "down", "2001:db8:ff::7", CAPTURE_IPV6, 1400),
  counted("IPv4 upload from a LAN host (router)", "ethernet", "up", "192.168.1.10", "198.51.100.7", 300),
  counted(
    "802.1Q-tagged IPv4 download (tag moved to tp_vlan_tci)",
    "vlan",
    "down",
    "198.51.100.8",
    CAPTURE_IPV4,
    900,
  ),
  counted(
    "QinQ IPv6 upload (inner tag stays in the frame)",
    "qinq",
    "up",
    CAPTURE_IPV6,
    "2001:db8:ff::9",
    500,
  ),
  counted("QinQ IPv4 download", "qinq", "down", "203.0.113.10", CAPTURE_IPV4, 64),
  counted("PPPoE IPv4 download", "pppoe", "down", "203.0.113.11", CAPTURE_IPV4, 1000),
  counted("IPv4 download", "ethernet", "down", "203.0.113.9", CAPTURE_IPV4, 1000),
];

/** What netledger must count after `rounds` injections of every case in `cases`. */
export function expectedTotals(cases: readonly Case[], rounds: number) {
  const sum = (pick: (c: Case) => number) => rounds * cases.reduce((n, c) => n + pick(c), 0);
  return {
    upBytes: sum((c) => c.upBytes),
    downBytes: sum((c) => c.downBytes),
    upPackets: sum((c) => c.upBytes > 0 ? 1 : 0),
    downPackets: sum((c) => c.downBytes > 0 ? 1 : 0),
    malformedPackets: sum((c) => c.isMalformed ? 1 : 0),
  };
}

/** The frames of every case, in CASES order, repeated `rounds` times. */
export function frames(rounds: number): Uint8Array[] {
  return Array.from({ length: rounds }, () => CASES.map((c) => c.bytes)).flat();
}
