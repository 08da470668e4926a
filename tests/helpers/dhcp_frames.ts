/**
 * DHCP messages (RFC 2131) for tests of capture/dhcp_names.ts: a BOOTP message with chosen options, wrapped
 * in UDP and IPv4 (client port 68 to server port 67, 0.0.0.0 to the broadcast address, as a DISCOVER goes).
 *
 *     const message = dhcpMessage({ mac: "3c:22:fb:00:00:01", options: hostNameOption("tv") });
 *     const frame = buildFrame("ethernet", dhcpPacket(message));
 */
import { ipPacket } from "./frames.ts";

/** DHCP option codes used by the tests (RFC 2132, RFC 4702). */
export const DhcpOption = {
  HOST_NAME: 12,
  OVERLOAD: 52,
  MESSAGE_TYPE: 53,
  CLIENT_FQDN: 81,
  END: 255,
} as const;
/** Option 53 values. */
export const DhcpMessageType = { DISCOVER: 1, OFFER: 2, REQUEST: 3, RELEASE: 7, INFORM: 8 } as const;

/** Options of dhcpMessage(). */
export interface DhcpMessageOptions {
  /** chaddr, "aa:bb:cc:dd:ee:ff". */
  readonly mac: string;
  /** 1 BOOTREQUEST (default), 2 BOOTREPLY. */
  readonly op?: number;
  /** Option 53's value; null leaves the option out. Default DISCOVER. */
  readonly messageType?: number | null;
  /** Raw option bytes after option 53 (code, length, data …); END is appended unless `omitEnd`. */
  readonly options?: readonly number[];
  readonly omitEnd?: boolean;
  /** Bytes written into the `sname` (64) and `file` (128) fields, for option overload. */
  readonly sname?: readonly number[];
  readonly file?: readonly number[];
  /** Zero bytes after the options (DHCP clients pad to the 300-byte BOOTP minimum). */
  readonly padToBytes?: number;
}

/** A BOOTP/DHCP message. */
export function dhcpMessage(options: DhcpMessageOptions): Uint8Array {
  const tail = [
    ...(options.messageType === null ? [] : [DhcpOption.MESSAGE_TYPE, 1, options.messageType ?? 1]),
    ...(options.options ?? []),
    ...(options.omitEnd ? [] : [DhcpOption.END]),
  ];
  const bytes = new Uint8Array(Math.max(240 + tail.length, options.padToBytes ?? 300));
  const view = new DataView(bytes.buffer);
  bytes[0] = options.op ?? 1;
  bytes[1] = 1;
  bytes[2] = 6;
  view.setUint32(4, 0x12345678);
  bytes.set(options.mac.split(":").map((o) => parseInt(o, 16)), 28);
  bytes.set(options.sname ?? [], 44);
  bytes.set(options.file ?? [], 108);
  view.setUint32(236, 0x63825363);
  bytes.set(tail, 240);
  return bytes;
}

/** Option 12 carrying `name` as UTF-8. */
export function hostNameOption(name: string | Uint8Array): number[] {
  const bytes = typeof name === "string" ? new TextEncoder().encode(name) : name;
  return [DhcpOption.HOST_NAME, bytes.length, ...bytes];
}

/** Option 81 carrying `fqdn`, in DNS wire format (flag E) when `isWireFormat`, else ASCII. */
export function clientFqdnOption(fqdn: string, isWireFormat: boolean): number[] {
  const name = isWireFormat
    ? [...fqdn.split(".").flatMap((label) => [label.length, ...new TextEncoder().encode(label)]), 0]
    : [...new TextEncoder().encode(fqdn)];
  return [DhcpOption.CLIENT_FQDN, name.length + 3, isWireFormat ? 0x05 : 0x01, 0, 0, ...name];
}

/** `message` in UDP (ports `sport` → `dport`) in IPv4 from `src` to `dst`. */
export function dhcpPacket(
  message: Uint8Array,
  addresses: { src?: string; dst?: string; sport?: number; dport?: number } = {},
): Uint8Array {
  const packet = ipPacket({
    src: addresses.src ?? "0.0.0.0",
    dst: addresses.dst ?? "255.255.255.255",
    payloadBytes: 8 + message.length,
  });
  const view = new DataView(packet.buffer);
  view.setUint16(20, addresses.sport ?? 68);
  view.setUint16(22, addresses.dport ?? 67);
  view.setUint16(26, 0); // no UDP checksum (allowed for IPv4): the payload changed after ipPacket()
  packet.set(message, 28);
  return packet;
}
