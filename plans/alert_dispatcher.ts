/**
 * Sends the alert outbox: every due delivery over its channel, one at a time, off the counting path (the
 * capture runs in its Worker and the flush never waits for a send). A failed try is retried after 10 s, then
 * twice as long each time up to an hour, and marked failed after 3 days. The outbox is stored, so a restart
 * resumes where the last process stopped; a crash between a receiver's answer and its "sent" mark sends that
 * delivery again, so receivers can tell repeats by `delivery_id` (at least once, never lost).
 */
import { type AlertChannel, deliverAlert, DeliveryError } from "./alert_channels.ts";
import type { AlertMessage } from "./alert_message.ts";

/** A delivery waiting in the outbox. */
export interface OutboxDelivery {
  readonly id: number;
  readonly channel: AlertChannel["kind"];
  readonly message: AlertMessage;
  readonly attempts: number;
  readonly createdSec: number;
}

/** The stored outbox (store/alert_outbox.ts). */
export interface AlertOutbox {
  /** Queued deliveries due at `nowSec`, oldest first, at most `limit`. */
  due(nowSec: number, limit: number): OutboxDelivery[];
  markSent(id: number, nowSec: number): void;
  /** Records a failed try; `nextAttemptSec` null gives up (state "failed"). */
  markFailedTry(id: number, options: { error: string; nowSec: number; nextAttemptSec: number | null }): void;
}

/** Options of an AlertDispatcher. */
export interface AlertDispatcherOptions {
  readonly outbox: AlertOutbox;
  readonly channels: readonly AlertChannel[];
  readonly log: (line: string) => void;
  readonly nowSec: () => number;
  /** Per try (default 10 s). */
  readonly timeoutMs?: number;
  /** First retry delay; doubles per failed try up to MAX_RETRY_DELAY_SEC. */
  readonly firstRetrySec?: number;
}

/** First retry delay. */
export const FIRST_RETRY_SEC = 10;
/** Longest delay between two tries. */
export const MAX_RETRY_DELAY_SEC = 3600;
/** A delivery not sent this long after it fired is marked failed. */
export const GIVE_UP_AFTER_SEC = 3 * 86_400;
/** How often the outbox is looked at without a kick (due retries). */
const POLL_MS = 5_000;
/** Deliveries per pass, so one pass stays short. */
const PASS_LIMIT = 20;

/** Drains the outbox in the background; `kick()` after a commit that queued alerts. */
export class AlertDispatcher {
  readonly #options: AlertDispatcherOptions;
  #timer: ReturnType<typeof setInterval> | undefined;
  #pass: Promise<number> | null = null;
  #isAgain = false;
  #isClosed = false;

  constructor(options: AlertDispatcherOptions) {
    this.#options = options;
  }

  /** Looks at the outbox every 5 s from now on, and once at once. */
  start(): void {
    this.#timer ??= setInterval(() => this.kick(), POLL_MS);
    this.kick();
  }

  /** Runs a pass soon (another right after the current one, if one runs). */
  kick(): void {
    if (this.#isClosed) return;
    if (this.#pass !== null) {
      this.#isAgain = true;
      return;
    }
    this.runPass().catch((e) => this.#options.log(`Alert delivery pass failed: ${(e as Error).message}`));
  }

  /** Sends every due delivery once; resolves with the number sent. Passes never overlap. */
  runPass(): Promise<number> {
    this.#pass ??= this.#drain().finally(() => {
      this.#pass = null;
      if (this.#isAgain && !this.#isClosed) {
        this.#isAgain = false;
        this.kick();
      }
    });
    return this.#pass;
  }

  /** Stops the timer and waits for the pass running (at most one try's timeout). Idempotent. */
  async close(): Promise<void> {
    this.#isClosed = true;
    clearInterval(this.#timer);
    await this.#pass?.catch(() => {});
  }

  async #drain(): Promise<number> {
    const { outbox, channels, log, nowSec } = this.#options;
    let sent = 0;
    for (const delivery of outbox.due(nowSec(), PASS_LIMIT)) {
      if (this.#isClosed) break;
      const channel = channels.find((c) => c.kind === delivery.channel);
      const what = `${delivery.channel} alert ${delivery.id} (${delivery.message.title})`;
      try {
        if (channel === undefined) {
          throw new DeliveryError(`the ${delivery.channel} channel is no longer configured`);
        }
        await deliverAlert(channel, { ...delivery.message, delivery_id: delivery.id }, this.#options);
        outbox.markSent(delivery.id, nowSec());
        log(`Sent ${what}`);
        sent++;
      } catch (e) {
        if (!(e instanceof DeliveryError)) throw e;
        const now = nowSec();
        const delay = Math.min(
          MAX_RETRY_DELAY_SEC,
          (this.#options.firstRetrySec ?? FIRST_RETRY_SEC) * 2 ** delivery.attempts,
        );
        const isGivingUp = channel === undefined || now - delivery.createdSec >= GIVE_UP_AFTER_SEC;
        outbox.markFailedTry(delivery.id, {
          error: e.message,
          nowSec: now,
          nextAttemptSec: isGivingUp ? null : now + delay,
        });
        log(`Cannot send ${what}: ${e.message}; ${isGivingUp ? "given up" : `retrying in ${delay} s`}`);
      }
    }
    return sent;
  }
}
