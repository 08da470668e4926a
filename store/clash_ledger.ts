/**
 * The proxy-client history as the API reads it, like TrafficLedger for traffic: the database and the
 * ClashMonitor's unsaved rows behind one object, so callers never hold a raw Store. Every read adds the
 * unsaved rows to what SQLite holds (clash_queries.ts); each read is one method, so where it runs (this
 * thread or a reader) is decided here. Client names are user input kept beside the history.
 */
import type { ClashSample } from "../clash/mod.ts";
import { type Store, toStoreError } from "./db.ts";
import {
  clashByPeriod,
  clashByPeriodOffThread,
  clashChainsByClient,
  clashChainTotals,
  type ClashClientInfo,
  clashClientInfos,
  clashClientTotals,
  type ClashGroupQuery,
  type ClashGroupTotals,
  type ClashPendingSource,
  clashResourceTotals,
  clashSamples,
  clashTotal,
  type ClashTotals,
} from "./clash_queries.ts";
import type { LocalPeriod } from "./local_periods.ts";

/** Longest client name accepted, in characters. */
export const MAX_CLIENT_NAME_CHARS = 64;

const UPSERT_NAME_SQL = `
INSERT INTO clash_clients (client_ip, name, first_seen, last_seen) VALUES (?, ?, NULL, NULL)
ON CONFLICT (client_ip) DO UPDATE SET name = excluded.name`;

/** See the module doc. Reads throw StoreError on a database condition (locked, corrupt, every reader busy). */
export class ClashLedger {
  readonly #store: Store;
  readonly #pending: ClashPendingSource;

  /** `pending` is the ClashMonitor, whose unsaved rows every read includes. */
  constructor(store: Store, pending: ClashPendingSource) {
    this.#store = store;
    this.#pending = pending;
  }

  /** Sums per period (contiguous, oldest first); with `clientIp`, that client's bytes and no unattributed. */
  byPeriod(periods: readonly LocalPeriod[], clientIp: string | null): (LocalPeriod & ClashTotals)[] {
    return clashByPeriod(this.#store, this.#pending, periods, clientIp);
  }

  /**
   * byPeriod with the scan in the store's pool of reader Workers, for spans of any length (a year by hour).
   * Throws StoreError "busy" with retryAfterSec when the pool's queue is full.
   */
  byPeriodOffThread(
    periods: readonly LocalPeriod[],
    clientIp: string | null,
  ): Promise<(LocalPeriod & ClashTotals)[]> {
    return clashByPeriodOffThread(this.#store, this.#pending, periods, clientIp);
  }

  /** Totals of [fromSec, toSec) over every client, with the unattributed remainder. */
  total(fromSec: number, toSec: number): ClashTotals {
    return clashTotal(this.#store, this.#pending, fromSec, toSec);
  }

  /** Bytes per client IP with bucket starts in [fromSec, toSec), heaviest first. */
  clientTotals(fromSec: number, toSec: number): ClashGroupTotals[] {
    return clashClientTotals(this.#store, this.#pending, fromSec, toSec);
  }

  /** Bytes per resource (host, else destination IP) in the span, heaviest first, at most `limit`. */
  resourceTotals(query: ClashGroupQuery & { readonly limit: number }): ClashGroupTotals[] {
    return clashResourceTotals(this.#store, this.#pending, query);
  }

  /** Bytes per outbound chain in the span, heaviest first. */
  chainTotals(query: ClashGroupQuery): ClashGroupTotals[] {
    return clashChainTotals(this.#store, this.#pending, query);
  }

  /** The chains each client used in [fromSec, toSec), sorted. */
  chainsByClient(fromSec: number, toSec: number): Map<string, string[]> {
    return clashChainsByClient(this.#store, this.#pending, fromSec, toSec);
  }

  /** Saved per-second `/traffic` samples with `ts` in [fromSec, toSec), oldest first (no unsaved ones). */
  samples(fromSec: number, toSec: number): ClashSample[] {
    return clashSamples(this.#store, fromSec, toSec);
  }

  /** Names and first/last seen times of every known client IP. */
  clientInfos(): Map<string, ClashClientInfo> {
    return clashClientInfos(this.#store);
  }

  /**
   * Sets (or with null, removes) the user-given name of a client IP (at most MAX_CLIENT_NAME_CHARS; the
   * caller checks). Throws StoreError when the disk refuses the write.
   */
  setClientName(clientIp: string, name: string | null): void {
    try {
      this.#store.db.prepare(UPSERT_NAME_SQL).run(clientIp, name);
    } catch (e) {
      throw toStoreError(e, `name client "${clientIp}" in "${this.#store.path}"`);
    }
  }
}
