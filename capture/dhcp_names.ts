/**
 * The names devices give themselves in their DHCP requests (issue 14 item 4): the host name (option 12,
 * RFC 2132 §3.14) or else the client FQDN (option 81, RFC 4702), keyed by the client hardware address
 * `chaddr`, the device's MAC. This needs no access to the DHCP server: the capture sees the requests, which
 * the snap filter hands over whole (capture/snap_filter.ts), since options start at byte 240 of the BOOTP
 * message.
 *
 * Hostile input is expected (any LAN host can send anything): every length is checked against the end of
 * the captured bytes and of its field, option overload (option 52, RFC 2131 §4.1) reads the `file` and
 * `sname` fields as options within their own bounds, and the name is cleaned by names/'s one rule (printable
 * text, at most 64 characters). Nothing here throws.
 */
import { cleanName } from "../names/mod.ts";
import type { DhcpName } from "./types.ts";

/** BOOTP layout (RFC 2131 §2): fixed fields, then the magic cookie and the options. */
const OP = 0;
const HTYPE = 1;
const HLEN = 2;
const CHADDR = 28;
const SNAME = 44;
const FILE = 108;
const MAGIC_COOKIE = 236;
const OPTIONS = 240;
const DHCP_MAGIC_COOKIE = 0x63825363;
const BOOTREQUEST = 1;
const HTYPE_ETHERNET = 1;

const OPTION_PAD = 0;
const OPTION_END = 255;
const OPTION_HOST_NAME = 12;
const OPTION_OVERLOAD = 52;
const OPTION_MESSAGE_TYPE = 53;
const OPTION_CLIENT_FQDN = 81;
/** Message types (option 53) that carry the client's own name: DISCOVER, REQUEST, INFORM. */
const NAMING_MESSAGE_TYPES = new Set([1, 3, 8]);
/** RFC 4702 §2.1 flag E: the domain name is in DNS wire format (labels), not ASCII. */
const FQDN_FLAG_E = 0x04;

const UDP = 17;
const DHCP_SERVER_PORT = 67;
const DHCP_CLIENT_PORT = 68;

/** Most names held between drains; past it the oldest is forgotten (a flood of requests stays bounded). */
export const MAX_DHCP_NAMES = 1024;

interface HeldName {
  readonly name: string;
  /** Whether a drain has handed this name over with its device's traffic. */
  isDelivered: boolean;
}

/**
 * The latest DHCP name of each MAC, kept across drains until it can be delivered: the store only names a
 * device it knows, so a name waits for the first drain in which its device has counted traffic (a phone asks
 * for its lease before it talks to the internet). Bounded by MAX_DHCP_NAMES.
 */
export class DhcpNames {
  readonly #names = new Map<string, HeldName>();

  /**
   * Looks at one IPv4 packet at `ipOffset` (header checked by parseFrame) of IP `protocol`, whose transport
   * header starts at `udp` (both as parseFrame found them), `end` one past its captured bytes: a UDP datagram
   * from the DHCP client port to the server port gives its sender's name. Cheap for every other packet (a
   * test, or one read); allocates only for a DHCP request. Never throws.
   */
  observeIpv4(view: DataView, ipOffset: number, protocol: number, udp: number, end: number): void {
    if (protocol !== UDP) return;
    if (udp + 8 > end || view.getUint16(udp + 2) !== DHCP_SERVER_PORT) return;
    if (view.getUint16(udp) !== DHCP_CLIENT_PORT && view.getUint16(udp) !== DHCP_SERVER_PORT) return;
    // A fragment after the first holds no UDP header; its bytes are not ports.
    if ((view.getUint16(ipOffset + 6) & 0x1fff) !== 0) return;
    const found = readDhcpRequestName(view, udp + 8, end);
    if (found === null) return;
    const held = this.#names.get(found.deviceKey);
    if (held?.name === found.name) return;
    this.#names.delete(found.deviceKey);
    if (this.#names.size >= MAX_DHCP_NAMES) this.#names.delete(this.#names.keys().next().value!);
    this.#names.set(found.deviceKey, { name: found.name, isDelivered: false });
  }

  /** Names not yet delivered whose device is among `deviceKeys` (this drain's devices); marks them delivered. */
  drain(deviceKeys: Iterable<string>): DhcpName[] {
    const out: DhcpName[] = [];
    for (const deviceKey of new Set(deviceKeys)) {
      const held = this.#names.get(deviceKey);
      if (held === undefined || held.isDelivered) continue;
      held.isDelivered = true;
      out.push({ deviceKey, name: held.name });
    }
    return out;
  }
}

/** The name in one DHCP request, before it is cleaned. */
interface RequestName {
  readonly mac: string;
  readonly bytes: Uint8Array;
  readonly isDnsWireFormat: boolean;
}

/** What the options of one message say, filled by readOptions(). */
interface OptionsFound {
  messageType: number;
  overload: number;
  hostName: Uint8Array | null;
  fqdn: Uint8Array | null;
  fqdnFlags: number;
}

/**
 * The device MAC and cleaned name of a DHCP request (BOOTP message) at `at` in `view`, `end` being one past
 * its last captured byte; null for anything else (a reply, no name, a broken message). Never throws.
 */
export function readDhcpRequestName(view: DataView, at: number, end: number): DhcpName | null {
  const found = readRequestName(view, at, end);
  if (found === null) return null;
  const text = found.isDnsWireFormat ? dnsWireName(found.bytes) : latin1OrUtf8(found.bytes);
  const name = text === null ? null : cleanName(text);
  return name === null ? null : { deviceKey: found.mac, name };
}

function readRequestName(view: DataView, at: number, end: number): RequestName | null {
  if (at < 0 || end > view.byteLength || end - at < OPTIONS) return null;
  if (view.getUint8(at + OP) !== BOOTREQUEST) return null;
  if (view.getUint8(at + HTYPE) !== HTYPE_ETHERNET || view.getUint8(at + HLEN) !== 6) return null;
  if (view.getUint32(at + MAGIC_COOKIE) !== DHCP_MAGIC_COOKIE) return null;
  const found: OptionsFound = { messageType: 0, overload: 0, hostName: null, fqdn: null, fqdnFlags: 0 };
  readOptions(view, at + OPTIONS, end, found);
  // RFC 2131 §4.1: with overload, `file` then `sname` hold more options (each read within its own field);
  // an overload option inside them is not followed again.
  const overload = found.overload;
  if ((overload & 1) !== 0) readOptions(view, at + FILE, at + MAGIC_COOKIE, found);
  if ((overload & 2) !== 0) readOptions(view, at + SNAME, at + FILE, found);
  if (!NAMING_MESSAGE_TYPES.has(found.messageType)) return null;
  const mac = macAt(view, at + CHADDR);
  if (mac === null) return null;
  if (found.hostName !== null) return { mac, bytes: found.hostName, isDnsWireFormat: false };
  if (found.fqdn !== null) {
    return { mac, bytes: found.fqdn, isDnsWireFormat: (found.fqdnFlags & FQDN_FLAG_E) !== 0 };
  }
  return null;
}

/** Reads the options from `from` up to `end` (or option 255) into `found`; the first of each code wins. */
function readOptions(view: DataView, from: number, end: number, found: OptionsFound): void {
  let i = from;
  while (i < end) {
    const code = view.getUint8(i);
    if (code === OPTION_END) return;
    if (code === OPTION_PAD) {
      i++;
      continue;
    }
    if (i + 1 >= end) return;
    const length = view.getUint8(i + 1);
    const data = i + 2;
    if (data + length > end) return; // runs past its field: the rest is not trusted
    if (code === OPTION_MESSAGE_TYPE && length === 1 && found.messageType === 0) {
      found.messageType = view.getUint8(data);
    } else if (code === OPTION_OVERLOAD && length === 1 && found.overload === 0) {
      found.overload = view.getUint8(data);
    } else if (code === OPTION_HOST_NAME && length > 0 && found.hostName === null) {
      found.hostName = new Uint8Array(view.buffer, view.byteOffset + data, length);
    } else if (code === OPTION_CLIENT_FQDN && length > 3 && found.fqdn === null) {
      found.fqdnFlags = view.getUint8(data);
      found.fqdn = new Uint8Array(view.buffer, view.byteOffset + data + 3, length - 3);
    }
    i = data + length;
  }
}

/** The unicast MAC at `at` ("aa:bb:cc:dd:ee:ff"), or null for a group or all-zero address. */
function macAt(view: DataView, at: number): string | null {
  const octets = [0, 1, 2, 3, 4, 5].map((k) => view.getUint8(at + k));
  if ((octets[0] & 1) !== 0 || octets.every((o) => o === 0)) return null;
  return octets.map((o) => o.toString(16).padStart(2, "0")).join(":");
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** UTF-8 when the bytes are valid UTF-8, else Latin-1 (older clients send their code page). */
function latin1OrUtf8(bytes: Uint8Array): string {
  try {
    return UTF8.decode(bytes);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    return String.fromCharCode(...bytes);
  }
}

/** A DNS wire-format name (length-prefixed labels) as dotted text; null when a label runs past the end. */
function dnsWireName(bytes: Uint8Array): string | null {
  const labels: string[] = [];
  let i = 0;
  while (i < bytes.length && bytes[i] !== 0) {
    const length = bytes[i];
    if (length > 63 || i + 1 + length > bytes.length) return null;
    labels.push(latin1OrUtf8(bytes.subarray(i + 1, i + 1 + length)));
    i += 1 + length;
  }
  return labels.length === 0 ? null : labels.join(".");
}
