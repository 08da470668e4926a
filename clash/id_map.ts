/**
 * A map from connection id to per-connection state, tuned for the one lookup per connection per snapshot
 * (docs/clash-accounting.md P9). At 50k connections the lookups are bound by memory latency, not by
 * hashing: a Map<string> or Map<number> touches its bucket, its entry, the value and the stored id at random
 * places, and comparing two id strings reads both from wherever the heap put them.
 * Here an id in the canonical UUID form both cores send (36 lowercase characters) is kept as four 32-bit
 * words in a typed array beside its slot, so a lookup compares numbers and never reads a stored string; a
 * caller reads the fresh id's words once (`readUuid`) while the parsed text is still in cache. The slot of
 * an id comes straight from its last hex digits (v4 UUIDs are random there), slots are fixed-size records
 * in one typed array with linear probing, and a caller that looks ids up in key order (`sortByKey`) walks
 * that array front to back.
 * Any other id text is kept and compared as text: results are exact for every id, only speed differs.
 * Numbers a caller updates on every lookup (counters) can live in per-slot number columns rather than in
 * the value object: V8 boxes every double field of an object, one more scattered read and write each.
 */

/** Hex digits of the id read into the key: 28 bits stay a V8 small integer (no heap number per lookup). */
const KEY_BITS = 28;
const KEY_MASK = (1 << KEY_BITS) - 1;
const KEY_HEX_DIGITS = KEY_BITS / 4;
const MIN_SLOT_BITS = 4;
/** Length of a canonical UUID text, 8-4-4-4-12 hex digits. */
const UUID_LENGTH = 36;
/** What a slot holds: nothing, an id kept as `readUuid` words, or any other id kept as text. */
const EMPTY = 0;
export const UUID_ID = 1;
export const TEXT_ID = 2;

/** Nibble of an ASCII character, 16 for anything that is not a lowercase hex digit. */
const HEX_NIBBLE = (() => {
  const table = new Int32Array(128).fill(16);
  for (let d = 0; d < 10; d++) table[48 + d] = d;
  for (let d = 10; d < 16; d++) table[87 + d] = d;
  return table;
})();

/** Something stored under its own id. */
export interface HasId {
  readonly id: string;
}

/**
 * Layout of a slot in the slot table: the id's four words (`readUuid`), its key, what the slot holds, the
 * caller's stamp, then the caller's number columns as doubles. One record per slot, so a lookup walking
 * the table in key order reads one stream of memory.
 */
const WORDS_INT = 0;
const KEY_INT = 4;
const KIND_INT = 5;
const STAMP_INT = 6;
const HEADER_BYTES = 32;

/** Exact id → value map; see the module doc. */
export class IdMap<T extends HasId> {
  #slotBits = MIN_SLOT_BITS;
  #values: (T | undefined)[] = [];
  /** The slot table: `#slotInts` int32 per slot, see WORDS_INT…; its doubles are the number columns. */
  #ints = new Int32Array(0);
  #doubles = new Float64Array(0);
  readonly #slotInts: number;
  readonly #slotDoubles: number;
  /** Scratch for the words of an id looked up by text. */
  readonly #scratch = new Int32Array(4);
  #size = 0;

  /** `numberColumns`: how many numbers each value has beside it (`number`, `setNumber`); they start at 0. */
  constructor(numberColumns = 0) {
    this.#slotInts = (HEADER_BYTES + numberColumns * 8) / 4;
    this.#slotDoubles = this.#slotInts / 2;
    this.#allocate(MIN_SLOT_BITS);
  }

  /** The slot of `id`, or -1; valid until the next `set` or `delete`. */
  find(id: string): number {
    return readUuid(id, this.#scratch, 0) ? this.findUuid(this.#scratch, 0) : this.findText(id, idKey(id));
  }

  /** The slot of the UUID whose words `readUuid` wrote at `words[at]`, or -1. */
  findUuid(words: Int32Array, at: number): number {
    const last = words[at + 3];
    const mask = this.#values.length - 1;
    const ints = this.#ints;
    const slotInts = this.#slotInts;
    for (let slot = uuidKey(words, at) >>> (KEY_BITS - this.#slotBits);; slot = (slot + 1) & mask) {
      const base = slot * slotInts;
      const kind = ints[base + KIND_INT];
      if (kind === EMPTY) return -1;
      if (
        ints[base + 3] === last && kind === UUID_ID && ints[base] === words[at] &&
        ints[base + 1] === words[at + 1] && ints[base + 2] === words[at + 2]
      ) return slot;
    }
  }

  /** The slot of an id that is not a canonical UUID (`readUuid` returned false), or -1; `key` = idKey(id). */
  findText(id: string, key: number): number {
    const mask = this.#values.length - 1;
    for (let slot = key >>> (KEY_BITS - this.#slotBits);; slot = (slot + 1) & mask) {
      const base = slot * this.#slotInts;
      const kind = this.#ints[base + KIND_INT];
      if (kind === EMPTY) return -1;
      if (kind === TEXT_ID && this.#ints[base + KEY_INT] === key && this.#values[slot]!.id === id) {
        return slot;
      }
    }
  }

  /** The value in a slot that a find returned. */
  at(slot: number): T {
    return this.#values[slot]!;
  }

  /** Number `column` of the value in `slot`. */
  number(slot: number, column: number): number {
    return this.#doubles[slot * this.#slotDoubles + HEADER_BYTES / 8 + column];
  }

  setNumber(slot: number, column: number, value: number): void {
    this.#doubles[slot * this.#slotDoubles + HEADER_BYTES / 8 + column] = value;
  }

  /** Stamps the value in `slot`; returns false when it already had this stamp. */
  stamp(slot: number, stamp: number): boolean {
    const at = slot * this.#slotInts + STAMP_INT;
    if (this.#ints[at] === stamp) return false;
    this.#ints[at] = stamp;
    return true;
  }

  /** Deletes the values whose stamp is not `stamp`, stopping after `count` of them; one scan of the slots. */
  deleteUnstamped(stamp: number, count: number): void {
    let left = count;
    const ints = this.#ints;
    for (let slot = 0; left > 0 && slot < this.#values.length; slot++) {
      const base = slot * this.#slotInts;
      // A deletion shifts a later value of the run into this slot: look at the slot again.
      while (left > 0 && ints[base + KIND_INT] !== EMPTY && ints[base + STAMP_INT] !== stamp) {
        this.#deleteSlot(slot);
        left--;
      }
    }
  }

  /**
   * Stores `value` under `value.id` with `stamp`, replacing a value of the same id (and keeping its
   * numbers); returns its slot, valid until the next `set` or `delete`.
   */
  set(value: T, stamp = 0): number {
    const existing = this.find(value.id);
    if (existing >= 0) {
      this.#values[existing] = value;
      this.#ints[existing * this.#slotInts + STAMP_INT] = stamp;
      return existing;
    }
    const isUuid = readUuid(value.id, this.#scratch, 0);
    return this.insertAbsent(value, stamp, isUuid ? this.#scratch : null, 0);
  }

  /**
   * Adds `value`, whose id a find just reported absent, with `stamp`: `words` holds the id's `readUuid`
   * words at `at` when it is a UUID, null otherwise. Returns its slot, valid until the next change.
   */
  insertAbsent(value: T, stamp: number, words: Int32Array | null, at: number): number {
    const key = words !== null ? uuidKey(words, at) : idKey(value.id);
    const mask = this.#values.length - 1;
    let slot = key >>> (KEY_BITS - this.#slotBits);
    while (this.#values[slot] !== undefined) slot = (slot + 1) & mask;
    const ints = this.#ints;
    const base = slot * this.#slotInts;
    ints.fill(0, base, base + this.#slotInts);
    if (words !== null) {
      for (let w = 0; w < 4; w++) ints[base + WORDS_INT + w] = words[at + w];
    }
    ints[base + KEY_INT] = key;
    ints[base + KIND_INT] = words !== null ? UUID_ID : TEXT_ID;
    ints[base + STAMP_INT] = stamp;
    this.#values[slot] = value;
    // At most half full keeps probe runs short.
    if (++this.#size * 2 <= this.#values.length) return slot;
    this.#resize(this.#slotBits + 1);
    return this.find(value.id);
  }

  /**
   * Grows the table to hold `count` values at most half full. Call it before adding many ids in key order:
   * added to a small table, ids of a key range's start pile up into one probe run and each `set` walks it
   * (tests/bench/clash_bench.ts's first snapshot, every id new, shows the difference).
   */
  reserve(count: number): void {
    let slotBits = this.#slotBits;
    while (count * 2 > 1 << slotBits) slotBits++;
    if (slotBits > this.#slotBits) this.#resize(slotBits);
  }

  /** Removes the value stored for `id`, if any. */
  delete(id: string): void {
    const slot = this.find(id);
    if (slot >= 0) this.#deleteSlot(slot);
  }

  #deleteSlot(slot: number): void {
    const mask = this.#values.length - 1;
    const slotInts = this.#slotInts;
    // Backward-shift deletion: move later entries of the run into the hole so no lookup stops early.
    let hole = slot;
    for (let next = (hole + 1) & mask; this.#values[next] !== undefined; next = (next + 1) & mask) {
      const home = this.#ints[next * slotInts + KEY_INT] >>> (KEY_BITS - this.#slotBits);
      // Move it unless its home lies cyclically in (hole, next].
      if (((next - home) & mask) >= ((next - hole) & mask)) {
        this.#values[hole] = this.#values[next];
        this.#ints.copyWithin(hole * slotInts, next * slotInts, (next + 1) * slotInts);
        hole = next;
      }
    }
    this.#values[hole] = undefined;
    this.#ints[hole * slotInts + KIND_INT] = EMPTY;
    this.#size--;
  }

  /** Calls `fn` for every value with its slot, in slot order; `fn` must not add or delete values. */
  forEach(fn: (value: T, slot: number) => void): void {
    for (let slot = 0; slot < this.#values.length; slot++) {
      const value = this.#values[slot];
      if (value !== undefined) fn(value, slot);
    }
  }

  get size(): number {
    return this.#size;
  }

  clear(): void {
    this.#allocate(MIN_SLOT_BITS);
    this.#size = 0;
  }

  #allocate(slotBits: number): void {
    const slots = 1 << slotBits;
    this.#slotBits = slotBits;
    this.#values = new Array(slots).fill(undefined);
    const table = new ArrayBuffer(slots * this.#slotInts * 4);
    this.#ints = new Int32Array(table);
    this.#doubles = new Float64Array(table);
  }

  #resize(slotBits: number): void {
    const values = this.#values;
    const ints = this.#ints;
    const slotInts = this.#slotInts;
    this.#allocate(slotBits);
    const mask = this.#values.length - 1;
    for (let i = 0; i < values.length; i++) {
      if (values[i] === undefined) continue;
      let slot = ints[i * slotInts + KEY_INT] >>> (KEY_BITS - slotBits);
      while (this.#values[slot] !== undefined) slot = (slot + 1) & mask;
      this.#values[slot] = values[i];
      this.#ints.set(ints.subarray(i * slotInts, (i + 1) * slotInts), slot * slotInts);
    }
  }
}

/**
 * Writes the 128 bits of a canonical UUID text (8-4-4-4-12 lowercase hex digits, as sing-box and mihomo
 * format ids) as four 32-bit words at `out[at]`, and returns true; returns false, leaving `out` undefined,
 * for any other text. The last word's low KEY_BITS are the id's key (`idKey`).
 */
export function readUuid(id: string, out: Int32Array, at: number): boolean {
  if (
    id.length !== UUID_LENGTH || id.charCodeAt(8) !== 45 || id.charCodeAt(13) !== 45 ||
    id.charCodeAt(18) !== 45 || id.charCodeAt(23) !== 45
  ) return false;
  const a = hex4(id, 0);
  const b = hex4(id, 4);
  const c = hex4(id, 9);
  const d = hex4(id, 14);
  const e = hex4(id, 19);
  const f = hex4(id, 24);
  const g = hex4(id, 28);
  const h = hex4(id, 32);
  if ((a | b | c | d | e | f | g | h) < 0) return false;
  out[at] = (a << 16) | b;
  out[at + 1] = (c << 16) | d;
  out[at + 2] = (e << 16) | f;
  out[at + 3] = (g << 16) | h;
  return true;
}

/** The key of a UUID from its words (`readUuid`): the same number as `idKey` of its text. */
export function uuidKey(words: Int32Array, at: number): number {
  return words[at + 3] & KEY_MASK;
}

/** Four lowercase hex digits from `at` as 0..0xffff, or -1 when one is not. */
function hex4(id: string, at: number): number {
  const a = nibble(id.charCodeAt(at));
  const b = nibble(id.charCodeAt(at + 1));
  const c = nibble(id.charCodeAt(at + 2));
  const d = nibble(id.charCodeAt(at + 3));
  return (a | b | c | d) > 15 ? -1 : (a << 12) | (b << 8) | (c << 4) | d;
}

/** Nibble of a UTF-16 code unit; above 15 when it is not a lowercase hex digit. */
function nibble(code: number): number {
  return HEX_NIBBLE[code & 127] | ((code >>> 7) << 4);
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
