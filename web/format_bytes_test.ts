import assert from "node:assert/strict";
import fc from "fast-check";
import { byteUnitOf, formatBytes, formatBytesIn, formatExactBytes, formatRate } from "./format_bytes.ts";

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

Deno.test("formatRate() and formatExactBytes() without a format keep the API's text", () => {
  assert.equal(formatRate(1536), "1.50 KB/s");
  assert.equal(formatExactBytes(1320702443, "en"), "1,320,702,443 B");
  assert.equal(formatExactBytes(1320702443, "ru", "Б"), "1\u00a0320\u00a0702\u00a0443 Б");
});

const SI_EN = { base: 1000, locale: "en" } as const;
const IEC_EN = { base: 1024, locale: "en" } as const;
const SI_RU = {
  base: 1000,
  locale: "ru",
  units: ["Б", "кБ", "МБ", "ГБ", "ТБ", "ПБ"],
  perSecond: "/с",
} as const;

Deno.test("formatBytes() with a format writes SI or IEC units in the locale's digits", () => {
  const table: [number, typeof SI_EN | typeof IEC_EN | typeof SI_RU, string][] = [
    [0, SI_EN, "0 B"],
    [0, SI_RU, "0 Б"],
    [512, SI_EN, "512 B"],
    [999, SI_EN, "999 B"],
    [1000, SI_EN, "1.00 kB"],
    [1000, IEC_EN, "0.98 KiB"],
    [1000 * 1024, IEC_EN, "0.98 MiB"],
    [1024, IEC_EN, "1.00 KiB"],
    [15.6e9, SI_EN, "15.60 GB"],
    [15.6e9, SI_RU, "15,60 ГБ"],
    [1e12 - 1, SI_EN, "1.00 TB"],
    [5 * 1024 ** 3, IEC_EN, "5.00 GiB"],
    [5 * 1024 ** 3, SI_EN, "5.37 GB"],
    [1234.5e15, SI_EN, "1,234.50 PB"],
    [-1536, SI_EN, "-1.54 kB"],
  ];
  for (const [bytes, format, text] of table) {
    assert.equal(formatBytes(bytes, format), text, `${bytes} ${format.locale} ${format.base}`);
  }
  assert.equal(formatBytes(15.6e9, { base: 1000, locale: "zh-CN" }), "15.60 GB");
});

Deno.test("formatRate() with a format ends in the locale's per-second suffix", () => {
  assert.equal(formatRate(0, SI_EN), "0 B/s");
  assert.equal(formatRate(1536, IEC_EN), "1.50 KiB/s");
  assert.equal(formatRate(2.5e6, SI_RU), "2,50 МБ/с");
});

Deno.test("formatBytesIn() writes every value in one unit with one precision", () => {
  assert.deepEqual(
    [1.5e9, 1e9, 0.5e9, 0].map((b) => formatBytesIn(b, { unit: 3, fractionDigits: 1 }, SI_EN)),
    ["1.5 GB", "1.0 GB", "0.5 GB", "0 B"],
  );
  assert.equal(formatBytesIn(3 * 1024 ** 2, { unit: 2, fractionDigits: 0 }, SI_RU), "3 МБ");
  assert.equal(byteUnitOf(999_999, 1000), 1);
  assert.equal(byteUnitOf(1e6, 1000), 2);
  assert.equal(byteUnitOf(1e6, 1024), 1);
  assert.equal(byteUnitOf(999 * 1024, 1024), 1);
  assert.equal(byteUnitOf(1e30, 1000), 5);
});
