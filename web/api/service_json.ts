/** Conversions from store/ service rows to GET /api/services' JSON (web/api_types.ts ServicesJson) and CSV. */
import { displayHostName } from "../../sniff/mod.ts";
import type { ServicesOfSpan, ServiceSums } from "../../store/mod.ts";
import type { ServicePartJson, ServicesJson } from "../api_types.ts";
import { amountJson } from "./traffic_json.ts";

/** Host names listed under each service. */
export const HOSTS_PER_SERVICE = 10;

function partJson(s: ServiceSums): ServicePartJson {
  return { ...amountJson(s), up_packets: s.upPackets, down_packets: s.downPackets };
}

/** The services of a span; host names Unicode-decoded for display (xn-- labels). */
export function servicesJson(span: ServicesOfSpan, namesEnabled: boolean): ServicesJson {
  const totalBytes = span.total.upBytes + span.total.downBytes;
  return {
    services: span.services.map((s) => ({
      ...partJson(s),
      name: displayHostName(s.name),
      share: totalBytes === 0 ? 0 : (s.upBytes + s.downBytes) / totalBytes,
      hosts: s.hosts.map((h) => ({ name: displayHostName(h.name), total_bytes: h.totalBytes })),
    })),
    unknown: partJson(span.unknown),
    other: partJson(span.other),
    total: partJson(span.total),
    names_enabled: namesEnabled,
  };
}

/** CSV: one row per service, then `(unknown)` and `(other)`; names quoted when they need it. */
export function servicesCsv(span: ServicesOfSpan): string {
  const lines = ["service,up_bytes,down_bytes,total_bytes,up_packets,down_packets"];
  const row = (name: string, s: ServiceSums) =>
    lines.push(
      [csvField(name), s.upBytes, s.downBytes, s.upBytes + s.downBytes, s.upPackets, s.downPackets].join(","),
    );
  for (const s of span.services) row(displayHostName(s.name), s);
  row("(unknown)", span.unknown);
  row("(other)", span.other);
  return lines.join("\n") + "\n";
}

/** A CSV field: quoted when it holds a comma, quote or line break; a leading =, +, - or @ is defused. */
function csvField(text: string): string {
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
