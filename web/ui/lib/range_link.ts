/**
 * The applied range in the page address ("#/?start=2026-11-01&end=2026-11-23&granularity=day"), so a view can
 * be bookmarked, shared and reloaded.
 */
import type { Granularity, RangeQuery } from "./quick_ranges.ts";

const DATE_REGEXP = /^\d{4}-\d{2}-\d{2}$/;
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
  return { start, end, granularity };
}

/** The hash of the dashboard route showing `query`. */
export function rangeHash(query: RangeQuery): string {
  const params = new URLSearchParams({ start: query.start, end: query.end, granularity: query.granularity });
  return `#/?${params}`;
}
