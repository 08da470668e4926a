/**
 * Conversions from store/'s device rows to the Devices API's JSON (web/api_types.ts) and CSV, with the
 * name of each device by its precedence: the user's, else the LAN's files' (names/), else none (then the
 * page shows its MAC and vendor).
 */
import { type FileNameOf, type NamedDevice, vendorOf } from "../../names/mod.ts";
import type { DeviceInfo, DevicesOfSpan, DeviceUsage } from "../../store/mod.ts";
import type { DeviceJson } from "../api_types.ts";

/** The names the LAN's files give devices (names/ NameFiles), as main.ts hands them in. */
export interface FileNameLookup {
  nameOf(device: NamedDevice): FileNameOf | null;
}

/** How deviceUsageJson names a device. */
export interface DeviceNaming {
  /** Null where no files are read (tests, a server without them). */
  readonly fileNames: FileNameLookup | null;
  /** The addresses the files may name it by, most recent first; default: those it used in the span. */
  readonly ips?: readonly string[];
}

/**
 * A device's name and its source: the name a user gave it ("user"), else the files' ("dhcp", "ethers",
 * "hosts"), else null. File names are applied here, when read, never stored: they follow the files.
 */
export function deviceName(
  d: DeviceInfo,
  naming: DeviceNaming & { readonly ips: readonly string[] },
): { readonly name: string | null; readonly source: string | null } {
  if (d.name !== null) return { name: d.name, source: d.nameSource };
  const named = naming.fileNames?.nameOf({ mac: d.mac, ips: naming.ips }) ?? null;
  return named === null ? { name: null, source: null } : { name: named.name, source: named.source };
}

/** A device counts as online when its traffic was last counted this recently (capture reports each minute). */
export const DEVICE_ONLINE_SEC = 300;
/** Most addresses a device lists in /api/devices; /api/devices/:id lists them all. */
export const MAX_LISTED_IPS = 16;

/** One device's JSON at UTC second `nowSec`. */
export function deviceUsageJson(d: DeviceUsage, nowSec: number, naming: DeviceNaming): DeviceJson {
  const { name, source } = deviceName(d, { ...naming, ips: naming.ips ?? d.ips.map((i) => i.ip) });
  return {
    id: d.id,
    key: d.key,
    mac: d.mac,
    vendor: d.mac === null ? null : vendorOf(d.mac),
    name,
    name_source: source,
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
export function devicesCsv(span: DevicesOfSpan, nowSec: number, naming: DeviceNaming): string {
  const lines = ["id,mac,name,name_source,ips,up_bytes,down_bytes,total_bytes,first_seen,last_seen,online"];
  for (const d of span.devices) {
    const j = deviceUsageJson(d, nowSec, naming);
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
