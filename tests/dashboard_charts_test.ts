/**
 * The dashboard's charts in a real headless Chromium against the real netledger over a database filled by
 * `main.ts --pcap` (issue 13): drill-down month → day → hour and Back, drag-zoom, the axis labels the charts
 * drew, contrast of the upload/download colours in both themes, "show as table" by keyboard, "no data"
 * before the first count and no future. Saves screenshots at 1280 and 360 px, light and dark, en and zh.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import type { DaysJson, MonthsJson, QueryJson, SeriesPointJson } from "../web/api_types.ts";
import { launchDashboardBrowser, waitForDashboard, watchProblems } from "./helpers/dashboard_browser.ts";
import { importTraffic, startNetledger, trafficRecords } from "./helpers/dashboard_rig.ts";
import { getJson } from "./helpers/page_checks.ts";

const ZONE = "Asia/Kathmandu";
const SCREENSHOT_DIR = new URL("./output/screenshots/", import.meta.url).pathname;
/** The first traffic lies this many days back: the 12-month chart starts with months of no data. */
const HISTORY_DAYS = 200;

/** Traffic every 90 minutes over the last 45 days, then every 2 days back to HISTORY_DAYS. */
function fixtureTimestamps(nowSec: number): number[] {
  const times: number[] = [];
  for (let t = nowSec - 30; t > nowSec - 45 * 86400; t -= 5400) times.push(t);
  for (let t = nowSec - 45 * 86400; t > nowSec - HISTORY_DAYS * 86400; t -= 2 * 86400) times.push(t);
  return times.reverse();
}

function labelOf(row: SeriesPointJson): string {
  return "hour" in row ? row.hour : "day" in row ? row.day : row.month;
}

/** UTC seconds at which the local period `label` starts in ZONE, computed with Temporal. */
function startSec(label: string): number {
  const wall = label.length === 7
    ? Temporal.PlainDateTime.from(`${label}-01T00:00`)
    : Temporal.PlainDateTime.from(label.length === 10 ? `${label}T00:00` : label.replace(" ", "T"));
  return wall.toZonedDateTime(ZONE).epochMilliseconds / 1000;
}

function today(): Temporal.PlainDate {
  return Temporal.Now.plainDateISO(ZONE);
}

/** The dashboard's address for a range. */
function rangeHash(start: string, end: string, granularity: string, hours?: [number, number]): string {
  const extra = hours ? `&from=${hours[0]}&to=${hours[1]}` : "";
  return `#/?start=${start}&end=${end}&granularity=${granularity}${extra}`;
}

async function waitForHash(page: Page, hash: string): Promise<void> {
  await page.waitForFunction((want) => location.hash === want, hash);
}

/** The range panel once it shows `points` periods, with its inputs. */
async function rangeShown(page: Page, points: number) {
  await page.waitForSelector(`[data-chart="range"][data-points="${points}"] .uplot`);
  return {
    start: await page.inputValue('[data-testid="range-start"]'),
    end: await page.inputValue('[data-testid="range-end"]'),
    granularity: await page.inputValue('[data-testid="range-granularity"]'),
  };
}

/**
 * Page coordinates of period `index` of a bar chart whose periods are `labels`: bars are centred on their
 * start, and the x scale runs half a period beyond the first and last.
 */
async function barPosition(page: Page, chart: string, labels: readonly string[], index: number) {
  const ts = labels.map(startSec);
  const n = ts.length;
  const from = ts[0] - (n > 1 ? ts[1] - ts[0] : 86400) / 2;
  const to = ts[n - 1] + (n > 1 ? ts[n - 1] - ts[n - 2] : 86400) / 2;
  const over = page.locator(`[data-chart="${chart}"] .u-over`);
  await over.scrollIntoViewIfNeeded();
  const box = (await over.boundingBox())!;
  return { x: box.x + box.width * (ts[index] - from) / (to - from), y: box.y + box.height * 0.6 };
}

/** Hovers period `index` until the legend names it, then clicks it. */
async function clickPeriod(
  page: Page,
  chart: string,
  labels: readonly string[],
  index: number,
): Promise<void> {
  const { x, y } = await barPosition(page, chart, labels, index);
  await page.mouse.move(x, y);
  await page.waitForFunction(
    ([name, label]) =>
      document.querySelector(`[data-chart="${name}"] .u-legend`)?.textContent?.includes(label),
    [chart, labels[index]] as const,
  );
  await page.mouse.down();
  await page.mouse.up();
}

/** Drags across the periods `first`..`last` of a bar chart. */
async function dragPeriods(
  page: Page,
  chart: string,
  labels: readonly string[],
  first: number,
  last: number,
) {
  const start = await barPosition(page, chart, labels, first);
  const end = await barPosition(page, chart, labels, last);
  await page.mouse.move(start.x - 2, start.y);
  await page.mouse.down();
  await page.mouse.move(end.x + 2, end.y, { steps: 8 });
  await page.mouse.up();
}

/** Goes back one history entry and waits for the address `hash`. */
async function back(page: Page, hash: string): Promise<void> {
  await page.evaluate(() => history.back());
  await waitForHash(page, hash);
}

const UNIT_FACTORS: Record<string, number> = {
  B: 1,
  kB: 1e3,
  MB: 1e6,
  GB: 1e9,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  Б: 1,
  кБ: 1e3,
  МБ: 1e6,
  ГБ: 1e9,
  КиБ: 1024,
  МиБ: 1024 ** 2,
  ГиБ: 1024 ** 3,
};

/** The y labels a chart drew (its `values` output), in order from 0 up. */
async function yTicks(page: Page, chart: string): Promise<string[]> {
  const text = await page.getAttribute(`[data-chart="${chart}"] .uplot`, "data-y-ticks");
  return (text ?? "").split("|");
}

/**
 * Asserts that `labels` read "0 <bytes>" then one unit at one nice step (1, 2, 2.5 or 5 × 10ⁿ) with the
 * same decimals, reaching at least `maxBytes`; `decimal` is the locale's decimal separator.
 */
function assertNiceAxis(labels: readonly string[], maxBytes: number, decimal: string): void {
  const text = labels.join(" / ");
  assert.match(labels[0], /^0 [BБ]$/, text);
  const parts = labels.slice(1).map((label) => label.split(" "));
  assert.ok(parts.length >= 1, text);
  const units = new Set(parts.map(([, unit]) => unit));
  assert.equal(units.size, 1, `one unit per axis: ${text}`);
  const [unit] = units;
  assert.ok(unit in UNIT_FACTORS, `known unit: ${text}`);
  const decimals = new Set(parts.map(([n]) => n.split(decimal)[1]?.length ?? 0));
  assert.equal(decimals.size, 1, `one precision: ${text}`);
  const values = [0, ...parts.map(([n]) => Number(n.replace(decimal, ".")))];
  const step = values[1];
  values.forEach((v, i) => assert.ok(Math.abs(v - i * step) < 1e-9, `evenly spaced: ${text}`));
  const mantissa = step / 10 ** Math.floor(Math.log10(step));
  assert.ok([1, 2, 2.5, 5].some((m) => Math.abs(m - mantissa) < 1e-9), `nice step ${step}: ${text}`);
  assert.ok(values[values.length - 1] < 1000, `below 1000 of its unit: ${text}`);
  assert.ok(values[values.length - 1] * UNIT_FACTORS[unit] >= maxBytes, `covers ${maxBytes} B: ${text}`);
}

function maxTotal(rows: readonly SeriesPointJson[]): number {
  return Math.max(...rows.map((r) => r.total_bytes));
}

/** Contrast ratios of upload/download text against its own background, and of the chart colours. */
function measureContrast(): { name: string; ratio: number; kind: "text" | "mark" }[] {
  const rgb = (color: string): number[] => (color.match(/[\d.]+/g) ?? []).map(Number);
  const luminance = (color: string) => {
    const [r, g, b] = rgb(color).slice(0, 3).map((v) => v / 255)
      .map((v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a: string, b: string) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const background = (el: Element | null): string => {
    for (let node = el; node; node = node.parentElement) {
      const color = getComputedStyle(node).backgroundColor;
      if ((rgb(color)[3] ?? 1) === 1) return color;
    }
    return "rgb(255, 255, 255)";
  };
  const texts = [
    ".card.up .card-value",
    ".card.down .card-value",
    '[data-testid="card-today"] .card-detail .up',
    '[data-testid="card-today"] .card-detail .down',
    ".strip-item.up strong",
    ".strip-item.down strong",
    '[data-chart="days"] .u-legend .up th',
    '[data-chart="days"] .u-legend .down th',
    '[data-chart="today"] .u-legend .up th',
    '[data-chart="today"] .u-legend .down th',
  ];
  const found = texts.map((selector) => {
    const el = document.querySelector(selector);
    if (!el) return { name: `${selector} (missing)`, ratio: 0, kind: "text" as const };
    return {
      name: selector,
      ratio: ratio(getComputedStyle(el).color, background(el)),
      kind: "text" as const,
    };
  });
  // The charts draw with these custom properties (chart_options.ts) on a panel.
  const root = getComputedStyle(document.documentElement);
  const probe = document.createElement("span");
  document.body.append(probe);
  const resolved = (name: string) => {
    probe.style.color = root.getPropertyValue(name).trim();
    return getComputedStyle(probe).color;
  };
  const marks = ["--up", "--down"].flatMap((name) =>
    ["--panel", "--bg"].map((bg) => ({
      name: `${name} on ${bg}`,
      ratio: ratio(resolved(name), resolved(bg)),
      kind: "mark" as const,
    }))
  );
  probe.remove();
  return [...found, ...marks];
}

Deno.test({
  name: "dashboard charts drill down, zoom, go Back, label their axes and read in both themes",
  // Playwright keeps its own pipes and timers open between steps.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const dir = await Deno.makeTempDir({ prefix: "netledger-charts-" });
    try {
      const dbPath = `${dir}/netledger.db`;
      const records = trafficRecords(fixtureTimestamps(Math.floor(Date.now() / 1000)));
      await importTraffic({ dir, dbPath, timeZone: ZONE, records });
      await using server = await startNetledger({ dbPath, timeZone: ZONE });
      const { baseUrl } = server;
      await using browser = await launchDashboardBrowser({
        timezoneId: "America/Los_Angeles",
        locale: "en-US",
        colorScheme: "light",
      });
      const { page } = browser;
      const problems: string[] = [];
      watchProblems(page, problems);
      await page.goto(`${baseUrl}/`);
      await waitForDashboard(page);
      const week = { start: today().subtract({ days: 6 }).toString(), end: today().toString() };
      const defaultHash = rangeHash(week.start, week.end, "day");

      await t.step("the default range is the last 7 days by day, not today's hours again", async () => {
        await waitForHash(page, defaultHash);
        assert.deepEqual(await rangeShown(page, 7), { ...week, granularity: "day" });
        assert.equal(await page.getAttribute('[data-quick="last_7_days"]', "aria-pressed"), "true");
      });

      await t.step("click-through month → day → hour, then Back step by step", async () => {
        const months = (await getJson<MonthsJson>(baseUrl, "/api/history/12months")).months.map(labelOf);
        const month = months[months.length - 2];
        const lastDay = Temporal.PlainYearMonth.from(month).toPlainDate({ day: 1 }).add({ months: 1 })
          .subtract({ days: 1 }).toString();
        await clickPeriod(page, "months", months, months.length - 2);
        const monthHash = rangeHash(`${month}-01`, lastDay, "day");
        await waitForHash(page, monthHash);
        const monthDays = Number(lastDay.slice(8));
        assert.deepEqual(await rangeShown(page, monthDays), {
          start: `${month}-01`,
          end: lastDay,
          granularity: "day",
        });

        const dayLabels = Array.from(
          { length: monthDays },
          (_, i) => `${month}-${String(i + 1).padStart(2, "0")}`,
        );
        const day = dayLabels[9];
        await clickPeriod(page, "range", dayLabels, 9);
        const dayHash = rangeHash(day, day, "hour");
        await waitForHash(page, dayHash);
        assert.deepEqual(await rangeShown(page, 24), { start: day, end: day, granularity: "hour" });

        const hourly = await getJson<QueryJson>(
          baseUrl,
          `/api/query?start=${day}&end=${day}&granularity=hour`,
        );
        const hourLabels = hourly.series.map(labelOf);
        const topIps = page.waitForRequest((r) => new URL(r.url()).pathname === "/api/top_ips");
        await clickPeriod(page, "range", hourLabels, 3);
        const from = startSec(hourLabels[3]);
        const hourHash = rangeHash(day, day, "hour", [from, from + 3600]);
        await waitForHash(page, hourHash);
        await rangeShown(page, 1);
        // The hour's own totals, and its top remotes asked for that hour (both ends inclusive).
        await page.waitForFunction(
          (bytes) =>
            document.querySelector('[data-testid="range-summary"] strong')?.getAttribute("data-bytes") ===
              bytes,
          String(hourly.series[3].total_bytes),
        );
        const params = new URL((await topIps).url()).searchParams;
        assert.deepEqual([params.get("start"), params.get("end")], [
          `${day}T03:00+05:45`,
          `${day}T03:00+05:45`,
        ]);
        await page.screenshot({ path: `${SCREENSHOT_DIR}charts-drilled-hour.png` });

        await back(page, dayHash);
        assert.deepEqual(await rangeShown(page, 24), { start: day, end: day, granularity: "hour" });
        await back(page, monthHash);
        assert.deepEqual(await rangeShown(page, monthDays), {
          start: `${month}-01`,
          end: lastDay,
          granularity: "day",
        });
        await back(page, defaultHash);
        assert.deepEqual(await rangeShown(page, 7), { ...week, granularity: "day" });
        assert.equal(await page.getAttribute('[data-quick="last_7_days"]', "aria-pressed"), "true");
      });

      await t.step("a drag across bars zooms to those periods at a granularity that fits", async () => {
        const days = (await getJson<DaysJson>(baseUrl, "/api/history/30days")).days.map(labelOf);
        await dragPeriods(page, "days", days, 5, 9);
        const zoomHash = rangeHash(days[5], days[9], "day");
        await waitForHash(page, zoomHash);
        assert.deepEqual(await rangeShown(page, 5), { start: days[5], end: days[9], granularity: "day" });
        await dragPeriods(page, "range", days.slice(5, 10), 1, 2);
        const closer = rangeHash(days[6], days[7], "hour");
        await waitForHash(page, closer);
        assert.deepEqual(await rangeShown(page, 48), { start: days[6], end: days[7], granularity: "hour" });
        await back(page, zoomHash);
        await rangeShown(page, 5);
      });

      await t.step(
        "each axis has one unit, nice steps and covers the data; every month is labelled",
        async () => {
          const days = (await getJson<DaysJson>(baseUrl, "/api/history/30days")).days;
          const months = (await getJson<MonthsJson>(baseUrl, "/api/history/12months")).months;
          assertNiceAxis(await yTicks(page, "days"), maxTotal(days), ".");
          assertNiceAxis(await yTicks(page, "months"), maxTotal(months), ".");
          const xMonths = (await page.getAttribute('[data-chart="months"] .uplot', "data-x-ticks"))!.split(
            "|",
          );
          assert.equal(xMonths.length, 12, xMonths.join(" | "));
          assert.ok(xMonths[0].includes("\n"), "the first month carries its year");
          await page.selectOption('[data-testid="units-select"]', "1024");
          await page.waitForFunction(() =>
            document.querySelector('[data-chart="days"] .uplot')?.getAttribute("data-y-ticks")?.includes("iB")
          );
          assertNiceAxis(await yTicks(page, "days"), maxTotal(days), ".");
          assert.match(
            await page.locator('[data-testid="card-today"] .card-value').innerText(),
            /^[\d.]+ [KMG]?i?B$/,
          );
          await page.selectOption('[data-testid="lang-select"]', "ru");
          await page.waitForFunction(() =>
            document.querySelector('[data-chart="months"] .uplot')?.getAttribute("data-y-ticks")?.includes(
              "иБ",
            )
          );
          assertNiceAxis(await yTicks(page, "months"), maxTotal(months), ",");
          await page.selectOption('[data-testid="units-select"]', "1000");
          await page.selectOption('[data-testid="lang-select"]', "en");
          await page.waitForFunction(() =>
            / kB\|/.test(
              document.querySelector('[data-chart="days"] .uplot')?.getAttribute("data-y-ticks") ?? "",
            )
          );
        },
      );

      await t.step(
        "periods before the first count read no data, and today's future hours are not drawn",
        async () => {
          const first = (await getJson<{ min: string }>(baseUrl, "/api/date_range")).min;
          const months = (await getJson<MonthsJson>(baseUrl, "/api/history/12months")).months;
          const before = months.filter((m) => m.month < first.slice(0, 7)).length;
          assert.ok(before > 0, "the fixture leaves months without data");
          await page.click('[data-table-toggle="months"]');
          const rows = page.locator('[data-chart="months"] ~ .chart-table tbody tr');
          assert.equal(await rows.count(), 12);
          for (let i = 0; i < 12; i++) {
            const text = await rows.nth(i).innerText();
            assert.equal(text.includes("no data"), i < before, text);
          }
          await page.click('[data-table-toggle="months"]');
          const now = Temporal.Now.zonedDateTimeISO(ZONE);
          await page.click('[data-table-toggle="today"]');
          assert.equal(
            await page.locator('[data-chart="today"] ~ .chart-table tbody tr').count(),
            now.hour + 1,
          );
          await page.click('[data-table-toggle="today"]');
        },
      );

      await t.step("upload and download reach 4.5:1 as text and 3:1 as marks in both themes", async () => {
        for (const scheme of ["light", "dark"] as const) {
          await page.emulateMedia({ colorScheme: scheme });
          await page.waitForFunction((s) => document.documentElement.dataset.theme === s, scheme);
          await page.locator('[data-chart="days"] .u-over').hover();
          for (const { name, ratio, kind } of await page.evaluate(measureContrast)) {
            assert.ok(ratio >= (kind === "text" ? 4.5 : 3), `${scheme}: ${name} is ${ratio.toFixed(2)}:1`);
          }
        }
        await page.emulateMedia({ colorScheme: "light" });
      });

      await t.step(
        "show as table is a toggle button reachable by keyboard, and its periods open",
        async () => {
          const toggle = '[data-table-toggle="days"]';
          await page.focus('[data-table-toggle="months"]');
          let reached = false;
          for (let i = 0; i < 10 && !reached; i++) {
            await page.keyboard.press("Shift+Tab");
            reached = await page.evaluate((s) => document.activeElement?.matches(s) ?? false, toggle);
          }
          assert.ok(reached, "Shift+Tab reaches the 30-day chart's toggle");
          assert.equal(await page.evaluate(() => document.activeElement?.tagName), "BUTTON");
          assert.equal(await page.getAttribute(toggle, "aria-pressed"), "false");
          await page.keyboard.press("Enter");
          assert.equal(await page.getAttribute(toggle, "aria-pressed"), "true");
          const rows = page.locator('[data-chart="days"] ~ .chart-table tbody tr');
          assert.equal(await rows.count(), 30);
          await page.keyboard.press(" ");
          assert.equal(await page.getAttribute(toggle, "aria-pressed"), "false");
          assert.equal(await rows.count(), 0);
          await page.keyboard.press("Enter");
          await page.keyboard.press("Tab");
          const days = (await getJson<DaysJson>(baseUrl, "/api/history/30days")).days.map(labelOf);
          assert.equal(await page.evaluate(() => document.activeElement?.textContent), days[0]);
          await page.keyboard.press("Enter");
          await waitForHash(page, rangeHash(days[0], days[0], "hour"));
          await rangeShown(page, 24);
        },
      );

      await t.step("screenshots at 1280 and 360 px, light and dark, en and zh", async () => {
        await Deno.mkdir(SCREENSHOT_DIR, { recursive: true });
        for (const lang of ["en", "zh-CN"] as const) {
          await page.selectOption('[data-testid="lang-select"]', lang);
          // Chinese is a chunk of its own: the page switches once it has arrived.
          await page.waitForFunction((l) => document.documentElement.lang === l, lang);
          for (const [width, height] of [[1280, 900], [360, 740]] as const) {
            await page.setViewportSize({ width, height });
            for (const scheme of ["light", "dark"] as const) {
              await page.emulateMedia({ colorScheme: scheme });
              await page.waitForFunction((s) => document.documentElement.dataset.theme === s, scheme);
              await waitForDashboard(page);
              const name = `charts-${width}-${scheme}-${lang === "en" ? "en" : "zh"}.png`;
              await page.screenshot({ path: `${SCREENSHOT_DIR}${name}`, fullPage: true });
            }
          }
        }
      });

      assert.deepEqual(problems, []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
