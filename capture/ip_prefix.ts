/**
 * IP addresses and CIDR prefixes as 32-bit words, so the classifier can match them against raw header bytes
 * without building strings. Words are signed 32-bit integers (the `| 0` form of big-endian `getInt32`), which
 * keeps every mask-and-compare in V8's small-integer fast path. Text parsing happens only at configuration
 * time and throws SyntaxError; text formatting happens only when a counted remote leaves capture/.
 */

/** One IPv4 or IPv6 address: IPv4 uses `words[0]` only, the other words are 0. */
export interface IpAddress {
  readonly family: 4 | 6;
  /** Four big-endian 32-bit words as signed integers. */
  readonly words: readonly [number, number, number, number];
}

/** A CIDR prefix; `address` has every bit beyond `length` cleared. */
export interface IpPrefix {
  readonly address: IpAddress;
  readonly length: number;
}

const IPV4_REGEXP = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HEX_GROUP_REGEXP = /^[0-9a-fA-F]{1,4}$/;

/** Parses an IPv4 or IPv6 address (a `%zone` suffix is dropped); throws SyntaxError naming the text. */
export function parseIp(text: string): IpAddress {
  const trimmed = text.trim().replace(/%.*$/, "");
  const words = trimmed.includes(":") ? parseIpv6Words(trimmed) : parseIpv4Word(trimmed);
  if (words === null) throw new SyntaxError(`Cannot parse IP address "${text}": expected IPv4 or IPv6 text`);
  return typeof words === "number"
    ? { family: 4, words: [words, 0, 0, 0] }
    : { family: 6, words: [words[0], words[1], words[2], words[3]] };
}

/** Parses "address/length" (a bare address is a full-length prefix); throws SyntaxError naming the text. */
export function parsePrefix(text: string): IpPrefix {
  const slash = text.indexOf("/");
  const address = parseIp(slash < 0 ? text : text.slice(0, slash));
  const maxLength = address.family === 4 ? 32 : 128;
  const lengthText = slash < 0 ? String(maxLength) : text.slice(slash + 1).trim();
  const length = Number(lengthText);
  if (!/^\d{1,3}$/.test(lengthText) || length > maxLength) {
    throw new SyntaxError(`Cannot parse IP prefix "${text}": prefix length must be 0..${maxLength}`);
  }
  return { address: maskAddress(address, length), length };
}

/** The address with every bit beyond `length` cleared. */
export function maskAddress(address: IpAddress, length: number): IpAddress {
  const w = address.words;
  if (address.family === 4) return { family: 4, words: [w[0] & prefixMaskWord(length, 0), 0, 0, 0] };
  const masked = [0, 1, 2, 3].map((i) => w[i] & prefixMaskWord(length, i));
  return { family: 6, words: [masked[0], masked[1], masked[2], masked[3]] };
}

/** Mask of word `index` (0..3) of a 128-bit prefix of `bits` bits, as a signed 32-bit integer. */
export function prefixMaskWord(bits: number, index: number): number {
  const inWord = Math.min(32, Math.max(0, bits - index * 32));
  return inWord === 0 ? 0 : (0xffffffff << (32 - inWord)) | 0;
}

/** Canonical text of an address: dotted quad, or RFC 5952 for IPv6. */
export function formatIp(address: IpAddress): string {
  const [w0, w1, w2, w3] = address.words;
  return address.family === 4 ? formatIpv4(w0) : formatIpv6(w0, w1, w2, w3);
}

/** Canonical text of a prefix, e.g. "2001:db8:1:100::/56". */
export function formatPrefix(prefix: IpPrefix): string {
  return `${formatIp(prefix.address)}/${prefix.length}`;
}

/** Dotted-quad text of one 32-bit word. */
export function formatIpv4(word: number): string {
  return `${(word >>> 24) & 255}.${(word >>> 16) & 255}.${(word >>> 8) & 255}.${word & 255}`;
}

/**
 * RFC 5952 text of four 32-bit words: lowercase, no leading zeros, the longest zero run (≥ 2 groups) as
 * "::", and ::ffff:a.b.c.d for IPv4-mapped addresses.
 */
export function formatIpv6(w0: number, w1: number, w2: number, w3: number): string {
  // RFC 5952 section 5: IPv4-mapped addresses keep the dotted quad.
  if (w0 === 0 && w1 === 0 && w2 === 0xffff) return `::ffff:${formatIpv4(w3)}`;
  const groups = [
    w0 >>> 16,
    w0 & 0xffff,
    w1 >>> 16,
    w1 & 0xffff,
    w2 >>> 16,
    w2 & 0xffff,
    w3 >>> 16,
    w3 & 0xffff,
  ];
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

function parseIpv4Word(text: string): number | null {
  const match = IPV4_REGEXP.exec(text);
  if (!match) return null;
  const octets = match.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return null;
  return ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) | 0;
}

function parseIpv6Words(text: string): [number, number, number, number] | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] === "" ? [] : halves[0].split(":");
  const tail = halves.length === 2 && halves[1] !== "" ? halves[1].split(":") : [];
  const groups = parseGroups(halves.length === 2 ? tail : head);
  const headGroups = halves.length === 2 ? parseGroups(head) : [];
  if (groups === null || headGroups === null) return null;
  const all = halves.length === 2
    ? [...headGroups, ...zeros(8 - headGroups.length - groups.length), ...groups]
    : groups;
  if (all.length !== 8 || (halves.length === 2 && headGroups.length + groups.length > 7)) return null;
  return [0, 1, 2, 3].map((i) => ((all[2 * i] << 16) | all[2 * i + 1]) | 0) as [
    number,
    number,
    number,
    number,
  ];
}

/** Hex groups, where a trailing dotted quad counts as two groups (RFC 4291 section 2.2, form 3). */
function parseGroups(parts: readonly string[]): number[] | null {
  const groups: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (i === parts.length - 1 && part.includes(".")) {
      const word = parseIpv4Word(part);
      if (word === null) return null;
      groups.push(word >>> 16, word & 0xffff);
    } else if (HEX_GROUP_REGEXP.test(part)) {
      groups.push(parseInt(part, 16));
    } else {
      return null;
    }
  }
  return groups;
}

function zeros(count: number): number[] {
  return count > 0 ? new Array(count).fill(0) : [];
}
