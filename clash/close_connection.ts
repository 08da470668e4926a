/**
 * Closes one connection through the core's `DELETE /connections/{id}` (docs/clash-accounting.md §1.1; mihomo's
 * hub/route/connections.go does the same): the one control action netledger takes on the core. Both cores
 * answer 204 whether or not the id matched anything, so the caller checks the id against the latest snapshot
 * first; the connection then leaves the next snapshot.
 */
import { authHeaders, PROBE_TIMEOUT_MS } from "./probe.ts";
import { redactUrl } from "./redact_url.ts";

/** What the core did with a close request. */
export type CloseResult =
  | { readonly kind: "closed" }
  | { readonly kind: "not_found"; readonly message: string }
  | { readonly kind: "failed"; readonly message: string };

/** Asks the core at `apiUrl` (no trailing slash) to close connection `id`. Never throws. */
export async function closeConnection(apiUrl: string, secret: string, id: string): Promise<CloseResult> {
  const shownUrl = redactUrl(apiUrl);
  let response: Response;
  try {
    response = await fetch(`${apiUrl}/connections/${encodeURIComponent(id)}`, {
      method: "DELETE",
      headers: authHeaders(secret),
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
  } catch (e) {
    return {
      kind: "failed",
      message: `Cannot reach the Clash API at "${shownUrl}" to close connection "${id}": ${
        (e as Error).message
      }`,
    };
  }
  const body = await response.text().catch((e: Error) => `(body unreadable: ${e.message})`);
  if (response.ok) return { kind: "closed" };
  if (response.status === 404) {
    return { kind: "not_found", message: `The Clash API at "${shownUrl}" knows no connection "${id}"` };
  }
  const reason = response.status === 401
    ? "refused the secret (401): set CLASH_SECRET to the core's secret"
    : `answered ${response.status} "${body.slice(0, 80)}"`;
  return {
    kind: "failed",
    message: `Cannot close connection "${id}": the Clash API at "${shownUrl}" ${reason}`,
  };
}
