/**
 * Request parameters of the Monitoring API: the local date range, client IPs and connection ids (a name body
 * is name_body.ts's). Each parser returns a checked value or throws BadParamError naming the parameter (→ 400).
 */
import type { Context } from "hono";
import { parseIp } from "../../capture/mod.ts";
import { normalizeClientIp } from "../../clash/mod.ts";
import { BadParamError, parseDate } from "./params.ts";

/** A connection id as both cores write it: a v4 UUID in lowercase canonical form (docs/clash-accounting.md §1.5). */
const CONNECTION_ID_REGEXP = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The local dates `start`..`end` (inclusive): `end` defaults to `today`, `start` to `end`. */
export function parseDateRange(c: Context, today: string): { start: string; end: string } {
  const end = parseDate(c.req.query("end"), "end", today);
  const start = parseDate(c.req.query("start"), "start", end);
  return { start, end };
}

/** The optional `client` query parameter as a checked client IP, or null when absent or empty. */
export function optionalClientIp(c: Context): string | null {
  const value = c.req.query("client");
  return value ? parseClientIp(value, "client") : null;
}

/**
 * A client IP parameter normalised as the monitor keys clients (P6), after checking that it is one IPv4 or
 * IPv6 address (`1.2.3.4.5.6` is not).
 */
export function parseClientIp(value: string, parameter: string): string {
  const ip = normalizeClientIp(value);
  try {
    parseIp(ip);
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    throw new BadParamError(parameter, value, "an IPv4 or IPv6 address such as 192.168.1.10 or fd00::10");
  }
  return ip;
}

/** The `id` path parameter of DELETE …/connections/:id, exactly as the core lists it. */
export function parseConnectionId(value: string): string {
  if (CONNECTION_ID_REGEXP.test(value)) return value;
  throw new BadParamError("id", value, "a connection id as the core lists it, a lowercase UUID");
}
