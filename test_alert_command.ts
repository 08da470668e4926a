/**
 * `netledger --test-alert PLAN`: sends a sample alert of one plan (its id or name) over every configured
 * channel at once, with the figures of its current period, and prints one line per channel. The sample is
 * not queued: a failure is reported here, not retried later. Exit status 0 when every channel took it.
 */
import { type AlertChannel, alertMessage, deliverAlert, DeliveryError, periodAt } from "./plans/mod.ts";
import {
  figuresOf,
  firstBucketSec,
  ledgerBucketReader,
  PlanBook,
  type Store,
  TrafficLedger,
} from "./store/mod.ts";
import type { PlanSpec } from "./plans/mod.ts";

/** What the sample is built from and sent over. */
export interface TestAlertOptions {
  /** A plan id or name. */
  readonly plan: string;
  readonly envPlans: readonly PlanSpec[];
  readonly channels: readonly AlertChannel[];
  readonly timeZone: string;
  readonly nowSec: number;
  readonly log: (line: string) => void;
}

/** Sends the sample; resolves with the exit status (0 sent everywhere, 1 a channel failed, 2 no such plan). */
export async function runTestAlert(store: Store, options: TestAlertOptions): Promise<number> {
  const { timeZone, nowSec, log } = options;
  const plans = new PlanBook(store, options.envPlans).list();
  const entry = plans.find((e) => e.plan.id === options.plan) ??
    plans.find((e) => e.plan.name.toLowerCase() === options.plan.toLowerCase());
  if (entry === undefined) {
    log(
      `No plan "${options.plan}": the plans are ${plans.map((e) => `"${e.plan.id}"`).join(", ") || "none"}`,
    );
    return 2;
  }
  const plan = entry.plan;
  const period = periodAt(plan.period, nowSec, timeZone);
  const figures = figuresOf(plan, period, {
    read: ledgerBucketReader(new TrafficLedger(store), plan),
    nowSec,
    timeZone,
    firstSec: store.read("the first bucket", firstBucketSec),
  });
  const threshold = plan.thresholds[0] ?? { kind: "percent", percent: 100 } as const;
  const message = { ...alertMessage(plan, threshold, { period, figures, isTest: true }), delivery_id: 0 };
  let status = 0;
  for (const channel of options.channels) {
    try {
      await deliverAlert(channel, message);
      log(`Sent a test alert of plan "${plan.id}" over ${channel.kind}`);
    } catch (e) {
      if (!(e instanceof DeliveryError)) throw e;
      log(`Cannot send a test alert of plan "${plan.id}" over ${channel.kind}: ${e.message}`);
      status = 1;
    }
  }
  return status;
}
