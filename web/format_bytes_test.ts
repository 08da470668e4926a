import assert from "node:assert/strict";
import fc from "fast-check";
import { formatAxisBytes, formatBytes, formatExactBytes, formatRate } from "./format_bytes.ts";

Deno.test("formatBytes() uses 1024-based units with two decimals", () => {
  const table: [number, string][] = [
    [0, "0.00 B"],
    [512, "512.00 B"],
    [1023, "1023.00 B"],
    [1024, "1.00 KB"],
    [1536, "1.50 KB"],
    [5 * 1024 ** 3, "5.00 GB"],
    [5368709120, "5.00 GB"],
    [1024 ** 4 * 3.25, "3.25 TB"],
    [1024 ** 6, "1024.00 PB"],
    [-1536, "-1.50 KB"],
  ];
  for (const [bytes, text] of table) assert.equal(formatBytes(bytes), text, String(bytes));
});

/** The API's formatter before the UI and API shared one (scripts of the replaced tool parse its text). */
function apiFormatBefore(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB", "PB"];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(2)} ${units[unit]}`;
}

Deno.test("formatBytes() gives the API's *_fmt text byte for byte for any count", () => {
  const seed = Date.now();
  const counts = fc.oneof(
    fc.nat({ max: Number.MAX_SAFE_INTEGER }),
    fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
    fc.constantFrom(0, 1023, 1024, 1048575, 1048576, 1024 ** 5 - 1, 1024 ** 6, 2 ** 53 - 1),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
  );
  fc.assert(fc.property(counts, (bytes) => formatBytes(bytes) === apiFormatBefore(bytes)), {
    seed,
    numRuns: 5000,
    examples: [[0], [-0], [1023.995], [1024 * 1023.999]],
  });
});

Deno.test("formatRate(), formatExactBytes() and formatAxisBytes() format for the dashboard", () => {
  assert.equal(formatRate(1536), "1.50 KB/s");
  assert.equal(formatExactBytes(1320702443, "en"), "1,320,702,443 B");
  assert.equal(formatExactBytes(1320702443, "ru"), "1\u00a0320\u00a0702\u00a0443 B");
  const axis: [number, string][] = [
    [0, "0 B"],
    [1000, "1000 B"],
    [1536, "1.5 KB"],
    [15 * 1024 ** 2, "15 MB"],
    [320 * 1024 ** 2, "320 MB"],
    [1.5 * 1024 ** 3, "1.5 GB"],
    [-2 * 1024, "-2 KB"],
  ];
  for (const [bytes, text] of axis) assert.equal(formatAxisBytes(bytes), text, String(bytes));
});
