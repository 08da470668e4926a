/**
 * The exactly-once path from counted batches to SQLite: batches are summed in memory and written by
 * `flush()` in one transaction; deltas leave memory only after COMMIT, and a failed flush keeps them for
 * the next one.
 */
import type {
  BucketHealth,
  BucketTraffic,
  DeviceAddress,
  DeviceRemoteTraffic,
  DeviceTraffic,
  RemoteHostName,
  RemoteTraffic,
  ServiceTraffic,
  TrafficBatch,
} from "../capture/mod.ts";
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { inTransaction, type Store, StoreError, type StoreErrorKind, toStoreError } from "./db.ts";
import { DEFAULT_MAX_PENDING_REMOTES, PendingDeltas } from "./pending_deltas.ts";
import { type ImportMark, writeImportMark } from "./import_marks.ts";
import { LOWER_ROLLUP_MARKS_SQL } from "./retention.ts";
import { backupSizeBytes, type BackupStream, openBackupStream } from "./backup.ts";
import { DeviceWriter } from "./device_writer.ts";
import { RemoteWriter } from "./remote_writer.ts";
import { PendingServices } from "./service_pending.ts";
import { ServiceWriter } from "./service_writer.ts";
import { DeviceNameWriter } from "./device_names.ts";

/** Options of a TrafficLedger. */
export interface TrafficLedgerOptions {
  /** Bound on pending (bucket, remote) rows; see DEFAULT_MAX_PENDING_REMOTES. */
  readonly maxPendingRemotes?: number;
  /** Waits before each retry when another process holds the write lock; its length is the retry count. */
  readonly lockRetryDelaysMs?: readonly number[];
  /** Work that commits with each save's rows (plan alerts: store/plan_alerts.ts). */
  readonly writeHook?: LedgerWriteHook;
  /** The zone whose local midnights start the per-day service rows (TZ); default UTC. */
  readonly timeZone?: string;
}

/** Work done inside each flush transaction after its rows are written, so that it commits with them. */
export interface LedgerWriteHook {
  /** Runs inside the transaction; a throw rolls the save back, so it throws only on a database condition. */
  inTransaction(db: DatabaseSync): void;
  /** Runs after that transaction committed. */
  afterCommit(): void;
}

/** Outcome of one flush. `error` is set when the deltas stayed in memory. */
export interface FlushResult {
  readonly isSaved: boolean;
  /** Rows written (traffic + remotes + health + devices and their addresses); 0 when there was nothing to save or the save failed. */
  readonly rowCount: number;
  readonly error: StoreError | null;
}

/** What /api/health and /metrics show about saving. */
export interface LedgerStatus {
  readonly pendingRemoteRows: number;
  /** UTC seconds of the last successful commit, or null before the first. */
  readonly lastSavedSec: number | null;
  /** Kind and message of the condition that keeps the last flush from saving, or null when saving works. */
  readonly errorKind: StoreErrorKind | null;
  readonly errorMessage: string | null;
}

const DEFAULT_LOCK_RETRY_DELAYS_MS = [100, 400, 1600];

/** Traffic committed by this ledger since it was made, summed over buckets and families. */
interface SavedTotals {
  readonly upBytes: number;
  readonly downBytes: number;
  readonly upPackets: number;
  readonly downPackets: number;
}

const UPSERT_TRAFFIC_SQL = `
INSERT INTO traffic (bucket_start, family, up_bytes, down_bytes, up_packets, down_packets)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (bucket_start, family) DO UPDATE SET
  up_bytes = up_bytes + excluded.up_bytes, down_bytes = down_bytes + excluded.down_bytes,
  up_packets = up_packets + excluded.up_packets, down_packets = down_packets + excluded.down_packets`;

const UPSERT_HEALTH_SQL = `
INSERT INTO bucket_health (bucket_start, malformed_packets, dropped_packets) VALUES (?, ?, ?)
ON CONFLICT (bucket_start) DO UPDATE SET
  malformed_packets = malformed_packets + excluded.malformed_packets,
  dropped_packets = dropped_packets + excluded.dropped_packets`;

/**
 * Holds counted traffic until it is committed. Call `add` for every batch, `flush` every SAVE_INTERVAL and
 * at shutdown (before closing the store). Queries read `pending*Rows()` beside the database so unsaved
 * deltas are always visible.
 */
export class TrafficLedger {
  readonly #store: Store;
  readonly #maxPendingRemotes: number;
  readonly #lockRetryDelaysMs: readonly number[];
  #pending: PendingDeltas;
  /** Deltas being written by a flush that is waiting out a lock; still visible to queries. */
  #inFlight: PendingDeltas | null = null;
  #flushing: Promise<FlushResult> | null = null;
  #lastSavedSec: number | null = null;
  #savedTotals: SavedTotals = { upBytes: 0, downBytes: 0, upPackets: 0, downPackets: 0 };
  #error: StoreError | null = null;
  /** An import's marker that the next flush commits together with its traffic. */
  #importedFile: ImportMark | null = null;
  #statements: {
    traffic: StatementSync;
    health: StatementSync;
    marks: StatementSync;
  };
  readonly #devices: DeviceWriter;
  readonly #remotes: RemoteWriter;
  readonly #serviceWriter: ServiceWriter;
  /** Unsaved service rows, swapped and restored together with #pending (issue 15). */
  #services = new PendingServices();
  #servicesInFlight: PendingServices | null = null;
  readonly #deviceNames: DeviceNameWriter;
  readonly #writeHook: LedgerWriteHook | null;

  constructor(store: Store, options: TrafficLedgerOptions = {}) {
    this.#store = store;
    this.#maxPendingRemotes = options.maxPendingRemotes ?? DEFAULT_MAX_PENDING_REMOTES;
    this.#lockRetryDelaysMs = options.lockRetryDelaysMs ?? DEFAULT_LOCK_RETRY_DELAYS_MS;
    this.#pending = new PendingDeltas(this.#maxPendingRemotes);
    const db = store.db;
    this.#statements = {
      traffic: db.prepare(UPSERT_TRAFFIC_SQL),
      health: db.prepare(UPSERT_HEALTH_SQL),
      marks: db.prepare(LOWER_ROLLUP_MARKS_SQL),
    };
    this.#devices = new DeviceWriter(db);
    this.#remotes = new RemoteWriter(db, store.timeZone);
    this.#serviceWriter = new ServiceWriter(db, options.timeZone ?? "UTC");
    this.#deviceNames = new DeviceNameWriter(db);
    this.#writeHook = options.writeHook ?? null;
  }

  /** The store this ledger writes to (queries read it). */
  get store(): Store {
    return this.#store;
  }

  /**
   * Makes the next flush record `file` (an import's marker) in the same transaction as the traffic, so the
   * import is committed exactly once. The flush throws if the marker conflicts with a stored one
   * (store/import_marks.ts).
   */
  recordImport(file: ImportMark): void {
    this.#importedFile = file;
  }

  /** Adds a drained batch to the pending sums. Never touches the disk. */
  add(batch: TrafficBatch): void {
    this.#pending.addBatch(batch);
    this.#services.addBatch(batch);
  }

  /**
   * Writes all pending deltas (traffic, remotes, health, devices) in one transaction. On success they leave memory; on failure they stay
   * (merged with anything added meanwhile), one log line names the condition, and the next flush retries.
   * A lock held by another process is retried after each of `lockRetryDelaysMs`. Concurrent calls share
   * one flush. Throws only on a bug (an SQL error that is no disk or lock condition).
   *
   * Each commit logs one line `Saved traffic to "<path>"[ on retry <n>]: <u> bytes up and <d> down
   * (<up> and <dp> packets) since start`, the traffic table's totals this ledger has committed: once it is
   * printed, those bytes are on disk (tests/faults_test.ts bounds a SIGKILL's loss by it). The first time
   * a flush meets the lock (not again while a long lock lasts) it logs `Saving traffic to "<path>" found
   * the database locked by another process; retrying ...`.
   */
  flush(): Promise<FlushResult> {
    this.#flushing ??= this.#flushPending().finally(() => {
      this.#flushing = null;
    });
    return this.#flushing;
  }

  /**
   * A consistent copy of the whole database as a stream (backup.ts), this ledger's unsaved deltas saved first.
   * Best effort: a failed save is logged by `flush`, and the stored history is still copied. The caller must
   * consume or cancel the stream.
   */
  async openBackup(): Promise<BackupStream> {
    await this.flush();
    return await openBackupStream(this.#store);
  }

  /** Bytes of a copy of the database made now (unsaved deltas not included), without making one. */
  backupSizeBytes(): number {
    return backupSizeBytes(this.#store);
  }

  /** Unsaved traffic rows (possibly several per bucket and family; sum them). */
  pendingTrafficRows(): BucketTraffic[] {
    return this.#pendingParts().flatMap((p) => p.trafficRows());
  }

  /** Unsaved per-remote rows (possibly several per bucket and remote; sum them). */
  pendingRemoteRows(): RemoteTraffic[] {
    return this.#pendingParts().flatMap((p) => p.remoteRows());
  }

  /** Unsaved per-device rows (possibly several per bucket and device; sum them). */
  pendingDeviceRows(): DeviceTraffic[] {
    return this.#pendingParts().flatMap((p) => p.devices.rows());
  }

  /** Unsaved per-device remote rows (possibly several per bucket, device and remote; sum them). */
  pendingDeviceRemoteRows(): DeviceRemoteTraffic[] {
    return this.#pendingParts().flatMap((p) => p.devices.remoteRows());
  }

  /** Unsaved device addresses (possibly several per device and address; take the widest span). */
  pendingDeviceAddresses(): DeviceAddress[] {
    return this.#pendingParts().flatMap((p) => p.devices.addresses());
  }

  /** Unsaved service rows (possibly several per bucket, device and host; sum them). */
  pendingServiceRows(): ServiceTraffic[] {
    return this.#servicePendingParts().flatMap((p) => p.rows());
  }

  /** Unsaved remote host names (several per address: take the newest). */
  pendingRemoteHosts(): RemoteHostName[] {
    return this.#servicePendingParts().flatMap((p) => p.remoteHosts());
  }

  #servicePendingParts(): PendingServices[] {
    return this.#servicesInFlight ? [this.#servicesInFlight, this.#services] : [this.#services];
  }

  /** Unsaved health rows (possibly several per bucket; sum them). */
  pendingHealthRows(): BucketHealth[] {
    return this.#pendingParts().flatMap((p) => p.healthRows());
  }

  /** Saving health for /api/health and /metrics. */
  status(): LedgerStatus {
    return {
      pendingRemoteRows: this.#pendingParts().reduce((n, p) => n + p.remoteCount, 0),
      lastSavedSec: this.#lastSavedSec,
      errorKind: this.#error?.kind ?? null,
      errorMessage: this.#error?.message ?? null,
    };
  }

  #pendingParts(): PendingDeltas[] {
    return this.#inFlight ? [this.#inFlight, this.#pending] : [this.#pending];
  }

  async #flushPending(): Promise<FlushResult> {
    if (this.#pending.isEmpty && this.#services.isEmpty && this.#importedFile === null) {
      return { isSaved: true, rowCount: 0, error: null };
    }
    const batch = this.#pending;
    this.#pending = new PendingDeltas(this.#maxPendingRemotes);
    this.#inFlight = batch;
    const services = this.#services;
    this.#services = new PendingServices();
    this.#servicesInFlight = services;
    const path = this.#store.path;
    let error: StoreError;
    let isWaitingForLock = false;
    for (let attempt = 0;; attempt++) {
      try {
        const rowCount = this.#write(batch, services);
        this.#inFlight = null;
        this.#servicesInFlight = null;
        this.#writeHook?.afterCommit();
        this.#lastSavedSec = Math.floor(Date.now() / 1000);
        if (this.#error) this.#store.log(`Saving traffic to "${path}" works again`);
        this.#error = null;
        this.#savedTotals = addTrafficRows(this.#savedTotals, batch.trafficRows());
        const { upBytes, downBytes, upPackets, downPackets } = this.#savedTotals;
        this.#store.log(
          `Saved traffic to "${path}"${
            isWaitingForLock ? ` on retry ${attempt}` : ""
          }: ${upBytes} bytes up ` +
            `and ${downBytes} down (${upPackets} and ${downPackets} packets) since start`,
        );
        return { isSaved: true, rowCount, error: null };
      } catch (e) {
        const wrapped = toStoreError(e, `save traffic to "${this.#store.path}"`);
        if (!(wrapped instanceof StoreError)) {
          this.#restore(batch, services);
          throw wrapped;
        }
        error = wrapped;
      }
      if (error.kind !== "locked" || attempt >= this.#lockRetryDelaysMs.length) break;
      // Said once per condition: during a long lock, only its first save says it waits.
      if (attempt === 0 && this.#error?.kind !== "locked") {
        isWaitingForLock = true;
        const delays = this.#lockRetryDelaysMs;
        this.#store.log(
          `Saving traffic to "${path}" found the database locked by another process; retrying up to ` +
            `${delays.length} ${delays.length === 1 ? "time" : "times"} within ` +
            `${delays.reduce((sum, ms) => sum + ms, 0)} ms`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, this.#lockRetryDelaysMs[attempt]));
    }
    this.#restore(batch, services);
    if (this.#error?.kind !== error.kind) {
      this.#store.log(`${error.message}; counts stay in memory and the next save retries`);
    }
    this.#error = error;
    return { isSaved: false, rowCount: 0, error };
  }

  /** Puts a batch whose save failed back in front of what arrived meanwhile. */
  #restore(batch: PendingDeltas, services: PendingServices): void {
    batch.addAll(this.#pending);
    this.#pending = batch;
    this.#inFlight = null;
    services.addAll(this.#services);
    this.#services = services;
    this.#servicesInFlight = null;
  }

  #write(batch: PendingDeltas, services: PendingServices): number {
    const { traffic, health, marks } = this.#statements;
    const importedFile = this.#importedFile;
    const rowCount = inTransaction(this.#store.db, () => {
      let rowCount = 0;
      if (importedFile !== null) writeImportMark(this.#store.db, importedFile);
      let oldestSec = Infinity;
      for (const r of batch.trafficRows()) {
        traffic.run(r.bucketStartSec, r.family, r.upBytes, r.downBytes, r.upPackets, r.downPackets);
        oldestSec = Math.min(oldestSec, r.bucketStartSec);
        rowCount++;
      }
      for (const r of batch.healthRows()) {
        health.run(r.bucketStartSec, r.malformedPackets, r.droppedPackets);
        oldestSec = Math.min(oldestSec, r.bucketStartSec);
        rowCount++;
      }
      const devices = this.#devices.write(batch.devices);
      rowCount += devices.rowCount;
      rowCount += this.#serviceWriter.write(services);
      oldestSec = Math.min(oldestSec, devices.oldestSec);
      // After the devices: their dictionary rows exist, and the device remotes reference them.
      const remotes = this.#remotes.write(
        batch.remoteRows(),
        batch.devices.remoteRows(),
        (key) => this.#devices.idOf(key),
      );
      rowCount += remotes.rowCount;
      oldestSec = Math.min(oldestSec, remotes.oldestSec);
      rowCount += this.#deviceNames.write(batch.dhcpNames);
      // Old buckets (a pcap import of last year) must still be rolled up by the next retention pass.
      if (oldestSec !== Infinity) marks.run(oldestSec);
      this.#writeHook?.inTransaction(this.#store.db);
      return rowCount;
    });
    if (importedFile === this.#importedFile) this.#importedFile = null;
    return rowCount;
  }
}

function addTrafficRows(totals: SavedTotals, rows: readonly BucketTraffic[]): SavedTotals {
  let { upBytes, downBytes, upPackets, downPackets } = totals;
  for (const r of rows) {
    upBytes += r.upBytes;
    downBytes += r.downBytes;
    upPackets += r.upPackets;
    downPackets += r.downPackets;
  }
  return { upBytes, downBytes, upPackets, downPackets };
}
