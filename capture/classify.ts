/**
 * Classifier: decides from the two addresses alone whether a packet is upload, download or ignored
 * (issue #2 item 3). An address is "near" when it is never public, bound to the host, or inside a LAN prefix;
 * near → far is upload, far → near is download, near ↔ near (LAN) and far ↔ far (not ours) are ignored.
 * classifyPacket() reads the addresses straight from the frame and never allocates.
 */
import { parseIp, parsePrefix, prefixMaskWord } from "./ip_prefix.ts";
import type { LocalAddresses } from "./local_addresses.ts";

/** Outcome of classifyPacket(). */
export const Direction = {
  /** Near source, public destination: the remote is the destination. */
  UPLOAD: 1,
  /** Public source, near destination: the remote is the source. */
  DOWNLOAD: 2,
  /** Both ends near (LAN traffic, including two ends in one LAN prefix). */
  IGNORED_LOCAL: 3,
  /** Both ends public and neither is the host's: transit the host only saw. */
  IGNORED_PUBLIC: 4,
} as const;

/** LocalAddresses compiled into signed 32-bit words for matching against raw address bytes. */
export interface LocalMatcher {
  readonly v4Hosts: Int32Array;
  /** Pairs of (prefix word, mask word). */
  readonly v4Prefixes: Int32Array;
  /** Four words per address. */
  readonly v6Hosts: Int32Array;
  /** Eight words per prefix: four prefix words, then four mask words. */
  readonly v6Prefixes: Int32Array;
}

/** Compiles `local` for classifyPacket(); throws SyntaxError naming an address or prefix that does not parse. */
export function compileLocalMatcher(local: LocalAddresses): LocalMatcher {
  const v4Hosts: number[] = [];
  const v6Hosts: number[] = [];
  for (const text of local.ips) {
    const { family, words } = parseIp(text);
    if (family === 4) v4Hosts.push(words[0]);
    else if (isMappedV4(words[0], words[1], words[2])) v4Hosts.push(words[3]);
    else v6Hosts.push(...words);
  }
  const v4Prefixes: number[] = [];
  const v6Prefixes: number[] = [];
  for (const text of local.lanPrefixes) {
    const { address, length } = parsePrefix(text);
    if (address.family === 4) {
      v4Prefixes.push(address.words[0], prefixMaskWord(length, 0));
    } else {
      v6Prefixes.push(...address.words, ...[0, 1, 2, 3].map((i) => prefixMaskWord(length, i)));
    }
  }
  return {
    v4Hosts: Int32Array.from(v4Hosts),
    v4Prefixes: Int32Array.from(v4Prefixes),
    v6Hosts: Int32Array.from(v6Hosts),
    v6Prefixes: Int32Array.from(v6Prefixes),
  };
}

/**
 * Classifies a packet whose `family` (4 or 6) addresses start at `srcOffset` and `dstOffset` in `view`.
 * Returns a Direction code. Pure: depends only on the address bytes and `matcher`.
 */
export function classifyPacket(
  view: DataView,
  srcOffset: number,
  dstOffset: number,
  family: number,
  matcher: LocalMatcher,
): number {
  const isSrcNear = family === 4 ? isNearV4(view.getInt32(srcOffset), matcher) : isNearV6(
    view.getInt32(srcOffset),
    view.getInt32(srcOffset + 4),
    view.getInt32(srcOffset + 8),
    view.getInt32(srcOffset + 12),
    matcher,
  );
  const isDstNear = family === 4 ? isNearV4(view.getInt32(dstOffset), matcher) : isNearV6(
    view.getInt32(dstOffset),
    view.getInt32(dstOffset + 4),
    view.getInt32(dstOffset + 8),
    view.getInt32(dstOffset + 12),
    matcher,
  );
  if (isSrcNear) return isDstNear ? Direction.IGNORED_LOCAL : Direction.UPLOAD;
  return isDstNear ? Direction.DOWNLOAD : Direction.IGNORED_PUBLIC;
}

const PRIVATE_172_MASK = 0xfff00000 | 0;
const PRIVATE_172 = 0xac100000 | 0;
const LINK_LOCAL_V6_MASK = 0xffc00000 | 0;
const LINK_LOCAL_V6 = 0xfe800000 | 0;

/**
 * IPv4 never public: 0/8, 10/8, 127/8, 169.254/16, 172.16/12, 192.168/16, and 224/4 multicast plus 240/4
 * (which holds 255.255.255.255): the replaced tool counted mDNS/SSDP from LAN hosts as upload.
 */
export function isNeverPublicV4(word: number): boolean {
  const first = word >>> 24;
  const firstTwo = word >>> 16;
  return first === 0 || first === 10 || first === 127 || first >= 224 || firstTwo === 0xa9fe ||
    firstTwo === 0xc0a8 || (word & PRIVATE_172_MASK) === PRIVATE_172;
}

/** IPv6 never public: ::/128, ::1/128, fe80::/10, fc00::/7, ff00::/8. */
export function isNeverPublicV6(w0: number, w1: number, w2: number, w3: number): boolean {
  if (w0 === 0 && w1 === 0 && w2 === 0 && (w3 === 0 || w3 === 1)) return true;
  const first = w0 >>> 24;
  return first === 0xff || first >>> 1 === 0x7e || (w0 & LINK_LOCAL_V6_MASK) === LINK_LOCAL_V6;
}

/** Whether ::ffff:a.b.c.d (RFC 4291 section 2.5.5.2): such an address is classified as its IPv4 address. */
export function isMappedV4(w0: number, w1: number, w2: number): boolean {
  return w0 === 0 && w1 === 0 && w2 === 0xffff;
}

/**
 * Whether the IPv4 address `word` is near: never public, one of the host's addresses, or in a LAN prefix.
 * TrafficPipeline calls it with words it already read, so each address is read from the frame once.
 */
export function isNearV4(word: number, m: LocalMatcher): boolean {
  if (isNeverPublicV4(word)) return true;
  const hosts = m.v4Hosts;
  for (let i = 0; i < hosts.length; i++) {
    if (hosts[i] === word) return true;
  }
  const prefixes = m.v4Prefixes;
  for (let i = 0; i < prefixes.length; i += 2) {
    if ((word & prefixes[i + 1]) === prefixes[i]) return true;
  }
  return false;
}

/** Whether the IPv6 address w0..w3 is near (see isNearV4); ::ffff:a.b.c.d is judged as a.b.c.d. */
export function isNearV6(w0: number, w1: number, w2: number, w3: number, m: LocalMatcher): boolean {
  if (isMappedV4(w0, w1, w2)) return isNearV4(w3, m);
  if (isNeverPublicV6(w0, w1, w2, w3)) return true;
  const hosts = m.v6Hosts;
  for (let i = 0; i < hosts.length; i += 4) {
    if (hosts[i] === w0 && hosts[i + 1] === w1 && hosts[i + 2] === w2 && hosts[i + 3] === w3) return true;
  }
  const p = m.v6Prefixes;
  for (let i = 0; i < p.length; i += 8) {
    if (
      (w0 & p[i + 4]) === p[i] && (w1 & p[i + 5]) === p[i + 1] && (w2 & p[i + 6]) === p[i + 2] &&
      (w3 & p[i + 7]) === p[i + 3]
    ) return true;
  }
  return false;
}
