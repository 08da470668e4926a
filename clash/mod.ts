/**
 * clash/: the Clash API (sing-box / mihomo external_controller) client and per-connection aggregation.
 * ClashMonitor owns the connection, the browser fan-out hubs and the exact delta accounting; it emits plain
 * records (types.ts) that store/ persists through the ClashPersistence interface.
 *
 * Import rule: clash/ imports nothing from capture/ (except the BUCKET_SEC constant, through capture/mod.ts),
 * store/ or web/. Others import clash/ only through this file (store/ as `import type`), and this file
 * exports only what they use.
 */
export { ClashAggregator } from "./aggregator.ts";
export type { ConnectionHost } from "./connection_facts.ts";
export { normalizeClientIp } from "./client_ip.ts";
export { ClashMonitor, ONLINE_WINDOW_SEC } from "./monitor.ts";
export { StreamHub } from "./stream_hub.ts";
export type {
  ClashLiveClient,
  ClashLiveConnection,
  ClashPendingBatch,
  ClashResumeState,
  ClashSample,
  ClashStatus,
  ClashUnattributedRow,
  ClashUsageRow,
} from "./types.ts";
