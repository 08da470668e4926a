/** Conversions from store/'s device rows to the Devices API's JSON (web/api_types.ts) and CSV. */
import type { DevicesOfSpan, DeviceUsage } from "../../store/mod.ts";
import type { DeviceJson } from "../api_types.ts";

/** A device counts as online when its traffic was last counted this recently (capture reports each minute). */
export const DEVICE_ONLINE_SEC = 300;
/** Most addresses a device lists in /api/devices; /api/devices/:id lists them all. */
export const MAX_LISTED_IPS = 16;

/** One device's JSON at UTC second `nowSec`. */
export function deviceUsageJson(d: DeviceUsage, nowSec: number): DeviceJson {
  return {
    id: d.id,
    key: d.key,
    mac: d.mac,
    vendor: null,
    name: d.name,
    name_source: d.nameSource,
    ips: d.ips.slice(0, MAX_LISTED_IPS).map((i) => i.ip),
    up_bytes: d.upBytes,
    down_bytes: d.downBytes,
    total_bytes: d.upBytes + d.downBytes,
    first_seen: d.firstSeenSec,
    last_seen: d.lastSeenSec,
    online: d.lastSeenSec !== null && nowSec - d.lastSeenSec <= DEVICE_ONLINE_SEC,
    is_randomized_mac: d.isLocallyAdministered,
    is_probably_router: d.isProbablyRouter,
  };
}

/**
 * The devices as CSV (RFC 4180, CRLF): a header row, one row per device, then the `other` row, so the
 * byte columns sum to the range's total. Addresses are separated by spaces within their field.
 */
export function devicesCsv(span: DevicesOfSpan, nowSec: number): string {
  const lines = ["id,mac,name,name_source,ips,up_bytes,down_bytes,total_bytes,first_seen,last_seen,online"];
  for (const d of span.devices) {
    const j = deviceUsageJson(d, nowSec);
    lines.push(
      [
        j.id ?? "",
        j.mac ?? "",
        csvField(j.name ?? ""),
        j.name_source ?? "",
        j.ips.join(" "),
        j.up_bytes,
        j.down_bytes,
        j.total_bytes,
        j.first_seen ?? "",
        j.last_seen ?? "",
        j.online,
      ].join(","),
    );
  }
  const { upBytes, downBytes } = span.other;
  lines.push(`0,,other,,,${upBytes},${downBytes},${upBytes + downBytes},,,false`);
  return lines.join("\r\n") + "\r\n";
}

/**
 * A user-given text as one CSV field: quoted when it holds a comma, quote or line break (RFC 4180), and
 * prefixed with ' when a spreadsheet would run it as a formula (=, +, -, @).
 */
function csvField(text: string): string {
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
