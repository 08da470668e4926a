/**
 * store/: the SQLite file of netledger — every SQL string, migrations, the exactly-once flush of counted
 * traffic, read queries returning plain rows, retention rollups and backups.
 *
 * Import rule: store/ may only `import type` from capture/ and clash/; nothing in store/ imports web/ or
 * main.ts. Other folders import store/ through this file.
 */
export { BUSY_TIMEOUT_MS, openStore, type OpenStoreOptions, schemaVersion, Store, StoreError } from "./db.ts";
export type { StoreErrorKind } from "./db.ts";
export { type Migration, MIGRATIONS } from "./migrations.ts";
export { DEFAULT_MAX_PENDING_REMOTES } from "./pending_deltas.ts";
export {
  type FlushResult,
  type LedgerStatus,
  TrafficLedger,
  type TrafficLedgerOptions,
} from "./traffic_ledger.ts";
export {
  addDays,
  type Granularity,
  localDateEndSec,
  localDateOf,
  localDateStartSec,
  localDayStartSec,
  type LocalPeriod,
  localPeriods,
  monthStartDate,
  yearStartDate,
} from "./local_periods.ts";
export {
  type AllTimeTotals,
  allTimeTotals,
  type FamilyTotals,
  type PeriodTraffic,
  trafficByPeriod,
  trafficDateRange,
  type TrafficSummary,
  trafficSummary,
  trafficTotal,
  type TrafficTotals,
} from "./traffic_queries.ts";
export {
  type RemoteTotals,
  type TopRemotes,
  topRemotes,
  topRemotesOffThread,
  type TopRemotesOptions,
} from "./top_remotes.ts";
export { applyRetention, type RetentionOptions, type RetentionResult } from "./retention.ts";
export { type BackupStream, backupTo, openBackupStream } from "./backup.ts";
export { ClashStore } from "./clash_store.ts";
export { ClashLedger, MAX_CLIENT_NAME_CHARS } from "./clash_ledger.ts";
export type { ClashClientInfo, ClashGroupTotals, ClashTotals } from "./clash_queries.ts";
export { applyClashRetention, type ClashRetentionResult, SAMPLE_RETENTION_DAYS } from "./clash_retention.ts";
export { findImportedFile, type ImportedFile } from "./imported_files.ts";
