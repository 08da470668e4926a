/**
 * The stored alert outbox and its delivery log (`alert_deliveries`, migration 7): rows are queued in the
 * flush transaction that fired them (plan_alerts.ts) and updated by plans/'s AlertDispatcher after each try.
 */
import type { AlertMessage, AlertOutbox, OutboxDelivery } from "../plans/mod.ts";
import type { Store } from "./db.ts";

/** One row of the delivery log, as GET /api/plans/deliveries shows it (no secret is stored). */
export interface AlertDeliveryRow {
  readonly id: number;
  readonly channel: OutboxDelivery["channel"];
  readonly planId: string;
  readonly planName: string;
  readonly threshold: string;
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly isTest: boolean;
  readonly state: "queued" | "sent" | "failed";
  readonly attempts: number;
  readonly lastError: string | null;
  readonly createdSec: number;
  readonly lastAttemptSec: number | null;
  readonly nextAttemptSec: number | null;
  readonly sentSec: number | null;
}

interface DeliveryRecord {
  id: number;
  channel: OutboxDelivery["channel"];
  plan_id: string;
  plan_name: string;
  threshold: string;
  period_start: string;
  period_end: string;
  is_test: number;
  message: string;
  state: "queued" | "sent" | "failed";
  attempts: number;
  last_error: string | null;
  created_at: number;
  last_attempt_at: number | null;
  next_attempt_at: number | null;
  sent_at: number | null;
}

/** SQL that queues one delivery; parameters: channel, plan id, plan name, threshold, period start, end, is_test, message JSON, now. */
export const QUEUE_DELIVERY_SQL = `
INSERT INTO alert_deliveries (channel, plan_id, plan_name, threshold, period_start, period_end, is_test, message,
  state, attempts, created_at, next_attempt_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'queued', 0, ?9, ?9)`;

/** The outbox over the store's connection. */
export class StoredAlertOutbox implements AlertOutbox {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  /** Queues `message` on each of `channels` in its own transaction (a `--test-alert` sample). */
  queue(channels: readonly OutboxDelivery["channel"][], message: AlertMessage, nowSec: number): void {
    const insert = this.#store.db.prepare(QUEUE_DELIVERY_SQL);
    for (const channel of channels) queueDelivery(insert, channel, message, nowSec);
  }

  due(nowSec: number, limit: number): OutboxDelivery[] {
    const rows = this.#store.read("the alert outbox", (db) =>
      db.prepare(
        `SELECT * FROM alert_deliveries WHERE state = 'queued' AND next_attempt_at <= ?
         ORDER BY next_attempt_at, id LIMIT ?`,
      ).all(nowSec, limit)) as unknown as DeliveryRecord[];
    return rows.map((r) => ({
      id: r.id,
      channel: r.channel,
      message: JSON.parse(r.message) as AlertMessage,
      attempts: r.attempts,
      createdSec: r.created_at,
    }));
  }

  markSent(id: number, nowSec: number): void {
    this.#store.db.prepare(
      `UPDATE alert_deliveries SET state = 'sent', attempts = attempts + 1, last_attempt_at = ?1, sent_at = ?1,
       next_attempt_at = NULL WHERE id = ?2`,
    ).run(nowSec, id);
  }

  markFailedTry(id: number, options: { error: string; nowSec: number; nextAttemptSec: number | null }): void {
    this.#store.db.prepare(
      `UPDATE alert_deliveries SET state = ?, attempts = attempts + 1, last_error = ?, last_attempt_at = ?,
       next_attempt_at = ? WHERE id = ?`,
    ).run(
      options.nextAttemptSec === null ? "failed" : "queued",
      options.error,
      options.nowSec,
      options.nextAttemptSec,
      id,
    );
  }

  /** The newest `limit` deliveries, newest first. */
  log(limit: number): AlertDeliveryRow[] {
    const rows = this.#store.read(
      "the alert delivery log",
      (db) => db.prepare("SELECT * FROM alert_deliveries ORDER BY id DESC LIMIT ?").all(limit),
    ) as unknown as DeliveryRecord[];
    return rows.map((r) => ({
      id: r.id,
      channel: r.channel,
      planId: r.plan_id,
      planName: r.plan_name,
      threshold: r.threshold,
      periodStart: r.period_start,
      periodEnd: r.period_end,
      isTest: r.is_test === 1,
      state: r.state,
      attempts: r.attempts,
      lastError: r.last_error,
      createdSec: r.created_at,
      lastAttemptSec: r.last_attempt_at,
      nextAttemptSec: r.next_attempt_at,
      sentSec: r.sent_at,
    }));
  }
}

/** Runs a prepared QUEUE_DELIVERY_SQL for one channel. */
export function queueDelivery(
  insert: { run(...values: (string | number | null)[]): unknown },
  channel: OutboxDelivery["channel"],
  message: AlertMessage,
  nowSec: number,
): void {
  insert.run(
    channel,
    message.plan_id,
    message.plan_name,
    message.threshold,
    message.period_start,
    message.period_end,
    message.is_test ? 1 : 0,
    JSON.stringify(message),
    nowSec,
  );
}
