/**
 * CLASH_API_URL may carry credentials for a proxy in front of the controller (`http://user:pass@host:9090`;
 * fetch sends them as Basic auth). Every log line, status message and API answer shows the URL through
 * redactUrl, so the password never leaves the process (issue 12 finding 7).
 */

/**
 * `url` with its userinfo replaced by "***" (`http://***@host:9090`); unchanged when it has none. Text that does
 * not parse as a URL loses everything up to the last "@" before the host, to be safe.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === "" && parsed.password === "") return url;
    return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, "$1***@");
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    return url.replace(/^([^/?#]*\/\/)?[^/?#]*@/, "$1***@");
  }
}
