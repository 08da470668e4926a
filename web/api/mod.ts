/**
 * web/api/: the Hono app: one route table, parameter parsing, the JSON shapes of web/api_types.ts, auth,
 * metrics and the embedded dashboard. It reads through store/ queries and the status getters main.ts hands
 * in; no SQL.
 *
 * Import rule: web/api/ imports capture/, clash/ and store/ through their mod.ts, the generated web/dist/ and
 * the shared web/*.ts contracts; never ffi/ or web/ui/. Others import web/api/ through this file.
 */
export { createApp } from "./app.ts";
export { neighbourMacs } from "./client_devices.ts";
export { forwardConnectionHosts } from "./connection_hosts.ts";
export { createAuth, exposureWarning, SESSION_COOKIE } from "./auth.ts";
export { HEADER_TIMEOUT_MS, serveWithHeaderTimeout } from "./header_timeout_server.ts";
export { renderMetrics } from "./metrics.ts";
export { buildMetricsSnapshot } from "./metrics_snapshot.ts";
