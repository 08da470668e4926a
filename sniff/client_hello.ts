/**
 * The server name (SNI) of a TLS ClientHello, from a TCP segment or from QUIC CRYPTO data. The wire facts are
 * in docs/services-wire.md "TLS ClientHello".
 */
import { nameString } from "./byte_string.ts";
import { cleanHostName } from "./host_name.ts";

/** RFC 8446 §5.1: ContentType handshake. */
const RECORD_HANDSHAKE = 0x16;
const RECORD_HEADER_BYTES = 5;
/** RFC 8446 §4: HandshakeType client_hello. */
const HANDSHAKE_CLIENT_HELLO = 1;
const HANDSHAKE_HEADER_BYTES = 4;
/** legacy_version (2) and random (32), RFC 8446 §4.1.2. */
const VERSION_AND_RANDOM_BYTES = 34;
/** RFC 6066 §3: ExtensionType server_name, NameType host_name. */
const EXTENSION_SERVER_NAME = 0;
const NAME_TYPE_HOST_NAME = 0;

/** A host name with its trailing dot (cleanHostName refuses longer ones before any decoding is wasted). */
const MAX_HOST_NAME_BYTES = 254;

/**
 * TLS ClientHello SNI from the first TCP payload of a connection, `bytes[start, end)`, valid and lower-cased
 * (cleanHostName), or null. The counting path passes the capture's buffer with the payload's bounds, not a view
 * of it: a view per packet costs more than the parse (tests/bench/parse_bench.ts, names on).
 *
 * Reads only the bytes of this one segment: a ClientHello split across segments names its connection when the
 * server_name extension falls in the first one (it usually comes early). Never throws.
 */
export function readClientHelloSni(bytes: Uint8Array, start = 0, end = bytes.length): string | null {
  // RFC 8446 §5.1: record type, legacy_record_version 0x03 0x0?, length.
  if (end - start < RECORD_HEADER_BYTES + HANDSHAKE_HEADER_BYTES) return null;
  if (bytes[start] !== RECORD_HANDSHAKE || bytes[start + 1] !== 0x03) return null;
  const recordEnd = start + RECORD_HEADER_BYTES + ((bytes[start + 3] << 8) | bytes[start + 4]);
  return sniOfClientHello(bytes, start + RECORD_HEADER_BYTES, Math.min(end, recordEnd));
}

/**
 * The SNI host name of the handshake message at `start` (its type byte) when it is a ClientHello, reading no
 * byte at or past `end`; null when it is not one, has no host_name, or the name is not valid.
 */
export function sniOfClientHello(bytes: Uint8Array, start: number, end: number): string | null {
  if (end - start < HANDSHAKE_HEADER_BYTES || bytes[start] !== HANDSHAKE_CLIENT_HELLO) return null;
  const messageEnd = start + HANDSHAKE_HEADER_BYTES +
    ((bytes[start + 1] << 16) | (bytes[start + 2] << 8) | bytes[start + 3]);
  const stop = Math.min(end, messageEnd);
  let pos = start + HANDSHAKE_HEADER_BYTES + VERSION_AND_RANDOM_BYTES;
  if (pos >= stop) return null;
  pos += 1 + bytes[pos]; // legacy_session_id
  if (pos + 2 > stop) return null;
  pos += 2 + ((bytes[pos] << 8) | bytes[pos + 1]); // cipher_suites
  if (pos >= stop) return null;
  pos += 1 + bytes[pos]; // legacy_compression_methods
  if (pos + 2 > stop) return null;
  const extensionsEnd = Math.min(stop, pos + 2 + ((bytes[pos] << 8) | bytes[pos + 1]));
  pos += 2;
  while (pos + 4 <= extensionsEnd) {
    const type = (bytes[pos] << 8) | bytes[pos + 1];
    const dataStart = pos + 4;
    const dataEnd = dataStart + ((bytes[pos + 2] << 8) | bytes[pos + 3]);
    if (dataEnd > extensionsEnd) return null;
    if (type === EXTENSION_SERVER_NAME) return hostNameOf(bytes, dataStart, dataEnd);
    pos = dataEnd;
  }
  return null;
}

/** The first host_name of a ServerNameList (RFC 6066 §3) in `bytes[start, end)`. */
function hostNameOf(bytes: Uint8Array, start: number, end: number): string | null {
  if (start + 2 > end) return null;
  const listEnd = Math.min(end, start + 2 + ((bytes[start] << 8) | bytes[start + 1]));
  let pos = start + 2;
  while (pos + 3 <= listEnd) {
    const nameStart = pos + 3;
    const nameEnd = nameStart + ((bytes[pos + 1] << 8) | bytes[pos + 2]);
    if (nameEnd > listEnd) return null;
    if (bytes[pos] === NAME_TYPE_HOST_NAME) {
      if (nameEnd - nameStart > MAX_HOST_NAME_BYTES) return null;
      return cleanHostName(nameString(bytes, nameStart, nameEnd));
    }
    pos = nameEnd;
  }
  return null;
}
