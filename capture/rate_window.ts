/**
 * Per-second upload/download byte totals over the last few seconds, for /api/realtime. A ring of
 * `windowSec` slots, each tagged with its second, so stale slots read as zero and packets may arrive in any
 * order. add() runs per counted packet and allocates nothing.
 *
 * RateWindow.shared() keeps the slots in a SharedArrayBuffer: the capture Worker adds to it per packet and
 * the main thread reads it (RateWindow.over(buffer)), so the live rate needs no message. The reader asks only
 * for seconds at least RATE_LAG_SEC old, which the Worker no longer writes, so plain reads see whole values.
 */

/** One second of public traffic. */
export interface RateSample {
  /** UTC seconds at the start of the second. */
  readonly ts: number;
  readonly upBytes: number;
  readonly downBytes: number;
}

/** Default window: the replaced tool's /api/realtime served 30 samples. */
export const RATE_WINDOW_SEC = 30;

/** Bytes per slot: its second, upload bytes and download bytes, as doubles. */
const SLOT_BYTES = 24;

/** Ring of per-second byte totals. */
export class RateWindow {
  readonly #windowSec: number;
  readonly #seconds: Float64Array;
  readonly #upBytes: Float64Array;
  readonly #downBytes: Float64Array;

  /** The memory of the slots: three Float64Arrays of `windowSec` (seconds, upload bytes, download bytes). */
  readonly buffer: ArrayBuffer | SharedArrayBuffer;

  /** Keeps the last `windowSec` (≥ 1) seconds; in `shared` when given (see RateWindow.over). */
  constructor(windowSec = RATE_WINDOW_SEC, shared: SharedArrayBuffer | null = null) {
    if (!Number.isInteger(windowSec) || windowSec < 1) {
      throw new RangeError(`Cannot create rate window: windowSec must be an integer ≥ 1, got ${windowSec}`);
    }
    this.#windowSec = windowSec;
    this.buffer = shared ?? new ArrayBuffer(windowSec * SLOT_BYTES);
    this.#seconds = new Float64Array(this.buffer, 0, windowSec);
    this.#upBytes = new Float64Array(this.buffer, windowSec * 8, windowSec);
    this.#downBytes = new Float64Array(this.buffer, windowSec * 16, windowSec);
    if (shared === null) this.#seconds.fill(-1);
  }

  /** An empty window whose slots another thread can read and write (see the module doc). */
  static shared(windowSec = RATE_WINDOW_SEC): RateWindow {
    const window = new RateWindow(windowSec, new SharedArrayBuffer(windowSec * SLOT_BYTES));
    window.#seconds.fill(-1);
    return window;
  }

  /** The window in `buffer`, made by RateWindow.shared() on another thread. */
  static over(buffer: SharedArrayBuffer): RateWindow {
    return new RateWindow(buffer.byteLength / SLOT_BYTES, buffer);
  }

  /** Adds bytes seen at `timestampSec` (UTC seconds, may be fractional); a second older than its slot's is dropped. */
  add(timestampSec: number, upBytes: number, downBytes: number): void {
    const second = Math.floor(timestampSec);
    if (!(second >= 0)) return;
    const slot = second % this.#windowSec;
    const held = this.#seconds[slot];
    if (held > second) return;
    if (held !== second) {
      this.#seconds[slot] = second;
      this.#upBytes[slot] = 0;
      this.#downBytes[slot] = 0;
    }
    this.#upBytes[slot] += upBytes;
    this.#downBytes[slot] += downBytes;
  }

  /**
   * The `windowSec` complete seconds before `nowSec`, oldest first, zero-filled: the second in progress is
   * left out so the newest sample is never a partial one.
   */
  samples(nowSec: number): RateSample[] {
    const last = Math.floor(nowSec) - 1;
    const samples: RateSample[] = [];
    for (let ts = last - this.#windowSec + 1; ts <= last; ts++) samples.push(this.#sampleAt(ts));
    return samples;
  }

  /** The last complete second before `nowSec` (zero when nothing was seen then). */
  current(nowSec: number): RateSample {
    return this.#sampleAt(Math.floor(nowSec) - 1);
  }

  #sampleAt(ts: number): RateSample {
    const slot = ((ts % this.#windowSec) + this.#windowSec) % this.#windowSec;
    if (this.#seconds[slot] !== ts) return { ts, upBytes: 0, downBytes: 0 };
    return { ts, upBytes: this.#upBytes[slot], downBytes: this.#downBytes[slot] };
  }
}
