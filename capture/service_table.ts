/**
 * Bounded per-(bucket, device, host name) counters for one drain interval (issue 15 item 3), in an
 * open-addressing hash table of typed arrays like device_table.ts, so adding a packet allocates nothing.
 * The host is a NameCache id: only named packets are added (the unknown bytes are the device's remainder,
 * service_counter.ts). A packet of a new row past `maxRows` (default 16,384) is not added, and its bucket is
 * remembered as full: there the remainder per (bucket, device) is reported as OTHER_SERVICE, exactly.
 * The table starts small and doubles with its rows, and each slot is one 64-byte line, keys and counters
 * together, so a named packet's add mostly hits the CPU caches (tests/bench/parse_bench.ts, names on vs
 * off). Memory: at most 2 × maxRows slots, 2 MB at the default, whatever the traffic.
 */
import { deviceKeyOf } from "./device_kind.ts";
import { BUCKET_SEC, OTHER_DEVICE_KEY } from "./types.ts";

/** Default bound on (bucket, device, host) rows between two drains. */
export const DEFAULT_MAX_SERVICE_ROWS = 16_384;

/**
 * Per slot, in 32-bit words: used flag + device kind, bucket number, four device words, host id, a pad; then,
 * as float64s, upBytes, downBytes, upPackets, downPackets. 64 bytes: one cache line per add.
 */
const SLOT_INTS = 16;
const USED = 16;
const HOST_ID = 6;
const SLOT_FLOATS = SLOT_INTS / 2;
/** Float64 index of upBytes in a slot; downBytes, upPackets and downPackets follow. */
const COUNTS = 4;
/** Slots before the first growth: small, so a quiet drain interval holds little memory. */
const INITIAL_SLOTS = 256;

/** One drained row: host id (0 = unknown) instead of a name; the caller names it. */
export interface ServiceRow {
  readonly bucketStartSec: number;
  readonly deviceKey: string;
  readonly hostId: number;
  readonly upBytes: number;
  readonly downBytes: number;
  readonly upPackets: number;
  readonly downPackets: number;
}

/** See the file comment; not shared between threads. */
export class ServiceTable {
  readonly #maxRows: number;
  #mask = 0;
  /** Slots as words and, over the same memory, as float64s (see SLOT_INTS). */
  #words = new Int32Array(0);
  #counts = new Float64Array(0);
  #rows = 0;
  #overflowPackets = 0;
  /** Bucket numbers in which a packet found the table full since the last drain, and the last one added. */
  readonly #fullBuckets = new Set<number>();
  #lastFullBucket = -1;

  constructor(maxRows = DEFAULT_MAX_SERVICE_ROWS) {
    if (!Number.isInteger(maxRows) || maxRows < 1) {
      throw new RangeError(`Cannot create service table: maxRows must be an integer ≥ 1, got ${maxRows}`);
    }
    this.#maxRows = maxRows;
    // Up to 2 × maxRows slots, a power of two: the load stays ≤ 1/2 at the bound.
    this.#allocate(Math.min(INITIAL_SLOTS, 2 ** Math.ceil(Math.log2(maxRows * 2))));
  }

  /** Rows held now. */
  get size(): number {
    return this.#rows;
  }

  /** Packets left to the remainder because the table was full (cumulative). */
  get overflowPackets(): number {
    return this.#overflowPackets;
  }

  /** Adds one counted packet of device (kind `dk`, words d0..d3) with host id `hostId` in bucket number `bucket`. */
  add(
    bucket: number,
    dk: number,
    d0: number,
    d1: number,
    d2: number,
    d3: number,
    hostId: number,
    isUpload: boolean,
    bytes: number,
  ): void {
    const tag = USED | dk;
    let slot = this.#find(tag, bucket, d0, d1, d2, d3, hostId);
    if (this.#words[slot * SLOT_INTS] === 0) {
      if (this.#rows >= this.#maxRows) {
        this.#overflowPackets++;
        // A flood overflows packet after packet in the same bucket: one set insert per bucket.
        if (bucket !== this.#lastFullBucket) this.#fullBuckets.add(this.#lastFullBucket = bucket);
        return;
      }
      if ((this.#rows + 1) * 2 > this.#mask + 1) {
        this.#grow();
        slot = this.#find(tag, bucket, d0, d1, d2, d3, hostId);
      }
      const k = slot * SLOT_INTS;
      const words = this.#words;
      words[k] = tag;
      words[k + 1] = bucket;
      words[k + 2] = d0;
      words[k + 3] = d1;
      words[k + 4] = d2;
      words[k + 5] = d3;
      words[k + HOST_ID] = hostId;
      this.#rows++;
    }
    const c = slot * SLOT_FLOATS + COUNTS;
    this.#counts[c + (isUpload ? 0 : 1)] += bytes;
    this.#counts[c + (isUpload ? 2 : 3)] += 1;
  }

  /**
   * Every row, its device key formatted as device_table.ts does, and the starts of the buckets in which the
   * table was full; then empties the table.
   */
  drain(): { readonly rows: ServiceRow[]; readonly fullBucketStarts: ReadonlySet<number> } {
    const rows: ServiceRow[] = [];
    const words = this.#words;
    const counts = this.#counts;
    for (let slot = 0; slot <= this.#mask; slot++) {
      const k = slot * SLOT_INTS;
      if (words[k] === 0) continue;
      const dk = words[k] & ~USED;
      // No device: the OTHER_DEVICE_KEY remainder.
      const deviceKey = deviceKeyOf(dk, words, k + 2) ?? OTHER_DEVICE_KEY;
      const c = slot * SLOT_FLOATS + COUNTS;
      rows.push({
        bucketStartSec: words[k + 1] * BUCKET_SEC,
        deviceKey,
        hostId: words[k + HOST_ID],
        upBytes: counts[c],
        downBytes: counts[c + 1],
        upPackets: counts[c + 2],
        downPackets: counts[c + 3],
      });
    }
    // The grown size is kept: the next interval is likely as busy.
    if (this.#rows > 0) words.fill(0);
    this.#rows = 0;
    const fullBucketStarts = new Set([...this.#fullBuckets].map((b) => b * BUCKET_SEC));
    this.#fullBuckets.clear();
    this.#lastFullBucket = -1;
    return { rows, fullBucketStarts };
  }

  #allocate(slots: number): void {
    this.#words = new Int32Array(slots * SLOT_INTS);
    this.#counts = new Float64Array(this.#words.buffer);
    this.#mask = slots - 1;
  }

  /** Doubles the slots and re-inserts the rows; add() grows only below the bound's 2 × maxRows slots. */
  #grow(): void {
    const old = this.#words;
    const oldSlots = this.#mask + 1;
    this.#allocate(oldSlots * 2);
    for (let slot = 0; slot < oldSlots; slot++) {
      const k = slot * SLOT_INTS;
      if (old[k] === 0) continue;
      const to = this.#find(
        old[k],
        old[k + 1],
        old[k + 2],
        old[k + 3],
        old[k + 4],
        old[k + 5],
        old[k + HOST_ID],
      );
      this.#words.set(old.subarray(k, k + SLOT_INTS), to * SLOT_INTS);
    }
  }

  /** The slot holding the key, or the empty slot where it belongs (linear probing; load ≤ 1/2). */
  #find(tag: number, bucket: number, d0: number, d1: number, d2: number, d3: number, hostId: number): number {
    let h = Math.imul(bucket ^ (tag << 24) ^ hostId, 0x9e3779b1);
    h = Math.imul(h ^ d0 ^ d2, 0x85ebca6b);
    h = Math.imul(h ^ d1 ^ d3, 0xc2b2ae35);
    h ^= h >>> 15;
    const words = this.#words;
    const mask = this.#mask;
    let slot = h & mask;
    for (;;) {
      const k = slot * SLOT_INTS;
      const used = words[k];
      if (used === 0) return slot;
      if (
        words[k + HOST_ID] === hostId && words[k + 1] === bucket && words[k + 2] === d0 && used === tag &&
        words[k + 3] === d1 && words[k + 4] === d2 && words[k + 5] === d3
      ) return slot;
      slot = (slot + 1) & mask;
    }
  }
}
