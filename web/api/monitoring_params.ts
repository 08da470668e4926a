/**
 * Request parameters of the Monitoring API: the local date range, client IPs and the client-name body. Each
 * parser returns a checked value or throws BadParamError naming the parameter (→ 400).
 */
import type { Context } from "hono";
import { normalizeClientIp } from "../../clash/mod.ts";
import { MAX_CLIENT_NAME_CHARS } from "../../store/mod.ts";
import { BadParamError, parseDate } from "./params.ts";

const IP_TEXT_REGEXP = /^[0-9a-f.:]{2,45}$/;

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

/** Normalises and checks a client IP parameter (text only, IPv4 or IPv6, P6). */
export function parseClientIp(value: string, parameter: string): string {
  const ip = normalizeClientIp(value);
  if (!IP_TEXT_REGEXP.test(ip) || !(ip.includes(".") || ip.includes(":"))) {
    throw new BadParamError(parameter, value, "an IPv4 or IPv6 address such as 192.168.1.10 or fd00::10");
  }
  return ip;
}

/** The body `{"name": "..."}` of PUT …/clients/:ip/name: a trimmed name, or null (absent, null or blank). */
export function parseClientName(body: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    throw new BadParamError("body", body.slice(0, 40), 'JSON {"name": "..."}');
  }
  const name = (parsed as { name?: unknown } | null)?.name;
  if (name === null || name === undefined) return null;
  if (typeof name !== "string" || name.trim().length > MAX_CLIENT_NAME_CHARS) {
    throw new BadParamError(
      "name",
      String(name),
      `a text of at most ${MAX_CLIENT_NAME_CHARS} characters, or null`,
    );
  }
  return name.trim() === "" ? null : name.trim();
}
