/**
 * Writes the proxy-client history: one transaction per flush holding the deltas, the unattributed remainder,
 * the samples, the client first/last seen times and the per-connection resume cursors, so a netledger restart
 * resumes exactly where the committed history ends (docs/clash-accounting.md P8). Reads and client names
 * are in clash_ledger.ts.
 */
import type { StatementSync } from "node:sqlite";
import type { ClashPendingBatch, ClashResumeState } from "../clash/mod.ts";
import { inTransaction, type Store, toStoreError } from "./db.ts";
import { CLASH_ROLLED_MARK } from "./clash_retention.ts";

const UPSERT_USAGE_SQL = `
INSERT INTO clash_usage (bucket_start, client_ip, resource, chain, rule, up_bytes, down_bytes, connections)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (bucket_start, client_ip, resource, chain) DO UPDATE SET rule = excluded.rule,
  up_bytes = up_bytes + excluded.up_bytes, down_bytes = down_bytes + excluded.down_bytes,
  connections = connections + excluded.connections`;

const UPSERT_CLIENT_USAGE_SQL = `
INSERT INTO clash_client_usage (bucket_start, client_ip, up_bytes, down_bytes, connections)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (bucket_start, client_ip) DO UPDATE SET up_bytes = up_bytes + excluded.up_bytes,
  down_bytes = down_bytes + excluded.down_bytes, connections = connections + excluded.connections`;

const UPSERT_UNATTRIBUTED_SQL = `
INSERT INTO clash_unattributed (bucket_start, up_bytes, down_bytes) VALUES (?, ?, ?)
ON CONFLICT (bucket_start) DO UPDATE SET up_bytes = up_bytes + excluded.up_bytes,
  down_bytes = down_bytes + excluded.down_bytes`;

const UPSERT_SAMPLE_SQL = `
INSERT INTO clash_samples (ts, up_bytes, down_bytes) VALUES (?, ?, ?)
ON CONFLICT (ts) DO UPDATE SET up_bytes = up_bytes + excluded.up_bytes,
  down_bytes = down_bytes + excluded.down_bytes`;

const UPSERT_CLIENT_SEEN_SQL = `
INSERT INTO clash_clients (client_ip, name, first_seen, last_seen) VALUES (?, NULL, ?, ?)
ON CONFLICT (client_ip) DO UPDATE SET
  first_seen = min(coalesce(first_seen, excluded.first_seen), excluded.first_seen),
  last_seen = max(coalesce(last_seen, excluded.last_seen), excluded.last_seen)`;

const LOWER_ROLLED_MARK_SQL = "UPDATE store_meta SET value = min(value, ?) WHERE key = ?";

const INSERT_CURSOR_SQL = "INSERT INTO clash_cursors (id, up_bytes, down_bytes) VALUES (?, ?, ?)";

const REPLACE_RESUME_SQL = `
INSERT OR REPLACE INTO clash_resume
(singleton, api_url, upload_total, download_total, carry_up_bytes, carry_down_bytes)
VALUES (1, ?, ?, ?, ?, ?)`;

/** Persistence of the ClashMonitor (implements clash/'s ClashPersistence). */
export class ClashStore {
  readonly #store: Store;
  /** The statements of a flush, prepared once. */
  readonly #statements: {
    readonly usage: StatementSync;
    readonly clientUsage: StatementSync;
    readonly unattributed: StatementSync;
    readonly sample: StatementSync;
    readonly clientSeen: StatementSync;
    readonly lowerMark: StatementSync;
    readonly cursor: StatementSync;
    readonly resume: StatementSync;
  };

  constructor(store: Store) {
    this.#store = store;
    const db = store.db;
    this.#statements = {
      usage: db.prepare(UPSERT_USAGE_SQL),
      clientUsage: db.prepare(UPSERT_CLIENT_USAGE_SQL),
      unattributed: db.prepare(UPSERT_UNATTRIBUTED_SQL),
      sample: db.prepare(UPSERT_SAMPLE_SQL),
      clientSeen: db.prepare(UPSERT_CLIENT_SEEN_SQL),
      lowerMark: db.prepare(LOWER_ROLLED_MARK_SQL),
      cursor: db.prepare(INSERT_CURSOR_SQL),
      resume: db.prepare(REPLACE_RESUME_SQL),
    };
  }

  /** The resume state of the last committed flush, or null on a fresh database. */
  loadResume(): ClashResumeState | null {
    const db = this.#store.db;
    const row = db.prepare(
      "SELECT api_url, upload_total, download_total, carry_up_bytes, carry_down_bytes FROM clash_resume",
    ).get() as
      | {
        api_url: string;
        upload_total: number;
        download_total: number;
        carry_up_bytes: number;
        carry_down_bytes: number;
      }
      | undefined;
    if (row === undefined) return null;
    const cursors = (db.prepare("SELECT id, up_bytes, down_bytes FROM clash_cursors").all() as {
      id: string;
      up_bytes: number;
      down_bytes: number;
    }[]).map((c) => ({ id: c.id, upBytes: c.up_bytes, downBytes: c.down_bytes }));
    return {
      apiUrl: row.api_url,
      uploadTotal: row.upload_total,
      downloadTotal: row.download_total,
      carryUpBytes: row.carry_up_bytes,
      carryDownBytes: row.carry_down_bytes,
      cursors,
    };
  }

  /**
   * Adds one batch in one transaction: all of it or nothing. Throws StoreError (locked, full, …) after a
   * rollback, so the caller keeps the batch in memory for the next flush.
   */
  saveBatch(batch: ClashPendingBatch): void {
    const { unattributed, sample, clientSeen } = this.#statements;
    try {
      inTransaction(this.#store.db, () => {
        this.#writeUsage(batch);
        for (const r of batch.unattributed) unattributed.run(r.bucketStartSec, r.upBytes, r.downBytes);
        for (const s of batch.samples) sample.run(s.tsSec, s.upBytes, s.downBytes);
        for (const c of batch.clients) clientSeen.run(c.clientIp, c.firstSeenSec, c.lastSeenSec);
        if (batch.resume !== null) this.#writeResume(batch.resume);
      });
    } catch (e) {
      throw toStoreError(e, `save proxy-client history to "${this.#store.path}"`);
    }
  }

  #writeUsage(batch: ClashPendingBatch): void {
    const { usage: detail, clientUsage: client, lowerMark } = this.#statements;
    const perClient = new Map<string, { bucket: number; ip: string; up: number; down: number; n: number }>();
    let oldestBucketSec = Infinity;
    for (const r of batch.usage) {
      detail.run(
        r.bucketStartSec,
        r.clientIp,
        r.resource,
        r.chain,
        r.rule,
        r.upBytes,
        r.downBytes,
        r.newConnections,
      );
      const key = `${r.bucketStartSec}\n${r.clientIp}`;
      const c = perClient.get(key) ?? { bucket: r.bucketStartSec, ip: r.clientIp, up: 0, down: 0, n: 0 };
      c.up += r.upBytes;
      c.down += r.downBytes;
      c.n += r.newConnections;
      perClient.set(key, c);
      oldestBucketSec = Math.min(oldestBucketSec, r.bucketStartSec);
    }
    for (const c of perClient.values()) client.run(c.bucket, c.ip, c.up, c.down, c.n);
    for (const r of batch.unattributed) oldestBucketSec = Math.min(oldestBucketSec, r.bucketStartSec);
    if (oldestBucketSec !== Infinity) {
      // Rows written behind the rollup mark (a clock step back) are rolled up by the next pass.
      lowerMark.run(oldestBucketSec, CLASH_ROLLED_MARK);
    }
  }

  #writeResume(resume: ClashResumeState): void {
    const { cursor, resume: replaceResume } = this.#statements;
    this.#store.db.exec("DELETE FROM clash_cursors");
    for (const c of resume.cursors) cursor.run(c.id, c.upBytes, c.downBytes);
    replaceResume.run(
      resume.apiUrl,
      resume.uploadTotal,
      resume.downloadTotal,
      resume.carryUpBytes,
      resume.carryDownBytes,
    );
  }
}
