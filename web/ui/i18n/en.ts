/**
 * English strings: the reference set. Every other language must define exactly these keys (the type
 * checker enforces it). `{name}` marks a value filled in by `t()`. Pages add their keys here, grouped by page.
 */
export const EN = {
  app_title: "netledger",
  app_tagline: "public internet traffic",
  nav_dashboard: "Dashboard",
  nav_monitoring: "Monitoring",
  time_zone: "Time zone",
  language: "Language",
  theme: "Theme",
  theme_system: "System theme",
  theme_light: "Light theme",
  theme_dark: "Dark theme",
  live_speed: "Live speed",
  upload: "Upload",
  download: "Download",
  total: "Total",
  loading: "Loading…",
  load_failed: "Could not load data: {message}",
  incomplete: "incomplete: {count} packets dropped",
  // Status strip
  status_capture: "Capture problem ({state}): {message}",
  status_drops: "The kernel dropped {count} packets this hour: marked hours are incomplete",
  status_server: "Server status: {status}",
  status_unreachable: "The server is unreachable: {message}",
  // Cards
  card_today: "Today",
  card_month: "This month",
  card_year: "This year",
  card_today_up: "Today upload",
  card_today_down: "Today download",
  // Range query
  range_title: "Custom range",
  range_start: "Start",
  range_end: "End",
  range_granularity: "Granularity",
  granularity_hour: "Hour",
  granularity_day: "Day",
  granularity_month: "Month",
  range_query: "Query",
  range_csv: "Download CSV",
  range_bad_order: "The start date is after the end date",
  range_chart: "Traffic from {start} to {end}",
  quick_today: "Today",
  quick_yesterday: "Yesterday",
  quick_last_7_days: "Last 7 days",
  quick_last_30_days: "Last 30 days",
  quick_this_month: "This month",
  quick_last_month: "Last month",
  quick_this_year: "This year",
  // History charts
  chart_time: "Time",
  chart_30_days: "Last 30 days",
  chart_12_months: "Last 12 months",
  chart_today_hours: "Today, by hour",
  // Top remote IPs
  top_ips_title: "Top remote IPs",
  top_ips_range: "{start} – {end}",
  top_ips_empty: "No public traffic in this range",
  top_ips_rank: "Rank",
  top_ips_ip: "Remote IP",
  top_ips_bytes: "Traffic",
  top_ips_share: "Share",
  // Monitoring page
  monitoring_title: "Proxy clients",
  monitoring_placeholder: "The proxy-client page arrives with the Clash integration.",
} as const;

/** Name of one translatable string. */
export type MessageKey = keyof typeof EN;

/** A complete language: one string per key. */
export type Messages = { readonly [K in MessageKey]: string };
