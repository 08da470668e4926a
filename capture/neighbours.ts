/**
 * The kernel's neighbour table (ARP and NDP: IP address → MAC), read through rtnetlink RTM_GETNEIGH (issue 14
 * item 5): it names the MAC of a LAN address even when the capture has not seen that address behind a MAC,
 * so a proxy client known only by its IP (the Clash core's source address) maps onto a device.
 *
 * One dump per call on a non-blocking socket: the kernel builds the first batch of a dump while handling
 * the request and each next batch on the next read, so the reads never wait, and the call may run on the
 * main thread. Entries without a usable link-layer address (incomplete, failed, no-ARP) are skipped.
 */
import {
  AF_INET,
  AF_INET6,
  AF_NETLINK,
  close,
  NDA_DST,
  NDA_LLADDR,
  NDMSG,
  NETLINK_ROUTE,
  NLM_F_DUMP,
  NLM_F_REQUEST,
  NLMSG_ALIGNTO,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSGHDR,
  NLMSGHDR_FLAGS,
  NLMSGHDR_SEQ,
  NUD_FAILED,
  NUD_INCOMPLETE,
  NUD_NOARP,
  readAvailable,
  RTA_ALIGNTO,
  RTATTR,
  RTM_GETNEIGH,
  RTM_NEWNEIGH,
  sendto,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_RAW,
  SOCKADDR_NL,
  socket,
  SyscallError,
} from "../ffi/mod.ts";
import { formatIpv4, formatIpv6 } from "./ip_prefix.ts";

/** One neighbour: a local IP address (canonical text) and the MAC it answers from ("aa:bb:…", lower case). */
export interface Neighbour {
  readonly ip: string;
  readonly mac: string;
  readonly ifindex: number;
}

/** Room for one read: the kernel sends a dump in datagrams of about a page to 32 KiB. */
const READ_BYTES = 64 * 1024;
/** Reads per dump: enough for 100,000+ entries; a bound so a misbehaving socket cannot spin. */
const MAX_READS = 4096;
const UNUSABLE_STATES = NUD_INCOMPLETE | NUD_FAILED | NUD_NOARP;

/**
 * The kernel's IPv4 and IPv6 neighbours, in the network namespace of the calling thread. Throws
 * SyscallError when the socket cannot be opened or the kernel answers with an error.
 */
export function readNeighbours(): Neighbour[] {
  const fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
  try {
    sendto(fd, dumpRequest(), kernelAddress());
    const buffer = new Uint8Array(READ_BYTES);
    const view = new DataView(buffer.buffer);
    const out: Neighbour[] = [];
    for (let reads = 0; reads < MAX_READS; reads++) {
      const n = readAvailable(fd, buffer);
      if (n === 0 || parseNeighbourMessages(view, n, out)) break;
    }
    return out;
  } finally {
    close(fd);
  }
}

function kernelAddress(): Uint8Array {
  const address = new Uint8Array(SOCKADDR_NL.size);
  new DataView(address.buffer).setUint16(SOCKADDR_NL.family, AF_NETLINK, true);
  return address;
}

/** nlmsghdr + ndmsg (family AF_UNSPEC: both families), flags REQUEST | DUMP. */
function dumpRequest(): Uint8Array {
  const bytes = new Uint8Array(NLMSGHDR.size + NDMSG.size);
  const v = new DataView(bytes.buffer);
  v.setUint32(NLMSGHDR.length, bytes.length, true);
  v.setUint16(NLMSGHDR.type, RTM_GETNEIGH, true);
  v.setUint16(NLMSGHDR_FLAGS, NLM_F_REQUEST | NLM_F_DUMP, true);
  v.setUint32(NLMSGHDR_SEQ, 1, true);
  return bytes;
}

/**
 * Adds the usable entries among the messages in the first `length` bytes of `view` to `out`; returns true
 * at the end of the dump (NLMSG_DONE). Throws SyscallError for an NLMSG_ERROR answer.
 */
export function parseNeighbourMessages(view: DataView, length: number, out: Neighbour[]): boolean {
  for (let at = 0; at + NLMSGHDR.size <= length;) {
    const messageLength = view.getUint32(at + NLMSGHDR.length, true);
    if (messageLength < NLMSGHDR.size || at + messageLength > length) return false;
    const type = view.getUint16(at + NLMSGHDR.type, true);
    if (type === NLMSG_DONE) return true;
    if (type === NLMSG_ERROR && messageLength >= NLMSGHDR.size + 4) {
      const errno = -view.getInt32(at + NLMSGHDR.size, true);
      if (errno !== 0) throw new SyscallError("RTM_GETNEIGH", errno, "the kernel refused the neighbour dump");
    }
    if (type === RTM_NEWNEIGH && messageLength >= NLMSGHDR.size + NDMSG.size) {
      const entry = neighbourOf(view, at + NLMSGHDR.size, at + messageLength);
      if (entry !== null) out.push(entry);
    }
    at += Math.ceil(messageLength / NLMSG_ALIGNTO) * NLMSG_ALIGNTO;
  }
  return false;
}

/** The entry of one ndmsg at `body` and its attributes up to `end`, or null when it has no usable MAC. */
function neighbourOf(view: DataView, body: number, end: number): Neighbour | null {
  const family = view.getUint8(body + NDMSG.family);
  if ((view.getUint16(body + NDMSG.state, true) & UNUSABLE_STATES) !== 0) return null;
  let ip: string | null = null;
  let mac: string | null = null;
  for (let at = body + NDMSG.size; at + RTATTR.size <= end;) {
    const attrLength = view.getUint16(at + RTATTR.length, true);
    if (attrLength < RTATTR.size || at + attrLength > end) break;
    const type = view.getUint16(at + RTATTR.type, true);
    const data = at + RTATTR.size;
    const dataLength = attrLength - RTATTR.size;
    if (type === NDA_DST && family === AF_INET && dataLength === 4) {
      ip = formatIpv4(view.getInt32(data));
    } else if (type === NDA_DST && family === AF_INET6 && dataLength === 16) {
      ip = formatIpv6(
        view.getInt32(data),
        view.getInt32(data + 4),
        view.getInt32(data + 8),
        view.getInt32(data + 12),
      );
    } else if (type === NDA_LLADDR && dataLength === 6) {
      mac = [0, 1, 2, 3, 4, 5].map((i) => view.getUint8(data + i).toString(16).padStart(2, "0")).join(":");
    }
    at += Math.ceil(attrLength / RTA_ALIGNTO) * RTA_ALIGNTO;
  }
  if (ip === null || mac === null || mac === "00:00:00:00:00:00") return null;
  return { ip, mac, ifindex: view.getInt32(body + NDMSG.ifindex, true) };
}
