/**
 * LinkEvents: the kernel's own announcements that a link or an address changed (rtnetlink multicast groups),
 * so the capture loop re-reads the interface and its addresses the moment they change instead of polling
 * them. Its socket is non-blocking and sits in the ring's poll set: an idle capture sleeps until a packet, a
 * change or the stop signal, and a change costs nothing until it happens.
 */
import {
  AF_NETLINK,
  bind,
  close,
  Errno,
  IFADDRMSG_INDEX,
  IFINFOMSG_INDEX,
  NETLINK_ROUTE,
  NLMSG_ALIGNTO,
  NLMSGHDR,
  readAvailable,
  RTM_DELADDR,
  RTM_DELLINK,
  RTM_NEWADDR,
  RTM_NEWLINK,
  RTMGRP_IPV4_IFADDR,
  RTMGRP_IPV6_IFADDR,
  RTMGRP_LINK,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_RAW,
  SOCKADDR_NL,
  socket,
  SyscallError,
} from "../ffi/mod.ts";

/** Room for one read: the kernel sends each announcement as its own datagram of at most a few KiB. */
const READ_BYTES = 32 * 1024;
/** Reads per drain; a burst larger than this is left for the next drain (the socket stays readable). */
const MAX_READS_PER_DRAIN = 256;

/** An open rtnetlink socket subscribed to link and IPv4/IPv6 address changes; close() releases it. */
export class LinkEvents {
  readonly fd: number;
  readonly #buffer = new Uint8Array(READ_BYTES);
  readonly #view = new DataView(this.#buffer.buffer);

  /** Opens and subscribes the socket; throws SyscallError when the kernel refuses. */
  static open(): LinkEvents {
    return new LinkEvents();
  }

  private constructor() {
    this.fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
    try {
      const address = new Uint8Array(SOCKADDR_NL.size);
      const a = new DataView(address.buffer);
      a.setUint16(SOCKADDR_NL.family, AF_NETLINK, true);
      a.setUint32(SOCKADDR_NL.groups, RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR, true);
      bind(this.fd, address);
    } catch (e) {
      close(this.fd);
      throw e;
    }
  }

  /**
   * Reads every pending announcement. Returns true when one was about interface `ifindex`, or when some were
   * lost (ENOBUFS: the socket's buffer overflowed during a burst of changes), so the caller re-reads.
   */
  drain(ifindex: number): boolean {
    let isAboutIt = false;
    for (let reads = 0; reads < MAX_READS_PER_DRAIN; reads++) {
      let n: number;
      try {
        n = readAvailable(this.fd, this.#buffer);
      } catch (e) {
        if (e instanceof SyscallError && e.errno === Errno.ENOBUFS) {
          isAboutIt = true;
          continue;
        }
        throw e;
      }
      if (n === 0) break;
      if (mentionsInterface(this.#view, n, ifindex)) isAboutIt = true;
    }
    return isAboutIt;
  }

  close(): void {
    close(this.fd);
  }
}

/** True when one of the rtnetlink messages in the first `length` bytes of `view` concerns `ifindex`. */
export function mentionsInterface(view: DataView, length: number, ifindex: number): boolean {
  for (let at = 0; at + NLMSGHDR.size <= length;) {
    const messageLength = view.getUint32(at + NLMSGHDR.length, true);
    if (messageLength < NLMSGHDR.size || at + messageLength > length) return false;
    const type = view.getUint16(at + NLMSGHDR.type, true);
    const body = at + NLMSGHDR.size;
    const indexAt = type === RTM_NEWLINK || type === RTM_DELLINK
      ? body + IFINFOMSG_INDEX
      : type === RTM_NEWADDR || type === RTM_DELADDR
      ? body + IFADDRMSG_INDEX
      : -1;
    if (indexAt >= 0 && indexAt + 4 <= at + messageLength && view.getInt32(indexAt, true) === ifindex) {
      return true;
    }
    at += Math.ceil(messageLength / NLMSG_ALIGNTO) * NLMSG_ALIGNTO;
  }
  return false;
}
