/**
 * The shape of a ClashAggregator's state, shared by the accounting (aggregator.ts) and its read-outs
 * (aggregator_readouts.ts): a cursor per connection in an IdMap slot table whose number columns hold the
 * counters it was accounted up to, and the rows counted but not yet committed.
 */
import type { LiveFacts } from "./connection_facts.ts";
import type { IdMap } from "./id_map.ts";

/** The number columns of a cursor: counters already accounted, and UTC seconds of its last bytes. */
export const UP_COLUMN = 0;
export const DOWN_COLUMN = 1;
export const LAST_BYTE_SEC_COLUMN = 2;
export const CURSOR_COLUMNS = 3;
/** LAST_BYTE_SEC_COLUMN before any bytes (IdMap starts a new slot's columns at 0). */
export const NO_BYTES_YET = 0;

/** A usage row being counted; `ClashUsageRow` is its committed copy. */
export interface MutableUsageRow {
  bucketStartSec: number;
  clientIp: string;
  resource: string;
  chain: string;
  rule: string;
  upBytes: number;
  downBytes: number;
  newConnections: number;
  /** UTC seconds of the first and last snapshot that added bytes to this row (client first/last seen). */
  firstByteSec: number;
  lastByteSec: number;
}

/**
 * Per-connection state, keyed by id inside the current core epoch (docs/clash-accounting.md P7). Its
 * counters and last byte time are number columns of the IdMap beside it (UP_COLUMN…), read and written for
 * every connection of every snapshot.
 */
export interface Cursor {
  readonly id: string;
  /** Null for a cursor resumed from the store and not yet seen in this run. */
  live: LiveFacts | null;
  /** Cache of the pending row this connection adds to, valid while `rowGeneration` matches. */
  row: MutableUsageRow | null;
  rowGeneration: number;
}

/** Bytes counted but not yet committed. */
export interface MutableBytes {
  upBytes: number;
  downBytes: number;
}

/** The state a read-out reads; the read-outs never change it. */
export interface AggregatorState {
  /** Cursors with CURSOR_COLUMNS number columns. */
  readonly cursors: IdMap<Cursor>;
  /** Pending usage rows, by bucket, client, resource and chain. */
  readonly usage: ReadonlyMap<string, MutableUsageRow>;
  /** Pending unattributed bytes by bucket start (UTC seconds). */
  readonly unattributed: ReadonlyMap<number, MutableBytes>;
}
