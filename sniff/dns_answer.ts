/**
 * The addresses a DNS response gives for the name its client asked: A and AAAA records, CNAME chains and
 * the ipv4hint/ipv6hint of HTTPS/SVCB records, with their TTLs. The wire facts are in docs/services-wire.md
 * "DNS responses".
 */
import { cleanHostName } from "./host_name.ts";
import { nameEnd, readDnsName } from "./dns_name.ts";

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

/** Numbers per address in answerWords: family, four words (IPv4: one, then zeros), TTL in seconds. */
export const ANSWER_WORDS_PER_ADDRESS = 6;

/**
 * The addresses of the answer readDnsAnswerWords() read last, ANSWER_WORDS_PER_ADDRESS numbers each, in
 * record order. One array, reused from answer to answer: copy what must outlive the next call.
 */
export const answerWords: number[] = [];
/** The name the client asked, of the answer readDnsAnswerWords() read last. */
export let answerName = "";

/**
 * Scratch of the answer being read, reused, so that reading an answer allocates nothing once these have
 * grown to the size of the answers seen (tests/bench/parse_bench.ts, names on): the names on the asked
 * name's CNAME chain, the aliases as (owner, target) pairs, and each address record's owner with its offset
 * in the message, length (4 or 16) and TTL. Only their first *Count entries are current.
 */
const chain: string[] = [];
let chainCount = 0;
const aliases: string[] = [];
let aliasCount = 0;
const foundOwners: string[] = [];
const foundFields: number[] = [];
let foundCount = 0;

/** The largest DNS message: TCP's length prefix is 16 bits (RFC 1035 §4.2.2). */
const MAX_MESSAGE_BYTES = 65_535;
/**
 * The message being read, copied out of the caller's bytes: its compression pointers count from its first
 * byte, and a copy costs less than a view of the capture's buffer (tests/bench/parse_bench.ts, names on).
 */
const messageCopy = new Uint8Array(MAX_MESSAGE_BYTES);

/**
 * The addresses a DNS response message gives for the name its client asked (question name), read from
 * `bytes[start, end)`: a UDP payload, or a TCP payload with its 2-byte length prefix when tcp=true. Returns
 * how many (0 when not a usable answer) and leaves them in answerWords, with the asked name, valid and
 * lower-case, in answerName; no objects are made. The counting path passes the capture's buffer with the
 * payload's bounds.
 *
 * Only a NOERROR response to a standard query with one question counts. Records are read until the first
 * malformed one or the end of the bytes at hand (a count that lies, a TCP message longer than its segment):
 * those read before it still count. Never throws.
 */
export function readDnsAnswerWords(bytes: Uint8Array, start: number, end: number, tcp: boolean): number {
  let from = start;
  let to = end;
  if (tcp) {
    if (to - from < 2) return 0;
    from += 2;
    to = Math.min(to, from + ((bytes[start] << 8) | bytes[start + 1]));
  }
  const length = Math.min(to - from, MAX_MESSAGE_BYTES);
  if (length < HEADER_BYTES) return 0;
  // RFC 1035 §4.1.1: QR set (a response), OPCODE 0 (a standard query), RCODE 0 (no error).
  if ((bytes[from + 2] & 0xf8) !== 0x80 || (bytes[from + 3] & 0x0f) !== 0) return 0;
  const questionCount = (bytes[from + 4] << 8) | bytes[from + 5];
  const answerCount = (bytes[from + 6] << 8) | bytes[from + 7];
  if (questionCount !== 1 || answerCount === 0) return 0;
  for (let i = 0; i < length; i++) messageCopy[i] = bytes[from + i];
  return readSections(messageCopy, length, answerCount);
}

/** The sections of the message in `dns[0, length)`. */
function readSections(dns: Uint8Array, length: number, answerCount: number): number {
  const asked = readDnsName(dns, HEADER_BYTES, length);
  if (asked === null || nameEnd + 4 > length) return 0;
  const name = cleanHostName(asked);
  if (name === null) return 0;
  chain[0] = name;
  chainCount = 1;
  aliasCount = 0;
  foundCount = 0;
  let pos = nameEnd + 4; // QTYPE, QCLASS
  for (let i = 0; i < answerCount; i++) {
    // Most records name their owner by a pointer to the question (RFC 1035 §4.1.4): the name read above,
    // which readDnsName would read again, building the same string.
    const isAsked = dns[pos] === POINTER_TO_QUESTION >> 8 && dns[pos + 1] === (POINTER_TO_QUESTION & 0xff);
    const owner = isAsked ? asked : readDnsName(dns, pos, length);
    const at = isAsked ? pos + 2 : nameEnd;
    if (at < 0 || at + RECORD_FIXED_BYTES > length) break;
    const type = (dns[at] << 8) | dns[at + 1];
    const rdStart = at + RECORD_FIXED_BYTES;
    const rdEnd = rdStart + ((dns[at + 8] << 8) | dns[at + 9]);
    if (rdEnd > length) break;
    pos = rdEnd;
    if (owner === null || ((dns[at + 2] << 8) | dns[at + 3]) !== CLASS_IN) continue;
    // RFC 2181 §8: a TTL with the top bit set is read as zero.
    const ttlSec = dns[at + 4] >= 0x80 ? 0 : ((dns[at + 4] << 24) | (dns[at + 5] << 16) | (dns[at + 6] << 8) |
      dns[at + 7]);
    if ((type === TYPE_A && rdEnd - rdStart === 4) || (type === TYPE_AAAA && rdEnd - rdStart === 16)) {
      addFound(owner, rdStart, rdEnd - rdStart, ttlSec);
    } else if (type === TYPE_CNAME) {
      const target = readDnsName(dns, rdStart, length);
      if (target !== null && nameEnd === rdEnd) {
        aliases[aliasCount++] = owner;
        aliases[aliasCount++] = target;
      }
    } else if (type === TYPE_HTTPS || type === TYPE_SVCB) {
      readServiceHints(dns, rdStart, rdEnd, owner, ttlSec);
    }
  }
  followAliases();
  answerName = name;
  return copyAddresses(dns);
}

function addFound(owner: string, at: number, length: number, ttlSec: number): void {
  foundOwners[foundCount] = owner;
  foundFields[3 * foundCount] = at;
  foundFields[3 * foundCount + 1] = length;
  foundFields[3 * foundCount + 2] = ttlSec;
  foundCount++;
}

/** Whether `name` is on the chain read so far. */
function isOnChain(name: string): boolean {
  for (let i = 0; i < chainCount; i++) if (chain[i] === name) return true;
  return false;
}

/**
 * Copies the found addresses whose owner is on the chain into answerWords, read out of the message (the
 * capture ring reuses it); returns how many.
 */
function copyAddresses(dns: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < foundCount; i++) {
    if (!isOnChain(foundOwners[i])) continue;
    const from = foundFields[3 * i];
    const length = foundFields[3 * i + 1];
    const out = count++ * ANSWER_WORDS_PER_ADDRESS;
    answerWords[out] = length === 4 ? 4 : 6;
    for (let w = 0; w < 4; w++) {
      const at = from + 4 * w;
      answerWords[out + 1 + w] = w * 4 < length
        ? ((dns[at] << 24) | (dns[at + 1] << 16) | (dns[at + 2] << 8) | dns[at + 3])
        : 0;
    }
    answerWords[out + 5] = foundFields[3 * i + 2];
  }
  return count;
}

/** Adds to the chain every name its names are aliases of (RFC 1034 §3.6.2), in any record order. */
function followAliases(): void {
  let isGrowing = aliasCount > 0;
  while (isGrowing && chainCount < MAX_CHAIN_NAMES) {
    isGrowing = false;
    for (let i = 0; i < aliasCount; i += 2) {
      if (isOnChain(aliases[i]) && !isOnChain(aliases[i + 1])) {
        chain[chainCount++] = aliases[i + 1];
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
): void {
  if (rdEnd - rdStart < 3 || (dns[rdStart] | dns[rdStart + 1]) === 0) return;
  // Read as if the message ended with the RDATA: the TargetName stays inside its record.
  readDnsName(dns, rdStart + 2, rdEnd);
  if (nameEnd < 0) return;
  let pos = nameEnd;
  while (pos + 4 <= rdEnd) {
    const key = (dns[pos] << 8) | dns[pos + 1];
    const valueStart = pos + 4;
    const valueEnd = valueStart + ((dns[pos + 2] << 8) | dns[pos + 3]);
    if (valueEnd > rdEnd) return;
    const step = key === KEY_IPV4HINT ? 4 : key === KEY_IPV6HINT ? 16 : 0;
    if (step !== 0 && (valueEnd - valueStart) % step === 0) {
      for (let at = valueStart; at < valueEnd; at += step) addFound(owner, at, step, ttlSec);
    }
    pos = valueEnd;
  }
}
