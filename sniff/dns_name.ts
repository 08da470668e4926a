/**
 * Reads one domain name from a DNS message (RFC 1035 §3.1, §4.1.4), treating the message as hostile: see
 * docs/services-wire.md "DNS names".
 */
import { nameString } from "./byte_string.ts";

/** RFC 1035 §3.1: a name is at most 255 octets on the wire, length octets and the final zero included. */
const MAX_NAME_OCTETS = 255;
/** RFC 1035 §4.1.4: a length octet with both top bits set starts a 2-byte compression pointer. */
const POINTER_BITS = 0xc0;
/** RFC 1035 §3.1: label lengths are 0..63; 0x40 and 0x80 were extended label types, never deployed
 *  (RFC 6891 §5), so they end the read like any other corruption. */
const MAX_LABEL_OCTETS = 63;

/** One scratch buffer for the name's characters: names are read one at a time, synchronously. */
const nameChars = new Uint8Array(MAX_NAME_OCTETS);

/** Where the name just read ends in its record (the offset after it), or -1 when it was malformed. */
export let nameEnd = -1;

/**
 * The name at `offset` of `message` (whose bytes end at `end`), lower-cased, without the final dot ("" for
 * the root), and sets `nameEnd`. Returns null with `nameEnd` -1 when the name is malformed (a pointer that
 * does not go back, a label past the end, an extended label type, over 255 octets), and null with `nameEnd`
 * set when the name is well formed but has bytes no host name has (outside printable ASCII, or a dot inside
 * a label).
 *
 * Every pointer must land before the lowest position the walk has visited so far: the positions strictly
 * decrease, so a loop of pointers ends after at most a few thousand steps, and compression by real encoders
 * (which point to names written earlier) always passes.
 */
export function readDnsName(message: Uint8Array, offset: number, end = message.length): string | null {
  nameEnd = -1;
  let pos = offset;
  let lowestVisited = offset;
  let resumeAt = -1;
  let wireOctets = 0;
  let charCount = 0;
  let isUsable = true;
  for (;;) {
    if (pos >= end) return null;
    const length = message[pos];
    if (length >= POINTER_BITS) {
      if (pos + 1 >= end) return null;
      const target = ((length & ~POINTER_BITS) << 8) | message[pos + 1];
      if (target >= lowestVisited) return null;
      if (resumeAt < 0) resumeAt = pos + 2;
      lowestVisited = target;
      pos = target;
      continue;
    }
    if (length > MAX_LABEL_OCTETS) return null;
    wireOctets += length + 1;
    if (wireOctets > MAX_NAME_OCTETS) return null;
    if (length === 0) break;
    const labelEnd = pos + 1 + length;
    if (labelEnd > end) return null;
    if (charCount > 0) nameChars[charCount++] = 0x2e;
    for (let i = pos + 1; i < labelEnd; i++) {
      let c = message[i];
      if (c >= 0x41 && c <= 0x5a) c += 0x20; // RFC 4343: case does not matter; 0x20 randomization mixes it
      else if (c <= 0x20 || c >= 0x7f || c === 0x2e) isUsable = false;
      nameChars[charCount++] = c;
    }
    pos = labelEnd;
  }
  nameEnd = resumeAt >= 0 ? resumeAt : pos + 1;
  if (!isUsable) return null;
  return charCount === 0 ? "" : nameString(nameChars, 0, charCount);
}
