/**
 * Host names as the parsers hand them on: validated (cleanHostName), grouped into a service (serviceOf) and
 * shown decoded (displayHostName). The rules are in docs/services-wire.md "Host names".
 */
import { domainToUnicode } from "node:url";
import { getDomain } from "tldts";

/** RFC 1035 §2.3.4: at most 253 characters in text form without the final dot (255 octets on the wire). */
const MAX_NAME_CHARS = 253;
/** RFC 1035 §2.3.4: at most 63 octets per label. */
const MAX_LABEL_CHARS = 63;

const CHAR_DOT = 0x2e;
const CHAR_HYPHEN = 0x2d;

/**
 * A valid host name (LDH labels, xn-- allowed, ≤ 253, lower-cased, no trailing dot), or null.
 *
 * LDH (RFC 1123 §2.1, RFC 5890 §2.3.1): letters, digits and inner hyphens, 1 to 63 characters per label.
 * A name whose last label is all digits is an IPv4 literal or garbage, never a host name (RFC 3696 §2), so
 * it is refused: it would name an address after itself. Never throws.
 */
export function cleanHostName(raw: string): string | null {
  if (raw.length > MAX_NAME_CHARS + 1) return null;
  let clean = cleanNames.get(raw);
  if (clean === undefined) {
    clean = validHostName(raw);
    if (cleanNames.size >= CLEAN_NAME_MEMO) cleanNames.clear();
    cleanNames.set(raw, clean);
  }
  return clean;
}

/**
 * Recent answers of cleanHostName: the parsers hand on one string per recurring name (byte_string.ts
 * nameString), whose Map lookup costs less than checking it again (tests/bench/parse_bench.ts, names on).
 */
const CLEAN_NAME_MEMO = 4096;
const cleanNames = new Map<string, string | null>();

function validHostName(raw: string): string | null {
  let end = raw.length;
  if (end > 0 && raw.charCodeAt(end - 1) === CHAR_DOT) end--;
  if (end === 0 || end > MAX_NAME_CHARS) return null;
  let labelStart = 0;
  let lastLabelAllDigits = true;
  let hasUpper = false;
  for (let i = 0; i <= end; i++) {
    const c = i === end ? CHAR_DOT : raw.charCodeAt(i);
    if (c === CHAR_DOT) {
      const labelChars = i - labelStart;
      if (labelChars === 0 || labelChars > MAX_LABEL_CHARS) return null;
      if (raw.charCodeAt(labelStart) === CHAR_HYPHEN || raw.charCodeAt(i - 1) === CHAR_HYPHEN) return null;
      labelStart = i + 1;
      if (i < end) lastLabelAllDigits = true;
      continue;
    }
    if (c >= 0x30 && c <= 0x39) continue;
    lastLabelAllDigits = false;
    if ((c >= 0x61 && c <= 0x7a) || c === CHAR_HYPHEN) continue;
    if (c >= 0x41 && c <= 0x5a) {
      hasUpper = true;
      continue;
    }
    return null;
  }
  if (lastLabelAllDigits) return null;
  const name = end === raw.length ? raw : raw.slice(0, end);
  return hasUpper ? name.toLowerCase() : name;
}

/**
 * The registrable domain of a clean host name under the ICANN part of the Public Suffix List (tldts), e.g.
 * `rr3---sn-abc.googlevideo.com` → `googlevideo.com`; the host itself when it has none (a bare TLD, a
 * single label, an IP literal). Private PSL entries (cloudfront.net, github.io) are left out on purpose: a
 * service is the operator, not each customer's subdomain.
 */
export function serviceOf(hostName: string): string {
  return getDomain(hostName) ?? hostName;
}

/** The host name for display: xn-- labels decoded to Unicode (RFC 3492); the name as is when it has none or
 *  does not decode. The caller escapes the result like any other text. */
export function displayHostName(hostName: string): string {
  if (!hostName.includes("xn--")) return hostName;
  const decoded = domainToUnicode(hostName);
  // domainToUnicode returns "" or U+FFFD for punycode that does not decode.
  return decoded === "" || decoded.includes("\ufffd") ? hostName : decoded;
}
