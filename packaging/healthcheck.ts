/**
 * `netledger --healthcheck`: asks the running instance's /api/health and turns the answer into an exit code,
 * so Docker's HEALTHCHECK works on a slim image without curl. /api/health stays open when auth is on.
 */

/** How long the probe waits for an answer. */
const HEALTHCHECK_TIMEOUT_MS = 5_000;

/** The /api/health URL of an instance listening on `bindAddress:webPort`, reached from the same host. */
export function healthUrl(bindAddress: string, webPort: number): string {
  const address = bindAddress.trim().replace(/^\[(.*)\]$/, "$1");
  if (address === "" || address === "0.0.0.0") return `http://127.0.0.1:${webPort}/api/health`;
  if (address === "::") return `http://[::1]:${webPort}/api/health`;
  const host = address.includes(":") ? `[${address}]` : address;
  return `http://${host}:${webPort}/api/health`;
}

/**
 * Probes the instance once: 0 when it answers 2xx, else 1 after printing one line that says what failed.
 * `log` defaults to console.error.
 */
export async function runHealthcheck(
  options: { bindAddress: string; webPort: number; log?: (line: string) => void },
): Promise<number> {
  const log = options.log ?? ((line: string) => console.error(line));
  const url = healthUrl(options.bindAddress, options.webPort);
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(HEALTHCHECK_TIMEOUT_MS) });
    const body = await response.text();
    if (response.ok) return 0;
    log(`Health check of ${url} failed: HTTP ${response.status} ${body.slice(0, 200)}`);
    return 1;
  } catch (e) {
    if (!(e instanceof TypeError || (e instanceof DOMException && e.name === "TimeoutError"))) throw e;
    log(`Health check of ${url} failed: ${e.message}`);
    return 1;
  }
}
