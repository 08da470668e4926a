import assert from "node:assert/strict";
import { formatBytes } from "./format_bytes.ts";

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
  ];
  for (const [bytes, text] of table) assert.equal(formatBytes(bytes), text, String(bytes));
});
