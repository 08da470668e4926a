/**
 * store/: the SQLite file of netledger — every SQL string, migrations, the exactly-once flush of counted
 * traffic, read queries returning plain rows, retention rollups and backups.
 *
 * Import rule: store/ may only `import type` from capture/ and clash/; nothing in store/ imports web/ or
 * main.ts. Other folders import store/ through this file, which exports only what they use.
 */
export { openStore, Store, StoreError } from "./db.ts";
export { MIGRATIONS } from "./migrations.ts";
export { DEFAULT_MAX_PENDING_REMOTES } from "./pending_deltas.ts";
export { type LedgerStatus, TrafficLedger } from "./traffic_ledger.ts";
export {
  addDays,
  type Granularity,
  localDateEndSec,
  localDateOf,
  localDateStartSec,
  type LocalPeriod,
  localPeriods,
  monthStartDate,
} from "./local_periods.ts";
export {
  allTimeTotals,
  type DeviceFilter,
  type FamilyTotals,
  type PeriodTraffic,
  trafficByPeriod,
  trafficDateRange,
  trafficSummary,
  trafficTotal,
  type TrafficTotals,
} from "./traffic_queries.ts";
export { type RemoteTotals, topRemotes, topRemotesOffThread } from "./top_remotes.ts";
export { MAX_QUEUED_READS, READ_RETRY_AFTER_SEC, READ_WORKERS } from "./read_pool.ts";
export { applyRetention } from "./retention.ts";
export { deviceTopRemotes } from "./device_remotes.ts";
export {
  deviceById,
  type DeviceInfo,
  deviceIps,
  type DevicesOfSpan,
  devicesOfSpan,
  type DeviceUsage,
  OTHER_DEVICE_ID,
  setDeviceName,
} from "./device_queries.ts";
export { devicesOfClientIps } from "./client_devices.ts";
export {
  hostnamesOf,
  pruneServiceHosts,
  type ServicesOfSpan,
  servicesOfSpan,
  type ServiceSums,
} from "./service_queries.ts";
export { ClashStore } from "./clash_store.ts";
export { ClashLedger, MAX_CLIENT_NAME_CHARS } from "./clash_ledger.ts";
export type { ClashClientInfo, ClashGroupTotals, ClashTotals } from "./clash_queries.ts";
export { applyClashRetention } from "./clash_retention.ts";
export { findImportedFile, type ImportedFile } from "./imported_files.ts";
export { importedHourStarts } from "./imported_hours.ts";
export {
  interfaceTotalsByPeriod,
  type InterfaceTotalSpan,
  type InterfaceTotalsSeries,
  saveInterfaceTotals,
} from "./interface_totals.ts";
export { PlanBook, type PlanEntry } from "./plan_book.ts";
export { type AlertDeliveryRow, StoredAlertOutbox } from "./alert_outbox.ts";
export { firedAlerts, planAlertHook } from "./plan_alerts.ts";
export { figuresOf, firstBucketSec, ledgerBucketReader, ledgerFirstBucketSec } from "./plan_usage.ts";
