/** Human-readable byte counts as the replaced tool printed them. */

const UNITS = ["B", "KB", "MB", "GB", "TB", "PB"] as const;

/**
 * Formats a byte count with 1024-based units and two decimals: 5368709120 → "5.00 GB", 512 → "512.00 B".
 * Counts beyond 1024 PB stay in PB.
 */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(2)} ${UNITS[unit]}`;
}
