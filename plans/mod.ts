/**
 * plans/: billing plans (issue 16): the PLAN= syntax and sizes, period arithmetic at local midnight in TZ,
 * the figures of a period (used, forecast, 95th percentile), alert rules and messages, and the delivery of
 * alerts over webhook, ntfy and Telegram with retries. Pure modules over plain records, except the delivery
 * (fetch) and its dispatcher, which reads the outbox through the AlertOutbox interface.
 *
 * Import rule: plans/ imports from capture/ only BUCKET_SEC, and nothing else from netledger; store/,
 * web/api/, config.ts and main.ts import it through this file.
 */
export { type AlertChannel, deliverAlert, DeliveryError, WEBHOOK_SECRET_HEADER } from "./alert_channels.ts";
export { AlertDispatcher, type AlertOutbox, type OutboxDelivery } from "./alert_dispatcher.ts";
export { type AlertMessage, alertMessage } from "./alert_message.ts";
export { crossedThresholds } from "./alert_rules.ts";
export { type DailyBytes, forecastPeriod, PROFILE_DAYS } from "./forecast.ts";
export {
  parseCounts,
  parsePeriodRule,
  parsePlanList,
  parsePlanName,
  parseQuota,
  parseThreshold,
} from "./parse_plan.ts";
export { PlanFieldError } from "./plan_field_error.ts";
export { type BucketBytes, countedBytes, type PlanFigures, planFigures } from "./plan_figures.ts";
export { planId } from "./plan_id.ts";
export { dateStartSec, localDate, periodAt, type PlanPeriod, recentPeriods } from "./plan_periods.ts";
export {
  type AlertThreshold,
  DEFAULT_THRESHOLDS,
  formatPeriodRule,
  formatThreshold,
  type PlanSpec,
} from "./plan_spec.ts";
