/**
 * Record loops of the two capture-file formats: classic pcap (both byte orders, micro- and nanosecond
 * timestamps) and pcapng (SHB, IDB with per-interface link type, if_tsresol and if_tsoffset, EPB, SPB,
 * obsolete PB). Each consumes the complete records in a buffer window; pcap_reader.ts does the streaming.
 * Formats: draft-ietf-opsawg-pcap and draft-ietf-opsawg-pcapng.
 */

import type { FrameCallback } from "./types.ts";

/** Largest record accepted: far beyond any real snap length, small enough to stop garbage from allocating. */
const MAX_RECORD_BYTES = 64 * 1024 * 1024;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** Builds the SyntaxError for a problem at buffer position `at`. */
export type Fail = (what: string, at: number) => SyntaxError;

/** A format's record loop: consumes every complete record in [start, end) and says what it needs next. */
export interface RecordParser {
  readonly name: "pcap" | "pcapng";
  /** Bytes needed from the returned start to make progress. */
  need: number;
  frames: number;
  readonly linkTypes: Set<number>;
  consume(view: DataView, start: number, end: number, onFrame: FrameCallback): number;
}

/** The record loop for the file whose first bytes are at `start`; throws through `fail` for anything else. */
export function detectFormat(
  view: DataView,
  start: number,
  end: number,
  fallbackSec: number,
  fail: Fail,
): RecordParser {
  if (end - start < 4) throw fail(`file is too short to be pcap or pcapng (${end - start} bytes)`, start);
  const magic = view.getUint32(start, true);
  if (magic === PCAPNG_SHB) return new PcapngParser(fallbackSec, fail);
  for (const [value, isLittleEndian, unitsPerSec] of PCAP_MAGICS) {
    if (magic === value) return new PcapParser(isLittleEndian, unitsPerSec, fail);
  }
  const hint = (magic & 0xffff) === 0x8b1f ? " (it is gzip-compressed: decompress it first)" : "";
  throw fail(`not a pcap or pcapng file: magic 0x${magic.toString(16).padStart(8, "0")}${hint}`, start);
}

/** Classic pcap magics as read little-endian: [magic, file is little-endian, timestamp units per second]. */
const PCAP_MAGICS: readonly (readonly [number, boolean, number])[] = [
  [0xa1b2c3d4, true, 1e6],
  [0xd4c3b2a1, false, 1e6],
  [0xa1b23c4d, true, 1e9],
  [0x4d3cb2a1, false, 1e9],
];

class PcapParser implements RecordParser {
  readonly name = "pcap";
  need = 24;
  frames = 0;
  readonly linkTypes = new Set<number>();
  #linkType = -1;

  constructor(readonly isLittleEndian: boolean, readonly unitsPerSec: number, readonly fail: Fail) {}

  consume(view: DataView, start: number, end: number, onFrame: FrameCallback): number {
    const le = this.isLittleEndian;
    let p = start;
    if (this.#linkType < 0) {
      if (end - p < 24) return p;
      // The link-type field's upper bits carry FCS flags (draft-ietf-opsawg-pcap section 4).
      this.#linkType = view.getUint32(p + 20, le) & 0xffff;
      this.linkTypes.add(this.#linkType);
      p += 24;
    }
    while (end - p >= 16) {
      const capturedLen = view.getUint32(p + 8, le);
      if (capturedLen > MAX_RECORD_BYTES) throw this.fail(`implausible captured length ${capturedLen}`, p);
      if (end - p < 16 + capturedLen) {
        this.need = 16 + capturedLen;
        return p;
      }
      const originalLen = Math.max(view.getUint32(p + 12, le), capturedLen);
      onFrame(view, p + 16, capturedLen, originalLen, this.#linkType, view.getUint32(p, le));
      this.frames++;
      p += 16 + capturedLen;
    }
    this.need = 16;
    return p;
  }
}

interface PcapngInterface {
  readonly linkType: number;
  readonly unitsPerSec: number;
  readonly offsetSec: number;
}

class PcapngParser implements RecordParser {
  readonly name = "pcapng";
  need = 12;
  frames = 0;
  readonly linkTypes = new Set<number>();
  #isLittleEndian = true;
  #interfaces: PcapngInterface[] = [];
  #lastSec: number;

  /** `fallbackSec` stamps simple packet blocks (which carry no time) that come before any timed block. */
  constructor(fallbackSec: number, readonly fail: Fail) {
    this.#lastSec = fallbackSec;
  }

  consume(view: DataView, start: number, end: number, onFrame: FrameCallback): number {
    let p = start;
    while (end - p >= 12) {
      const type = view.getUint32(p, this.#isLittleEndian);
      if (type === PCAPNG_SHB) this.#isLittleEndian = this.#sectionByteOrder(view, p);
      const le = this.#isLittleEndian;
      const length = view.getUint32(p + 4, le);
      if (length < 12 || length % 4 !== 0 || length > MAX_RECORD_BYTES) {
        throw this.fail(`invalid pcapng block length ${length}`, p);
      }
      if (end - p < length) {
        this.need = length;
        return p;
      }
      if (view.getUint32(p + length - 4, le) !== length) throw this.fail("pcapng block length mismatch", p);
      this.#block(view, p, type, length, onFrame);
      p += length;
    }
    this.need = 12;
    return p;
  }

  #sectionByteOrder(view: DataView, p: number): boolean {
    const magic = view.getUint32(p + 8, true);
    if (magic === PCAPNG_BYTE_ORDER_MAGIC) return true;
    if (view.getUint32(p + 8, false) === PCAPNG_BYTE_ORDER_MAGIC) return false;
    throw this.fail(`invalid pcapng byte-order magic 0x${magic.toString(16)}`, p + 8);
  }

  #block(view: DataView, p: number, type: number, length: number, onFrame: FrameCallback): void {
    const le = this.#isLittleEndian;
    switch (type) {
      case PCAPNG_SHB:
        this.#interfaces = [];
        return;
      case 1: // Interface Description Block
        if (length < 20) throw this.fail("interface block too short", p);
        this.#interfaces.push(readInterface(view, p, length, le));
        this.linkTypes.add(view.getUint16(p + 8, le));
        return;
      case 6: // Enhanced Packet Block
      case 2: { // Packet Block (obsolete): 16-bit interface id and drop count
        if (length < 32) throw this.fail("packet block too short", p);
        const ifId = type === 6 ? view.getUint32(p + 8, le) : view.getUint16(p + 8, le);
        const iface = this.#interface(ifId, p);
        const capturedLen = view.getUint32(p + 20, le);
        if (28 + capturedLen > length - 4) {
          throw this.fail(`captured length ${capturedLen} beyond its block`, p);
        }
        this.#lastSec =
          wholeSeconds(view.getUint32(p + 12, le), view.getUint32(p + 16, le), iface.unitsPerSec) +
          iface.offsetSec;
        this.#emit(onFrame, view, p + 28, capturedLen, view.getUint32(p + 24, le), iface.linkType);
        return;
      }
      case 3: { // Simple Packet Block: interface 0, no timestamp
        if (length < 16) throw this.fail("simple packet block too short", p);
        const iface = this.#interface(0, p);
        const originalLen = view.getUint32(p + 8, le);
        this.#emit(onFrame, view, p + 12, Math.min(originalLen, length - 16), originalLen, iface.linkType);
        return;
      }
      default: // statistics, name resolution, decryption secrets, custom blocks: nothing to count
        return;
    }
  }

  #interface(ifId: number, p: number): PcapngInterface {
    const iface = this.#interfaces[ifId];
    if (!iface) throw this.fail(`packet refers to undeclared interface ${ifId}`, p);
    return iface;
  }

  #emit(
    onFrame: FrameCallback,
    view: DataView,
    offset: number,
    capturedLen: number,
    originalLen: number,
    linkType: number,
  ) {
    onFrame(view, offset, capturedLen, Math.max(originalLen, capturedLen), linkType, this.#lastSec);
    this.frames++;
  }
}

/** Reads an IDB's link type and the if_tsresol (9) and if_tsoffset (14) options. */
function readInterface(view: DataView, p: number, length: number, le: boolean): PcapngInterface {
  let unitsPerSec = 1e6;
  let offsetSec = 0;
  let o = p + 16;
  const optionsEnd = p + length - 4;
  while (o + 4 <= optionsEnd) {
    const code = view.getUint16(o, le);
    const optionLen = view.getUint16(o + 2, le);
    if (code === 0 || o + 4 + optionLen > optionsEnd) break;
    if (code === 9 && optionLen >= 1) {
      const resolution = view.getUint8(o + 4);
      // High bit set: a negative power of 2, else of 10.
      unitsPerSec = resolution & 0x80 ? 2 ** (resolution & 0x7f) : 10 ** resolution;
    } else if (code === 14 && optionLen >= 8) {
      const high = view.getInt32(o + 4 + (le ? 4 : 0), le);
      const low = view.getUint32(o + 4 + (le ? 0 : 4), le);
      offsetSec = high * 2 ** 32 + low;
    }
    o += 4 + Math.ceil(optionLen / 4) * 4;
  }
  return { linkType: view.getUint16(p + 8, le), unitsPerSec, offsetSec };
}

/**
 * floor((high · 2^32 + low) / unitsPerSec), exact even when the 64-bit count exceeds 2^53 (nanoseconds
 * since 1970 do): long division in 16-bit steps keeps every intermediate below 2^53.
 */
export function wholeSeconds(high: number, low: number, unitsPerSec: number): number {
  if (unitsPerSec >= 2 ** 36) {
    return Number(((BigInt(high) << 32n) | BigInt(low)) / BigInt(unitsPerSec));
  }
  const highQuotient = Math.floor(high / unitsPerSec);
  const t = (high - highQuotient * unitsPerSec) * 65536 + (low >>> 16);
  const tQuotient = Math.floor(t / unitsPerSec);
  const u = (t - tQuotient * unitsPerSec) * 65536 + (low & 0xffff);
  return highQuotient * 2 ** 32 + tQuotient * 65536 + Math.floor(u / unitsPerSec);
}
