/**
 * Checks every request and response passes before the routes see it: the Host allow-list against DNS
 * rebinding, the one same-origin check of the login forms and the WebSocket relays, and the one helper for
 * header values built from input (Deno's HTTP server panics, ending the process, on a control character in a
 * response header: issue 12 finding 1).
 */
import type { Context, MiddlewareHandler } from "hono";
import type { ErrorJson } from "../api_types.ts";

/** Which Host values the server answers (Config.allowedHosts and the listen address). */
export interface HostPolicy {
  /** ALLOWED_HOSTS: lowercase names and IP addresses (IPv6 without brackets); null: the default below. */
  readonly allowedHosts: readonly string[] | null;
  /** BIND: the listen address, always accepted. */
  readonly bindAddress: string;
  /** The machine's host name (Deno.hostname()), accepted by the default. */
  readonly machineHostname: string;
}

const HOST_HEADER_REGEXP = /^[a-z0-9.\-_\[\]:%]{1,300}$/i;
const IPV4_REGEXP = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const LONGEST_SHOWN_HOST = 100;

/**
 * The names a Host may carry: localhost and loopback addresses, the listen address, then ALLOWED_HOSTS, or
 * by default any IP address and the machine's name (as given, its first label, and that label + ".local",
 * the mDNS name). A rebinding page reaches the server under the attacker's DNS name, which is none of these;
 * an IP address or an mDNS name cannot be rebound from outside the LAN.
 */
export function isAllowedHost(host: string, policy: HostPolicy): boolean {
  const name = hostName(host);
  if (name === null) return false;
  if (name === "localhost" || isLoopbackIp(name) || name === addressName(policy.bindAddress)) return true;
  if (policy.allowedHosts !== null) {
    return policy.allowedHosts.some((allowed) => addressName(allowed) === name);
  }
  const machine = addressName(policy.machineHostname);
  const label = machine.split(".")[0];
  return isIpLiteral(name) || name === machine || name === label || name === `${label}.local`;
}

/**
 * Middleware that refuses a request whose Host is not allowed (isAllowedHost) with 421 `{"error"}` naming
 * it. A request without Host (HTTP/1.0) passes: browsers always send one. Register it before every route.
 */
export function hostGuard(policy: HostPolicy): MiddlewareHandler {
  return async (c, next) => {
    const host = c.req.header("host");
    if (host === undefined || isAllowedHost(host, policy)) return await next();
    const shown = JSON.stringify(host.slice(0, LONGEST_SHOWN_HOST));
    return c.json<ErrorJson>({
      error: `Refusing requests for Host ${shown}: not this server's address, localhost or a name in ` +
        "ALLOWED_HOSTS; if you reach netledger by this name, add it to ALLOWED_HOSTS",
    }, 421);
  };
}

/**
 * True when the request carries no Origin (curl, scripts, same-origin navigations of old browsers) or an
 * Origin whose host and port are the request's Host, which hostGuard has already checked: so a rebinding
 * page, whose Origin and Host both name the attacker's domain, never gets here. "null" and anything
 * unparsable are foreign. The one check of POST /login, POST /logout and the WebSocket relays (hono/csrf
 * does not fit: it skips GET, so WebSocket upgrades, and refuses scripts that send no Origin).
 */
export function isSameOrigin(c: Context): boolean {
  const origin = c.req.header("origin");
  if (origin === undefined) return true;
  const host = c.req.header("host");
  if (host === undefined) return false;
  let originUrl: URL;
  let hostUrl: URL;
  try {
    originUrl = new URL(origin);
    hostUrl = new URL(`${originUrl.protocol}//${host}`);
  } catch (e) {
    if (e instanceof TypeError) return false; // "null" or garbage: not this page
    throw e;
  }
  return (originUrl.protocol === "http:" || originUrl.protocol === "https:") &&
    originUrl.origin === hostUrl.origin;
}

/**
 * A response header value built from input, made safe to send: every character outside printable ASCII
 * (0x20–0x7E), control characters and TAB included, is percent-encoded as UTF-8. Deno's HTTP server panics on
 * a control character in a header value, and browsers skip a TAB in a Location (an open redirect: finding 2).
 */
export function safeHeaderValue(value: string): string {
  return value.toWellFormed().replace(/[^\x20-\x7e]+/gu, (run) => encodeURIComponent(run));
}

/** Middleware: `X-Content-Type-Options: nosniff` on every answer (JSON, CSV, metrics, pages) but an upgrade. */
export const noSniff: MiddlewareHandler = async (c, next) => {
  await next();
  if (c.res.status !== 101) c.res.headers.set("x-content-type-options", "nosniff");
};

/**
 * The host name of a Host header value: lowercase, without port, brackets or a final dot; null when the
 * value is not a host (a path, userinfo, spaces).
 */
function hostName(host: string): string | null {
  if (!HOST_HEADER_REGEXP.test(host)) return null;
  try {
    return normalizeHostName(new URL(`http://${host}`).hostname);
  } catch (e) {
    if (e instanceof TypeError) return null;
    throw e;
  }
}

/** A configured name or address (BIND, ALLOWED_HOSTS, the machine's name) in the form hostName gives. */
function addressName(text: string): string {
  const bare = normalizeHostName(text);
  return hostName(bare.includes(":") ? `[${bare}]` : bare) ?? bare;
}

function normalizeHostName(name: string): string {
  return name.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1").replace(/\.$/, "");
}

function isIpLiteral(name: string): boolean {
  const v4 = IPV4_REGEXP.exec(name);
  if (v4 !== null) return v4.slice(1).every((part) => Number(part) <= 255);
  return name.includes(":"); // URL parsing already accepted it as an IPv6 address
}

function isLoopbackIp(name: string): boolean {
  return /^127\.\d+\.\d+\.\d+$/.test(name) || name === "::1" || /^::ffff:127\./.test(name) ||
    name === "::ffff:7f00:1";
}
