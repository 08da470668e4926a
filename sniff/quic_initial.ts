/**
 * The SNI of a QUIC v1/v2 client Initial: a cheap synchronous header check, then WebCrypto to remove the
 * packet protection, then the ClientHello from the CRYPTO frames. The wire facts are in
 * docs/services-wire.md "QUIC Initial".
 */
import { sniOfClientHello } from "./client_hello.ts";
import { headerProtectionMask, initialCipher, openPayload, QUIC_V1, QUIC_V2 } from "./quic_crypto.ts";

/** RFC 9000 §14.1: a client pads every datagram that carries an Initial to at least 1200 bytes. */
const MIN_CLIENT_DATAGRAM_BYTES = 1200;
/** RFC 9000 §17.2: connection IDs of QUIC v1 (and v2) are at most 20 bytes. */
const MAX_CID_BYTES = 20;
/** RFC 9001 §5.4.2: the sample starts 4 bytes after the packet number field and is 16 bytes long. */
const SAMPLE_OFFSET = 4;
const SAMPLE_BYTES = 16;
/** RFC 9000 §19.6: CRYPTO data past this offset could not be in one datagram with the start of it. */
const MAX_CRYPTO_END = 65_536;
/** Frame types allowed in an Initial (RFC 9000 §12.4, Table 3). */
const FRAME_PADDING = 0x00;
const FRAME_PING = 0x01;
const FRAME_ACK = 0x02;
const FRAME_ACK_ECN = 0x03;
const FRAME_CRYPTO = 0x06;

/** Set by readLongHeader: where the Initial packet ends in its datagram. */
let packetEnd = 0;
/** Set by readVarint: the offset after the integer just read. */
let varintEnd = 0;

/** Cheap sync test: a UDP payload that is a QUIC v1/v2 long-header Initial worth decrypting. No allocation. */
export function isQuicInitial(payload: Uint8Array): boolean {
  return readLongHeader(payload) >= 0;
}

/**
 * The offset of the packet number field of a client Initial at payload[0], or -1; sets `packetEnd`.
 * RFC 9000 §17.2 and §17.2.2: long header form and fixed bit, Version, DCID and SCID with their lengths,
 * Token with its varint length, the varint Length of packet number + payload.
 */
function readLongHeader(payload: Uint8Array): number {
  const length = payload.length;
  if (length < MIN_CLIENT_DATAGRAM_BYTES || (payload[0] & 0xc0) !== 0xc0) return -1;
  const version = ((payload[1] << 24) | (payload[2] << 16) | (payload[3] << 8) | payload[4]) >>> 0;
  const type = (payload[0] >> 4) & 0x03;
  // The Initial type is 0b00 in v1 (RFC 9000 §17.2.2) and 0b01 in v2 (RFC 9369 §3.2).
  if (!(version === QUIC_V1 && type === 0) && !(version === QUIC_V2 && type === 1)) return -1;
  const dcidLength = payload[5];
  if (dcidLength > MAX_CID_BYTES) return -1;
  const scidAt = 6 + dcidLength;
  const scidLength = payload[scidAt];
  if (scidLength > MAX_CID_BYTES) return -1;
  const tokenLength = readVarint(payload, scidAt + 1 + scidLength);
  if (tokenLength < 0) return -1;
  const lengthAt = varintEnd + tokenLength;
  const packetLength = readVarint(payload, lengthAt);
  if (packetLength < SAMPLE_OFFSET + SAMPLE_BYTES) return -1;
  const pnAt = varintEnd;
  if (pnAt + packetLength > length) return -1;
  packetEnd = pnAt + packetLength;
  return pnAt;
}

/** The variable-length integer at `pos` (RFC 9000 §16), or -1 past the end; sets `varintEnd`. */
function readVarint(bytes: Uint8Array, pos: number): number {
  if (pos >= bytes.length) return -1;
  const size = 1 << (bytes[pos] >> 6);
  if (pos + size > bytes.length) return -1;
  let value = bytes[pos] & 0x3f;
  for (let i = 1; i < size; i++) value = value * 256 + bytes[pos + i];
  varintEnd = pos + size;
  return value;
}

/**
 * SNI from a QUIC v1/v2 client Initial (RFC 9001 §5, RFC 9369), valid and lower-cased (cleanHostName), or
 * null (auth failure, no SNI, garbage).
 *
 * Copies the packet before its first await, so the caller may reuse `payload` as soon as this returns its
 * promise. Reads the ClientHello bytes that arrived in this one datagram (CRYPTO data from offset 0 on, in
 * any frame order): a ClientHello spread over two Initials names its connection when the server_name
 * extension is in the first. Never rejects.
 */
export async function readQuicInitialSni(payload: Uint8Array): Promise<string | null> {
  const pnAt = readLongHeader(payload);
  if (pnAt < 0) return null;
  const packet = payload.slice(0, packetEnd);
  const version = ((packet[1] << 24) | (packet[2] << 16) | (packet[3] << 8) | packet[4]) >>> 0;
  try {
    const cipher = await initialCipher(packet.subarray(6, 6 + packet[5]), version);
    if (cipher === null) return null;
    const sampleAt = pnAt + SAMPLE_OFFSET;
    const mask = await headerProtectionMask(cipher.hpKey, packet.subarray(sampleAt, sampleAt + SAMPLE_BYTES));
    // RFC 9001 §5.4.1: a long header protects the low 4 bits of the first byte, then 1 to 4 packet number bytes.
    packet[0] ^= mask[0] & 0x0f;
    const pnBytes = (packet[0] & 0x03) + 1;
    let packetNumber = 0;
    for (let i = 0; i < pnBytes; i++) {
      packet[pnAt + i] ^= mask[1 + i];
      packetNumber = packetNumber * 256 + packet[pnAt + i];
    }
    // The full packet number is taken to be the truncated one: true of a client's first Initials, whose
    // numbers start at 0 (RFC 9000 §12.3); a later one fails authentication and stays unnamed.
    const plain = await openPayload(
      cipher,
      packetNumber,
      packet.subarray(0, pnAt + pnBytes),
      packet.subarray(pnAt + pnBytes),
    );
    return sniOfCryptoFrames(plain);
  } catch (error) {
    // WebCrypto rejects a tag that does not verify (OperationError), and key material it refuses.
    if (error instanceof DOMException) return null;
    throw error;
  }
}

/**
 * The SNI of the ClientHello in the CRYPTO frames of a decrypted Initial payload: the frames are read up to
 * the first one an Initial may not carry, and their data joined from offset 0 as far as it is contiguous.
 */
export function sniOfCryptoFrames(plain: Uint8Array): string | null {
  const pieces: number[] = []; // triples: stream offset, start in plain, end in plain
  let pos = 0;
  while (pos < plain.length) {
    const type = plain[pos];
    if (type === FRAME_PADDING || type === FRAME_PING) {
      pos++;
    } else if (type === FRAME_CRYPTO) {
      const offset = readVarint(plain, pos + 1);
      if (offset < 0) break;
      const dataLength = readVarint(plain, varintEnd);
      if (dataLength < 0 || varintEnd + dataLength > plain.length) break;
      if (offset + dataLength <= MAX_CRYPTO_END) pieces.push(offset, varintEnd, varintEnd + dataLength);
      pos = varintEnd + dataLength;
    } else if (type === FRAME_ACK || type === FRAME_ACK_ECN) {
      pos = skipAck(plain, pos + 1, type === FRAME_ACK_ECN);
      if (pos < 0) break;
    } else {
      break;
    }
  }
  const stream = joinFromZero(plain, pieces);
  return stream === null ? null : sniOfClientHello(stream, 0, stream.length);
}

/** The offset after an ACK frame's fields (RFC 9000 §19.3), or -1. */
function skipAck(plain: Uint8Array, pos: number, hasEcnCounts: boolean): number {
  // Largest Acknowledged, ACK Delay, ACK Range Count, First ACK Range.
  let fields = 4;
  for (let i = 0; i < fields; i++) {
    const value = readVarint(plain, pos);
    if (value < 0) return -1;
    if (i === 2) fields += 2 * Math.min(value, plain.length) + (hasEcnCounts ? 3 : 0);
    pos = varintEnd;
  }
  return pos;
}

/** The CRYPTO stream bytes from offset 0 as far as `pieces` cover them without a gap, or null for none. */
function joinFromZero(plain: Uint8Array, pieces: number[]): Uint8Array | null {
  const order: number[] = [];
  for (let i = 0; i < pieces.length; i += 3) order.push(i);
  order.sort((a, b) => pieces[a] - pieces[b]);
  let covered = 0;
  for (const i of order) {
    if (pieces[i] > covered) break;
    covered = Math.max(covered, pieces[i] + pieces[i + 2] - pieces[i + 1]);
  }
  if (covered === 0) return null;
  const stream = new Uint8Array(covered);
  for (const i of order) {
    const offset = pieces[i];
    if (offset >= covered) break;
    stream.set(plain.subarray(pieces[i + 1], pieces[i + 2]), offset); // every piece before a gap ends by `covered`
  }
  return stream;
}
