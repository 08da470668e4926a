/**
 * clash/: the Clash API (sing-box / mihomo external_controller) client and per-connection aggregation.
 * ClashMonitor owns the connection, the browser fan-out hubs and the exact delta accounting; it emits plain
 * records (types.ts) that store/ persists through the ClashPersistence interface.
 *
 * Import rule: clash/ imports nothing from capture/ (except the BUCKET_SEC constant of capture/types.ts),
 * store/ or web/. Others import clash/ only through this file (store/ as `import type`).
 */
export { ClashAggregator } from "./aggregator.ts";
export type { AggregatorOptions, AggregatorStats } from "./aggregator.ts";
export { normalizeClientIp } from "./client_ip.ts";
export { ClashMonitor, ONLINE_WINDOW_SEC } from "./monitor.ts";
export type { ClashEvent, ClashMonitorOptions, ClashPersistence } from "./monitor.ts";
export { authHeaders, probeCore } from "./probe.ts";
export type { ProbeResult } from "./probe.ts";
export { MAX_BUFFERED_BYTES, StreamHub } from "./stream_hub.ts";
export type { HubSubscriber } from "./stream_hub.ts";
export * from "./types.ts";
