/**
 * A map from connection id to per-connection state, tuned for the one lookup per connection per snapshot
 * (clash-wire.md P9). At 50k connections the lookups are bound by memory latency, not by hashing: a
 * Map<string> or Map<number> touches its bucket, its entry, the value and the stored id at random places.
 * Here the slot of an id is read straight from its key (ids are random v4 UUIDs, so their hex digits are
 * already uniform), slots sit in one array with linear probing, and a caller that looks ids up in key order
 * (`sortByKey`) walks that array front to back: on the 2-core dev machine, 50k fresh UUIDs in a core's
 * random order took 6 ms against 12 ms with the Map<number> this replaces. The full id is always compared,
 * so results are exact for any id text; ids sharing a key only cost extra probes.
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
  #slotBits = MIN_SLOT_BITS;
  #values: (T | undefined)[] = new Array(1 << MIN_SLOT_BITS).fill(undefined);
  #keys = new Int32Array(1 << MIN_SLOT_BITS);
  /** A number per slot that the caller stamps on the values it saw, so it can drop the others in one scan. */
  #stamps = new Int32Array(1 << MIN_SLOT_BITS);
  #size = 0;

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
    const mask = this.#values.length - 1;
    for (let slot = key >>> (KEY_BITS - this.#slotBits);; slot = (slot + 1) & mask) {
      const value = this.#values[slot];
      if (value === undefined) return -1;
      if (this.#keys[slot] === key && value.id === id) return slot;
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
      while (left > 0 && this.#values[slot] !== undefined && this.#stamps[slot] !== stamp) {
        this.#deleteSlot(slot);
        left--;
      }
    }
  }

  /** Stores `value` under `value.id` with `stamp`, replacing a value of the same id. */
  set(value: T, stamp = 0): void {
    const key = idKey(value.id);
    const mask = this.#values.length - 1;
    let slot = key >>> (KEY_BITS - this.#slotBits);
    for (;; slot = (slot + 1) & mask) {
      const held = this.#values[slot];
      if (held === undefined) break;
      if (this.#keys[slot] === key && held.id === value.id) {
        this.#values[slot] = value;
        this.#stamps[slot] = stamp;
        return;
      }
    }
    this.#values[slot] = value;
    this.#keys[slot] = key;
    this.#stamps[slot] = stamp;
    // At most half full keeps probe runs short.
    if (++this.#size * 2 > this.#values.length) this.#resize(this.#slotBits + 1);
  }

  /** Removes the value stored for `id`, if any. */
  delete(id: string): void {
    const slot = this.find(id);
    if (slot >= 0) this.#deleteSlot(slot);
  }

  #deleteSlot(slot: number): void {
    const mask = this.#values.length - 1;
    // Backward-shift deletion: move later entries of the run into the hole so no lookup stops early.
    let hole = slot;
    for (let next = (hole + 1) & mask;; next = (next + 1) & mask) {
      const moved = this.#values[next];
      if (moved === undefined) break;
      const home = this.#keys[next] >>> (KEY_BITS - this.#slotBits);
      // Move it unless its home lies cyclically in (hole, next].
      if (((next - home) & mask) >= ((next - hole) & mask)) {
        this.#values[hole] = moved;
        this.#keys[hole] = this.#keys[next];
        this.#stamps[hole] = this.#stamps[next];
        hole = next;
      }
    }
    this.#values[hole] = undefined;
    this.#size--;
  }

  /** Calls `fn` for every value; `fn` may delete or add values (it sees those present at the call). */
  forEach(fn: (value: T) => void): void {
    for (const value of this.values()) fn(value);
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
    this.#keys = new Int32Array(1 << MIN_SLOT_BITS);
    this.#stamps = new Int32Array(1 << MIN_SLOT_BITS);
    this.#size = 0;
  }

  #resize(slotBits: number): void {
    const values = this.#values;
    const keys = this.#keys;
    const stamps = this.#stamps;
    this.#slotBits = slotBits;
    this.#values = new Array(1 << slotBits).fill(undefined);
    this.#keys = new Int32Array(1 << slotBits);
    this.#stamps = new Int32Array(1 << slotBits);
    const mask = this.#values.length - 1;
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (value === undefined) continue;
      let slot = keys[i] >>> (KEY_BITS - slotBits);
      while (this.#values[slot] !== undefined) slot = (slot + 1) & mask;
      this.#values[slot] = value;
      this.#keys[slot] = keys[i];
      this.#stamps[slot] = stamps[i];
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
