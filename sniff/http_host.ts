/**
 * The Host header of an HTTP/1.x request. The wire facts are in docs/services-wire.md "HTTP/1.x".
 */
import { nameString } from "./byte_string.ts";
import { cleanHostName } from "./host_name.ts";

/** The longest request method worth reading: the registered ones have at most 7 letters (RFC 9110 §9). */
const MAX_METHOD_BYTES = 16;
/** " HTTP/1.x\r" before the LF of the request line (RFC 9112 §3). */
const VERSION_TAIL = [0x20, 0x48, 0x54, 0x54, 0x50, 0x2f, 0x31, 0x2e];
const CR = 0x0d;
const LF = 0x0a;
const HOST = [0x68, 0x6f, 0x73, 0x74, 0x3a]; // "host:"
/** A host with a port and some white space around it; anything longer is no host name. */
const MAX_VALUE_BYTES = 300;

/**
 * Host header of an HTTP/1.x request starting at payload[0], valid and lower-cased (cleanHostName), or null
 * (not a request, no Host within these bytes, an IP literal or an invalid name). The port, if any, is
 * dropped. Never throws.
 */
export function readHttpHost(payload: Uint8Array): string | null {
  const length = payload.length;
  let pos = 0;
  while (pos < length && pos < MAX_METHOD_BYTES && payload[pos] >= 0x41 && payload[pos] <= 0x5a) pos++;
  if (pos === 0 || pos >= length || payload[pos] !== 0x20) return null;
  let lineEnd = payload.indexOf(LF, pos);
  if (lineEnd < 0 || !endsWithVersion(payload, lineEnd)) return null;
  for (;;) {
    const lineStart = lineEnd + 1;
    lineEnd = payload.indexOf(LF, lineStart);
    if (lineEnd < 0 || lineEnd - lineStart <= 1) return null; // cut off, or the empty line ending the headers
    if (startsWithHost(payload, lineStart, lineEnd)) {
      return hostOfValue(payload, lineStart + HOST.length, lineEnd);
    }
  }
}

function endsWithVersion(payload: Uint8Array, lineEnd: number): boolean {
  const tailStart = lineEnd - VERSION_TAIL.length - 2;
  if (tailStart < 0 || payload[lineEnd - 1] !== CR) return false;
  for (let i = 0; i < VERSION_TAIL.length; i++) {
    if (payload[tailStart + i] !== VERSION_TAIL[i]) return false;
  }
  const minor = payload[lineEnd - 2];
  return minor === 0x30 || minor === 0x31;
}

/** Field names are case-insensitive (RFC 9110 §5.1). */
function startsWithHost(payload: Uint8Array, lineStart: number, lineEnd: number): boolean {
  if (lineEnd - lineStart < HOST.length) return false;
  for (let i = 0; i < HOST.length; i++) {
    if ((payload[lineStart + i] | 0x20) !== HOST[i]) return false;
  }
  return true;
}

/** The host of a Host field value (RFC 9110 §7.2: uri-host [ ":" port ]), white space around it trimmed. */
function hostOfValue(payload: Uint8Array, start: number, lineEnd: number): string | null {
  let end = payload[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
  while (start < end && (payload[start] === 0x20 || payload[start] === 0x09)) start++;
  while (end > start && (payload[end - 1] === 0x20 || payload[end - 1] === 0x09)) end--;
  if (end - start > MAX_VALUE_BYTES || payload[start] === 0x5b) return null; // "[": an IPv6 literal
  const colon = payload.indexOf(0x3a, start);
  if (colon >= 0 && colon < end) end = colon;
  return cleanHostName(nameString(payload, start, end));
}
