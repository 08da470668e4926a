/**
 * IP packets with a UDP or TCP header and a payload, for the services tests (issue 15): a DNS answer from
 * port 53, a ClientHello in the first TCP segment, or plain traffic of a given size. Checksums are not
 * filled in: netledger never reads them.
 *
 *     const packet = transportPacket({ src: "192.0.2.53", dst: "192.168.1.20", protocol: "udp",
 *       srcPort: 53, dstPort: 40000, payload: dnsResponse("example.com", [a("example.com", "203.0.113.7")]) });
 */
import { ipPacket } from "./frames.ts";

/** Options of transportPacket(); the family follows `src`. */
export interface TransportPacketOptions {
  readonly src: string;
  readonly dst: string;
  readonly protocol: "udp" | "tcp";
  readonly srcPort: number;
  readonly dstPort: number;
  readonly payload: Uint8Array;
}

/** An IPv4 or IPv6 packet carrying `payload` in UDP (8-byte header) or TCP (20-byte header, ACK|PSH). */
export function transportPacket(options: TransportPacketOptions): Uint8Array {
  const headerBytes = options.protocol === "udp" ? 8 : 20;
  const packet = ipPacket({
    src: options.src,
    dst: options.dst,
    protocol: options.protocol === "udp" ? 17 : 6,
    payloadBytes: headerBytes + options.payload.length,
  });
  const l4 = options.src.includes(":") ? 40 : 20;
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  packet.fill(0, l4, l4 + headerBytes);
  view.setUint16(l4, options.srcPort);
  view.setUint16(l4 + 2, options.dstPort);
  if (options.protocol === "udp") view.setUint16(l4 + 4, headerBytes + options.payload.length);
  else {
    view.setUint8(l4 + 12, 5 << 4);
    view.setUint8(l4 + 13, 0x18);
  }
  packet.set(options.payload, l4 + headerBytes);
  return packet;
}

/** A packet with `payloadBytes` zero bytes after a UDP header: traffic of a known size. */
export function filler(src: string, dst: string, payloadBytes: number): Uint8Array {
  return transportPacket({
    src,
    dst,
    protocol: "udp",
    srcPort: 40000,
    dstPort: 443,
    payload: new Uint8Array(payloadBytes),
  });
}
