/**
 * The 95th-percentile rate as transit providers bill it: sort the period's samples (here the 15-minute
 * buckets, empty ones as 0), drop the top 5%, and bill the highest left (nearest rank, ceil(0.95 n)).
 */
import { BUCKET_SEC } from "../capture/mod.ts";

/** The 95th percentile of `bucketBytes` (one value per 15-minute bucket, zeros included) in bits per second. */
export function p95Bps(bucketBytes: ArrayLike<number>): number {
  if (bucketBytes.length === 0) return 0;
  const sorted = Float64Array.from(bucketBytes).sort();
  const rank = Math.ceil(0.95 * sorted.length);
  return (sorted[rank - 1] * 8) / BUCKET_SEC;
}
