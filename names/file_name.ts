/** The records the parsers of the LAN's name files return, and the address spellings they share. */

/** One name a file gives: to a MAC, to an IP address, or to both (a DHCP lease). */
export interface FileName {
  /** Lowercase "aa:bb:cc:dd:ee:ff", or null when the line names an address only. */
  readonly mac: string | null;
  /** The address in its canonical spelling (IPv6 as RFC 5952), or null. */
  readonly ip: string | null;
  /** Printable, at most MAX_NAME_CHARS (clean_name.ts). */
  readonly name: string;
  /** False for a lease that no longer holds its address: its name still names its MAC, not its IP. */
  readonly holdsIp: boolean;
}

/** What a parser found in one file's text. */
export interface ParsedNameFile {
  readonly names: readonly FileName[];
  /** False when the text ends inside a record: a file caught while being rewritten (keep the last copy). */
  readonly isComplete: boolean;
  /** Lines (or blocks) that were skipped as malformed. */
  readonly skipped: number;
}

const MAC_PARTS_REGEXP = /^[0-9a-f]{1,2}(:[0-9a-f]{1,2}){5}$|^[0-9a-f]{1,2}(-[0-9a-f]{1,2}){5}$/i;
const IPV4_REGEXP = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6_CHARS_REGEXP = /^[0-9a-f:.]+$/i;

/** "8:0:20:1:2:3" or "08-00-20-01-02-03" as "08:00:20:01:02:03"; null when `text` is not a 6-byte MAC. */
export function canonicalMac(text: string): string | null {
  if (!MAC_PARTS_REGEXP.test(text)) return null;
  return text.toLowerCase().split(/[:-]/).map((p) => p.padStart(2, "0")).join(":");
}

/** An IPv4 or IPv6 address in the spelling capture/ gives local addresses; null when it is neither. */
export function canonicalIp(text: string): string | null {
  if (IPV4_REGEXP.test(text)) return text;
  if (!text.includes(":") || !IPV6_CHARS_REGEXP.test(text)) return null;
  try {
    // The URL parser writes IPv6 hosts in the RFC 5952 form (lowercase, longest zero run as "::").
    return new URL(`http://[${text}]/`).hostname.slice(1, -1);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    return null;
  }
}
