/**
 * Streams the frames of a pcap or pcapng file through a callback, reading the file in chunks into one
 * reusable buffer, so multi-gigabyte files need only the buffer's memory. The formats' record loops live
 * in pcap_records.ts.
 */
import { detectFormat, type RecordParser } from "./pcap_records.ts";
import type { FrameCallback } from "./types.ts";

export type { FrameCallback } from "./types.ts";

/** Options of readCaptureFile(). */
export interface ReadCaptureOptions {
  /**
   * Called after every chunk read, with the bytes consumed so far and the file size, and awaited: a progress
   * bar, or an importer that saves what the frames delivered so far counted (pcap_import.ts).
   */
  readonly onProgress?: (bytesRead: number, totalBytes: number) => void | Promise<void>;
  /** Read size; default 1 MiB. A record larger than this grows the buffer to fit. */
  readonly chunkBytes?: number;
}

/** What readCaptureFile() read. */
export interface CaptureFileSummary {
  readonly format: "pcap" | "pcapng";
  /** Frames passed to the callback. */
  readonly frames: number;
  readonly bytesRead: number;
  /** Distinct link types of the frames, in first-seen order. */
  readonly linkTypes: readonly number[];
}

const DEFAULT_CHUNK_BYTES = 1024 * 1024;

/**
 * Reads every frame of the pcap or pcapng file at `path` into `onFrame`. Throws SyntaxError naming the file
 * and byte offset when the file is not a capture or is cut or garbled; frames before that point have
 * already been delivered. File-system errors (Deno.errors.NotFound, ...) propagate unchanged.
 */
export async function readCaptureFile(
  path: string,
  onFrame: FrameCallback,
  options: ReadCaptureOptions = {},
): Promise<CaptureFileSummary> {
  using file = await Deno.open(path, { read: true });
  const info = await file.stat();
  const totalBytes = info.size;
  let buffer = new Uint8Array(Math.max(4096, options.chunkBytes ?? DEFAULT_CHUNK_BYTES));
  let view = new DataView(buffer.buffer);
  let start = 0;
  let end = 0;
  let consumedBefore = 0;
  let isEof = false;
  let format: RecordParser | null = null;
  const fail = (what: string, at: number) =>
    new SyntaxError(`Cannot read capture file "${path}": ${what} at byte offset ${consumedBefore + at}`);
  const fallbackSec = Math.floor((info.mtime?.getTime() ?? 0) / 1000);
  for (;;) {
    if (format === null && (end - start >= 24 || isEof)) {
      format = detectFormat(view, start, end, fallbackSec, fail);
    }
    if (format !== null) start = format.consume(view, start, end, onFrame);
    if (isEof && format !== null) {
      if (start < end) throw fail(`file ends inside a record (${end - start} bytes left)`, start);
      return {
        format: format.name,
        frames: format.frames,
        bytesRead: consumedBefore + end,
        linkTypes: [...format.linkTypes],
      };
    }
    const needed = format === null ? 24 : format.need;
    buffer.copyWithin(0, start, end);
    consumedBefore += start;
    end -= start;
    start = 0;
    if (needed > buffer.length) {
      const grown = new Uint8Array(Math.max(needed, buffer.length * 2));
      grown.set(buffer.subarray(0, end));
      buffer = grown;
      view = new DataView(buffer.buffer);
    }
    while (end < buffer.length) {
      const n = await file.read(buffer.subarray(end));
      if (n === null) {
        isEof = true;
        break;
      }
      end += n;
      if (end >= needed) break;
    }
    await options.onProgress?.(consumedBefore + end, totalBytes);
  }
}
