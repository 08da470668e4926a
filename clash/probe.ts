/**
 * Tells apart the four states of a Clash API by one authenticated `GET /version` and `GET /`
 * (docs/clash-accounting.md §1.2, P12): a WebSocket handshake cannot show a 401, so this probe is what names
 * a wrong secret.
 */
import { redactUrl } from "./redact_url.ts";
import type { ClashCore, ClashState } from "./types.ts";

/** What a probe found. */
export interface ProbeResult {
  readonly state: Exclude<ClashState, "not_configured" | "connecting">;
  readonly message: string;
  readonly core: ClashCore | null;
  readonly version: string | null;
}

/** How long a probe waits for the core; `/version` answers at once on a live core. */
export const PROBE_TIMEOUT_MS = 5000;

/** The `Authorization` header the cores expect: exactly `Bearer <secret>`, or none without a secret. */
export function authHeaders(secret: string): Record<string, string> {
  return secret === "" ? {} : { Authorization: `Bearer ${secret}` };
}

/** Probes the core at `apiUrl` (no trailing slash). Never throws. */
export async function probeCore(apiUrl: string, secret: string): Promise<ProbeResult> {
  const shownUrl = redactUrl(apiUrl);
  let response: Response;
  try {
    response = await fetch(`${apiUrl}/version`, {
      headers: authHeaders(secret),
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
  } catch (e) {
    return {
      state: "unreachable",
      message:
        `Cannot reach the Clash API at "${shownUrl}": ${(e as Error).message}: check CLASH_API_URL and ` +
        "that the core's external_controller listens there",
      core: null,
      version: null,
    };
  }
  const body = await response.text().catch((e: Error) => `(body unreadable: ${e.message})`);
  if (response.status === 401) {
    return {
      state: "unauthorized",
      message: `Clash API at "${shownUrl}" refused the secret (401): set CLASH_SECRET to the core's secret`,
      core: null,
      version: null,
    };
  }
  const version = response.ok ? parseVersion(body) : null;
  if (version === null) {
    return {
      state: "incompatible",
      message: `Clash API at "${shownUrl}" answered GET /version with ${response.status} ` +
        `"${body.slice(0, 80)}", not {"version":…}: is this a sing-box or mihomo external_controller?`,
      core: null,
      version: null,
    };
  }
  return {
    state: "connected",
    message: `Connected to ${version}`,
    core: await detectCore(apiUrl, secret, version),
    version,
  };
}

function parseVersion(body: string): string | null {
  try {
    const v = (JSON.parse(body) as { version?: unknown } | null)?.version;
    return typeof v === "string" && v !== "" ? v : null;
  } catch (e) {
    if (e instanceof SyntaxError) return null;
    throw e;
  }
}

async function detectCore(apiUrl: string, secret: string, version: string): Promise<ClashCore> {
  if (version.startsWith("sing-box")) return "sing-box";
  try {
    // With external_ui set, only a JSON Content-Type gets the hello instead of a redirect (§1.1).
    const response = await fetch(`${apiUrl}/`, {
      headers: { ...authHeaders(secret), "Content-Type": "application/json" },
      redirect: "manual",
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    const hello = (await response.json() as { hello?: unknown } | null)?.hello;
    return hello === "mihomo" ? "mihomo" : "clash";
  } catch (e) {
    // The hello only names the core for display; counting works the same without it.
    if (e instanceof SyntaxError || e instanceof TypeError || (e as Error).name === "TimeoutError") {
      return "clash";
    }
    throw e;
  }
}
