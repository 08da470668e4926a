/**
 * Alert thresholds checked inside the flush transaction (issue 16 item 3): after the batch's rows are
 * written, each plan's current figures are read through the same connection, and a newly crossed threshold
 * gets its "fired" row and its outbox rows in that transaction. The traffic that crossed it, the mark that
 * it fired and the deliveries to send therefore commit together or not at all: a crash never loses an alert
 * nor fires one twice.
 */
import type { DatabaseSync } from "node:sqlite";
import {
  type AlertChannel,
  alertMessage,
  crossedThresholds,
  formatThreshold,
  periodAt,
  type PlanSpec,
} from "../plans/mod.ts";
import { QUEUE_DELIVERY_SQL, queueDelivery } from "./alert_outbox.ts";
import { StoreError, toStoreError } from "./store_error.ts";
import type { Store } from "./db.ts";
import type { LedgerWriteHook } from "./traffic_ledger.ts";
import { listPlans } from "./plan_book.ts";
import { figuresOf, firstBucketSec, storedBuckets } from "./plan_usage.ts";

/** An alert that fired in a committed transaction. */
export interface FiredAlert {
  readonly planId: string;
  readonly threshold: string;
  readonly periodStart: string;
  readonly title: string;
}

/** Options of planAlertHook. */
export interface PlanAlertHookOptions extends Omit<PlanAlertOptions, "nowSec"> {
  readonly nowSec: () => number;
  readonly log: (line: string) => void;
  /** Called after a commit that queued deliveries (AlertDispatcher.kick). */
  readonly onQueued: () => void;
}

/**
 * The TrafficLedger write hook that checks every plan's thresholds in each save's transaction. A failure of
 * the check itself (a bug, a plan that cannot be read) is logged and rolled back to its savepoint, and the
 * traffic still commits: alerts never stop counting. A database condition (full disk, lock) fails the save,
 * which keeps its counts in memory and retries them, thresholds included.
 */
export function planAlertHook(options: PlanAlertHookOptions): LedgerWriteHook {
  let committed: FiredAlert[] = [];
  return {
    inTransaction(db) {
      committed = [];
      db.exec("SAVEPOINT plan_alerts");
      try {
        committed = recordCrossedAlerts(db, { ...options, nowSec: options.nowSec() });
        db.exec("RELEASE plan_alerts");
      } catch (e) {
        db.exec("ROLLBACK TO plan_alerts");
        db.exec("RELEASE plan_alerts");
        const error = toStoreError(e, "check plan alerts");
        if (error instanceof StoreError) throw error;
        options.log(`Checking plan alerts failed; traffic is saved without it: ${error.message}`);
      }
    },
    afterCommit() {
      for (const alert of committed) {
        options.log(
          `Alert fired: plan "${alert.planId}" threshold ${alert.threshold} in the period from ${alert.periodStart}: ${alert.title}`,
        );
      }
      if (committed.length > 0 && options.channels.length > 0) options.onQueued();
      committed = [];
    },
  };
}

/** What the check needs besides the connection. */
export interface PlanAlertOptions {
  readonly envPlans: readonly PlanSpec[];
  readonly channels: readonly AlertChannel["kind"][];
  readonly timeZone: string;
  readonly nowSec: number;
}

/**
 * Records, through `db` inside the caller's transaction, every threshold newly crossed at `nowSec` and
 * queues its deliveries; returns them. Thresholds that fired before in the same period are skipped.
 */
export function recordCrossedAlerts(db: DatabaseSync, options: PlanAlertOptions): FiredAlert[] {
  const { timeZone, nowSec } = options;
  const fired: FiredAlert[] = [];
  const markFired = db.prepare(
    "INSERT OR IGNORE INTO plan_alerts_fired (plan_id, threshold, period_start, fired_at) VALUES (?, ?, ?, ?)",
  );
  const queue = db.prepare(QUEUE_DELIVERY_SQL);
  const firstSec = firstBucketSec(db);
  for (const { plan } of listPlans(db, options.envPlans)) {
    if (plan.quotaBytes === null || plan.thresholds.length === 0) continue;
    const period = periodAt(plan.period, nowSec, timeZone);
    const figures = figuresOf(plan, period, {
      read: (fromSec, toSec) => storedBuckets(db, plan.deviceId, fromSec, toSec),
      nowSec,
      timeZone,
      firstSec,
    });
    for (const threshold of crossedThresholds(plan.thresholds, { ...figures, quotaBytes: plan.quotaBytes })) {
      const name = formatThreshold(threshold);
      if (Number(markFired.run(plan.id, name, period.start, nowSec).changes) === 0) continue;
      const message = alertMessage(plan, threshold, { period, figures });
      for (const channel of options.channels) queueDelivery(queue, channel, message, nowSec);
      fired.push({ planId: plan.id, threshold: name, periodStart: period.start, title: message.title });
    }
  }
  return fired;
}

/** UTC seconds each threshold of plan `planId` fired in the period starting `periodStart`, by threshold name. */
export function firedAlerts(store: Store, planId: string, periodStart: string): Map<string, number> {
  const rows = store.read("a plan's fired alerts", (db) =>
    db.prepare(
      "SELECT threshold, fired_at FROM plan_alerts_fired WHERE plan_id = ? AND period_start = ?",
    ).all(planId, periodStart)) as { threshold: string; fired_at: number }[];
  return new Map(rows.map((r) => [r.threshold, r.fired_at]));
}
