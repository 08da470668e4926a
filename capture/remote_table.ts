/**
 * Bounded per-remote-IP counters for one drain interval, keyed on (bucket, address words) in an
 * open-addressing hash table made of typed arrays: adding a packet allocates nothing and builds no string.
 *
 * Bound (issue #2 item 4): at most `maxEntries` rows (default 65,536) between two drains, in at most
 * 2 × maxEntries hash slots of 57 bytes each plus an 8-byte-per-row sort scratch: 7.6 MB at the default
 * (about twice that for the moment a compaction copies the table), whatever the traffic. When a new address
 * arrives at a full table, the lighter half of the rows (by bytes) is dropped from the table; the caller
 * keeps exact bucket totals, so the dropped traffic is reported as the exact
 * remainder OTHER_REMOTE_IP (see TrafficPipeline). A row's counts are exact from the moment it entered.
 */
import { formatIpv4, formatIpv6 } from "./ip_prefix.ts";

/** Default bound on rows between two drains. */
export const DEFAULT_MAX_REMOTES = 65_536;

/** Table size before the first growth: small, so an idle home router holds little memory. */
const INITIAL_SLOTS = 1024;
/** Per slot: upBytes, downBytes, upPackets, downPackets. */
const COUNTERS = 4;

/** Columns a compaction copies the kept rows into; allocated at the first compaction. */
interface CompactionScratch {
  readonly totals: Float64Array;
  readonly family: Uint8Array;
  readonly bucket: Float64Array;
  readonly words: Int32Array;
  readonly counters: Float64Array;
}

/** One remote's counts in one bucket, as drained. */
export interface RemoteRow {
  readonly bucketStartSec: number;
  readonly remoteIp: string;
  readonly upBytes: number;
  readonly downBytes: number;
  readonly upPackets: number;
  readonly downPackets: number;
}

/** Bounded counters per (UTC bucket, remote address). Not thread-safe; one per pipeline. */
export class RemoteTable {
  readonly #maxEntries: number;
  #slots = 0;
  #mask = 0;
  /** 0 = empty slot, else 4 or 6. */
  #family = new Uint8Array(0);
  #bucket = new Float64Array(0);
  #words = new Int32Array(0);
  #counters = new Float64Array(0);
  #size = 0;
  /**
   * Hash seed, changed on every rehash: rows kept by a compaction would otherwise keep their slots' order
   * and pile into one long probe run (measured: 0.7 s per compaction at 65,536 rows).
   */
  #seed = 0;
  #compactions = 0;
  #scratch: CompactionScratch | null = null;

  /** `maxEntries` (≥ 2) bounds the rows held between two drains. */
  constructor(maxEntries = DEFAULT_MAX_REMOTES) {
    if (!Number.isInteger(maxEntries) || maxEntries < 2) {
      throw new RangeError(
        `Cannot create remote table: maxEntries must be an integer ≥ 2, got ${maxEntries}`,
      );
    }
    this.#maxEntries = maxEntries;
    this.#allocate(Math.min(INITIAL_SLOTS, slotsFor(maxEntries)));
  }

  /** Rows currently held. */
  get size(): number {
    return this.#size;
  }

  /** How many times a full table dropped its lighter half (cumulative). */
  get compactions(): number {
    return this.#compactions;
  }

  /**
   * Adds one packet of `bytes` for the remote with address words w0..w3 (IPv4: w0 only) in the bucket
   * starting at `bucketStartSec`. Positional arguments instead of an options object: this runs per packet.
   */
  add(
    bucketStartSec: number,
    family: number,
    w0: number,
    w1: number,
    w2: number,
    w3: number,
    isUpload: boolean,
    bytes: number,
  ): void {
    let slot = this.#find(bucketStartSec, family, w0, w1, w2, w3);
    if (this.#family[slot] === 0) {
      if (this.#size >= this.#maxEntries) {
        this.#compact();
      } else if ((this.#size + 1) * 2 > this.#slots) {
        this.#grow();
      }
      slot = this.#find(bucketStartSec, family, w0, w1, w2, w3);
      this.#family[slot] = family;
      this.#bucket[slot] = bucketStartSec;
      const k = slot * 4;
      this.#words[k] = w0;
      this.#words[k + 1] = w1;
      this.#words[k + 2] = w2;
      this.#words[k + 3] = w3;
      this.#size++;
    }
    const c = slot * COUNTERS + (isUpload ? 0 : 1);
    this.#counters[c] += bytes;
    this.#counters[c + 2] += 1;
  }

  /** Every row with its address as canonical text, then empties the table (capacity is kept). */
  drain(): RemoteRow[] {
    const rows: RemoteRow[] = [];
    for (let slot = 0; slot < this.#slots; slot++) {
      const family = this.#family[slot];
      if (family === 0) continue;
      const k = slot * 4;
      const w = this.#words;
      const c = slot * COUNTERS;
      rows.push({
        bucketStartSec: this.#bucket[slot],
        remoteIp: family === 4 ? formatIpv4(w[k]) : formatIpv6(w[k], w[k + 1], w[k + 2], w[k + 3]),
        upBytes: this.#counters[c],
        downBytes: this.#counters[c + 1],
        upPackets: this.#counters[c + 2],
        downPackets: this.#counters[c + 3],
      });
    }
    this.#family.fill(0);
    this.#counters.fill(0);
    this.#size = 0;
    return rows;
  }

  /** The slot holding the key, or the empty slot where it belongs (linear probing; load ≤ 1/2). */
  #find(bucketStartSec: number, family: number, w0: number, w1: number, w2: number, w3: number): number {
    let h = Math.imul(((bucketStartSec / 900) | 0) ^ this.#seed, 0x9e3779b1) ^ family;
    h = Math.imul(h ^ w0, 0x85ebca6b);
    h = Math.imul(h ^ w1, 0xc2b2ae35);
    h = Math.imul(h ^ w2, 0x27d4eb2f);
    h = Math.imul(h ^ w3, 0x165667b1);
    h ^= h >>> 15;
    let slot = h & this.#mask;
    const words = this.#words;
    for (;;) {
      const f = this.#family[slot];
      if (f === 0) return slot;
      const k = slot * 4;
      if (
        f === family && words[k] === w0 && words[k + 1] === w1 && words[k + 2] === w2 &&
        words[k + 3] === w3 &&
        this.#bucket[slot] === bucketStartSec
      ) return slot;
      slot = (slot + 1) & this.#mask;
    }
  }

  #allocate(slots: number): void {
    this.#slots = slots;
    this.#mask = slots - 1;
    this.#family = new Uint8Array(slots);
    this.#bucket = new Float64Array(slots);
    this.#words = new Int32Array(slots * 4);
    this.#counters = new Float64Array(slots * COUNTERS);
  }

  /** Doubles the slots; the rows are rehashed into the new arrays. */
  #grow(): void {
    const [family, bucket, words, counters, oldSlots] = [
      this.#family,
      this.#bucket,
      this.#words,
      this.#counters,
      this.#slots,
    ];
    this.#allocate(oldSlots * 2);
    this.#size = 0;
    for (let old = 0; old < oldSlots; old++) {
      if (family[old] !== 0) this.#insertCopy(family, bucket, words, counters, old);
    }
  }

  /**
   * Keeps the heavier half of the rows (ties broken by table order) and drops the rest: the kept rows are
   * copied to a scratch table of maxEntries / 2 rows, allocated once, and inserted back under a new seed.
   */
  #compact(): void {
    this.#compactions++;
    const keep = Math.floor(this.#maxEntries / 2);
    const scratch = this.#scratch ??= {
      totals: new Float64Array(this.#maxEntries),
      family: new Uint8Array(keep),
      bucket: new Float64Array(keep),
      words: new Int32Array(keep * 4),
      counters: new Float64Array(keep * COUNTERS),
    };
    let n = 0;
    for (let slot = 0; slot < this.#slots; slot++) {
      if (this.#family[slot] !== 0) {
        scratch.totals[n++] = this.#counters[slot * COUNTERS] + this.#counters[slot * COUNTERS + 1];
      }
    }
    const totals = scratch.totals.subarray(0, n);
    const threshold = selectKth(totals, n - keep);
    let heavier = 0;
    for (let i = 0; i < n; i++) if (totals[i] > threshold) heavier++;
    let tiesLeft = keep - heavier;
    let kept = 0;
    for (let slot = 0; slot < this.#slots; slot++) {
      if (this.#family[slot] === 0) continue;
      const c = slot * COUNTERS;
      const total = this.#counters[c] + this.#counters[c + 1];
      if (total < threshold || (total === threshold && tiesLeft-- <= 0)) continue;
      scratch.family[kept] = this.#family[slot];
      scratch.bucket[kept] = this.#bucket[slot];
      copyRow(this.#words, this.#counters, slot, scratch.words, scratch.counters, kept);
      kept++;
    }
    this.#family.fill(0);
    this.#counters.fill(0);
    this.#size = 0;
    this.#seed = (this.#seed + 0x61c88647) | 0;
    for (let i = 0; i < kept; i++) {
      this.#insertCopy(scratch.family, scratch.bucket, scratch.words, scratch.counters, i);
    }
  }

  /** Inserts row `i` of the given columns (a key not in the table). */
  #insertCopy(
    family: Uint8Array,
    bucket: Float64Array,
    words: Int32Array,
    counters: Float64Array,
    i: number,
  ): void {
    const k = i * 4;
    const slot = this.#find(bucket[i], family[i], words[k], words[k + 1], words[k + 2], words[k + 3]);
    this.#family[slot] = family[i];
    this.#bucket[slot] = bucket[i];
    copyRow(words, counters, i, this.#words, this.#counters, slot);
    this.#size++;
  }
}

/** Slots for `maxEntries` rows at a load factor of at most 1/2, a power of two. */
function slotsFor(maxEntries: number): number {
  let slots = INITIAL_SLOTS;
  while (slots < maxEntries * 2) slots *= 2;
  return slots;
}

/** Copies the address words and counters of row `from` to row `to` (element by element: no subarray views). */
function copyRow(
  words: Int32Array,
  counters: Float64Array,
  from: number,
  toWords: Int32Array,
  toCounters: Float64Array,
  to: number,
): void {
  for (let i = 0; i < 4; i++) toWords[to * 4 + i] = words[from * 4 + i];
  for (let i = 0; i < COUNTERS; i++) toCounters[to * COUNTERS + i] = counters[from * COUNTERS + i];
}

/** Reorders `values` so that `values[k]` is the k-th smallest (Hoare's quickselect), and returns it. */
function selectKth(values: Float64Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const swap = values[i];
        values[i++] = values[j];
        values[j--] = swap;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return values[k];
}
