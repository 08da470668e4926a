/**
 * The dashboard's only way to the server: typed requests to `/api/*`. The JSON shapes come from web/api_types.ts.
 */
import { createLoginRedirect, type LoginRedirect } from "./lib/login_redirect.ts";

export type {
  DateRangeJson,
  DayPointJson,
  DaysJson,
  HealthJson,
  HourPointJson,
  InterfaceTotalsJson,
  LocalIpsJson,
  MonthPointJson,
  MonthsJson,
  QueryJson,
  RealtimeJson,
  SeriesPointJson,
  SessionJson,
  SummaryJson,
  TodayHoursJson,
  TopIpJson,
  TopIpsJson,
  TrafficAmountJson,
} from "../api_types.ts";

/** A failed API call: the path, the HTTP status (0 when the server was unreachable) and the server's error. */
export class ApiError extends Error {
  constructor(readonly path: string, readonly status: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ApiError";
  }
}

/** The page's one login redirect, shared by every API call; made on first use, as tests import this module. */
let loginRedirect: LoginRedirect | null = null;

function pageLoginRedirect(): LoginRedirect {
  return loginRedirect ??= createLoginRedirect(location, sessionStorageOrNull());
}

/** The tab's sessionStorage, or null where the browser blocks storage (the guard then lasts one page). */
function sessionStorageOrNull(): Storage | null {
  try {
    return globalThis.sessionStorage;
  } catch (e) {
    if (!(e instanceof DOMException)) throw e;
    return null;
  }
}

/**
 * Fetches an `/api` path with `init`; throws ApiError when the server is unreachable or answers an error.
 * A 401 also sends the browser to the login page (lib/login_redirect.ts), so every caller gets the same redirect.
 */
export async function fetchApi(path: string, init: RequestInit = {}): Promise<Response> {
  let response: Response;
  try {
    const headers = new Headers(init.headers);
    if (!headers.has("accept")) headers.set("accept", "application/json");
    response = await fetch(path, { ...init, headers });
  } catch (e) {
    throw new ApiError(path, 0, `Cannot reach the server for "${path}"`, { cause: e });
  }
  if (response.ok) {
    pageLoginRedirect().onSuccess(path);
    return response;
  }
  if (response.status === 401) pageLoginRedirect().onUnauthorized();
  const body = await response.json().catch(() => null) as { error?: unknown } | null;
  const detail = typeof body?.error === "string" ? body.error : response.statusText;
  throw new ApiError(path, response.status, `${detail} (HTTP ${response.status})`);
}

/**
 * Ends the login session with POST /logout, then opens the login page. API calls that answer 401 in between
 * stay quiet, so they cannot race the logout to a "/login?next=…" address.
 */
export async function logOut(): Promise<void> {
  pageLoginRedirect().onLeaving();
  try {
    // "manual": the 303 to /login is followed below by the page itself, not fetched twice.
    await fetch("/logout", { method: "POST", redirect: "manual" });
  } catch (e) {
    // Unreachable server: the login page's own load then shows the browser's error, as a form post would.
    if (!(e instanceof TypeError)) throw e;
  }
  location.assign("/login");
}

/** GETs `path` and parses its JSON; throws ApiError with the server's `{"error"}` text on failure. */
export async function getJson<T>(path: string): Promise<T> {
  return await (await fetchApi(path)).json() as T;
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
