/**
 * A map from connection id to per-connection state, tuned for the one lookup per connection per snapshot
 * (clash-wire.md P9). At 50k connections the lookups are bound by memory latency, not by hashing: a
 * Map<string> or Map<number> touches its bucket, its entry, the value and the stored id at random places.
 * Here the slot of an id is read straight from its key (ids are random v4 UUIDs, so their hex digits are
 * already uniform), slots sit in one array with linear probing, and a caller that looks ids up in key order
 * (`sortByKey`) walks that array front to back: on the 2-core dev machine, 50k fresh UUIDs in a core's
 * random order took 6 ms against 12 ms with the Map<number> this replaces. The full id is always compared,
 * so results are exact for any id text; ids sharing a key only cost extra probes. The ids sit in their own
 * array and callers may keep hot per-value numbers in `columns` beside the slots, so a lookup and its update
 * touch only contiguous arrays and the id text, never the value object.
 */

/** Hex digits of the id read into the key: 28 bits stay a V8 small integer (no heap number per lookup). */
const KEY_BITS = 28;
const KEY_HEX_DIGITS = KEY_BITS / 4;
const MIN_SLOT_BITS = 4;

/** Something stored under its own id. */
export interface HasId {
  readonly id: string;
}

/** Exact id → value map; see the module doc. */
export class IdMap<T extends HasId> {
  /** Numbers per slot in `columns`. */
  readonly stride: number;
  #slotBits = MIN_SLOT_BITS;
  #values: (T | undefined)[] = new Array(1 << MIN_SLOT_BITS).fill(undefined);
  /** `values[slot].id`, read by lookups instead of the value (undefined marks an empty slot). */
  #ids: (string | undefined)[] = new Array(1 << MIN_SLOT_BITS).fill(undefined);
  #keys = new Int32Array(1 << MIN_SLOT_BITS);
  /** A number per slot that the caller stamps on the values it saw, so it can drop the others in one scan. */
  #stamps = new Int32Array(1 << MIN_SLOT_BITS);
  #columns: Float64Array;
  #size = 0;

  /** `stride`: how many numbers per slot `columns` holds for the caller (0 for none). */
  constructor(stride = 0) {
    this.stride = stride;
    this.#columns = new Float64Array(stride << MIN_SLOT_BITS);
  }

  /**
   * The caller's numbers: slot `s` owns `columns[s * stride]` to `columns[s * stride + stride - 1]`; they move
   * with their value. The array is replaced when the map grows or is cleared: read it again after `set` or
   * `clear`. A new slot's numbers are whatever the caller last wrote there.
   */
  get columns(): Float64Array {
    return this.#columns;
  }

  /** The value stored for `id`, or undefined. */
  get(id: string): T | undefined {
    const slot = this.find(id);
    return slot < 0 ? undefined : this.#values[slot];
  }

  /**
   * The slot of `id`, or -1; valid until the next `set` or `delete`. `key` must be `idKey(id)` (callers that
   * have it save its cost).
   */
  find(id: string, key = idKey(id)): number {
    const ids = this.#ids;
    const mask = ids.length - 1;
    for (let slot = key >>> (KEY_BITS - this.#slotBits);; slot = (slot + 1) & mask) {
      const held = ids[slot];
      if (held === undefined) return -1;
      if (this.#keys[slot] === key && held === id) return slot;
    }
  }

  /** The value in a slot that `find` returned. */
  at(slot: number): T {
    return this.#values[slot]!;
  }

  /** Stamps the value in `slot`; returns false when it already had this stamp. */
  stamp(slot: number, stamp: number): boolean {
    if (this.#stamps[slot] === stamp) return false;
    this.#stamps[slot] = stamp;
    return true;
  }

  /** Deletes the values whose stamp is not `stamp`, stopping after `count` of them; one scan of the slots. */
  deleteUnstamped(stamp: number, count: number): void {
    let left = count;
    for (let slot = 0; left > 0 && slot < this.#values.length; slot++) {
      // A deletion shifts a later value of the run into this slot: look at the slot again.
      while (left > 0 && this.#ids[slot] !== undefined && this.#stamps[slot] !== stamp) {
        this.#deleteSlot(slot);
        left--;
      }
    }
  }

  /**
   * Stores `value` under `value.id` with `stamp`, replacing a value of the same id (and keeping its columns);
   * returns its slot.
   */
  set(value: T, stamp = 0): number {
    const id = value.id;
    const key = idKey(id);
    const mask = this.#values.length - 1;
    let slot = key >>> (KEY_BITS - this.#slotBits);
    for (;; slot = (slot + 1) & mask) {
      const held = this.#ids[slot];
      if (held === undefined) break;
      if (this.#keys[slot] === key && held === id) {
        this.#values[slot] = value;
        this.#stamps[slot] = stamp;
        return slot;
      }
    }
    this.#values[slot] = value;
    this.#ids[slot] = id;
    this.#keys[slot] = key;
    this.#stamps[slot] = stamp;
    // At most half full keeps probe runs short.
    if (++this.#size * 2 <= this.#values.length) return slot;
    this.#resize(this.#slotBits + 1);
    return this.find(id, key);
  }

  /** Removes the value stored for `id`, if any. */
  delete(id: string): void {
    const slot = this.find(id);
    if (slot >= 0) this.#deleteSlot(slot);
  }

  #deleteSlot(slot: number): void {
    const mask = this.#values.length - 1;
    const stride = this.stride;
    const columns = this.#columns;
    // Backward-shift deletion: move later entries of the run into the hole so no lookup stops early.
    let hole = slot;
    for (let next = (hole + 1) & mask;; next = (next + 1) & mask) {
      const moved = this.#ids[next];
      if (moved === undefined) break;
      const home = this.#keys[next] >>> (KEY_BITS - this.#slotBits);
      // Move it unless its home lies cyclically in (hole, next].
      if (((next - home) & mask) >= ((next - hole) & mask)) {
        this.#values[hole] = this.#values[next];
        this.#ids[hole] = moved;
        this.#keys[hole] = this.#keys[next];
        this.#stamps[hole] = this.#stamps[next];
        columns.copyWithin(hole * stride, next * stride, next * stride + stride);
        hole = next;
      }
    }
    this.#values[hole] = undefined;
    this.#ids[hole] = undefined;
    this.#size--;
  }

  /** Calls `fn` for every value; `fn` may delete or add values (it sees those present at the call). */
  forEach(fn: (value: T) => void): void {
    for (const value of this.values()) fn(value);
  }

  /** Calls `fn` with every value and its slot; `fn` must not add or delete values. */
  forEachSlot(fn: (value: T, slot: number) => void): void {
    const values = this.#values;
    for (let slot = 0; slot < values.length; slot++) {
      const value = values[slot];
      if (value !== undefined) fn(value, slot);
    }
  }

  /** Every value, in slot order. */
  values(): T[] {
    const out: T[] = [];
    for (const value of this.#values) if (value !== undefined) out.push(value);
    return out;
  }

  get size(): number {
    return this.#size;
  }

  clear(): void {
    this.#slotBits = MIN_SLOT_BITS;
    this.#values = new Array(1 << MIN_SLOT_BITS).fill(undefined);
    this.#ids = new Array(1 << MIN_SLOT_BITS).fill(undefined);
    this.#keys = new Int32Array(1 << MIN_SLOT_BITS);
    this.#stamps = new Int32Array(1 << MIN_SLOT_BITS);
    this.#columns = new Float64Array(this.stride << MIN_SLOT_BITS);
    this.#size = 0;
  }

  #resize(slotBits: number): void {
    const values = this.#values;
    const ids = this.#ids;
    const keys = this.#keys;
    const stamps = this.#stamps;
    const columns = this.#columns;
    const stride = this.stride;
    this.#slotBits = slotBits;
    this.#values = new Array(1 << slotBits).fill(undefined);
    this.#ids = new Array(1 << slotBits).fill(undefined);
    this.#keys = new Int32Array(1 << slotBits);
    this.#stamps = new Int32Array(1 << slotBits);
    this.#columns = new Float64Array(stride << slotBits);
    const mask = this.#values.length - 1;
    for (let i = 0; i < values.length; i++) {
      const id = ids[i];
      if (id === undefined) continue;
      let slot = keys[i] >>> (KEY_BITS - slotBits);
      while (this.#ids[slot] !== undefined) slot = (slot + 1) & mask;
      this.#values[slot] = values[i];
      this.#ids[slot] = id;
      this.#keys[slot] = keys[i];
      this.#stamps[slot] = stamps[i];
      for (let k = 0; k < stride; k++) this.#columns[slot * stride + k] = columns[i * stride + k];
    }
  }
}

/**
 * The key of an id: its last KEY_HEX_DIGITS characters read as hex. A v4 UUID ends in 48 random bits (also
 * a v7 one, whose start is a timestamp); any other text gives some integer too, only speed depends on it.
 */
export function idKey(id: string): number {
  let key = 0;
  for (let i = id.length - KEY_HEX_DIGITS; i < id.length; i++) {
    const c = id.charCodeAt(i) | 32; // lowercase; NaN before the start becomes 32
    key = (key << 4) | (c <= 57 ? c - 48 : c - 87) & 15;
  }
  return key;
}

/**
 * Writes into `order` the indexes 0..n-1 sorted by the top bits of `keys[i]` (a counting sort over about n
 * buckets), so lookups made in that order walk an IdMap front to back. `counts` is scratch space of at least
 * 2^16 + 1 entries.
 */
export function sortByKey(keys: Int32Array, n: number, order: Int32Array, counts: Int32Array): void {
  const bits = Math.min(16, Math.max(MIN_SLOT_BITS, Math.ceil(Math.log2(n + 1))));
  const shift = KEY_BITS - bits;
  const buckets = 1 << bits;
  counts.fill(0, 0, buckets + 1);
  for (let i = 0; i < n; i++) counts[(keys[i] >>> shift) + 1]++;
  for (let b = 1; b <= buckets; b++) counts[b] += counts[b - 1];
  for (let i = 0; i < n; i++) order[counts[keys[i] >>> shift]++] = i;
}
