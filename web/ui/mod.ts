/**
 * web/ui/: the dashboard, browser only (Preact, signals, uPlot), bundled from main.tsx by web/build.ts; it
 * reaches the server only through /api/*.
 *
 * Import rule: web/ui/ imports only web/ui/, web/api_types.ts, web/monitoring_api_types.ts and
 * web/format_bytes.ts. No server file imports it; the browser tests import it through this file, for the
 * texts they look for on the page.
 */
export { EN } from "./i18n/en.ts";
export { RU } from "./i18n/ru.ts";
export { ZH_CN } from "./i18n/zh_cn.ts";
