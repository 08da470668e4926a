/**
 * The dashboard's only way to the server: typed GETs of `/api/*`. Traffic shapes come from web/api_types.ts.
 */

export type {
  DateRangeJson,
  DayPointJson,
  DaysJson,
  HourPointJson,
  MonthPointJson,
  MonthsJson,
  QueryJson,
  RealtimeJson,
  SeriesPointJson,
  SummaryJson,
  TodayHoursJson,
  TopIpJson,
  TopIpsJson,
  TrafficAmountJson,
} from "../api_types.ts";

/**
 * GET /api/health (served by web/api/app.ts): the fields the dashboard reads. `capture` is absent or null
 * when this process does not capture.
 */
export interface HealthJson {
  readonly status: string;
  readonly ts: string;
  readonly time_zone: string;
  /** One line per unhealthy part ("capture: …", "store: …"), in the server's words. */
  readonly problems?: readonly string[];
  readonly capture?: {
    readonly state: string;
    readonly message: string | null;
    readonly kernel_drops: number;
  } | null;
}

/** A failed API call: the path, the HTTP status (0 when the server was unreachable) and the server's error. */
export class ApiError extends Error {
  constructor(readonly path: string, readonly status: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ApiError";
  }
}

/** GETs `path` and parses its JSON; throws ApiError with the server's `{"error"}` text on failure. */
export async function getJson<T>(path: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { headers: { accept: "application/json" } });
  } catch (e) {
    throw new ApiError(path, 0, `Cannot reach the server for "${path}"`, { cause: e });
  }
  if (!response.ok) {
    const body = await response.json().catch(() => null) as { error?: unknown } | null;
    const detail = typeof body?.error === "string" ? body.error : response.statusText;
    throw new ApiError(path, response.status, `${detail} (HTTP ${response.status})`);
  }
  return await response.json() as T;
}

/** Query string from defined values, e.g. `?start=2026-01-01&end=2026-01-31`. */
export function queryString(params: Readonly<Record<string, string | number | undefined>>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}
