/**
 * JSON shapes of the traffic API, shared by web/api (which produces them) and web/ui (which reads them).
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
}

/** A local hour: "YYYY-MM-DD HH:00" (repeated on the day a DST change repeats an hour). */
export interface HourPointJson extends PeriodBytesJson {
  readonly hour: string;
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

/** GET /api/query?start=&end=&granularity=: zero-filled series over the local dates start..end. */
export interface QueryJson {
  readonly summary: TrafficAmountJson;
  readonly series: readonly SeriesPointJson[];
}

/** GET /api/history/30days: the last 30 local days, today included, zero-filled. */
export interface DaysJson {
  readonly days: readonly DayPointJson[];
}

/** GET /api/history/12months: the last 12 local months, this one included, zero-filled. */
export interface MonthsJson {
  readonly months: readonly MonthPointJson[];
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
