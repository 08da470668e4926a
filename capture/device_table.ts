/**
 * Bounded per-device counters for one drain interval (issue 14 items 1 and 2): which local device sent or
 * received each counted packet, and which local addresses it used, keyed in an open-addressing hash table
 * of typed arrays, so adding a packet allocates nothing and builds no string.
 *
 * The device of a packet is the local end's MAC on Ethernet links (the source MAC of an upload frame, the
 * destination MAC of a download frame), else its local IP address. Linux cooked captures (SLL, SLL2) count
 * as links without MACs: their header holds the sender's address only, so a download frame names no
 * device MAC, and keying both directions by the local IP keeps one device per address. Broadcast,
 * multicast (the group bit) and all-zero MACs name no device: TrafficPipeline does not add such packets, and
 * TrafficPipeline counts them in the exact OTHER_DEVICE_KEY remainder of their bucket.
 *
 * Bounds: at most `maxDevices` devices (default 4,096) held at once, and `maxRows` (bucket, device, local
 * address) rows (default 16,384) between two drains. A device stays held across drains until it has been
 * idle for DEVICE_IDLE_SEC, so a flood of random source MACs fills the table once and then ends in the exact
 * remainder, while the devices already held (the household's) keep their own rows: at most maxDevices new
 * devices a day reach the database, whatever the flood (tests/bench/mac_flood_bench.ts). A packet of a new
 * device past the first bound, or of a new row past the second, is not added either. Memory stays flat:
 * at most maxRows rows of 80 bytes with an index of 2 × maxRows 4-byte slots, and 2 × maxDevices device
 * slots of 28 bytes, 1.7 MB at the defaults.
 */
import { formatIpv4, formatIpv6 } from "./ip_prefix.ts";
import { BUCKET_SEC, type DeviceAddress, type DeviceTraffic } from "./types.ts";

/** Default bound on distinct devices held at once (seen within DEVICE_IDLE_SEC). */
export const DEFAULT_MAX_DEVICES = 4096;
/**
 * A device is let go at a drain once it has sent and received nothing for this long (by the packets' own
 * clocks), making room for new ones. A day: a household's devices that sleep overnight keep their place, and a
 * flood of random MACs admits at most maxDevices devices a day.
 */
export const DEVICE_IDLE_SEC = 86_400;
/** Default bound on (bucket, device, local address) rows between two drains. */
export const DEFAULT_MAX_DEVICE_ROWS = 16_384;
/** The largest bound on rows: a remote row links to its device row in 16 bits (remote_table.ts). */
export const MAX_DEVICE_ROWS = 65_534;

/** Row capacity before the first growth: small, so an idle box holds little memory. */
const INITIAL_ROWS = 128;
/**
 * Per row in `rowKeys`: tag (the local address's family 4 or 6, plus MAC_TAG when the device is a MAC),
 * bucket number, the MAC's high 16 and low 32 bits (0 without a MAC), four local address words.
 */
const KEY_INTS = 8;
const MAC_TAG = 8;
/** Per row in `values`: upBytes, downBytes, upPackets, downPackets, first and last seen (UTC seconds). */
const VALUES = 6;
/** Per device slot in `deviceKeys`: kind (0 = empty, MAC_KIND, or the family of an IP device), four words. */
const DEVICE_INTS = 5;
const MAC_KIND = 1;

/**
 * Per-device counters of one pipeline; not shared between threads.
 *
 * A row is found once per (bucket, device, local address) and then credited by its number: the caller keeps
 * the number beside its own per-flow row (RemoteTable's links), and the remote table hands each flow row's
 * counts over whole when it drains or drops it (credit), so a packet costs nothing here
 * (tests/bench/parse_bench.ts, devices on vs off). Rows are numbered densely in the order they were added,
 * and a number stays valid until the next drain, whatever the table grows to.
 */
export class DeviceTable {
  readonly #maxDevices: number;
  readonly #maxRows: number;
  /** Rows held, numbered 0..rows-1: their keys and values, grown by doubling. */
  #rowKeys = new Int32Array(0);
  #values = new Float64Array(0);
  #rows = 0;
  /** Open-addressing index from a row's key to its number plus 1 (0 = empty), at most half full. */
  #index = new Int32Array(0);
  #indexMask = 0;
  readonly #deviceKeys: Int32Array;
  /** Per device slot: the last packet's time (UTC seconds), updated at each drain from its rows. */
  readonly #deviceSeen: Float64Array;
  readonly #deviceMask: number;
  #devices = 0;
  #overflowPackets = 0;

  /**
   * `maxDevices` and `maxRows` (each ≥ 1; maxRows at most MAX_DEVICE_ROWS) bound what is held between two
   * drains.
   */
  constructor(maxDevices = DEFAULT_MAX_DEVICES, maxRows = DEFAULT_MAX_DEVICE_ROWS) {
    if (
      !Number.isInteger(maxDevices) || maxDevices < 1 || !Number.isInteger(maxRows) || maxRows < 1 ||
      maxRows > MAX_DEVICE_ROWS
    ) {
      throw new RangeError(
        `Cannot create device table: maxDevices and maxRows must be integers ≥ 1 (maxRows ≤ ${MAX_DEVICE_ROWS}), got ${maxDevices} and ${maxRows}`,
      );
    }
    this.#maxDevices = maxDevices;
    this.#maxRows = maxRows;
    const deviceSlots = 2 ** Math.ceil(Math.log2(maxDevices * 2));
    this.#deviceKeys = new Int32Array(deviceSlots * DEVICE_INTS);
    this.#deviceSeen = new Float64Array(deviceSlots);
    this.#deviceMask = deviceSlots - 1;
    this.#allocate(Math.min(INITIAL_ROWS, maxRows));
  }

  /** (bucket, device, local address) rows held now. */
  get size(): number {
    return this.#rows;
  }

  /** Distinct devices held now: those of the rows, and those seen within DEVICE_IDLE_SEC before a drain. */
  get deviceCount(): number {
    return this.#devices;
  }

  /**
   * Packets left to the remainder because a bound was reached (cumulative, as of the rows credited so far: the
   * remote table credits at its drain): a MAC flood shows here.
   */
  get overflowPackets(): number {
    return this.#overflowPackets;
  }

  /**
   * The number of the row of (bucket number `bucket`, device, local address), added at `timestampSec` when
   * new, or -1 when a bound is reached (the device's packets then belong to the remainder: pass -1 to
   * credit()). `high` and `low` are the local end's MAC (both 0 on links without MACs: the device is then the
   * local address); the caller leaves out group and all-zero MACs. `family` and l0..l3 give the local
   * address (IPv4: l0 only, the rest 0). Positional arguments instead of an options object: this runs once
   * per new flow row of the caller.
   */
  rowOf(
    bucket: number,
    high: number,
    low: number,
    family: number,
    l0: number,
    l1: number,
    l2: number,
    l3: number,
    timestampSec: number,
  ): number {
    const tag = (high | low) === 0 ? family : family + MAC_TAG;
    const slot = this.#find(tag, bucket, high, low, l0, l1, l2, l3);
    const held = this.#index[slot];
    if (held !== 0) return held - 1;
    return this.#insert(slot, tag, bucket, high, low, l0, l1, l2, l3, timestampSec);
  }

  /**
   * Adds counted packets to row `row` (from rowOf() since the last drain), the last of them at `lastSeenSec`;
   * row -1's packets belong to the remainder: the remote table's DeviceCredit (remote_table.ts).
   */
  credit(
    row: number,
    upBytes: number,
    downBytes: number,
    upPackets: number,
    downPackets: number,
    lastSeenSec: number,
  ): void {
    if (row < 0) {
      this.#overflowPackets += upPackets + downPackets;
      return;
    }
    const values = this.#values;
    const v = row * VALUES;
    values[v] += upBytes;
    values[v + 1] += downBytes;
    values[v + 2] += upPackets;
    values[v + 3] += downPackets;
    if (lastSeenSec > values[v + 5]) values[v + 5] = lastSeenSec;
  }

  /**
   * The counted traffic per (bucket, device) and the addresses seen per device, then empties the rows
   * (capacity is kept; row numbers start again at 0) and lets go of the devices idle for DEVICE_IDLE_SEC.
   * Packets not held (see the file comment) are in no row: the caller's bucket totals minus these rows are
   * the exact remainder.
   */
  drain(): { traffic: DeviceTraffic[]; addresses: DeviceAddress[] } {
    const traffic = new Map<string, DeviceTraffic>();
    const addresses = new Map<string, DeviceAddress>();
    const keys = this.#rowKeys;
    const values = this.#values;
    for (let row = 0; row < this.#rows; row++) {
      const k = row * KEY_INTS;
      const tag = keys[k];
      const family = tag & 7;
      const ip = family === 4
        ? formatIpv4(keys[k + 4])
        : formatIpv6(keys[k + 4], keys[k + 5], keys[k + 6], keys[k + 7]);
      const deviceKey = tag & MAC_TAG ? formatMac(keys[k + 2], keys[k + 3]) : ip;
      const bucketStartSec = keys[k + 1] * BUCKET_SEC;
      const v = row * VALUES;
      const device = tag & MAC_TAG
        ? this.#deviceSlot(MAC_KIND, keys[k + 2], keys[k + 3], 0, 0)
        : this.#deviceSlot(family, keys[k + 4], keys[k + 5], keys[k + 6], keys[k + 7]);
      if (values[v + 5] > this.#deviceSeen[device]) this.#deviceSeen[device] = values[v + 5];
      const rowKey = `${bucketStartSec} ${deviceKey}`;
      const sum = traffic.get(rowKey);
      traffic.set(rowKey, {
        bucketStartSec,
        deviceKey,
        upBytes: (sum?.upBytes ?? 0) + values[v],
        downBytes: (sum?.downBytes ?? 0) + values[v + 1],
        upPackets: (sum?.upPackets ?? 0) + values[v + 2],
        downPackets: (sum?.downPackets ?? 0) + values[v + 3],
      });
      const addressKey = `${deviceKey} ${ip}`;
      const seen = addresses.get(addressKey);
      addresses.set(addressKey, {
        deviceKey,
        ip,
        firstSeenSec: Math.floor(Math.min(seen?.firstSeenSec ?? Infinity, values[v + 4])),
        lastSeenSec: Math.floor(Math.max(seen?.lastSeenSec ?? -Infinity, values[v + 5])),
      });
    }
    this.#rowKeys.fill(0, 0, this.#rows * KEY_INTS);
    this.#values.fill(0, 0, this.#rows * VALUES);
    this.#index.fill(0);
    this.#rows = 0;
    this.#releaseIdleDevices();
    return { traffic: [...traffic.values()], addresses: [...addresses.values()] };
  }

  /** The index slot holding the key's row, or the empty slot where it belongs (linear probing). */
  #find(
    tag: number,
    bucket: number,
    high: number,
    low: number,
    l0: number,
    l1: number,
    l2: number,
    l3: number,
  ): number {
    let h = Math.imul(bucket ^ tag ^ (high << 16), 0x9e3779b1);
    h = Math.imul(h ^ low, 0x85ebca6b);
    h = Math.imul(h ^ l0 ^ l2, 0xc2b2ae35);
    h = Math.imul(h ^ l1 ^ l3, 0x27d4eb2f);
    h ^= h >>> 15;
    const index = this.#index;
    const keys = this.#rowKeys;
    const mask = this.#indexMask;
    for (let slot = h & mask;; slot = (slot + 1) & mask) {
      const held = index[slot];
      if (held === 0) return slot;
      const k = (held - 1) * KEY_INTS;
      if (
        keys[k + 3] === low && keys[k + 4] === l0 && keys[k + 7] === l3 && keys[k + 1] === bucket &&
        keys[k] === tag && keys[k + 2] === high && keys[k + 5] === l1 && keys[k + 6] === l2
      ) {
        return slot;
      }
    }
  }

  /**
   * Stores a new row at index slot `found` (from #find), registering its device, and returns its number;
   * -1 when a bound is reached.
   */
  #insert(
    found: number,
    tag: number,
    bucket: number,
    high: number,
    low: number,
    l0: number,
    l1: number,
    l2: number,
    l3: number,
    timestampSec: number,
  ): number {
    if (this.#rows >= this.#maxRows) return -1;
    const isMac = tag > MAC_TAG;
    if (
      !this.#registerDevice(
        isMac ? MAC_KIND : tag,
        isMac ? high : l0,
        isMac ? low : l1,
        isMac ? 0 : l2,
        isMac ? 0 : l3,
      )
    ) return -1;
    let slot = found;
    if (this.#rows * KEY_INTS === this.#rowKeys.length) {
      this.#grow();
      slot = this.#find(tag, bucket, high, low, l0, l1, l2, l3);
    }
    const row = this.#rows++;
    const keys = this.#rowKeys;
    const k = row * KEY_INTS;
    keys[k] = tag;
    keys[k + 1] = bucket;
    keys[k + 2] = high;
    keys[k + 3] = low;
    keys[k + 4] = l0;
    keys[k + 5] = l1;
    keys[k + 6] = l2;
    keys[k + 7] = l3;
    this.#values[row * VALUES + 4] = timestampSec;
    this.#values[row * VALUES + 5] = timestampSec;
    this.#index[slot] = row + 1;
    return row;
  }

  /** Whether the device is held, adding it while fewer than maxDevices are. */
  #registerDevice(kind: number, w0: number, w1: number, w2: number, w3: number): boolean {
    const slot = this.#deviceSlot(kind, w0, w1, w2, w3);
    const keys = this.#deviceKeys;
    const k = slot * DEVICE_INTS;
    if (keys[k] !== 0) return true;
    if (this.#devices >= this.#maxDevices) return false;
    keys[k] = kind;
    keys[k + 1] = w0;
    keys[k + 2] = w1;
    keys[k + 3] = w2;
    keys[k + 4] = w3;
    this.#deviceSeen[slot] = 0;
    this.#devices++;
    return true;
  }

  /** The device slot holding the device, or the empty slot where it belongs (linear probing; load ≤ 1/2). */
  #deviceSlot(kind: number, w0: number, w1: number, w2: number, w3: number): number {
    const keys = this.#deviceKeys;
    let h = Math.imul(kind ^ w0, 0x85ebca6b);
    h = Math.imul(h ^ w1, 0xc2b2ae35);
    h = Math.imul(h ^ w2 ^ w3, 0x27d4eb2f);
    h ^= h >>> 15;
    for (let slot = h & this.#deviceMask;; slot = (slot + 1) & this.#deviceMask) {
      const k = slot * DEVICE_INTS;
      if (
        keys[k] === 0 ||
        (keys[k] === kind && keys[k + 1] === w0 && keys[k + 2] === w1 && keys[k + 3] === w2 &&
          keys[k + 4] === w3)
      ) {
        return slot;
      }
    }
  }

  /**
   * Keeps the devices seen within DEVICE_IDLE_SEC of the newest one and lets go of the rest, rehashing the
   * kept ones (open addressing has no cheap delete). Runs at a drain, never per packet.
   */
  #releaseIdleDevices(): void {
    let newestSec = -Infinity;
    let oldestSec = Infinity;
    for (let slot = 0; slot <= this.#deviceMask; slot++) {
      if (this.#deviceKeys[slot * DEVICE_INTS] === 0) continue;
      newestSec = Math.max(newestSec, this.#deviceSeen[slot]);
      oldestSec = Math.min(oldestSec, this.#deviceSeen[slot]);
    }
    if (oldestSec > newestSec - DEVICE_IDLE_SEC) return;
    const keys = this.#deviceKeys.slice();
    const seen = this.#deviceSeen.slice();
    this.#deviceKeys.fill(0);
    this.#deviceSeen.fill(0);
    this.#devices = 0;
    for (let old = 0; old < seen.length; old++) {
      const k = old * DEVICE_INTS;
      if (keys[k] === 0 || seen[old] <= newestSec - DEVICE_IDLE_SEC) continue;
      const slot = this.#deviceSlot(keys[k], keys[k + 1], keys[k + 2], keys[k + 3], keys[k + 4]);
      this.#deviceKeys.set(keys.subarray(k, k + DEVICE_INTS), slot * DEVICE_INTS);
      this.#deviceSeen[slot] = seen[old];
      this.#devices++;
    }
  }

  /** Room for `rows` rows, with an index of at least twice as many slots (a power of 2). */
  #allocate(rows: number): void {
    const indexSlots = 2 ** Math.ceil(Math.log2(rows * 2));
    this.#rowKeys = new Int32Array(rows * KEY_INTS);
    this.#values = new Float64Array(rows * VALUES);
    this.#index = new Int32Array(indexSlots);
    this.#indexMask = indexSlots - 1;
  }

  /** Doubles the room (up to maxRows): rows keep their numbers, and the index is rebuilt. */
  #grow(): void {
    const [keys, values] = [this.#rowKeys, this.#values];
    this.#allocate(Math.min(this.#maxRows, keys.length / KEY_INTS * 2));
    this.#rowKeys.set(keys);
    this.#values.set(values);
    for (let row = 0; row < this.#rows; row++) {
      const k = row * KEY_INTS;
      const slot = this.#find(
        keys[k],
        keys[k + 1],
        keys[k + 2],
        keys[k + 3],
        keys[k + 4],
        keys[k + 5],
        keys[k + 6],
        keys[k + 7],
      );
      this.#index[slot] = row + 1;
    }
  }
}

/** "aa:bb:cc:dd:ee:ff" from the MAC's high 16 and low 32 bits. */
export function formatMac(high: number, low: number): string {
  const hex = (high & 0xffff).toString(16).padStart(4, "0") + (low >>> 0).toString(16).padStart(8, "0");
  return hex.match(/../g)!.join(":");
}
