/**
 * The accounting state machine of one Clash core: turns the Clash API's `/connections` snapshots (cumulative
 * counters of the connections alive now) into exact per-(client, resource, chain) deltas per UTC bucket plus
 * the unattributed remainder, following the pitfalls P1–P11 of docs/clash-accounting.md: core epochs, the
 * carried remainder, baselines at first sight, resume after a netledger restart. No I/O: the caller feeds
 * parsed snapshots with the receive time and takes the pending batch out only after committing it.
 * The scratch records of a snapshot are snapshot_records.ts, the state's shape aggregator_state.ts, and the
 * read-outs into plain records aggregator_readouts.ts.
 */
import { BUCKET_SEC } from "../capture/mod.ts";
import {
  liveClientRecords,
  liveConnectionRecords,
  pendingBatch,
  type ResumeTotals,
  unattributedRecords,
  usageRecords,
} from "./aggregator_readouts.ts";
import * as stateLayout from "./aggregator_state.ts";
import {
  type AggregatorState,
  type Cursor,
  CURSOR_COLUMNS,
  type MutableBytes,
  type MutableUsageRow,
} from "./aggregator_state.ts";
import {
  type ConnectionHost,
  connectionHost,
  type LiveFacts,
  liveFacts,
  type WireConnection,
} from "./connection_facts.ts";
import * as idKinds from "./id_map.ts";
import { IdMap } from "./id_map.ts";
import * as recordLayout from "./snapshot_records.ts";
import { SnapshotRecords } from "./snapshot_records.ts";
import type {
  ClashLiveClient,
  ClashLiveConnection,
  ClashPendingBatch,
  ClashResumeState,
  ClashUnattributedRow,
  ClashUsageRow,
} from "./types.ts";

/*
 * The constants of the layouts that the hot loop (`#account`) reads, as this module's own: V8 reads a module's
 * own constants cheaply, but loads an imported one anew through the module's import table at every use in a
 * loop that makes calls (seen in tests/bench/clash_bench.ts). Their one definition is in snapshot_records.ts,
 * aggregator_state.ts and id_map.ts.
 */
const RECORD_INTS = recordLayout.RECORD_INTS;
const RECORD_DOUBLES = recordLayout.RECORD_DOUBLES;
const KIND_INT = recordLayout.KIND_INT;
const UP_DOUBLE = recordLayout.UP_DOUBLE;
const DOWN_DOUBLE = recordLayout.DOWN_DOUBLE;
const MALFORMED = recordLayout.MALFORMED;
const UUID_ID = idKinds.UUID_ID;
const UP_COLUMN = stateLayout.UP_COLUMN;
const DOWN_COLUMN = stateLayout.DOWN_COLUMN;
const LAST_BYTE_SEC_COLUMN = stateLayout.LAST_BYTE_SEC_COLUMN;

/** Options of a ClashAggregator. */
export interface AggregatorOptions {
  /** The Clash API URL, stored with the resume state so state of another core is never reused (P7). */
  readonly apiUrl: string;
  /** UTC seconds when netledger started: uncursored connections older than this are a baseline only (P8). */
  readonly processStartSec: number;
  /** State committed by the previous run, or null. */
  readonly resume: ClashResumeState | null;
  readonly log: (line: string) => void;
  /**
   * Called after a snapshot with the hosts of the connections it showed for the first time (this run), so
   * the capture can name their packets (connection_facts.ts ConnectionHost).
   */
  readonly onConnectionHosts?: (hosts: readonly ConnectionHost[]) => void;
}

/** Counts of what the aggregator saw, for logs and /metrics. */
export interface AggregatorStats {
  readonly snapshots: number;
  readonly malformedConnections: number;
  /** Core restarts detected from totals going down (P2). */
  readonly coreRestarts: number;
  /** Known ids whose counters went down, re-credited from 0 (P7). */
  readonly counterResets: number;
  readonly liveConnections: number;
}

/** Per-connection delta accounting of one Clash core; see the module doc. */
export class ClashAggregator {
  readonly #options: AggregatorOptions;
  readonly #cursors = new IdMap<Cursor>(CURSOR_COLUMNS);
  readonly #usage = new Map<string, MutableUsageRow>();
  readonly #unattributed = new Map<number, MutableBytes>();
  /** The three above, for the read-outs. */
  readonly #state: AggregatorState = {
    cursors: this.#cursors,
    usage: this.#usage,
    unattributed: this.#unattributed,
  };
  /** Core totals the committed plus pending history includes; null before the first snapshot. */
  #baseUp: number | null = null;
  #baseDown = 0;
  #carryUp = 0;
  #carryDown = 0;
  #seq = 0;
  #rowGeneration = 0;
  #malformed = 0;
  #coreRestarts = 0;
  #counterResets = 0;
  /** Scratch of `ingest`, reused across snapshots. */
  readonly #records = new SnapshotRecords();
  /** Hosts of the connections first shown by the snapshot being ingested (onConnectionHosts). */
  #newHosts: ConnectionHost[] = [];

  constructor(options: AggregatorOptions) {
    this.#options = options;
    const resume = options.resume?.apiUrl === options.apiUrl ? options.resume : null;
    if (resume) {
      this.#baseUp = resume.uploadTotal;
      this.#baseDown = resume.downloadTotal;
      this.#carryUp = Math.min(0, resume.carryUpBytes);
      this.#carryDown = Math.min(0, resume.carryDownBytes);
      for (const c of resume.cursors) {
        const slot = this.#cursors.set({ id: c.id, live: null, row: null, rowGeneration: -1 });
        this.#cursors.setNumber(slot, UP_COLUMN, c.upBytes);
        this.#cursors.setNumber(slot, DOWN_COLUMN, c.downBytes);
      }
    }
  }

  /**
   * Accounts one parsed `/connections` snapshot received at `nowSec` (UTC seconds). Throws SyntaxError when
   * the totals are missing (not a Clash snapshot); malformed connection entries are counted and skipped.
   */
  ingest(snapshot: unknown, nowSec: number): void {
    const s = snapshot as { connections?: unknown; uploadTotal?: unknown; downloadTotal?: unknown } | null;
    const totalUp = s?.uploadTotal;
    const totalDown = s?.downloadTotal;
    if (typeof totalUp !== "number" || typeof totalDown !== "number" || totalUp < 0 || totalDown < 0) {
      throw new SyntaxError("Cannot read Clash snapshot: uploadTotal/downloadTotal are not numbers");
    }
    // mihomo sends `null` for no connections (docs/clash-accounting.md §2).
    const list = Array.isArray(s!.connections) ? s!.connections as WireConnection[] : [];
    if (this.#baseUp !== null && (totalUp < this.#baseUp || totalDown < this.#baseDown)) {
      this.#startEpoch(totalUp, totalDown);
    }
    const isFirst = this.#baseUp === null;
    const bucket = nowSec - nowSec % BUCKET_SEC;
    const seq = ++this.#seq;
    // The records come back ordered by id key, so that the lookups below walk the IdMap front to back.
    this.#malformed += this.#records.read(list);
    // Every listed id may be new (the first snapshot, a core restart): room for all of them up front.
    this.#cursors.reserve(list.length);
    const { sumUp, sumDown, listed } = this.#account(list, { isFirst, bucket, nowSec, seq });
    const cursors = this.#cursors;
    // Ids that vanished (closed, or resumed and gone) are the ones without this snapshot's stamp.
    if (listed !== cursors.size) cursors.deleteUnstamped(seq, cursors.size - listed);
    if (isFirst) {
      // Totals before this run (or before the uncursored baseline) are not ours; credited new ids are.
      this.#baseUp = Math.max(0, totalUp - sumUp);
      this.#baseDown = Math.max(0, totalDown - sumDown);
    }
    this.#addRemainder(bucket, totalUp - this.#baseUp! - sumUp, totalDown - this.#baseDown - sumDown);
    this.#baseUp = totalUp;
    this.#baseDown = totalDown;
    if (this.#newHosts.length > 0) {
      const hosts = this.#newHosts;
      this.#newHosts = [];
      this.#options.onConnectionHosts?.(hosts);
    }
  }

  /**
   * The hot loop (P9): one lookup per listed connection, in key order; credits each delta to its row.
   * Objects are made only for new ids and new rows.
   */
  #account(
    list: readonly WireConnection[],
    snapshot: { isFirst: boolean; bucket: number; nowSec: number; seq: number },
  ): { sumUp: number; sumDown: number; listed: number } {
    const { isFirst, bucket, nowSec, seq } = snapshot;
    const cursors = this.#cursors;
    const generation = this.#rowGeneration;
    const { keys, records32, records64, order } = this.#records;
    const n = list.length;
    let sumUp = 0;
    let sumDown = 0;
    let listed = 0;
    for (let j = 0; j < n; j++) {
      const i = order[j];
      const at32 = i * RECORD_INTS;
      const kind = records32[at32 + KIND_INT];
      if (kind === MALFORMED) continue; // counted above
      let slot = kind === UUID_ID
        ? cursors.findUuid(records32, at32)
        : cursors.findText(list[i].id as string, keys[i]);
      const up = records64[i * RECORD_DOUBLES + UP_DOUBLE];
      const down = records64[i * RECORD_DOUBLES + DOWN_DOUBLE];
      let cursor: Cursor;
      if (slot < 0) {
        const created = this.#newCursor(list[i], { up, down, isFirst, bucket });
        if (created === null) continue; // mihomo Inner / no source: not in the totals (P11)
        cursor = created.cursor;
        // Absent, as the lookup above just found: no second lookup.
        slot = cursors.insertAbsent(cursor, seq, kind === UUID_ID ? records32 : null, at32);
        cursors.setNumber(slot, UP_COLUMN, created.upBytes);
        cursors.setNumber(slot, DOWN_COLUMN, created.downBytes);
        listed++;
      } else {
        cursor = cursors.at(slot);
        if (cursor.live === null) {
          cursor.live = liveFacts(list[i]);
          this.#noteHost(list[i], cursor.live);
          if (cursor.live === null) {
            cursors.delete(cursor.id);
            continue;
          }
        }
        if (cursors.stamp(slot, seq)) listed++;
      }
      let seenUp = cursors.number(slot, UP_COLUMN);
      let seenDown = cursors.number(slot, DOWN_COLUMN);
      if (up < seenUp || down < seenDown) {
        // A core never reuses an id (random v4 UUIDs), so this is a new connection to us (P7).
        // Logged once, then counted in stats(): a misbehaving core could do this to every connection.
        if (this.#counterResets++ === 0) {
          this.#options.log(`Clash connection "${cursor.id}" counters went down: counting it again from 0`);
        }
        seenUp = 0;
        seenDown = 0;
      }
      const dUp = up - seenUp;
      const dDown = down - seenDown;
      if (dUp === 0 && dDown === 0) continue;
      let row = cursor.row;
      if (row === null || cursor.rowGeneration !== generation || row.bucketStartSec !== bucket) {
        row = this.#rowFor(cursor, bucket);
      }
      row.upBytes += dUp;
      row.downBytes += dDown;
      if (row.firstByteSec === 0) row.firstByteSec = nowSec;
      row.lastByteSec = nowSec;
      cursors.setNumber(slot, UP_COLUMN, up);
      cursors.setNumber(slot, DOWN_COLUMN, down);
      cursors.setNumber(slot, LAST_BYTE_SEC_COLUMN, nowSec);
      sumUp += dUp;
      sumDown += dDown;
    }
    return { sumUp, sumDown, listed };
  }

  /** A copy of everything not yet committed; pass it to the store, then call `commit()`. */
  pending(): ClashPendingBatch {
    const resume: ResumeTotals | null = this.#baseUp === null ? null : {
      apiUrl: this.#options.apiUrl,
      uploadTotal: this.#baseUp,
      downloadTotal: this.#baseDown,
      carryUpBytes: this.#carryUp,
      carryDownBytes: this.#carryDown,
    };
    return pendingBatch(this.#state, resume);
  }

  /**
   * Drops the pending rows after the batch from `pending()` was committed. Call it synchronously after
   * `pending()` and the commit, with no `ingest()` in between, so nothing uncommitted is dropped.
   */
  commit(): void {
    this.#usage.clear();
    this.#unattributed.clear();
    this.#rowGeneration++;
  }

  /** Usage rows not yet committed, for queries that must include the last minutes. */
  pendingUsage(): readonly ClashUsageRow[] {
    return usageRecords(this.#usage);
  }

  /** Unattributed rows not yet committed. */
  pendingUnattributed(): readonly ClashUnattributedRow[] {
    return unattributedRecords(this.#unattributed);
  }

  /** The connections the latest snapshot listed (mihomo Inner ones excluded). */
  liveConnections(): ClashLiveConnection[] {
    return liveConnectionRecords(this.#cursors);
  }

  /** Live state per client IP, from the latest snapshot. */
  liveClients(): ClashLiveClient[] {
    return liveClientRecords(this.#cursors);
  }

  /** Counters since this aggregator was made. */
  stats(): AggregatorStats {
    return {
      snapshots: this.#seq,
      malformedConnections: this.#malformed,
      coreRestarts: this.#coreRestarts,
      counterResets: this.#counterResets,
      liveConnections: this.#cursors.size,
    };
  }

  #startEpoch(totalUp: number, totalDown: number): void {
    // P2: a new Manager starts totals and ids from 0. The old epoch's bytes after its last snapshot are
    // lost; per-id state is dropped so nothing is subtracted across epochs.
    this.#coreRestarts++;
    this.#options.log(
      `Clash core restarted (totals went down to up=${totalUp} down=${totalDown}): starting a new count`,
    );
    this.#cursors.clear();
    this.#baseUp = 0;
    this.#baseDown = 0;
    this.#carryUp = 0;
    this.#carryDown = 0;
  }

  /**
   * A cursor for an id seen for the first time, with the counters already accounted for; null for
   * connections that are not counted (P11).
   */
  #newCursor(
    c: WireConnection,
    seen: { up: number; down: number; isFirst: boolean; bucket: number },
  ): { cursor: Cursor; upBytes: number; downBytes: number } | null {
    const { up, down, isFirst, bucket } = seen;
    const facts = liveFacts(c);
    if (facts === null) return null;
    this.#noteHost(c, facts);
    // P8: on the first snapshot without resume state, connections older than netledger are a baseline only.
    const isBaseline = isFirst && (facts.startSec === null || facts.startSec < this.#options.processStartSec);
    const cursor: Cursor = { id: c.id as string, live: facts, row: null, rowGeneration: -1 };
    if (!isBaseline) this.#rowFor(cursor, bucket).newConnections++;
    return { cursor, upBytes: isBaseline ? up : 0, downBytes: isBaseline ? down : 0 };
  }

  /** Keeps the host of a connection with `facts` for onConnectionHosts, when there is a listener. */
  #noteHost(c: WireConnection, facts: LiveFacts | null): void {
    if (facts === null || this.#options.onConnectionHosts === undefined) return;
    const host = connectionHost(c, facts);
    if (host !== null) this.#newHosts.push(host);
  }

  #rowFor(cursor: Cursor, bucket: number): MutableUsageRow {
    const live = cursor.live!;
    const key = `${bucket}\n${live.clientIp}\n${live.resource}\n${live.chain}`;
    let row = this.#usage.get(key);
    if (row === undefined) {
      row = {
        bucketStartSec: bucket,
        clientIp: live.clientIp,
        resource: live.resource,
        chain: live.chain,
        rule: live.rule,
        upBytes: 0,
        downBytes: 0,
        newConnections: 0,
        firstByteSec: 0,
        lastByteSec: 0,
      };
      this.#usage.set(key, row);
    }
    row.rule = live.rule;
    cursor.row = row;
    cursor.rowGeneration = this.#rowGeneration;
    return row;
  }

  /**
   * P1/P10: remainder = Δtotals − Σ per-id deltas. A negative part (counters read after the totals) is carried
   * and paid back from later remainders, never taken from a client.
   */
  #addRemainder(bucket: number, up: number, down: number): void {
    const netUp = this.#carryUp + up;
    const netDown = this.#carryDown + down;
    this.#carryUp = Math.min(0, netUp);
    this.#carryDown = Math.min(0, netDown);
    if (netUp <= 0 && netDown <= 0) return;
    let row = this.#unattributed.get(bucket);
    if (!row) this.#unattributed.set(bucket, row = { upBytes: 0, downBytes: 0 });
    row.upBytes += Math.max(0, netUp);
    row.downBytes += Math.max(0, netDown);
  }
}
