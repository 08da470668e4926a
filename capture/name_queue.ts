/**
 * Host names the main thread hands to the capture Worker (issue 15 item 1: the Clash core's `metadata.host`
 * for the connections it opens): (device, remote address, host) records in a ring over a SharedArrayBuffer.
 * The Worker's loop is synchronous and takes no messages once it runs (capture_worker.ts), so it reads this
 * ring between passes instead, without an event loop. One writer (the main thread) and one reader (the
 * Worker): each moves only its own counter, with Atomics, after its records are written or read.
 *
 * A full ring refuses a record (offer() returns false): the name is lost, never the bytes it would have
 * named, which stay counted, unnamed. Hosts are ASCII (clean host names, sniff/host_name.ts) of at most
 * MAX_HOST_BYTES; anything else is refused too.
 */

/** Records the ring holds: a busy core opens a few hundred connections a second, and a pass takes ≤ 1 s. */
export const NAME_QUEUE_RECORDS = 1024;
/** The longest host name (RFC 1035: 253 characters in text form). */
export const MAX_HOST_BYTES = 253;

/** Header cells: records written, records read (each modulo 2^32). */
const WRITTEN = 0;
const READ = 1;
const HEADER_INTS = 2;
/**
 * Per record, in 32-bit words: device kind and four words, remote family and four words (device_kind.ts,
 * as the service counter keys them), the host's length, then its bytes (64 words hold 256).
 */
const HOST_LENGTH = 10;
const HOST_AT = 11;
const RECORD_INTS = HOST_AT + 64;

/** Called by take() for each record, with the words offer() was given. */
export type NameRecordVisitor = (
  dk: number,
  d0: number,
  d1: number,
  d2: number,
  d3: number,
  rf: number,
  r0: number,
  r1: number,
  r2: number,
  r3: number,
  host: string,
) => void;

/** One end of the ring; see the file comment. */
export class NameQueue {
  /** The memory both ends share, to hand to the other end. */
  readonly buffer: SharedArrayBuffer;
  readonly #cells: Int32Array;
  readonly #bytes: Uint8Array;
  readonly #records: number;

  /** A new, empty ring's memory for `records` records (a power of two), to hand to both ends. */
  static create(records = NAME_QUEUE_RECORDS): SharedArrayBuffer {
    if (!Number.isInteger(Math.log2(records))) {
      throw new RangeError(`Cannot create name queue: records must be a power of two, got ${records}`);
    }
    return new SharedArrayBuffer((HEADER_INTS + records * RECORD_INTS) * 4);
  }

  /** The ring over `buffer`, from NameQueue.create(). */
  constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.#cells = new Int32Array(buffer);
    this.#bytes = new Uint8Array(buffer);
    this.#records = (this.#cells.length - HEADER_INTS) / RECORD_INTS;
  }

  /** Whether offer() would refuse any record for want of room now. */
  get isFull(): boolean {
    return ((Atomics.load(this.#cells, WRITTEN) - Atomics.load(this.#cells, READ)) >>> 0) >= this.#records;
  }

  /** Writer only: queues one record; false when the ring is full or `host` is not ASCII of ≤ MAX_HOST_BYTES. */
  offer(
    dk: number,
    d0: number,
    d1: number,
    d2: number,
    d3: number,
    rf: number,
    r0: number,
    r1: number,
    r2: number,
    r3: number,
    host: string,
  ): boolean {
    if (host.length === 0 || host.length > MAX_HOST_BYTES) return false;
    if (this.isFull) return false;
    const written = Atomics.load(this.#cells, WRITTEN);
    const at = HEADER_INTS + (written & (this.#records - 1)) * RECORD_INTS;
    const bytesAt = (at + HOST_AT) * 4;
    for (let i = 0; i < host.length; i++) {
      const code = host.charCodeAt(i);
      if (code > 0x7e || code < 0x21) return false;
      this.#bytes[bytesAt + i] = code;
    }
    this.#cells.set([dk, d0, d1, d2, d3, rf, r0, r1, r2, r3, host.length], at);
    // Published only now: the reader never sees a record half written.
    Atomics.store(this.#cells, WRITTEN, (written + 1) | 0);
    return true;
  }

  /** Reader only: hands every queued record to `visit`, oldest first, and frees them; returns how many. */
  take(visit: NameRecordVisitor): number {
    const cells = this.#cells;
    const read = Atomics.load(cells, READ);
    const count = (Atomics.load(cells, WRITTEN) - read) >>> 0;
    for (let n = 0; n < count; n++) {
      const at = HEADER_INTS + ((read + n) & (this.#records - 1)) * RECORD_INTS;
      const bytesAt = (at + HOST_AT) * 4;
      const host = String.fromCharCode(...this.#bytes.subarray(bytesAt, bytesAt + cells[at + HOST_LENGTH]));
      visit(
        cells[at],
        cells[at + 1],
        cells[at + 2],
        cells[at + 3],
        cells[at + 4],
        cells[at + 5],
        cells[at + 6],
        cells[at + 7],
        cells[at + 8],
        cells[at + 9],
        host,
      );
    }
    if (count > 0) Atomics.store(cells, READ, (read + count) | 0);
    return count;
  }
}
