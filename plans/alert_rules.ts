/** Which alert thresholds of a plan a period's figures have crossed (issue 16 item 3). Pure. */
import type { AlertThreshold } from "./plan_spec.ts";

/** The figures a threshold is checked against. */
export interface AlertFigures {
  readonly quotaBytes: number | null;
  readonly usedBytes: number;
  readonly forecastBytes: number;
}

/**
 * The thresholds crossed by `figures`: "N%" once used ≥ N% of the quota, "forecast" while the forecast is
 * above the quota. A plan without a quota crosses none. Each fires once per period: the store keeps which
 * already did.
 */
export function crossedThresholds(
  thresholds: readonly AlertThreshold[],
  figures: AlertFigures,
): AlertThreshold[] {
  const quota = figures.quotaBytes;
  if (quota === null) return [];
  return thresholds.filter((t) =>
    t.kind === "forecast" ? figures.forecastBytes > quota : figures.usedBytes * 100 >= quota * t.percent
  );
}
