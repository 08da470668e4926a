/**
 * JSON shapes of the traffic, health, debug and session API, shared by web/api (which produces them) and web/ui
 * (which reads them); the Monitoring API's are in web/monitoring_api_types.ts.
 * Type-only: no runtime code. Field names are the replaced tool's snake_case, kept so existing curl scripts
 * and Grafana panels keep working; fields marked "added" are new and ignored by old scripts.
 */

/** Bytes of a span, raw and formatted 1024-based ("5.00 GB"). */
export interface TrafficAmountJson {
  readonly up_bytes: number;
  readonly down_bytes: number;
  readonly total_bytes: number;
  readonly up_fmt: string;
  readonly down_fmt: string;
  readonly total_fmt: string;
}

/** GET /api/summary: local today, this month and this year. */
export interface SummaryJson {
  readonly today: TrafficAmountJson;
  readonly month: TrafficAmountJson;
  readonly year: TrafficAmountJson;
}

/** Bytes of one period of a series. */
export interface PeriodBytesJson {
  readonly up_bytes: number;
  readonly down_bytes: number;
  readonly total_bytes: number;
  /** Added: packets the kernel dropped in the period; above 0 means the period's counts are incomplete. */
  readonly dropped_packets: number;
  /** Added: public packets counted in the period (up + down), the base of the dropped packets' share. */
  readonly packets: number;
}

/** A local hour: "YYYY-MM-DD HH:00" (repeated on the day a DST change repeats an hour). */
export interface HourPointJson extends PeriodBytesJson {
  readonly hour: string;
  /** The same hour as the replaced tool's `hour_ts`: "YYYY-MM-DD HH:00:00" (issue 17). */
  readonly hour_ts: string;
}

/** A local day: "YYYY-MM-DD". */
export interface DayPointJson extends PeriodBytesJson {
  readonly day: string;
}

/** A local month: "YYYY-MM". */
export interface MonthPointJson extends PeriodBytesJson {
  readonly month: string;
}

/** One point of a series; its label key is the granularity. */
export type SeriesPointJson = HourPointJson | DayPointJson | MonthPointJson;

/** Added (issue 17): imported interface bytes of one local period (label as the series' hour, day or month). */
export interface InterfaceTotalsPointJson {
  readonly label: string;
  /** Sent by the interface. */
  readonly up_bytes: number;
  /** Received by the interface. */
  readonly down_bytes: number;
  readonly total_bytes: number;
}

/**
 * Added (issue 17): totals imported from vnStat (`--import-vnstat`) for the same periods. They are whole
 * interface totals, LAN traffic included, so they are kept apart from the counted series and never summed
 * with it. Present only when imported totals overlap the range.
 */
export interface InterfaceTotalsJson {
  readonly source: "imported_interface_totals";
  readonly interfaces: readonly string[];
  readonly series: readonly InterfaceTotalsPointJson[];
}

/** GET /api/query?start=&end=&granularity=: zero-filled series over the local dates start..end. */
export interface QueryJson {
  readonly summary: TrafficAmountJson;
  readonly series: readonly SeriesPointJson[];
  /** Added (issue 17): see InterfaceTotalsJson; absent for a device's series. */
  readonly interface_totals?: InterfaceTotalsJson;
}

/** GET /api/history/30days: the last 30 local days, today included, zero-filled. */
export interface DaysJson {
  readonly days: readonly DayPointJson[];
  /** Added (issue 17): see InterfaceTotalsJson. */
  readonly interface_totals?: InterfaceTotalsJson;
}

/** GET /api/history/12months: the last 12 local months, this one included, zero-filled. */
export interface MonthsJson {
  readonly months: readonly MonthPointJson[];
  /** Added (issue 17): see InterfaceTotalsJson. */
  readonly interface_totals?: InterfaceTotalsJson;
}

/** GET /api/history/today_hours: the local hours of today that have traffic. */
export interface TodayHoursJson {
  readonly hours: readonly HourPointJson[];
}

/** GET /api/date_range: local dates of the oldest and newest traffic; null before anything was counted. */
export interface DateRangeJson {
  readonly min: string | null;
  readonly max: string | null;
}

/** One remote address of GET /api/top_ips. */
export interface TopIpJson {
  readonly ip: string;
  readonly bytes: number;
  readonly bytes_fmt: string;
  /** Added. */
  readonly up_bytes: number;
  /** Added. */
  readonly down_bytes: number;
  /**
   * Added (issue 15): the host name last seen for this address in the range (DNS answer, TLS or QUIC SNI,
   * HTTP Host, Clash host), Unicode-decoded for display; absent when none was seen or SERVICE_NAMES=off.
   * Escape it where it is shown.
   */
  readonly hostname?: string;
}

/** GET /api/top_ips?start=&end=&limit=: heaviest remote addresses first. */
export interface TopIpsJson {
  readonly top_ips: readonly TopIpJson[];
  /** Added: bytes of addresses folded into one remainder under an address scan (not in top_ips). */
  readonly other_bytes: number;
}

/** One second of public traffic: bytes up and down in that second. */
export interface RealtimeSampleJson {
  readonly ts: number;
  readonly up: number;
  readonly down: number;
}

/** GET /api/realtime: the last 30 one-second samples and the current rates. */
export interface RealtimeJson {
  readonly samples: readonly RealtimeSampleJson[];
  readonly current_up_bps: number;
  readonly current_down_bps: number;
  readonly current_up_Bps: number;
  readonly current_down_Bps: number;
}

/** Body of every 4xx/5xx answer of the API. */
export interface ErrorJson {
  readonly error: string;
}

/** State of the live capture: "capturing" when all is well, the others name what is wrong. */
export type CaptureStateJson =
  | "starting"
  | "capturing"
  | "interface_down"
  | "waiting_for_interface"
  | "no_permission"
  | "failed"
  | "stopped";

/** The live capture and its counters since netledger started. */
export interface CaptureJson {
  readonly state: CaptureStateJson;
  readonly iface: string;
  /** Link type handed to the parser (1 Ethernet, 101 raw IP); null before the first open. */
  readonly link_type: number | null;
  readonly socket_type: "raw" | "dgram" | null;
  /** What is wrong and how to fix it; null while capturing normally. */
  readonly message: string | null;
  readonly kernel_packets: number;
  readonly kernel_drops: number;
  readonly kernel_queue_freezes: number;
  readonly malformed_packets: number;
  readonly counted_packets: number;
  /** UTC seconds of the last batch counted; null before the first. */
  readonly last_batch: number | null;
  readonly opens: number;
}

/** Saving counted traffic to the database. */
export interface StoreStatusJson {
  /** UTC seconds of the last successful save; null before the first. */
  readonly last_saved: number | null;
  readonly pending_remote_rows: number;
  /** Why saving fails now (counts stay in memory); null while saving works. */
  readonly error_kind: "locked" | "full" | "readonly" | "corrupt" | "io" | "unsupported" | "busy" | null;
  readonly error: string | null;
}

/** State of the Clash API connection; "not_configured" while CLASH_API_URL is unset. */
export type ClashStateJson =
  | "not_configured"
  | "connecting"
  | "connected"
  | "unauthorized"
  | "unreachable"
  | "incompatible";

/** The Clash API connection as /api/health and the Monitoring API show it. */
export interface ClashStatusJson {
  readonly state: ClashStateJson;
  /** What is wrong and how to fix it, or which core answers. */
  readonly message: string;
  readonly core: "sing-box" | "mihomo" | "clash" | null;
  readonly version: string | null;
  readonly since: number;
}

/** GET /api/health: "degraded" with one line per unhealthy part in `problems`; always HTTP 200 while serving. */
export interface HealthJson {
  readonly status: "ok" | "degraded";
  /** Server time in TIME_ZONE, ISO 8601 with its offset, e.g. "2026-11-18T16:36:40+05:30". */
  readonly ts: string;
  readonly version: string;
  readonly time_zone: string;
  /** "capture: …", "store: …", "clash: …" in the server's words. */
  readonly problems: readonly string[];
  /** Null when this process does not capture. */
  readonly capture: CaptureJson | null;
  readonly store: StoreStatusJson;
  /** Null while CLASH_API_URL is unset (the dashboard then hides the Monitoring page). */
  readonly clash: ClashStatusJson | null;
}

/**
 * GET /api/health without credentials while auth is on: whether netledger works, without counters, interface,
 * versions or the Clash controller's URL (issue 12 finding 9). `problems` names each unhealthy part and its
 * state only ("capture: failed", "store: full", "clash: unreachable").
 */
export interface HealthPublicJson {
  readonly status: HealthJson["status"];
  readonly ts: string;
  readonly problems: readonly string[];
}

/** GET /api/debug/capture. */
export interface DebugCaptureJson {
  readonly capture: CaptureJson | null;
}

/** GET /api/debug/local_ips: the addresses that count as this host, and the IPv6 LAN filter. */
export interface LocalIpsJson {
  readonly iface: string | null;
  readonly ipv4: readonly string[];
  readonly ipv6: readonly string[];
  readonly total: number;
  readonly ipv6_lan_filter: {
    readonly mode: "auto-gua-/56" | "manual";
    readonly prefixes: readonly string[];
    readonly note: string;
  };
  readonly capture: CaptureJson | null;
  readonly note: string;
}

/** GET /api/session: whether login is required and whether this browser has a session. */
export interface SessionJson {
  readonly auth_enabled: boolean;
  readonly password_login: boolean;
  /** True with a valid session cookie, and always when auth is off. */
  readonly authenticated: boolean;
}

/**
 * One local device in GET /api/devices (issue 14): identified by its MAC, or by its IP on links without MACs
 * (`mac` null). `id` is null until its first rows are saved (at most SAVE_INTERVAL). Times are UTC seconds.
 */
export interface DeviceJson {
  readonly id: number | null;
  /** The MAC, or the IP on links without MACs. */
  readonly key: string;
  readonly mac: string | null;
  /** The IEEE registrant of the MAC; null without a MAC, for a randomised MAC or an unregistered prefix. */
  readonly vendor: string | null;
  /** At most 64 printable characters; escape it where it is shown. */
  readonly name: string | null;
  /**
   * Where the name comes from, highest first: "user" (PUT /api/devices/:id/name), "dhcp" (DHCP_LEASES),
   * "ethers" (/etc/ethers), "hosts" (/etc/hosts); null without a name.
   */
  readonly name_source: string | null;
  /** Local addresses it used in the range, most recently seen first. */
  readonly ips: readonly string[];
  readonly up_bytes: number;
  readonly down_bytes: number;
  readonly total_bytes: number;
  readonly first_seen: number | null;
  readonly last_seen: number | null;
  /** Counted traffic within the last DEVICE_ONLINE_SEC (5 minutes). */
  readonly online: boolean;
  /** A locally administered MAC: randomised by the device (private Wi-Fi address), not its maker's. */
  readonly is_randomized_mac: boolean;
  /** IPv4 addresses of several subnets behind one MAC: most likely a router behind the box, shown as one. */
  readonly is_probably_router: boolean;
}

/** Traffic no device can be named for: broadcast, multicast and all-zero MACs, floods, older history. */
export interface DeviceOtherJson {
  readonly up_bytes: number;
  readonly down_bytes: number;
  readonly total_bytes: number;
}

/** GET /api/devices?start=&end=: devices plus `other` equal /api/query's summary of the range, byte for byte. */
export interface DevicesJson {
  readonly devices: readonly DeviceJson[];
  readonly other: DeviceOtherJson;
}

/** One address behind a device. */
export interface DeviceIpJson {
  readonly ip: string;
  readonly first_seen: number;
  readonly last_seen: number;
}

/** GET /api/devices/:id?start=&end=&granularity=: the device over the range, in /api/query's shape. */
export interface DeviceDetailJson extends QueryJson {
  readonly device: DeviceJson;
  /** Every address ever seen behind it, most recent first. */
  readonly ips: readonly DeviceIpJson[];
  /** Added (issue 15): the device's services over the range, in GET /api/services?device=ID's shape. */
  readonly services?: ServicesJson;
  /** Added (issue 14 item 3): its heaviest remotes over the range's local days, in /api/top_ips' shape. */
  readonly top_remotes?: readonly TopIpJson[];
  /** Bytes of its other remotes: with top_remotes, the device's total_bytes over those days. */
  readonly top_remotes_other_bytes?: number;
  /** Added (issue 14 item 5): what the Clash core proxied for it over the range; absent without CLASH_API_URL. */
  readonly proxied?: DeviceProxiedJson;
}

/** Bytes of one chain or host that the Clash core proxied for a device. */
export interface DeviceProxiedGroupJson {
  readonly name: string;
  readonly up_bytes: number;
  readonly down_bytes: number;
  readonly total_bytes: number;
  /** Connections first seen in the range. */
  readonly connections: number;
}

/**
 * A device's proxied traffic: the core's bytes of the client IPs that map to it (captured addresses, else the
 * neighbour table), per chain and per host. The core's unattributed bytes belong to no client, so no device.
 */
export interface DeviceProxiedJson {
  readonly client_ips: readonly string[];
  readonly up_bytes: number;
  readonly down_bytes: number;
  readonly total_bytes: number;
  /** Every chain, heaviest first; they sum to total_bytes. */
  readonly chains: readonly DeviceProxiedGroupJson[];
  /** The heaviest hosts (else destination IPs); with hosts_other_bytes they sum to total_bytes. */
  readonly hosts: readonly DeviceProxiedGroupJson[];
  readonly hosts_other_bytes: number;
}

/** PUT /api/devices/:id/name: the name stored (null when cleared). */
export interface DeviceNameJson {
  readonly id: number;
  readonly name: string | null;
}

/* Services (issue 15): bytes per registrable domain ("googlevideo.com"), named from DNS answers, TLS and QUIC
 * SNI, HTTP Host and the Clash core's host. Names are Unicode-decoded for display; escape them where shown. */

/** One full host name under a service, e.g. "rr3---sn-abc.googlevideo.com". */
export interface ServiceHostJson {
  readonly name: string;
  readonly total_bytes: number;
}

/** Bytes of one part of GET /api/services, in TrafficAmountJson's shape plus packets. */
export interface ServicePartJson extends TrafficAmountJson {
  readonly up_packets: number;
  readonly down_packets: number;
}

/** One service: its registrable domain and its heaviest host names (hosts older than SERVICE_RETENTION_DAYS
 *  are rolled up into the domain and no longer listed, so the hosts may sum to less than the service). */
export interface ServiceJson extends ServicePartJson {
  readonly name: string;
  /** Share of the range total, 0..1. */
  readonly share: number;
  readonly hosts: readonly ServiceHostJson[];
}

/**
 * GET /api/services?start=&end=[&device=ID][&limit=]: heaviest services first. services + unknown + other
 * equal the range total (of the device with `device=`) byte for byte.
 */
export interface ServicesJson {
  readonly services: readonly ServiceJson[];
  /** Bytes no name was seen for (no DNS answer, Encrypted ClientHello, DNS over HTTPS, SERVICE_NAMES=off). */
  readonly unknown: ServicePartJson;
  /** Named bytes of services beyond `limit` and of the capture's bounded tables' remainder. */
  readonly other: ServicePartJson;
  /** The range total the parts add up to. */
  readonly total: ServicePartJson;
  /** false when SERVICE_NAMES=off: nothing is named, everything is `unknown`. */
  readonly names_enabled: boolean;
}

/* Plans (issue 16): billing periods, quotas, forecasts and alerts. Dates are local YYYY-MM-DD in TZ. */

/** What a plan counts. */
export type PlanCountsJson = "total" | "upload" | "download";

/** An alert channel; its settings (URLs, tokens, secrets) never appear in the API. */
export type AlertChannelJson = "webhook" | "ntfy" | "telegram";

/** A period of a plan: local dates, `end` inclusive; UTC seconds `start_ts` ≤ t < `end_ts`. */
export interface PlanPeriodJson {
  readonly start: string;
  readonly end: string;
  /** Added: UTC seconds of local midnight starting the period. */
  readonly start_ts: number;
  /** Added: UTC seconds of local midnight after `end` (exclusive). */
  readonly end_ts: number;
  /** Added: local days in the period. */
  readonly days: number;
}

/** One alert threshold of a plan and whether it fired in the current period. */
export interface PlanAlertJson {
  /** "80%", "100%" (a share of the quota, 1..1000) or "forecast" (the forecast exceeds the quota). */
  readonly threshold: string;
  /** UTC seconds when it fired in the current period; null while it has not (each fires once per period). */
  readonly fired_at: number | null;
}

/** One plan in GET /api/plans, with the figures of its current period. */
export interface PlanJson {
  /** A slug of the name: lower-case a-z, 0-9 and "-". */
  readonly id: string;
  readonly name: string;
  readonly counts: PlanCountsJson;
  /** Null: no cap (then remaining_bytes, percent, daily_budget_bytes and quota_reached_on are null). */
  readonly quota_bytes: number | null;
  /** A device id of GET /api/devices: the plan counts only that device; null counts all traffic. */
  readonly device: number | null;
  /** Added: the period in PLAN= syntax: "calendar", "monthly:15", "every:30:2026-01-07", "weekly:mon". */
  readonly period_rule: string;
  /** Added: "env" (from PLAN=, read-only in the API) or "api" (stored in the database, editable). */
  readonly source: "env" | "api";
  readonly period: PlanPeriodJson;
  readonly used_bytes: number;
  /** Added: the two directions of used_bytes' period (whatever the plan counts). */
  readonly up_bytes: number;
  readonly down_bytes: number;
  /** Quota minus used, never below 0. */
  readonly remaining_bytes: number | null;
  /** used ÷ quota × 100 (may pass 100). */
  readonly percent: number | null;
  /** Local days left in the period, today included (1 on its last day). */
  readonly days_left: number;
  /** remaining_bytes ÷ days_left, rounded down. */
  readonly daily_budget_bytes: number | null;
  /** The period's total expected at its end; docs/plans.md says how it is computed. */
  readonly forecast_bytes: number;
  readonly forecast_low_bytes: number;
  readonly forecast_high_bytes: number;
  /** The local date the quota is reached at the forecast rate (today or earlier when already over); null if not in this period. */
  readonly quota_reached_on: string | null;
  /** 95th percentile of the period's 15-minute buckets so far, in bits per second (bytes × 8 ÷ 900). */
  readonly p95_up_bps: number;
  readonly p95_down_bps: number;
  /** Added: the higher of the two, as transit providers bill it. */
  readonly p95_bps: number;
  readonly alerts: readonly PlanAlertJson[];
}

/** GET /api/plans. */
export interface PlansJson {
  readonly plans: readonly PlanJson[];
  /** Added: local today in TZ. */
  readonly today: string;
  /** Added: the alert channels configured on the server (none: alerts are only logged). */
  readonly channels: readonly AlertChannelJson[];
}

/** One period of GET /api/plans/:id/periods. */
export interface PlanPastPeriodJson extends PlanPeriodJson {
  readonly used_bytes: number;
  readonly up_bytes: number;
  readonly down_bytes: number;
  /** The quota that applies now (a plan keeps one quota); null without a cap. */
  readonly quota_bytes: number | null;
  /** used > quota; null without a cap. */
  readonly over: boolean | null;
  /** used − quota: positive over, negative under; null without a cap. */
  readonly over_bytes: number | null;
  readonly p95_up_bps: number;
  readonly p95_down_bps: number;
  readonly p95_bps: number;
  /** The period running now (the last row); its figures are so far. */
  readonly is_current: boolean;
}

/** GET /api/plans/:id/periods?count=12 (1..120): the current period and up to count−1 before it, oldest first. */
export interface PlanPeriodsJson {
  readonly plan: PlanJson;
  readonly periods: readonly PlanPastPeriodJson[];
}

/**
 * Body of POST /api/plans and PUT /api/plans/:id (JSON, 4 KB at most). A bad field is a 400 whose error names
 * it ("period: ..."). PUT may rename: the id stays. Plans from PLAN= cannot be changed (409).
 */
export interface PlanBodyJson {
  readonly name: string;
  /** PLAN= syntax: "calendar", "monthly:DAY" (1–31), "every:N:YYYY-MM-DD", "weekly:mon".."weekly:sun". */
  readonly period: string;
  readonly counts: PlanCountsJson;
  /** "1.2TB" (decimal), "500GiB" (binary), a number of bytes, or null / "none" for no cap. */
  readonly quota: string | number | null;
  /** A device id, or null/absent for all traffic. */
  readonly device?: number | null;
  /** Thresholds ("80%", "100%", "forecast"); absent: ["80%", "100%", "forecast"]; [] for none. */
  readonly alerts?: readonly string[];
}

/** Delivery state: "queued" waits for its first try or a retry (last_error says why), "failed" gave up. */
export type AlertDeliveryStateJson = "queued" | "sent" | "failed";

/** One alert delivery in GET /api/plans/deliveries (one row per alert and channel). Times are UTC seconds. */
export interface AlertDeliveryJson {
  readonly id: number;
  readonly channel: AlertChannelJson;
  readonly plan_id: string;
  readonly plan_name: string;
  readonly threshold: string;
  /** The period the alert fired in (local dates, end inclusive). */
  readonly period_start: string;
  readonly period_end: string;
  /** True for a `netledger --test-alert` sample. */
  readonly is_test: boolean;
  readonly state: AlertDeliveryStateJson;
  readonly attempts: number;
  /** The last failure ("timeout after 10 s", "HTTP 502"); never a secret; null before any failure. */
  readonly last_error: string | null;
  readonly created_at: number;
  readonly last_attempt_at: number | null;
  /** When the next try is due; null once sent or failed. */
  readonly next_attempt_at: number | null;
  readonly sent_at: number | null;
}

/** GET /api/plans/deliveries?limit=100 (1..1000): newest first. */
export interface AlertDeliveriesJson {
  readonly deliveries: readonly AlertDeliveryJson[];
}
