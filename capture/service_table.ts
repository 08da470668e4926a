/**
 * Bounded per-(bucket, device, host name) counters for one drain interval (issue 15 item 3), in an
 * open-addressing hash table of typed arrays like device_table.ts, so adding a packet allocates nothing.
 * The host is a NameCache id: only named packets are added (the unknown bytes are the device's remainder,
 * service_counter.ts). A packet of a new row past `maxRows` (default 16,384) is not added, and its bucket is
 * remembered as full: there the remainder per (bucket, device) is reported as OTHER_SERVICE, exactly.
 * Memory: 2 × maxRows slots of 60 bytes, 2 MB at the default, whatever the traffic.
 */
import { deviceKeyOf } from "./device_kind.ts";
import { BUCKET_SEC, OTHER_DEVICE_KEY } from "./types.ts";

/** Default bound on (bucket, device, host) rows between two drains. */
export const DEFAULT_MAX_SERVICE_ROWS = 16_384;

/** Per slot: used flag + device kind, bucket number, four device words, host id. */
const KEY_INTS = 7;
const USED = 16;
/** Per slot: upBytes, downBytes, upPackets, downPackets. */
const VALUES = 4;

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
  readonly #mask: number;
  readonly #keys: Int32Array;
  readonly #values: Float64Array;
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
    const slots = 2 ** Math.ceil(Math.log2(maxRows * 2));
    this.#mask = slots - 1;
    this.#keys = new Int32Array(slots * KEY_INTS);
    this.#values = new Float64Array(slots * VALUES);
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
    const keys = this.#keys;
    let h = Math.imul(bucket ^ (tag << 24) ^ hostId, 0x9e3779b1);
    h = Math.imul(h ^ d0 ^ d2, 0x85ebca6b);
    h = Math.imul(h ^ d1 ^ d3, 0xc2b2ae35);
    h ^= h >>> 15;
    const mask = this.#mask;
    let slot = h & mask;
    for (;;) {
      const k = slot * KEY_INTS;
      if (keys[k] === 0) {
        if (this.#rows >= this.#maxRows) {
          this.#overflowPackets++;
          // A flood overflows packet after packet in the same bucket: one set insert per bucket.
          if (bucket !== this.#lastFullBucket) this.#fullBuckets.add(this.#lastFullBucket = bucket);
          return;
        }
        keys[k] = tag;
        keys[k + 1] = bucket;
        keys[k + 2] = d0;
        keys[k + 3] = d1;
        keys[k + 4] = d2;
        keys[k + 5] = d3;
        keys[k + 6] = hostId;
        this.#rows++;
        break;
      }
      if (
        keys[k + 6] === hostId && keys[k + 1] === bucket && keys[k + 2] === d0 && keys[k] === tag &&
        keys[k + 3] === d1 && keys[k + 4] === d2 && keys[k + 5] === d3
      ) break;
      slot = (slot + 1) & mask;
    }
    const v = slot * VALUES;
    this.#values[v + (isUpload ? 0 : 1)] += bytes;
    this.#values[v + (isUpload ? 2 : 3)] += 1;
  }

  /**
   * Every row, its device key formatted as device_table.ts does, and the starts of the buckets in which the
   * table was full; then empties the table.
   */
  drain(): { readonly rows: ServiceRow[]; readonly fullBucketStarts: ReadonlySet<number> } {
    const rows: ServiceRow[] = [];
    const keys = this.#keys;
    const values = this.#values;
    for (let slot = 0; slot <= this.#mask; slot++) {
      const k = slot * KEY_INTS;
      if (keys[k] === 0) continue;
      const dk = keys[k] & ~USED;
      // No device: the OTHER_DEVICE_KEY remainder.
      const deviceKey = deviceKeyOf(dk, keys, k + 2) ?? OTHER_DEVICE_KEY;
      const v = slot * VALUES;
      rows.push({
        bucketStartSec: keys[k + 1] * BUCKET_SEC,
        deviceKey,
        hostId: keys[k + 6],
        upBytes: values[v],
        downBytes: values[v + 1],
        upPackets: values[v + 2],
        downPackets: values[v + 3],
      });
    }
    if (this.#rows > 0) {
      keys.fill(0);
      values.fill(0);
    }
    this.#rows = 0;
    const fullBucketStarts = new Set([...this.#fullBuckets].map((b) => b * BUCKET_SEC));
    this.#fullBuckets.clear();
    this.#lastFullBucket = -1;
    return { rows, fullBucketStarts };
  }
}
