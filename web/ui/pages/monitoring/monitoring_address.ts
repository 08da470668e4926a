/**
 * The Monitoring page's address: "#/monitoring?start=2026-11-01&end=2026-11-23&granularity=day&client=fd00::20"
 * names the range of the history, the clients table and the client detail, and the client open in detail,
 * so a view can be linked and survives a reload. Dates are local dates of the server zone (lib/range_link.ts).
 */
import type { RangeQuery } from "../../lib/quick_ranges.ts";
import { rangeFromHash } from "../../lib/range_link.ts";

/** What the address names; null where it names nothing (the page's defaults apply). */
export interface MonitoringAddress {
  /** Whole local days: the history API has no part-day spans. */
  readonly range: RangeQuery | null;
  readonly client: string | null;
}

/** The address in a location hash such as "#/monitoring?client=192.168.1.10". */
export function monitoringAddressOf(hash: string): MonitoringAddress {
  const range = rangeFromHash(hash);
  const query = hash.split("?")[1];
  return {
    range: range && { start: range.start, end: range.end, granularity: range.granularity },
    client: query ? new URLSearchParams(query).get("client") || null : null,
  };
}

/** The hash of the Monitoring page showing `address`. */
export function monitoringHash(address: MonitoringAddress): string {
  const params = new URLSearchParams();
  if (address.range) {
    params.set("start", address.range.start);
    params.set("end", address.range.end);
    params.set("granularity", address.range.granularity);
  }
  if (address.client !== null) params.set("client", address.client);
  const query = params.toString();
  return query ? `#/monitoring?${query}` : "#/monitoring";
}
