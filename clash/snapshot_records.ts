/**
 * The scratch records of one `/connections` snapshot (docs/clash-accounting.md P9): one sequential pass over
 * the parsed list reads each entry's id and counters into typed arrays, and the entries are put in id-key
 * order, so that the accounting (aggregator.ts) then makes its lookups walking the IdMap front to back: the
 * cores list connections in a new random order every snapshot, and random lookups are bound by memory
 * latency.
 */
import type { WireConnection } from "./connection_facts.ts";
import { idKey, readUuid, sortByKey, TEXT_ID, UUID_ID, uuidKey } from "./id_map.ts";

/**
 * One record per listed connection: its id as four 32-bit words (`readUuid`), what the id is, and
 * its counters as doubles (they pass 2^53 never, but 2^31 often).
 */
const RECORD_BYTES = 40;
/** Int32 and Float64 elements per record: entry `i` starts at `i * RECORD_INTS` and `i * RECORD_DOUBLES`. */
export const RECORD_INTS = RECORD_BYTES / 4;
export const RECORD_DOUBLES = RECORD_BYTES / 8;
/** Where a record keeps its kind (an int32) and its counters (doubles), from the record's start. */
export const KIND_INT = 4;
export const UP_DOUBLE = 3;
export const DOWN_DOUBLE = 4;
/** A record's kind: UUID_ID or TEXT_ID (as IdMap keeps the id), or this for an entry that is skipped. */
export const MALFORMED = 0;

/**
 * The records of the latest snapshot read, reused across snapshots: per listed connection its key and one
 * record of RECORD_BYTES (see there), so that the lookups made in key order read one place per connection;
 * then the lookup order.
 */
export class SnapshotRecords {
  #keys = new Int32Array(0);
  #records32 = new Int32Array(0);
  #records64 = new Float64Array(0);
  #order = new Int32Array(0);
  readonly #counts = new Int32Array((1 << 16) + 1);

  /**
   * Reads the entries of `list` into the records and their key order; returns how many entries are
   * malformed (kind MALFORMED). The arrays below are valid until the next `read`.
   */
  read(list: readonly WireConnection[]): number {
    const n = list.length;
    if (this.#order.length < n) {
      const capacity = n * 2;
      const records = new ArrayBuffer(capacity * RECORD_BYTES);
      this.#keys = new Int32Array(capacity);
      this.#records32 = new Int32Array(records);
      this.#records64 = new Float64Array(records);
      this.#order = new Int32Array(capacity);
    }
    const malformed = readConnections(list, {
      keys: this.#keys,
      records32: this.#records32,
      records64: this.#records64,
    });
    sortByKey(this.#keys, n, this.#order, this.#counts);
    return malformed;
  }

  /** Per entry: the key of its id (`idKey`, `uuidKey`), 0 when malformed. */
  get keys(): Int32Array {
    return this.#keys;
  }

  /** The records as int32: the id's `readUuid` words at the record's start, its kind at KIND_INT. */
  get records32(): Int32Array {
    return this.#records32;
  }

  /** The same records as doubles: the counters at UP_DOUBLE and DOWN_DOUBLE. */
  get records64(): Float64Array {
    return this.#records64;
  }

  /** The entry indexes 0..n-1 in key order (`sortByKey`). */
  get order(): Int32Array {
    return this.#order;
  }
}

/** Where `readConnections` writes; see SnapshotRecords. */
interface ConnectionRecords {
  readonly keys: Int32Array;
  readonly records32: Int32Array;
  readonly records64: Float64Array;
}

/**
 * The sequential pass over a snapshot's list: fills the records and returns how many entries are
 * malformed. A small function of its own so V8 inlines the id reading into it (ClashAggregator.ingest is
 * past the inlining budget).
 */
function readConnections(list: readonly WireConnection[], out: ConnectionRecords): number {
  const { keys, records32, records64 } = out;
  let malformed = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    const id = c?.id;
    const at32 = i * RECORD_INTS;
    // The id first, the counters after: loading the counters (often boxed doubles) before reading the id's
    // text made this loop twice as slow at 50k connections.
    let kind = MALFORMED;
    if (typeof id === "string") {
      // The text is in cache now; the lookups compare these words and never read it again (id_map.ts).
      if (readUuid(id, records32, at32)) {
        kind = UUID_ID;
        keys[i] = uuidKey(records32, at32);
      } else {
        kind = TEXT_ID;
        keys[i] = idKey(id);
      }
    }
    const up = c?.upload;
    const down = c?.download;
    if (kind === MALFORMED || typeof up !== "number" || typeof down !== "number" || up < 0 || down < 0) {
      malformed++;
      keys[i] = 0;
      records32[at32 + KIND_INT] = MALFORMED;
      continue;
    }
    records32[at32 + KIND_INT] = kind;
    records64[i * RECORD_DOUBLES + UP_DOUBLE] = up;
    records64[i * RECORD_DOUBLES + DOWN_DOUBLE] = down;
  }
  return malformed;
}
