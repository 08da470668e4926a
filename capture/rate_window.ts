/**
 * Per-second upload/download byte totals over the last few seconds, for /api/realtime. A ring of
 * `windowSec` slots, each tagged with its second, so stale slots read as zero and packets may arrive in any
 * order. add() runs per counted packet and allocates nothing.
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

/** Ring of per-second byte totals. */
export class RateWindow {
  readonly #windowSec: number;
  readonly #seconds: Float64Array;
  readonly #upBytes: Float64Array;
  readonly #downBytes: Float64Array;

  /** Keeps the last `windowSec` (≥ 1) seconds. */
  constructor(windowSec = RATE_WINDOW_SEC) {
    if (!Number.isInteger(windowSec) || windowSec < 1) {
      throw new RangeError(`Cannot create rate window: windowSec must be an integer ≥ 1, got ${windowSec}`);
    }
    this.#windowSec = windowSec;
    this.#seconds = new Float64Array(windowSec).fill(-1);
    this.#upBytes = new Float64Array(windowSec);
    this.#downBytes = new Float64Array(windowSec);
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
