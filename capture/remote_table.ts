/**
 * Bounded per-remote-IP counters for one drain interval, keyed on (bucket, address words) in an
 * open-addressing hash table made of two typed arrays: adding a packet allocates nothing and builds no
 * string; addresses become text only in drain().
 *
 * Rows are per (bucket, remote, device, local address) (issue 14 item 3), so each device's remotes are known
 * too. Each row also keeps what the caller found for it once, when the row was new, so that the row's
 * later packets skip those probes: the number of its (bucket, device, local address) row in the caller's
 * DeviceTable (deviceRowAt), and its service row with the name stamp that row was found under
 * (serviceRowAt, see service_counter.ts).
 *
 * A row's packets are not added to its device row and service row one by one: the row's counts are handed
 * to the `DeviceCredit` and the `ServiceCredit` whole, when the table drains or drops the row, with the
 * second of its last packet (markSeen) for the device. When the row's service row changes (a new name for
 * its remote, rebindServiceRow), its packets so far are handed to the old service row and taken from the
 * new one, so each gets exactly its own share (tests/bench/parse_bench.ts, devices on vs off and names on
 * vs off).
 *
 * Bound (issue #2 item 4): at most `maxEntries` rows between two drains (default 65,536). The table has at
 * most 2 × maxEntries slots of 96 bytes, and a full table allocates once a compaction scratch of
 * 8 × maxEntries + 48 × maxEntries bytes: 16.2 MB in all at the default, whatever the traffic. When a new
 * address arrives at a full table, the lighter half of the rows (by bytes) is dropped from the table; the
 * caller keeps exact bucket totals, so the dropped traffic is reported as the exact remainder
 * OTHER_REMOTE_IP (see TrafficPipeline). A row's counts are exact from the moment it entered.
 */
import { formatIpv4, formatIpv6 } from "./ip_prefix.ts";
import { BUCKET_SEC, type DeviceRemoteTraffic, type RemoteTraffic } from "./types.ts";
import { deviceKeyOf, DeviceKind } from "./device_kind.ts";

/** Default bound on rows between two drains. */
export const DEFAULT_MAX_REMOTES = 65_536;

/** Table size before the first growth: small, so an idle home router holds little memory. */
const INITIAL_SLOTS = 1024;
/**
 * Per slot in `keys`: the remote's family (0 = empty slot) plus the device kind times DEVICE_KIND_UNIT plus
 * the local address's family times LOCAL_FAMILY_UNIT, bucket index, four remote address words, six device
 * words (issue 14 item 3: the remotes of each device; see add()), then what the caller keeps per row: its
 * links (the device row plus 2 in the low 16 bits, 0 before it is set; the name stamp slot above them), the
 * service row, the second of its bucket in which its last packet was marked (markSeen), and the name stamp
 * its service row was found under. 64 bytes, so a probe reads one cache line when the array starts on one.
 */
const KEY_INTS = 16;
const DEVICE_KIND_UNIT = 16;
const LOCAL_FAMILY_UNIT = 256;
const LINKS = 12;
const SERVICE_ROW = 13;
const LAST_SEEN = 14;
const NAME_STAMP = 15;
/** The device row's part of a row's links: rows below device_table.ts's MAX_DEVICE_ROWS (2^16 − 2) fit. */
const DEVICE_ROW_BITS = 0xffff;
/** Where the name stamp slot sits in a row's links, above the device row. */
const STAMP_SLOT_SHIFT = 16;

/** The device row a row's links word holds, or NO_DEVICE_ROW. */
function linkedDeviceRow(links: number): number {
  return (links & DEVICE_ROW_BITS) - 2;
}
/** deviceRowAt() of a row whose device row was not set yet. */
export const NO_DEVICE_ROW = -2;
/** nameStampAt() of a row whose service row was not set yet: no stamp is negative (name_cache.ts). */
export const NO_NAME_STAMP = -1;
/** Per slot in `counters`: upBytes, downBytes, upPackets, downPackets. */
const COUNTERS = 4;

/** What takes a row's counts for its device row: DeviceTable. */
export interface DeviceCredit {
  /**
   * Adds a row's packets to device row `deviceRow` (-1: the device table's bounds left them to the
   * remainder), the last of them at `lastSeenSec` (UTC seconds).
   */
  credit(
    deviceRow: number,
    upBytes: number,
    downBytes: number,
    upPackets: number,
    downPackets: number,
    lastSeenSec: number,
  ): void;
}

/** What takes a row's counts for its service row: ServiceCounter. */
export interface ServiceCredit {
  /** Adds counts to a service row: a row's packets, or, negative, those moved off it. */
  credit(
    serviceRow: number,
    upBytes: number,
    downBytes: number,
    upPackets: number,
    downPackets: number,
  ): void;
}

/**
 * deviceKeyOf() through `made`, the keys made so far by number: a MAC's 48 bits, an IPv4 address above
 * them. An IPv6 device's key is made each time (IPv6 devices are only those of links without MACs).
 */
function deviceKeyAt(
  kind: number,
  keys: Int32Array,
  at: number,
  made: Map<number, string | null>,
): string | null {
  const id = kind === DeviceKind.MAC
    ? (keys[at] & 0xffff) * 2 ** 32 + (keys[at + 1] >>> 0)
    : kind === DeviceKind.IPV4
    ? 2 ** 48 + (keys[at] >>> 0)
    : -1;
  if (id < 0) return deviceKeyOf(kind, keys, at);
  let key = made.get(id);
  if (key === undefined) {
    key = deviceKeyOf(kind, keys, at);
    made.set(id, key);
  }
  return key;
}

/** Columns a compaction copies the kept rows into; allocated at the first compaction. */
interface CompactionScratch {
  readonly totals: Float64Array;
  readonly keys: Int32Array;
  readonly counters: Float64Array;
}

/** Bounded counters per (UTC bucket, remote address). One per pipeline; not shared between threads. */
export class RemoteTable {
  readonly #maxEntries: number;
  #slots = 0;
  #mask = 0;
  /** Interleaved so one probe touches one cache line of keys (measured: 4 separate columns were slower). */
  #keys = new Int32Array(0);
  #counters = new Float64Array(0);
  #size = 0;
  /**
   * Hash seed, changed on every compaction: rows kept by a compaction would otherwise keep their slots'
   * order and pile into one long probe run (measured: 0.7 s per compaction at 65,536 rows).
   */
  #seed = 0;
  #compactions = 0;
  /** The slot used last per family and direction (see add()); slot 0 exists in every table. */
  readonly #recentSlots = new Int32Array(4);
  #scratch: CompactionScratch | null = null;
  readonly #serviceCredit: ServiceCredit | null;
  readonly #deviceCredit: DeviceCredit | null;

  /**
   * `maxEntries` (≥ 2) bounds the rows held between two drains; `serviceCredit` and `deviceCredit` take the
   * counts of rows with a service row and a device row (see the file comment).
   */
  constructor(
    maxEntries = DEFAULT_MAX_REMOTES,
    serviceCredit: ServiceCredit | null = null,
    deviceCredit: DeviceCredit | null = null,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 2) {
      throw new RangeError(
        `Cannot create remote table: maxEntries must be an integer ≥ 2, got ${maxEntries}`,
      );
    }
    this.#maxEntries = maxEntries;
    this.#serviceCredit = serviceCredit;
    this.#deviceCredit = deviceCredit;
    this.#allocate(INITIAL_SLOTS);
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
   * Adds one packet of `bytes` for the remote with address words w0..w3 (IPv4: w0 only, the rest 0) in
   * bucket number `bucket` (UTC seconds / BUCKET_SEC), exchanged by the device of kind `deviceKind`
   * (device_kind.ts DeviceKind). Its six words d0..d5: a MAC device's two words, then its local address, of
   * family `localFamily`, in four words; an IP device's four words (its address), then two zeros, with
   * `localFamily` 0; zeros for DeviceKind.NONE. Returns the row's slot, for deviceRowAt() and serviceRowAt().
   * Positional arguments instead of an options object: this runs per packet.
   */
  add(
    bucket: number,
    remoteFamily: number,
    w0: number,
    w1: number,
    w2: number,
    w3: number,
    deviceKind: number,
    localFamily: number,
    d0: number,
    d1: number,
    d2: number,
    d3: number,
    d4: number,
    d5: number,
    isUpload: boolean,
    bytes: number,
  ): number {
    const family = remoteFamily + deviceKind * DEVICE_KIND_UNIT + localFamily * LOCAL_FAMILY_UNIT;
    // Packets come in bursts per flow, so the slot used last for this family and direction often holds
    // the key already: comparing it skips the hash and the probe (faster for capture_bench's few flows, no
    // change for parse_bench's random mix). A slot holds at most one key,
    // so a match is that key's slot whatever happened to the table since (grow, compaction, drain).
    const memo = (remoteFamily === 4 ? 0 : 2) + (isUpload ? 0 : 1);
    let slot = this.#recentSlots[memo];
    if (!this.#holds(slot, bucket, family, w0, w1, w2, w3, d0, d1, d2, d3, d4, d5)) {
      slot = this.#find(bucket, family, w0, w1, w2, w3, d0, d1, d2, d3, d4, d5);
      if (this.#keys[slot * KEY_INTS] === 0) {
        slot = this.#insert(slot, bucket, family, w0, w1, w2, w3, d0, d1, d2, d3, d4, d5);
      }
      this.#recentSlots[memo] = slot;
    }
    const c = slot * COUNTERS + (isUpload ? 0 : 1);
    const counters = this.#counters;
    counters[c] += bytes;
    counters[c + 2] += 1;
    return slot;
  }

  /**
   * The device row set for the row at `slot` (from add(), until the next add or drain), or NO_DEVICE_ROW.
   * Rows keep it through growth and compaction, so it is set once per row between two drains.
   */
  deviceRowAt(slot: number): number {
    return linkedDeviceRow(this.#keys[slot * KEY_INTS + LINKS]);
  }

  /** Sets the device row (-1, or below MAX_DEVICE_ROWS) of the row at `slot` (see deviceRowAt). */
  setDeviceRow(slot: number, deviceRow: number): void {
    const k = slot * KEY_INTS + LINKS;
    this.#keys[k] = (this.#keys[k] & ~DEVICE_ROW_BITS) | (deviceRow + 2);
  }

  /**
   * Marks the row at `slot` as having a packet in second `secondOfBucket` (0 to BUCKET_SEC - 1) of its
   * bucket: its device row's last seen is the latest one marked (see DeviceCredit).
   */
  markSeen(slot: number, secondOfBucket: number): void {
    const k = slot * KEY_INTS + LAST_SEEN;
    if (secondOfBucket > this.#keys[k]) this.#keys[k] = secondOfBucket;
  }

  /**
   * The service row set for the row at `slot` (see rebindServiceRow), kept like the device row; valid only
   * while its name stamp (nameStampAt, NO_NAME_STAMP before the first set) is current.
   */
  serviceRowAt(slot: number): number {
    return this.#keys[slot * KEY_INTS + SERVICE_ROW];
  }

  /** The name stamp slot under which the row at `slot` found its service row. */
  nameStampSlotAt(slot: number): number {
    return this.#keys[slot * KEY_INTS + LINKS] >>> STAMP_SLOT_SHIFT;
  }

  /** The name stamp under which the row at `slot` found its service row, or NO_NAME_STAMP. */
  nameStampAt(slot: number): number {
    return this.#keys[slot * KEY_INTS + NAME_STAMP];
  }

  /**
   * Sets the service row of the row at `slot`, found under name stamp `stamp` of slot `stampSlot`, for its
   * packet just added (`isUpload`, `bytes`) and its later ones. The row's earlier packets stay with the
   * service row set before: they are credited to it now, and taken back from the new one, whose credit at
   * the drain covers all the row's packets.
   */
  rebindServiceRow(
    slot: number,
    serviceRow: number,
    stampSlot: number,
    stamp: number,
    isUpload: boolean,
    bytes: number,
  ): void {
    const k = slot * KEY_INTS;
    const keys = this.#keys;
    const before = keys[k + SERVICE_ROW];
    const services = this.#serviceCredit;
    if (services !== null && keys[k + NAME_STAMP] !== NO_NAME_STAMP && before !== serviceRow) {
      const c = slot * COUNTERS;
      const counters = this.#counters;
      const upBytes = counters[c] - (isUpload ? bytes : 0);
      const downBytes = counters[c + 1] - (isUpload ? 0 : bytes);
      const upPackets = counters[c + 2] - (isUpload ? 1 : 0);
      const downPackets = counters[c + 3] - (isUpload ? 0 : 1);
      services.credit(before, upBytes, downBytes, upPackets, downPackets);
      services.credit(serviceRow, -upBytes, -downBytes, -upPackets, -downPackets);
    }
    keys[k + SERVICE_ROW] = serviceRow;
    keys[k + LINKS] = (keys[k + LINKS] & DEVICE_ROW_BITS) | (stampSlot << STAMP_SLOT_SHIFT);
    keys[k + NAME_STAMP] = stamp;
  }

  /**
   * Stores a new key at `slot` (from #find), first compacting or growing the table when due; returns the
   * key's slot. Kept out of add(): new keys are rare, so the per-packet code stays short.
   */
  #insert(
    found: number,
    bucket: number,
    family: number,
    w0: number,
    w1: number,
    w2: number,
    w3: number,
    d0: number,
    d1: number,
    d2: number,
    d3: number,
    d4: number,
    d5: number,
  ): number {
    let slot = found;
    if (this.#size >= this.#maxEntries) {
      this.#compact();
      slot = this.#find(bucket, family, w0, w1, w2, w3, d0, d1, d2, d3, d4, d5);
    } else if ((this.#size + 1) * 2 > this.#slots) {
      this.#grow();
      slot = this.#find(bucket, family, w0, w1, w2, w3, d0, d1, d2, d3, d4, d5);
    }
    const k = slot * KEY_INTS;
    const keys = this.#keys;
    keys[k] = family;
    keys[k + 1] = bucket;
    keys[k + 2] = w0;
    keys[k + 3] = w1;
    keys[k + 4] = w2;
    keys[k + 5] = w3;
    keys[k + 6] = d0;
    keys[k + 7] = d1;
    keys[k + 8] = d2;
    keys[k + 9] = d3;
    keys[k + 10] = d4;
    keys[k + 11] = d5;
    keys[k + LINKS] = 0;
    keys[k + LAST_SEEN] = 0;
    keys[k + NAME_STAMP] = NO_NAME_STAMP;
    this.#size++;
    return slot;
  }

  /**
   * Every row, addresses as canonical text, then empties the table (capacity is kept): per (bucket,
   * remote) summed over devices, and per (bucket, device, remote) with the device's key (its MAC, or its IP
   * address; "" for DeviceKind.NONE).
   */
  drain(): { remotes: RemoteTraffic[]; deviceRemotes: DeviceRemoteTraffic[] } {
    const remotes = new Map<string, RemoteTraffic>();
    const deviceRemotes: DeviceRemoteTraffic[] = [];
    const keys = this.#keys;
    const counters = this.#counters;
    // A device's key as text, made once per drain: a device has many rows, and text costs more than a Map
    // probe by number (tests/bench/parse_bench.ts, devices on vs off).
    const deviceKeys = new Map<number, string | null>();
    for (let slot = 0; slot < this.#slots; slot++) {
      const k = slot * KEY_INTS;
      const tag = keys[k];
      if (tag === 0) continue;
      const family = tag % DEVICE_KIND_UNIT;
      const deviceKind = (tag % LOCAL_FAMILY_UNIT - family) / DEVICE_KIND_UNIT;
      const c = slot * COUNTERS;
      const bucketStartSec = keys[k + 1] * BUCKET_SEC;
      const remoteIp = family === 4
        ? formatIpv4(keys[k + 2])
        : formatIpv6(keys[k + 2], keys[k + 3], keys[k + 4], keys[k + 5]);
      this.#credit(k, c);
      const row = {
        bucketStartSec,
        remoteIp,
        upBytes: counters[c],
        downBytes: counters[c + 1],
        upPackets: counters[c + 2],
        downPackets: counters[c + 3],
      };
      deviceRemotes.push({ ...row, deviceKey: deviceKeyAt(deviceKind, keys, k + 6, deviceKeys) ?? "" });
      const key = `${bucketStartSec} ${remoteIp}`;
      const sum = remotes.get(key);
      remotes.set(
        key,
        sum === undefined ? row : {
          ...row,
          upBytes: sum.upBytes + row.upBytes,
          downBytes: sum.downBytes + row.downBytes,
          upPackets: sum.upPackets + row.upPackets,
          downPackets: sum.downPackets + row.downPackets,
        },
      );
    }
    this.#clear();
    return { remotes: [...remotes.values()], deviceRemotes };
  }

  /**
   * Hands the counts of the row whose key starts at `k` and counters at `c` to its device row and its
   * service row, each if set.
   */
  #credit(k: number, c: number): void {
    const keys = this.#keys;
    const counters = this.#counters;
    const deviceRow = linkedDeviceRow(keys[k + LINKS]);
    if (this.#deviceCredit !== null && deviceRow !== NO_DEVICE_ROW) {
      this.#deviceCredit.credit(
        deviceRow,
        counters[c],
        counters[c + 1],
        counters[c + 2],
        counters[c + 3],
        keys[k + 1] * BUCKET_SEC + keys[k + LAST_SEEN],
      );
    }
    if (this.#serviceCredit === null || keys[k + NAME_STAMP] === NO_NAME_STAMP) return;
    this.#serviceCredit.credit(
      keys[k + SERVICE_ROW],
      counters[c],
      counters[c + 1],
      counters[c + 2],
      counters[c + 3],
    );
  }

  /** Whether `slot` holds the key (an empty slot holds none: no key has family 0). */
  #holds(
    slot: number,
    bucket: number,
    family: number,
    w0: number,
    w1: number,
    w2: number,
    w3: number,
    d0: number,
    d1: number,
    d2: number,
    d3: number,
    d4: number,
    d5: number,
  ): boolean {
    const keys = this.#keys;
    const k = slot * KEY_INTS;
    return keys[k + 2] === w0 && keys[k + 5] === w3 && keys[k + 1] === bucket && keys[k] === family &&
      keys[k + 3] === w1 && keys[k + 4] === w2 && keys[k + 7] === d1 && keys[k + 6] === d0 &&
      keys[k + 9] === d3 && keys[k + 8] === d2 && keys[k + 11] === d5 && keys[k + 10] === d4;
  }

  /** The slot holding the key, or the empty slot where it belongs (linear probing; load ≤ 1/2). */
  #find(
    bucket: number,
    family: number,
    w0: number,
    w1: number,
    w2: number,
    w3: number,
    d0: number,
    d1: number,
    d2: number,
    d3: number,
    d4: number,
    d5: number,
  ): number {
    let h = Math.imul(bucket ^ this.#seed, 0x9e3779b1) ^ family;
    h = Math.imul(h ^ w0, 0x85ebca6b);
    h = Math.imul(h ^ w1 ^ d0 ^ d2, 0xc2b2ae35);
    h = Math.imul(h ^ w2 ^ d1 ^ d4, 0x27d4eb2f);
    h = Math.imul(h ^ w3 ^ d3 ^ d5, 0x165667b1);
    h ^= h >>> 15;
    const keys = this.#keys;
    const mask = this.#mask;
    let slot = h & mask;
    for (;;) {
      const k = slot * KEY_INTS;
      const f = keys[k];
      if (f === 0) return slot;
      if (f === family && this.#holds(slot, bucket, family, w0, w1, w2, w3, d0, d1, d2, d3, d4, d5)) {
        return slot;
      }
      slot = (slot + 1) & mask;
    }
  }

  #allocate(slots: number): void {
    this.#slots = slots;
    this.#mask = slots - 1;
    this.#keys = new Int32Array(slots * KEY_INTS);
    this.#counters = new Float64Array(slots * COUNTERS);
  }

  #clear(): void {
    this.#keys.fill(0);
    this.#counters.fill(0);
    this.#size = 0;
  }

  /** Doubles the slots; the rows are rehashed into the new arrays. */
  #grow(): void {
    const [keys, counters, oldSlots] = [this.#keys, this.#counters, this.#slots];
    this.#allocate(oldSlots * 2);
    this.#size = 0;
    for (let old = 0; old < oldSlots; old++) {
      if (keys[old * KEY_INTS] !== 0) this.#insertCopy(keys, counters, old);
    }
  }

  /**
   * Keeps the heavier half of the rows (ties broken by table order) and drops the rest: the kept rows are
   * copied to a scratch table allocated once, then inserted back under a new seed.
   */
  #compact(): void {
    this.#compactions++;
    const keep = Math.floor(this.#maxEntries / 2);
    const scratch = this.#scratch ??= {
      totals: new Float64Array(this.#maxEntries),
      keys: new Int32Array(keep * KEY_INTS),
      counters: new Float64Array(keep * COUNTERS),
    };
    const [keys, counters] = [this.#keys, this.#counters];
    let n = 0;
    for (let slot = 0; slot < this.#slots; slot++) {
      if (keys[slot * KEY_INTS] !== 0) {
        scratch.totals[n++] = counters[slot * COUNTERS] + counters[slot * COUNTERS + 1];
      }
    }
    const totals = scratch.totals.subarray(0, n);
    const threshold = selectKth(totals, n - keep);
    let heavier = 0;
    for (let i = 0; i < n; i++) if (totals[i] > threshold) heavier++;
    let tiesLeft = keep - heavier;
    let kept = 0;
    for (let slot = 0; slot < this.#slots; slot++) {
      if (keys[slot * KEY_INTS] === 0) continue;
      const total = counters[slot * COUNTERS] + counters[slot * COUNTERS + 1];
      if (total < threshold || (total === threshold && tiesLeft-- <= 0)) {
        this.#credit(slot * KEY_INTS, slot * COUNTERS);
        continue;
      }
      copyRow(keys, counters, slot, scratch.keys, scratch.counters, kept++);
    }
    this.#clear();
    // Kept to 30 bits: a larger value would change the field's representation in V8 and throw away the
    // compiled per-packet code (see TrafficPipeline's totals).
    this.#seed = (this.#seed + 0x61c88647) & 0x3fffffff;
    for (let i = 0; i < kept; i++) this.#insertCopy(scratch.keys, scratch.counters, i);
  }

  /** Inserts row `i` of the given arrays (a key not in the table). */
  #insertCopy(keys: Int32Array, counters: Float64Array, i: number): void {
    const k = i * KEY_INTS;
    const slot = this.#find(
      keys[k + 1],
      keys[k],
      keys[k + 2],
      keys[k + 3],
      keys[k + 4],
      keys[k + 5],
      keys[k + 6],
      keys[k + 7],
      keys[k + 8],
      keys[k + 9],
      keys[k + 10],
      keys[k + 11],
    );
    copyRow(keys, counters, i, this.#keys, this.#counters, slot);
    this.#size++;
  }
}

/** Copies the key and counters of row `from` to row `to` (element by element: no subarray views). */
function copyRow(
  keys: Int32Array,
  counters: Float64Array,
  from: number,
  toKeys: Int32Array,
  toCounters: Float64Array,
  to: number,
): void {
  for (let i = 0; i < KEY_INTS; i++) toKeys[to * KEY_INTS + i] = keys[from * KEY_INTS + i];
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
