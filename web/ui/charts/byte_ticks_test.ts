import assert from "node:assert/strict";
import fc from "fast-check";
import { byteAxis, byteAxisLabels } from "./byte_ticks.ts";

const SI_EN = { base: 1000, locale: "en" } as const;
const IEC_EN = { base: 1024, locale: "en" } as const;
const SI_RU = { base: 1000, locale: "ru", units: ["Б", "кБ", "МБ", "ГБ", "ТБ", "ПБ"] } as const;

interface Row {
  readonly name: string;
  readonly maxBytes: number;
  readonly maxTicks: number;
  readonly format: typeof SI_EN | typeof IEC_EN | typeof SI_RU;
  readonly labels: readonly string[];
}

const ROWS: readonly Row[] = [
  {
    name: "1.46 GB reads in halves of a GB",
    maxBytes: 1.46e9,
    maxTicks: 5,
    format: SI_EN,
    labels: ["0 B", "0.5 GB", "1.0 GB", "1.5 GB"],
  },
  {
    name: "950 MB tops out at 1.0 GB, not 1000 MB",
    maxBytes: 950e6,
    maxTicks: 6,
    format: SI_EN,
    labels: ["0 B", "0.2 GB", "0.4 GB", "0.6 GB", "0.8 GB", "1.0 GB"],
  },
  {
    name: "320 MB in whole hundreds",
    maxBytes: 320e6,
    maxTicks: 5,
    format: SI_EN,
    labels: ["0 B", "100 MB", "200 MB", "300 MB", "400 MB"],
  },
  {
    name: "IEC units of 1024",
    maxBytes: 3 * 1024 ** 3,
    maxTicks: 5,
    format: IEC_EN,
    labels: ["0 B", "1 GiB", "2 GiB", "3 GiB"],
  },
  {
    name: "a few bytes have no fractions",
    maxBytes: 3,
    maxTicks: 8,
    format: SI_EN,
    labels: ["0 B", "1 B", "2 B", "3 B"],
  },
  {
    name: "Russian digits and units",
    maxBytes: 1.2e9,
    maxTicks: 6,
    format: SI_RU,
    labels: ["0 Б", "0,25 ГБ", "0,50 ГБ", "0,75 ГБ", "1,00 ГБ", "1,25 ГБ"],
  },
  { name: "no data", maxBytes: 0, maxTicks: 6, format: SI_EN, labels: ["0 B"] },
];

for (const row of ROWS) {
  Deno.test(`byteAxis() ${row.name}`, () => {
    const axis = byteAxis(row.maxBytes, { maxTicks: row.maxTicks, base: row.format.base });
    assert.deepEqual(byteAxisLabels(axis, row.format), row.labels);
  });
}

Deno.test("byteAxis() covers the data with at most maxTicks evenly spaced ticks of one unit", () => {
  const seed = Date.now();
  const maxima = fc.oneof(
    fc.double({ min: 1, max: 1e18, noNaN: true }),
    fc.integer({ min: 1, max: 5000 }),
    fc.constantFrom(999, 1000, 1023, 1024, 999_999, 1e6, 1024 ** 2, 999.5e9),
  );
  const cases = fc.tuple(
    maxima,
    fc.integer({ min: 2, max: 12 }),
    fc.constantFrom(1000 as const, 1024 as const),
  );
  fc.assert(
    fc.property(cases, ([maxBytes, maxTicks, base]) => {
      const axis = byteAxis(maxBytes, { maxTicks, base });
      const { splits } = axis;
      assert.equal(splits[0], 0);
      assert.ok(splits.length <= maxTicks, `${splits.length} ticks`);
      assert.ok(splits[splits.length - 1] >= maxBytes * (1 - 1e-12), "the top covers the data");
      const step = splits[1] - splits[0];
      splits.forEach((s, i) => assert.ok(Math.abs(s - i * step) <= step * 1e-9));
      const labels = byteAxisLabels(axis, { base, locale: "en" });
      const units = new Set(labels.slice(1).map((l) => l.split(" ")[1]));
      assert.equal(units.size, 1, labels.join(" / "));
      assert.equal(new Set(labels).size, labels.length, `distinct: ${labels.join(" / ")}`);
      const top = Number(labels[labels.length - 1].split(" ")[0].replaceAll(",", ""));
      assert.ok(axis.unit === 5 || top < 1000, labels.join(" / "));
    }),
    { seed, numRuns: 2000 },
  );
});
