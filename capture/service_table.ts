/**
 * Bounded per-(bucket, device, host name) counters for one drain interval (issue 15 item 3), keyed in an
 * open-addressing hash table of typed arrays like device_table.ts, so counting a packet allocates nothing.
 * The host is a NameCache id: only named packets are counted here (the unknown bytes are the device's
 * remainder, service_counter.ts). A row past `maxRows` (default 16,384) is not added, and the buckets whose
 * packets found the table full are remembered: there the remainder per (bucket, device) is reported as
 * OTHER_SERVICE, exactly.
 *
 * A row is found once per remote row of the caller (TrafficPipeline keeps its number in the remote table),
 * which adds the remote row's counts to it by number (add) when it drains or drops the row, not packet by
 * packet (remote_table.ts, tests/bench/parse_bench.ts, names on vs off). Rows are
 * numbered densely in the order they were added, and a number stays valid until the next drain, whatever
 * the table grows to. Memory: at most maxRows rows of 64 bytes with an index of 2 × maxRows 4-byte slots,
 * 1.2 MB at the default, whatever the traffic.
 */
import { deviceKeyOf } from "./device_kind.ts";
import { BUCKET_SEC, OTHER_DEVICE_KEY } from "./types.ts";

/** Default bound on (bucket, device, host) rows between two drains. */
export const DEFAULT_MAX_SERVICE_ROWS = 16_384;

/** Per row in `rowKeys`: device kind plus USED, bucket number, four device words, host id, a pad. */
const KEY_INTS = 8;
const USED = 16;
const HOST_ID = 6;
/** Per row in `counts`: upBytes, downBytes, upPackets, downPackets. */
const COUNTS = 4;
/** Row capacity before the first growth: small, so a quiet drain interval holds little memory. */
const INITIAL_ROWS = 128;

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
  /** Rows held, numbered 0..rows-1: their keys and counts, grown by doubling. */
  #rowKeys = new Int32Array(0);
  #counts = new Float64Array(0);
  #rows = 0;
  /** Open-addressing index from a row's key to its number plus 1 (0 = empty), at most half full. */
  #index = new Int32Array(0);
  #indexMask = 0;
  /** Packets added to row -1, up to the last drain; and since, where credits may still take some back. */
  #overflowPackets = 0;
  #pendingOverflowPackets = 0;
  /** Bucket numbers in which a row was refused because the table was full, since the last drain. */
  readonly #fullBuckets = new Set<number>();

  constructor(maxRows = DEFAULT_MAX_SERVICE_ROWS) {
    if (!Number.isInteger(maxRows) || maxRows < 1) {
      throw new RangeError(`Cannot create service table: maxRows must be an integer ≥ 1, got ${maxRows}`);
    }
    this.#maxRows = maxRows;
    this.#allocate(Math.min(INITIAL_ROWS, maxRows));
  }

  /** Rows held now. */
  get size(): number {
    return this.#rows;
  }

  /** Packets left to the remainder because the table was full (cumulative, as of the last drain). */
  get overflowPackets(): number {
    return this.#overflowPackets;
  }

  /**
   * The number of the row of (bucket number `bucket`, device of kind `dk` with words d0..d3, host id
   * `hostId`), added when new, or -1 when the table is full: the bucket is then marked full, and the packets
   * added to -1 belong to its remainder.
   */
  rowOf(bucket: number, dk: number, d0: number, d1: number, d2: number, d3: number, hostId: number): number {
    const tag = USED | dk;
    const slot = this.#find(tag, bucket, d0, d1, d2, d3, hostId);
    const held = this.#index[slot];
    if (held !== 0) return held - 1;
    if (this.#rows >= this.#maxRows) {
      this.#fullBuckets.add(bucket);
      return -1;
    }
    let free = slot;
    if (this.#rows * KEY_INTS === this.#rowKeys.length) {
      this.#grow();
      free = this.#find(tag, bucket, d0, d1, d2, d3, hostId);
    }
    const row = this.#rows++;
    const keys = this.#rowKeys;
    const k = row * KEY_INTS;
    keys[k] = tag;
    keys[k + 1] = bucket;
    keys[k + 2] = d0;
    keys[k + 3] = d1;
    keys[k + 4] = d2;
    keys[k + 5] = d3;
    keys[k + HOST_ID] = hostId;
    this.#index[free] = row + 1;
    return row;
  }

  /**
   * Adds packets to row `row` (from rowOf() since the last drain), or to the remainder for row -1. Counts may
   * be negative: TrafficPipeline moves a remote row's earlier packets from one row to another this way when
   * the row's name changes (remote_table.ts rebindServiceRow); at a drain every row's sums are whole again.
   */
  add(row: number, upBytes: number, downBytes: number, upPackets: number, downPackets: number): void {
    if (row < 0) {
      this.#pendingOverflowPackets += upPackets + downPackets;
      return;
    }
    const c = row * COUNTS;
    const counts = this.#counts;
    counts[c] += upBytes;
    counts[c + 1] += downBytes;
    counts[c + 2] += upPackets;
    counts[c + 3] += downPackets;
  }

  /**
   * Every row, its device key formatted as device_table.ts does, and the starts of the buckets in which the
   * table was full; then empties the table (capacity is kept; row numbers start again at 0).
   */
  drain(): { readonly rows: ServiceRow[]; readonly fullBucketStarts: ReadonlySet<number> } {
    const rows: ServiceRow[] = [];
    const keys = this.#rowKeys;
    const counts = this.#counts;
    for (let row = 0; row < this.#rows; row++) {
      const k = row * KEY_INTS;
      const dk = keys[k] & ~USED;
      // No device: the OTHER_DEVICE_KEY remainder.
      const deviceKey = deviceKeyOf(dk, keys, k + 2) ?? OTHER_DEVICE_KEY;
      const c = row * COUNTS;
      rows.push({
        bucketStartSec: keys[k + 1] * BUCKET_SEC,
        deviceKey,
        hostId: keys[k + HOST_ID],
        upBytes: counts[c],
        downBytes: counts[c + 1],
        upPackets: counts[c + 2],
        downPackets: counts[c + 3],
      });
    }
    if (this.#rows > 0) {
      keys.fill(0, 0, this.#rows * KEY_INTS);
      counts.fill(0, 0, this.#rows * COUNTS);
      this.#index.fill(0);
    }
    this.#rows = 0;
    const fullBucketStarts = new Set([...this.#fullBuckets].map((b) => b * BUCKET_SEC));
    this.#fullBuckets.clear();
    this.#overflowPackets += this.#pendingOverflowPackets;
    this.#pendingOverflowPackets = 0;
    return { rows, fullBucketStarts };
  }

  /** Room for `rows` rows, with an index of at least twice as many slots (a power of 2). */
  #allocate(rows: number): void {
    const indexSlots = 2 ** Math.ceil(Math.log2(rows * 2));
    this.#rowKeys = new Int32Array(rows * KEY_INTS);
    this.#counts = new Float64Array(rows * COUNTS);
    this.#index = new Int32Array(indexSlots);
    this.#indexMask = indexSlots - 1;
  }

  /** Doubles the room (up to maxRows): rows keep their numbers, and the index is rebuilt. */
  #grow(): void {
    const [keys, counts] = [this.#rowKeys, this.#counts];
    this.#allocate(Math.min(this.#maxRows, keys.length / KEY_INTS * 2));
    this.#rowKeys.set(keys);
    this.#counts.set(counts);
    for (let row = 0; row < this.#rows; row++) {
      const k = row * KEY_INTS;
      const slot = this.#find(
        keys[k],
        keys[k + 1],
        keys[k + 2],
        keys[k + 3],
        keys[k + 4],
        keys[k + 5],
        keys[k + HOST_ID],
      );
      this.#index[slot] = row + 1;
    }
  }

  /** The index slot holding the key's row, or the empty slot where it belongs (linear probing). */
  #find(tag: number, bucket: number, d0: number, d1: number, d2: number, d3: number, hostId: number): number {
    let h = Math.imul(bucket ^ (tag << 24) ^ hostId, 0x9e3779b1);
    h = Math.imul(h ^ d0 ^ d2, 0x85ebca6b);
    h = Math.imul(h ^ d1 ^ d3, 0xc2b2ae35);
    h ^= h >>> 15;
    const index = this.#index;
    const keys = this.#rowKeys;
    const mask = this.#indexMask;
    for (let slot = h & mask;; slot = (slot + 1) & mask) {
      const held = index[slot];
      if (held === 0) return slot;
      const k = (held - 1) * KEY_INTS;
      if (
        keys[k + HOST_ID] === hostId && keys[k + 1] === bucket && keys[k + 2] === d0 && keys[k] === tag &&
        keys[k + 3] === d1 && keys[k + 4] === d2 && keys[k + 5] === d3
      ) return slot;
    }
  }
}
