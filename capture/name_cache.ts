/**
 * Host names of remote addresses, per local device, and for the box as a whole (issue 15 item 3): a DNS
 * answer or a ClientHello seen for device A names A's traffic to that address; device B's traffic to it is
 * named only when B asked too. The box-wide entry (the last name any device saw) names packets of no device
 * (broadcast MACs, devices off) and the hostname beside an address in the top remotes.
 *
 * An open-addressing hash table of typed arrays keyed by (device, remote address), so a lookup allocates
 * nothing. Most lookups are for addresses nobody named: a bit per hash of the remote address (set when a name
 * is learnt, recomputed when the table is rebuilt) sends those back after one read of an 8 KiB bitmap,
 * without a probe in the table. The table starts small and doubles with its entries, and each slot is one
 * 64-byte line, so a lookup mostly hits the CPU caches. Names live in a small dictionary of integer ids
 * (0 = none). An entry expires at the later of its answer's TTL (at least MIN_ANSWER_SEC, at most
 * MAX_TTL_SEC: a hostile TTL must not pin an entry) and FLOW_IDLE_SEC past the `usedUntilSec` of the last
 * lookup it answered, so a long flow keeps its name past a short TTL.
 *
 * The caller may keep a lookup's answer for a (device, remote address) until the stamp of that key
 * (stampAt(stampSlotOf(...))) changes: a learn that may change an answer (a new name for the key, or one for
 * an entry a lookup may have found expired) changes the stamps of the keys it puts, the device's and the
 * box's, and dropping entries changes them all. A stamp per key, not per address: a CDN address serves every
 * device of a home, and one device's answer must not send the others' kept answers back to a lookup
 * (tests/bench/parse_bench.ts, names on). TrafficPipeline keeps one answer per remote row, for the rest of
 * its bucket (its `usedUntilSec`), so a packet costs a stamp read, not a lookup (tests/bench/parse_bench.ts,
 * names on vs off).
 *
 * Bounds: `maxEntries` entries (default 65,536) in at most 2 × maxEntries slots of 72 bytes (9.4 MB at the
 * default), 16 KiB of stamps, and as many names. When the table is full, expired entries are dropped, then
 * the least recently used half; names no entry holds are freed by `sweep()`, which the owner calls only when
 * no counter refers to a name id any more (after its drain).
 */

/** Default bound on (device, remote address) entries, box-wide ones included. */
export const DEFAULT_MAX_NAME_ENTRIES = 65_536;
/** A DNS TTL above a day is treated as a day. */
export const MAX_TTL_SEC = 86_400;
/**
 * A DNS TTL below a minute is treated as a minute. The client connects after the answer arrives, and packet
 * times are whole seconds: a TTL of 0 (dnsmasq's own answers, some CDNs) would leave the connection's first
 * packets unnamed whenever they fall in the next second (tests/services_live_test.ts caught it).
 */
export const MIN_ANSWER_SEC = 60;
/** An entry stays valid this long after the last packet it named: the life of the flows using the address. */
export const FLOW_IDLE_SEC = 900;

/** Device kind of the box-wide entries (the device words are 0). */
const BOX_KIND = 15;
/**
 * Per slot, in 32-bit words: device kind (0 = empty), four device words, remote family, four remote words,
 * host id, a pad, then two float64s: valid until and last packet named (UTC seconds; 0 = none yet). 64
 * bytes, so a lookup touches one cache line (tests/bench/parse_bench.ts, names on vs off).
 */
const SLOT_INTS = 16;
const HOST_ID = 10;
const SLOT_FLOATS = SLOT_INTS / 2;
const EXPIRES = 6;
const LAST_USED = 7;
/** Slots before the first growth: a table sized to its entries stays in the CPU caches. */
const INITIAL_SLOTS = 1024;
/** Bits of the remote-address filter (a power of two): few false hits with thousands of named addresses. */
const REMOTE_FILTER_BITS = 65_536;
/**
 * Stamps, one per hash of a (device, remote address) key (a power of two): 16 KiB, so the check of a kept
 * answer stays in the CPU caches.
 */
const STAMP_SLOTS = 4096;

/** See the file comment; not shared between threads. */
export class NameCache {
  readonly #maxEntries: number;
  #mask = 0;
  /** Slots as words and, over the same memory, as float64s (see SLOT_INTS). */
  #words = new Int32Array(0);
  #times = new Float64Array(0);
  /**
   * Per slot: last learnt or used (UTC seconds): who goes first when the table is full. Kept off the slot's
   * line, which a lookup reads.
   */
  #touched = new Float64Array(0);
  #entries = 0;
  /** The latest time a lookup or learn was given (UTC seconds). */
  #latestSec = 0;
  /** A bit per hash of a remote address that some entry names (see remoteBit). */
  readonly #remoteFilter = new Int32Array(REMOTE_FILTER_BITS / 32);
  /** Per hash of a lookup's key: changed when a lookup's answer for such a key may change. */
  readonly #stamps = new Int32Array(STAMP_SLOTS);
  readonly #ids = new Map<string, number>();
  readonly #names: (string | null)[] = [null];
  readonly #freeIds: number[] = [];

  /** `maxEntries` (≥ 1) bounds both the entries and the names held. */
  constructor(maxEntries = DEFAULT_MAX_NAME_ENTRIES) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`Cannot create name cache: maxEntries must be an integer ≥ 1, got ${maxEntries}`);
    }
    this.#maxEntries = maxEntries;
    // Up to 2 × maxEntries slots, a power of two: the load stays ≤ 1/2 at the bound.
    this.#allocate(Math.min(INITIAL_SLOTS, 2 ** Math.ceil(Math.log2(maxEntries * 2))));
  }

  /** Entries held now (expired ones until they are dropped). */
  get size(): number {
    return this.#entries;
  }

  /**
   * The stamp slot of lookup()'s key: the device (kind `dk`, 0 for none; words d0..d3) and the remote address
   * (family `rf`, words r0..r3), for stampAt().
   */
  stampSlotOf(
    dk: number,
    d0: number,
    d1: number,
    d2: number,
    d3: number,
    rf: number,
    r0: number,
    r1: number,
    r2: number,
    r3: number,
  ): number {
    return dk === 0
      ? keyHash(BOX_KIND, 0, 0, 0, 0, rf, r0, r1, r2, r3) & (STAMP_SLOTS - 1)
      : keyHash(dk, d0, d1, d2, d3, rf, r0, r1, r2, r3) & (STAMP_SLOTS - 1);
  }

  /**
   * The stamp of the keys of `stampSlot`: a lookup's answer for such a key stays true, until FLOW_IDLE_SEC
   * past the `usedUntilSec` it was given, while this stays the same (never negative).
   */
  stampAt(stampSlot: number): number {
    return this.#stamps[stampSlot];
  }

  /** The host name of id `id` (from lookup), or null. */
  hostName(id: number): string | null {
    return this.#names[id] ?? null;
  }

  /**
   * Names the remote address (family `rf`, words r0..r3; IPv4: r0 only) `host` for the device (kind `dk`:
   * 0 for none, then only box-wide; words d0..d3) and for the box, from `nowSec` for `ttlSec`.
   */
  learn(
    dk: number,
    d0: number,
    d1: number,
    d2: number,
    d3: number,
    rf: number,
    r0: number,
    r1: number,
    r2: number,
    r3: number,
    host: string,
    nowSec: number,
    ttlSec: number,
  ): void {
    if (nowSec > this.#latestSec) this.#latestSec = nowSec;
    const id = this.#idOf(host);
    if (id === 0) return;
    const until = nowSec + Math.min(Math.max(ttlSec, MIN_ANSWER_SEC), MAX_TTL_SEC);
    if (dk !== 0) this.#put(dk, d0, d1, d2, d3, rf, r0, r1, r2, r3, id, until, nowSec);
    this.#put(BOX_KIND, 0, 0, 0, 0, rf, r0, r1, r2, r3, id, until, nowSec);
  }

  /**
   * The name id for a packet between the device and the remote address at `nowSec` (0 when none): the
   * device's own entry; the box's only for a packet of no device (kind 0). A name another device saw never
   * names this device's traffic (issue 15 "Bad input"): a CDN address serves many names, and a hostile
   * device could answer itself anything. A hit keeps the entry valid until FLOW_IDLE_SEC past
   * `usedUntilSec` (≥ `nowSec`): the caller may use the answer until then while the address's stamp stays.
   */
  lookup(
    dk: number,
    d0: number,
    d1: number,
    d2: number,
    d3: number,
    rf: number,
    r0: number,
    r1: number,
    r2: number,
    r3: number,
    nowSec: number,
    usedUntilSec: number,
  ): number {
    if (nowSec > this.#latestSec) this.#latestSec = nowSec;
    if (this.#entries === 0) return 0;
    const bit = remoteBit(rf, r0, r1, r2, r3);
    if ((this.#remoteFilter[bit >>> 5] & (1 << (bit & 31))) === 0) return 0;
    const slot = dk === 0
      ? this.#find(BOX_KIND, 0, 0, 0, 0, rf, r0, r1, r2, r3)
      : this.#find(dk, d0, d1, d2, d3, rf, r0, r1, r2, r3);
    const times = this.#times;
    const t = slot * SLOT_FLOATS;
    if (this.#words[slot * SLOT_INTS] === 0 || times[t + EXPIRES] < nowSec) return 0;
    // Packets arrive in whole seconds: most hits change nothing, and skipping the writes keeps them cheap.
    if (times[t + LAST_USED] !== nowSec) {
      const idle = usedUntilSec + FLOW_IDLE_SEC;
      if (times[t + EXPIRES] < idle) times[t + EXPIRES] = idle;
      times[t + LAST_USED] = nowSec;
      this.#touched[slot] = nowSec;
    }
    return this.#words[slot * SLOT_INTS + HOST_ID];
  }

  /**
   * Calls `visit` with the remote address, name and last packet time of every box-wide entry that named a
   * packet after `sinceSec` (for the hostname beside an address in the top remotes).
   */
  forEachUsed(
    sinceSec: number,
    visit: (
      rf: number,
      r0: number,
      r1: number,
      r2: number,
      r3: number,
      host: string,
      lastSec: number,
    ) => void,
  ): void {
    const words = this.#words;
    const times = this.#times;
    for (let slot = 0; slot <= this.#mask; slot++) {
      const k = slot * SLOT_INTS;
      const lastSec = times[slot * SLOT_FLOATS + LAST_USED];
      if (words[k] === 0 || lastSec <= sinceSec) continue;
      const host = this.#names[words[k + HOST_ID]];
      if (host == null) continue;
      visit(words[k + 5], words[k + 6], words[k + 7], words[k + 8], words[k + 9], host, lastSec);
    }
  }

  /** Drops entries expired at `nowSec` and frees the names no entry holds (their ids become invalid). */
  sweep(nowSec: number): void {
    // Rebuilding copies the whole table: only worth it when a good share of it has expired.
    let expired = 0;
    for (let slot = 0; slot <= this.#mask; slot++) {
      if (this.#words[slot * SLOT_INTS] !== 0 && this.#expiresOf(slot) < nowSec) expired++;
    }
    if (expired * 4 > this.#entries) this.#rebuild(this.#mask + 1, (slot) => this.#expiresOf(slot) >= nowSec);
    // Names are freed only when there are many, so a sweep of a quiet table costs one scan.
    if (this.#names.length - this.#freeIds.length < this.#maxEntries / 2) return;
    const held = new Uint8Array(this.#names.length);
    for (let slot = 0; slot <= this.#mask; slot++) {
      const k = slot * SLOT_INTS;
      if (this.#words[k] !== 0 && this.#expiresOf(slot) >= nowSec) held[this.#words[k + HOST_ID]] = 1;
    }
    for (let id = 1; id < this.#names.length; id++) {
      const name = this.#names[id];
      if (name == null || held[id] === 1) continue;
      this.#ids.delete(name);
      this.#names[id] = null;
      this.#freeIds.push(id);
    }
  }

  #expiresOf(slot: number): number {
    return this.#times[slot * SLOT_FLOATS + EXPIRES];
  }

  #idOf(host: string): number {
    const known = this.#ids.get(host);
    if (known !== undefined) return known;
    let id = this.#freeIds.pop();
    if (id === undefined) {
      // Past the bound, a new name waits for the next sweep to free an id.
      if (this.#names.length > this.#maxEntries) return 0;
      id = this.#names.length;
      this.#names.push(host);
    } else this.#names[id] = host;
    this.#ids.set(host, id);
    return id;
  }

  #put(
    dk: number,
    d0: number,
    d1: number,
    d2: number,
    d3: number,
    rf: number,
    r0: number,
    r1: number,
    r2: number,
    r3: number,
    id: number,
    until: number,
    nowSec: number,
  ): void {
    let slot = this.#find(dk, d0, d1, d2, d3, rf, r0, r1, r2, r3);
    if (this.#words[slot * SLOT_INTS] === 0) {
      if (this.#entries >= this.#maxEntries) {
        this.#makeRoom(nowSec);
        slot = this.#find(dk, d0, d1, d2, d3, rf, r0, r1, r2, r3);
      } else if ((this.#entries + 1) * 2 > this.#mask + 1) {
        // Below the bound, so below half its largest size: it can still double.
        this.#rebuild((this.#mask + 1) * 2, () => true);
        slot = this.#find(dk, d0, d1, d2, d3, rf, r0, r1, r2, r3);
      }
      const k = slot * SLOT_INTS;
      const words = this.#words;
      words[k] = dk;
      words[k + 1] = d0;
      words[k + 2] = d1;
      words[k + 3] = d2;
      words[k + 4] = d3;
      words[k + 5] = rf;
      words[k + 6] = r0;
      words[k + 7] = r1;
      words[k + 8] = r2;
      words[k + 9] = r3;
      this.#times[slot * SLOT_FLOATS + EXPIRES] = until;
      this.#times[slot * SLOT_FLOATS + LAST_USED] = 0;
      this.#entries++;
      const bit = remoteBit(rf, r0, r1, r2, r3);
      this.#remoteFilter[bit >>> 5] |= 1 << (bit & 31);
    } else if (this.#words[slot * SLOT_INTS + HOST_ID] === id) {
      // The same name again changes no answer, unless a lookup may have found the entry expired: the latest
      // time seen is past its end. Resolvers answer the same names over and over, and a stamp changed for
      // nothing sends every flow to the address back to a lookup (tests/bench/parse_bench.ts, names on).
      if (this.#expiresOf(slot) < this.#latestSec) {
        this.#restamp(keyHash(dk, d0, d1, d2, d3, rf, r0, r1, r2, r3));
      }
      if (this.#expiresOf(slot) < until) this.#times[slot * SLOT_FLOATS + EXPIRES] = until;
      this.#touched[slot] = nowSec;
      return;
    } else {
      // A newer name for the same address replaces the old one, with its own TTL.
      this.#times[slot * SLOT_FLOATS + EXPIRES] = until;
    }
    this.#words[slot * SLOT_INTS + HOST_ID] = id;
    this.#touched[slot] = nowSec;
    this.#restamp(keyHash(dk, d0, d1, d2, d3, rf, r0, r1, r2, r3));
  }

  /** Changes the stamp of the key whose keyHash() is `hash` (kept non-negative). */
  #restamp(hash: number): void {
    const at = hash & (STAMP_SLOTS - 1);
    this.#stamps[at] = (this.#stamps[at] + 1) & 0x7fffffff;
  }

  /** Frees at least a quarter of the table: expired entries first, then the least recently used. */
  #makeRoom(nowSec: number): void {
    const slots = this.#mask + 1;
    this.#rebuild(slots, (slot) => this.#expiresOf(slot) >= nowSec);
    if (this.#entries < this.#maxEntries * 0.75) return;
    const held: number[] = [];
    for (let slot = 0; slot < slots; slot++) if (this.#words[slot * SLOT_INTS] !== 0) held.push(slot);
    held.sort((x, y) => this.#touched[y] - this.#touched[x]);
    const kept = new Set(held.slice(0, held.length >> 1));
    this.#rebuild(slots, (slot) => kept.has(slot));
  }

  #allocate(slots: number): void {
    this.#words = new Int32Array(slots * SLOT_INTS);
    this.#times = new Float64Array(this.#words.buffer);
    this.#touched = new Float64Array(slots);
    this.#mask = slots - 1;
  }

  /**
   * Re-inserts the entries `keep` accepts into fresh arrays of `slots` slots (linear probing has no cheap
   * delete; growing rehashes too).
   */
  #rebuild(slots: number, keep: (slot: number) => boolean): void {
    const oldWords = this.#words;
    const oldTouched = this.#touched;
    const kept: number[] = [];
    for (let slot = 0; slot <= this.#mask; slot++) {
      if (oldWords[slot * SLOT_INTS] !== 0 && keep(slot)) kept.push(slot);
    }
    this.#allocate(slots);
    this.#entries = 0;
    this.#remoteFilter.fill(0);
    // Entries may be dropped: every kept answer must be looked up again.
    for (let at = 0; at < STAMP_SLOTS; at++) this.#stamps[at] = (this.#stamps[at] + 1) & 0x7fffffff;
    for (const old of kept) {
      const k = old * SLOT_INTS;
      const slot = this.#find(
        oldWords[k],
        oldWords[k + 1],
        oldWords[k + 2],
        oldWords[k + 3],
        oldWords[k + 4],
        oldWords[k + 5],
        oldWords[k + 6],
        oldWords[k + 7],
        oldWords[k + 8],
        oldWords[k + 9],
      );
      this.#words.set(oldWords.subarray(k, k + SLOT_INTS), slot * SLOT_INTS);
      this.#touched[slot] = oldTouched[old];
      this.#entries++;
      const bit = remoteBit(
        oldWords[k + 5],
        oldWords[k + 6],
        oldWords[k + 7],
        oldWords[k + 8],
        oldWords[k + 9],
      );
      this.#remoteFilter[bit >>> 5] |= 1 << (bit & 31);
    }
  }

  /** The slot holding the key, or the empty slot where it belongs (linear probing; load ≤ 1/2). */
  #find(
    dk: number,
    d0: number,
    d1: number,
    d2: number,
    d3: number,
    rf: number,
    r0: number,
    r1: number,
    r2: number,
    r3: number,
  ): number {
    const words = this.#words;
    const mask = this.#mask;
    let slot = keyHash(dk, d0, d1, d2, d3, rf, r0, r1, r2, r3) & mask;
    for (;;) {
      const k = slot * SLOT_INTS;
      const kind = words[k];
      if (kind === 0) return slot;
      if (
        words[k + 6] === r0 && kind === dk && words[k + 1] === d0 && words[k + 2] === d1 &&
        words[k + 5] === rf &&
        words[k + 7] === r1 && words[k + 8] === r2 && words[k + 9] === r3 && words[k + 3] === d2 &&
        words[k + 4] === d3
      ) return slot;
      slot = (slot + 1) & mask;
    }
  }
}

/** The hash of a (device, remote address) key: its table slot and its stamp slot. */
function keyHash(
  dk: number,
  d0: number,
  d1: number,
  d2: number,
  d3: number,
  rf: number,
  r0: number,
  r1: number,
  r2: number,
  r3: number,
): number {
  let h = Math.imul(dk ^ (rf << 8) ^ d0, 0x9e3779b1);
  h = Math.imul(h ^ d1 ^ d3, 0x85ebca6b);
  h = Math.imul(h ^ r0 ^ r2, 0xc2b2ae35);
  h = Math.imul(h ^ r1 ^ r3 ^ d2, 0x27d4eb2f);
  return h ^ (h >>> 15);
}

/** The remote-address filter's bit of an address (family `rf`, words r0..r3). */
function remoteBit(rf: number, r0: number, r1: number, r2: number, r3: number): number {
  let h = Math.imul(r0 ^ rf, 0x9e3779b1);
  h = Math.imul(h ^ r1, 0x85ebca6b);
  h = Math.imul(h ^ r2, 0xc2b2ae35);
  h = Math.imul(h ^ r3, 0x27d4eb2f);
  return (h ^ (h >>> 16)) & (REMOTE_FILTER_BITS - 1);
}
