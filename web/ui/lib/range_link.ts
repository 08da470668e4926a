/**
 * The applied range in the page address, so a view can be bookmarked, shared and reloaded, and each
 * drill-down or zoom is a step of the browser's history:
 *   "#/?start=2026-11-01&end=2026-11-23&granularity=day" (whole local days, inclusive), and for part of a
 *   day "#/?start=2026-11-05&end=2026-11-05&granularity=hour&from=1762311600&to=1762315200" (UTC seconds
 *   of whole local hours, `to` exclusive; only with granularity "hour").
 */
import type { Granularity, RangeQuery } from "./quick_ranges.ts";

const DATE_REGEXP = /^\d{4}-\d{2}-\d{2}$/;
const SECONDS_REGEXP = /^\d{1,12}$/;
const GRANULARITIES: readonly Granularity[] = ["hour", "day", "month"];

/** The range in a location hash, or null when it has none or a malformed one. */
export function rangeFromHash(hash: string): RangeQuery | null {
  const queryAt = hash.indexOf("?");
  if (queryAt < 0) return null;
  const params = new URLSearchParams(hash.slice(queryAt + 1));
  const start = params.get("start") ?? "";
  const end = params.get("end") ?? "";
  const granularity = GRANULARITIES.find((g) => g === params.get("granularity"));
  if (!DATE_REGEXP.test(start) || !DATE_REGEXP.test(end) || !granularity || start > end) return null;
  const from = params.get("from");
  const to = params.get("to");
  if (from === null && to === null) return { start, end, granularity };
  if (!SECONDS_REGEXP.test(from ?? "") || !SECONDS_REGEXP.test(to ?? "") || granularity !== "hour") {
    return null;
  }
  const hours = { fromSec: Number(from), toSec: Number(to) };
  return hours.fromSec < hours.toSec ? { start, end, granularity, hours } : null;
}

/** The hash of the route `path` (the dashboard's "/" or "/devices") showing `query`. */
export function rangeHash(query: RangeQuery, path = "/"): string {
  const params = new URLSearchParams({ start: query.start, end: query.end, granularity: query.granularity });
  if (query.hours) {
    params.set("from", String(query.hours.fromSec));
    params.set("to", String(query.hours.toSec));
  }
  return `#${path}?${params}`;
}
