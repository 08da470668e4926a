/**
 * Writes pcap and pcapng files of known frames, so tests and fixtures know the truth of what they import.
 *
 *     await writeCaptureFile(path, [{ frame, timestampSec: 1_700_000_000 }], { format: "pcapng" });
 */
import type { Frame } from "./frames.ts";

/** One frame and when it was captured. */
export interface CaptureRecord {
  readonly frame: Frame;
  /** UTC seconds; a fraction is written at the file's timestamp resolution. */
  readonly timestampSec: number;
}

/** Classic pcap options. One link type per file: the first record's, unless given. */
export interface PcapOptions {
  readonly linkType?: number;
  /** Nanosecond timestamps (magic 0xa1b23c4d) instead of microseconds. */
  readonly isNanosecond?: boolean;
  readonly isBigEndian?: boolean;
  readonly snapLen?: number;
}

/** pcapng options. One interface block per distinct link type, in first-seen order. */
export interface PcapngOptions {
  readonly isBigEndian?: boolean;
  /** The if_tsresol option byte: 6 = µs (the default when absent), 9 = ns, 0x80 | n = 2^-n. */
  readonly tsResolution?: number;
  /** if_tsoffset: seconds added to every timestamp of the interface. */
  readonly tsOffsetSec?: number;
  /** Write Simple Packet Blocks (no timestamp) after the first frame instead of Enhanced Packet Blocks. */
  readonly useSimpleBlocks?: boolean;
}

/** A classic pcap file of `records`. */
export function pcapBytes(records: readonly CaptureRecord[], options: PcapOptions = {}): Uint8Array {
  const le = !options.isBigEndian;
  const linkType = options.linkType ?? records[0]?.frame.linkType ?? 1;
  const unitsPerSec = options.isNanosecond ? 1e9 : 1e6;
  const out = new ByteWriter(le);
  out.u32(options.isNanosecond ? 0xa1b23c4d : 0xa1b2c3d4).u16(2).u16(4).u32(0).u32(0);
  out.u32(options.snapLen ?? 262144).u32(linkType);
  for (const { frame, timestampSec } of records) {
    if (frame.linkType !== linkType) {
      throw new TypeError(
        `Cannot write pcap: link type ${frame.linkType} differs from the file's ${linkType}`,
      );
    }
    const seconds = Math.floor(timestampSec);
    out.u32(seconds).u32(Math.round((timestampSec - seconds) * unitsPerSec));
    out.u32(frame.bytes.length).u32(frame.originalLen).bytes(frame.bytes);
  }
  return out.finish();
}

/** A pcapng file (one section) of `records`. */
export function pcapngBytes(records: readonly CaptureRecord[], options: PcapngOptions = {}): Uint8Array {
  const le = !options.isBigEndian;
  const out = new ByteWriter(le);
  block(out, 0x0a0d0d0a, (b) => b.u32(0x1a2b3c4d).u16(1).u16(0).u32(0xffffffff).u32(0xffffffff));
  const interfaces: number[] = [];
  for (const { frame } of records) {
    if (interfaces.includes(frame.linkType)) continue;
    interfaces.push(frame.linkType);
    block(out, 1, (b) => {
      b.u16(frame.linkType).u16(0).u32(0);
      if (options.tsResolution !== undefined) {
        b.u16(9).u16(1).bytes(new Uint8Array([options.tsResolution, 0, 0, 0]));
      }
      if (options.tsOffsetSec !== undefined) b.u16(14).u16(8).u64(options.tsOffsetSec);
      if (options.tsResolution !== undefined || options.tsOffsetSec !== undefined) b.u16(0).u16(0);
    });
  }
  const unitsPerSec = resolutionUnits(options.tsResolution ?? 6);
  records.forEach(({ frame, timestampSec }, i) => {
    const data = padded(frame.bytes);
    if (options.useSimpleBlocks && i > 0) {
      if (interfaces.indexOf(frame.linkType) !== 0) {
        throw new TypeError("Cannot write a simple block off interface 0");
      }
      block(out, 3, (b) => b.u32(frame.originalLen).bytes(data));
      return;
    }
    const units = BigInt(Math.round((timestampSec - (options.tsOffsetSec ?? 0)) * 1e6)) *
      BigInt(unitsPerSec) / 1_000_000n;
    block(out, 6, (b) => {
      b.u32(interfaces.indexOf(frame.linkType)).u32(Number(units >> 32n)).u32(Number(units & 0xffffffffn));
      b.u32(frame.bytes.length).u32(frame.originalLen).bytes(data);
    });
  });
  return out.finish();
}

/** Writes `records` to `path` as pcap or pcapng. */
export async function writeCaptureFile(
  path: string,
  records: readonly CaptureRecord[],
  options: ({ readonly format: "pcap" } & PcapOptions) | ({ readonly format: "pcapng" } & PcapngOptions),
): Promise<void> {
  await Deno.writeFile(
    path,
    options.format === "pcap" ? pcapBytes(records, options) : pcapngBytes(records, options),
  );
}

function resolutionUnits(tsResolution: number): number {
  return tsResolution & 0x80 ? 2 ** (tsResolution & 0x7f) : 10 ** tsResolution;
}

/** Appends a block: type, total length, body, total length. */
function block(out: ByteWriter, type: number, body: (b: ByteWriter) => void): void {
  const inner = new ByteWriter(out.isLittleEndian);
  body(inner);
  const bytes = inner.finish();
  out.u32(type).u32(bytes.length + 12).bytes(bytes).u32(bytes.length + 12);
}

function padded(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(bytes.length / 4) * 4);
  out.set(bytes);
  return out;
}

/** Growable little- or big-endian byte sink over one doubling buffer. */
class ByteWriter {
  #bytes = new Uint8Array(4096);
  #view = new DataView(this.#bytes.buffer);
  #length = 0;
  constructor(readonly isLittleEndian: boolean) {}

  u16(value: number): this {
    const at = this.#reserve(2);
    this.#view.setUint16(at, value, this.isLittleEndian);
    return this;
  }
  u32(value: number): this {
    const at = this.#reserve(4);
    this.#view.setUint32(at, value >>> 0, this.isLittleEndian);
    return this;
  }
  u64(value: number): this {
    const at = this.#reserve(8);
    this.#view.setBigInt64(at, BigInt(value), this.isLittleEndian);
    return this;
  }
  bytes(value: Uint8Array): this {
    const at = this.#reserve(value.length);
    this.#bytes.set(value, at);
    return this;
  }
  finish(): Uint8Array {
    return this.#bytes.slice(0, this.#length);
  }
  /** Makes room for `size` more bytes (possibly replacing the buffer) and returns where they start. */
  #reserve(size: number): number {
    const at = this.#length;
    if (at + size > this.#bytes.length) {
      const grown = new Uint8Array(Math.max(at + size, this.#bytes.length * 2));
      grown.set(this.#bytes.subarray(0, at));
      this.#bytes = grown;
      this.#view = new DataView(grown.buffer);
    }
    this.#length = at + size;
    return at;
  }
}
