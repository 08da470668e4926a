/**
 * The addresses a DNS response gives for the name its client asked: A and AAAA records, CNAME chains and
 * the ipv4hint/ipv6hint of HTTPS/SVCB records, with their TTLs. The wire facts are in docs/services-wire.md
 * "DNS responses".
 */
import { cleanHostName } from "./host_name.ts";
import { nameEnd, readDnsName } from "./dns_name.ts";

/**
 * One address of an answer, read out of the packet as 32-bit words (network order, as signed int32s, the way
 * the capture's tables key addresses): one for IPv4, four for IPv6. Numbers, not a typed array: a new typed
 * array costs more than the rest of the parse in Deno (parse_bench, names on).
 */
export interface DnsAddress {
  readonly family: 4 | 6;
  readonly words: readonly number[];
  readonly ttlSec: number;
}

/** The name the client asked and the addresses the response gives for it. */
export interface DnsAnswer {
  readonly name: string;
  readonly addresses: readonly DnsAddress[];
}

const HEADER_BYTES = 12;
/** A compression pointer to the question's name, which follows the header. */
const POINTER_TO_QUESTION = 0xc000 | HEADER_BYTES;
/** Type (2), class (2), TTL (4), RDLENGTH (2): RFC 1035 §4.1.3. */
const RECORD_FIXED_BYTES = 10;
const CLASS_IN = 1;
const TYPE_A = 1;
const TYPE_CNAME = 5;
const TYPE_AAAA = 28;
const TYPE_SVCB = 64;
const TYPE_HTTPS = 65;
/** RFC 9460 §7.3: SvcParamKeys of the address hints. */
const KEY_IPV4HINT = 4;
const KEY_IPV6HINT = 6;
/** More CNAME steps than any resolver follows (BIND stops at 16): a longer chain is not followed further. */
const MAX_CHAIN_NAMES = 17;

/**
 * The addresses as read, before the chain decides whether their owners are the asked name: each owner name,
 * and per owner the address's offset in the message, its length (4 or 16) and its TTL.
 */
interface FoundAddresses {
  readonly owners: string[];
  readonly fields: number[];
}

/**
 * A DNS response message (UDP payload, or a TCP payload with its 2-byte length prefix when tcp=true). The
 * name is the one the client asked (question name), valid and lower-case; null when not a usable answer.
 *
 * Only a NOERROR response to a standard query with one question counts. Records are read until the first
 * malformed one or the end of the bytes at hand (a count that lies, a TCP message longer than its segment):
 * those read before it still count. Never throws.
 */
export function readDnsAnswer(message: Uint8Array, tcp: boolean): DnsAnswer | null {
  let start = 0;
  let end = message.length;
  if (tcp) {
    if (end < 2) return null;
    start = 2;
    end = Math.min(end, 2 + ((message[0] << 8) | message[1]));
  }
  if (end - start < HEADER_BYTES) return null;
  // RFC 1035 §4.1.1: QR set (a response), OPCODE 0 (a standard query), RCODE 0 (no error).
  if ((message[start + 2] & 0xf8) !== 0x80 || (message[start + 3] & 0x0f) !== 0) return null;
  const questionCount = (message[start + 4] << 8) | message[start + 5];
  const answerCount = (message[start + 6] << 8) | message[start + 7];
  if (questionCount !== 1 || answerCount === 0) return null;
  // A view only when the message does not start and end with the bytes at hand: a view costs more than the
  // rest of a small answer's parse (parse_bench, names on).
  return readSections(
    start === 0 && end === message.length ? message : message.subarray(start, end),
    answerCount,
  );
}

function readSections(dns: Uint8Array, answerCount: number): DnsAnswer | null {
  const asked = readDnsName(dns, HEADER_BYTES);
  if (asked === null || nameEnd + 4 > dns.length) return null;
  const name = cleanHostName(asked);
  if (name === null) return null;
  const chain = [name];
  const aliases: string[] = []; // pairs: owner, target
  const found: FoundAddresses = { owners: [], fields: [] };
  let pos = nameEnd + 4; // QTYPE, QCLASS
  for (let i = 0; i < answerCount; i++) {
    // Most records name their owner by a pointer to the question (RFC 1035 §4.1.4): the name read above,
    // which readDnsName would read again, building the same string.
    const isAsked = dns[pos] === POINTER_TO_QUESTION >> 8 && dns[pos + 1] === (POINTER_TO_QUESTION & 0xff);
    const owner = isAsked ? asked : readDnsName(dns, pos);
    const at = isAsked ? pos + 2 : nameEnd;
    if (at < 0 || at + RECORD_FIXED_BYTES > dns.length) break;
    const type = (dns[at] << 8) | dns[at + 1];
    const rdStart = at + RECORD_FIXED_BYTES;
    const rdEnd = rdStart + ((dns[at + 8] << 8) | dns[at + 9]);
    if (rdEnd > dns.length) break;
    pos = rdEnd;
    if (owner === null || ((dns[at + 2] << 8) | dns[at + 3]) !== CLASS_IN) continue;
    // RFC 2181 §8: a TTL with the top bit set is read as zero.
    const ttlSec = dns[at + 4] >= 0x80 ? 0 : ((dns[at + 4] << 24) | (dns[at + 5] << 16) | (dns[at + 6] << 8) |
      dns[at + 7]);
    if ((type === TYPE_A && rdEnd - rdStart === 4) || (type === TYPE_AAAA && rdEnd - rdStart === 16)) {
      found.owners.push(owner);
      found.fields.push(rdStart, rdEnd - rdStart, ttlSec);
    } else if (type === TYPE_CNAME) {
      const target = readDnsName(dns, rdStart);
      if (target !== null && nameEnd === rdEnd) aliases.push(owner, target);
    } else if (type === TYPE_HTTPS || type === TYPE_SVCB) {
      readServiceHints(dns, rdStart, rdEnd, owner, ttlSec, found);
    }
  }
  followAliases(chain, aliases);
  const addresses = copyAddresses(dns, chain, found);
  return addresses.length === 0 ? null : { name, addresses };
}

/** The found addresses whose owner is on `chain`, read out of the message (the capture ring reuses it). */
function copyAddresses(dns: Uint8Array, chain: readonly string[], found: FoundAddresses): DnsAddress[] {
  const { owners, fields } = found;
  const addresses: DnsAddress[] = [];
  for (let i = 0; i < owners.length; i++) {
    if (!chain.includes(owners[i])) continue;
    const from = fields[3 * i];
    const words: number[] = [];
    for (let at = from; at < from + fields[3 * i + 1]; at += 4) {
      words.push((dns[at] << 24) | (dns[at + 1] << 16) | (dns[at + 2] << 8) | dns[at + 3]);
    }
    addresses.push({ family: words.length === 1 ? 4 : 6, words, ttlSec: fields[3 * i + 2] });
  }
  return addresses;
}

/** Adds to `chain` every name its names are aliases of (RFC 1034 §3.6.2), in any record order. */
function followAliases(chain: string[], aliases: readonly string[]): void {
  let isGrowing = aliases.length > 0;
  while (isGrowing && chain.length < MAX_CHAIN_NAMES) {
    isGrowing = false;
    for (let i = 0; i < aliases.length; i += 2) {
      if (chain.includes(aliases[i]) && !chain.includes(aliases[i + 1])) {
        chain.push(aliases[i + 1]);
        isGrowing = true;
      }
    }
  }
}

/**
 * The ipv4hint and ipv6hint addresses of an HTTPS/SVCB record's RDATA (RFC 9460 §2.2: SvcPriority,
 * an uncompressed TargetName, then SvcParams as key, length, value). AliasMode (priority 0) has no hints.
 */
function readServiceHints(
  dns: Uint8Array,
  rdStart: number,
  rdEnd: number,
  owner: string,
  ttlSec: number,
  found: FoundAddresses,
): void {
  if (rdEnd - rdStart < 3 || (dns[rdStart] | dns[rdStart + 1]) === 0) return;
  // A view that ends with the RDATA keeps the TargetName inside its record.
  readDnsName(dns.subarray(0, rdEnd), rdStart + 2);
  if (nameEnd < 0) return;
  let pos = nameEnd;
  while (pos + 4 <= rdEnd) {
    const key = (dns[pos] << 8) | dns[pos + 1];
    const valueStart = pos + 4;
    const valueEnd = valueStart + ((dns[pos + 2] << 8) | dns[pos + 3]);
    if (valueEnd > rdEnd) return;
    const step = key === KEY_IPV4HINT ? 4 : key === KEY_IPV6HINT ? 16 : 0;
    if (step !== 0 && (valueEnd - valueStart) % step === 0) {
      for (let at = valueStart; at < valueEnd; at += step) {
        found.owners.push(owner);
        found.fields.push(at, step, ttlSec);
      }
    }
    pos = valueEnd;
  }
}
