/**
 * Dashboard benchmark (issue 4 item 6): the real netledger (main.ts) serving a year of hourly traffic
 * imported through `main.ts --pcap`, opened in headless Chromium. Per round, in the same run:
 *   - navigation → first chart drawn, and → all four charts drawn (performance marks set by TrafficChart);
 *   - navigation to a link whose range is the last 365 days by hour (8,760+ points) → that chart drawn;
 *   - baseline for both: fetching the same API responses the page loaded, alone, from the same page;
 *   - a year-long range by hour (8,760+ points): query button → new chart painted, next to fetching that
 *     /api/query and /api/top_ips alone.
 * Medians of ROUNDS rounds are printed with their ratios. Every loop is bounded.
 *
 *     deno run -A tests/bench/dashboard_bench.ts [--quick]
 */
import type { Page } from "playwright-core";
import { DASHBOARD_CHARTS, launchDashboardBrowser } from "../helpers/dashboard_browser.ts";
import { importTraffic, startNetledger, trafficRecords } from "../helpers/dashboard_rig.ts";

const IS_QUICK = Deno.args.includes("--quick");
const ROUNDS = IS_QUICK ? 3 : 7;
const SERVER_ZONE = "Asia/Kathmandu";

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** One timestamp per hour for the last 365 days (two packets each, to 12 remotes). */
function yearOfHours(nowSec: number): number[] {
  const times: number[] = [];
  for (let t = nowSec - 365 * 86400; t <= nowSec - 60; t += 3600) times.push(t);
  return times;
}

/** Milliseconds from navigation start to the first chart, the range chart and all charts drawn. */
async function loadTimes(
  page: Page,
  url: string,
): Promise<{ firstMs: number; allMs: number; rangeMs: number; paths: string[] }> {
  await page.goto(url);
  await page.waitForFunction(
    (names) => names.every((n) => performance.getEntriesByName(`netledger:chart:${n}`).length > 0),
    DASHBOARD_CHARTS,
    { timeout: 60_000 },
  );
  return await page.evaluate((names) => {
    const at = (name: string) => performance.getEntriesByName(name)[0].startTime;
    const paths = performance.getEntriesByType("resource")
      .map((e) => new URL(e.name).pathname + new URL(e.name).search)
      .filter((p) => p.startsWith("/api/"));
    return {
      firstMs: at("netledger:first-chart"),
      rangeMs: at("netledger:chart:range"),
      allMs: Math.max(...names.map((n) => at(`netledger:chart:${n}`))),
      paths: [...new Set(paths)],
    };
  }, DASHBOARD_CHARTS);
}

/** Milliseconds to fetch `paths` in parallel from the page, bodies read, nothing rendered. */
async function fetchTime(page: Page, paths: readonly string[]): Promise<number> {
  return await page.evaluate(async (list) => {
    const t0 = performance.now();
    await Promise.all(list.map(async (p) => await (await fetch(p, { cache: "no-store" })).json()));
    return performance.now() - t0;
  }, paths);
}

/** Milliseconds from clicking Query on `start..end` by hour to the new range chart painted. */
async function yearQueryTime(page: Page, start: string, end: string): Promise<number> {
  await page.fill('[data-testid="range-start"]', start);
  await page.fill('[data-testid="range-end"]', end);
  await page.selectOption('[data-testid="range-granularity"]', "hour");
  return await page.evaluate(() =>
    new Promise<number>((resolve, reject) => {
      const host = document.querySelector('[data-chart="range"]')!;
      const old = host.querySelector(".uplot");
      const timer = setTimeout(() => reject(new Error("range chart not redrawn within 60 s")), 60_000);
      const observer = new MutationObserver(() => {
        const current = host.querySelector(".uplot");
        if (!current || current === old) return;
        observer.disconnect();
        // Two frames: the chart's canvas has been painted by then.
        requestAnimationFrame(() =>
          requestAnimationFrame(() => {
            clearTimeout(timer);
            resolve(performance.now() - t0);
          })
        );
      });
      observer.observe(host, { childList: true, subtree: true });
      const t0 = performance.now();
      (document.querySelector('button[type="submit"]') as HTMLButtonElement).click();
    })
  );
}

/** Runs the benchmark and prints one line per figure. */
async function runDashboardBench(): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "netledger-dashboard-bench-" });
  try {
    const dbPath = `${dir}/netledger.db`;
    const nowSec = Math.floor(Date.now() / 1000);
    const records = trafficRecords(yearOfHours(nowSec));
    const importStart = performance.now();
    await importTraffic({ dir, dbPath, timeZone: SERVER_ZONE, records });
    console.log(
      `import: ${records.length} packets (a year of hours) in ${
        (performance.now() - importStart).toFixed(0)
      } ms`,
    );
    await using server = await startNetledger({ dbPath, timeZone: SERVER_ZONE });
    await using browser = await launchDashboardBrowser();
    const { page } = browser;
    const today = Temporal.Now.plainDateISO(SERVER_ZONE);
    const yearStart = today.subtract({ days: 364 }).toString();
    const rangePaths = [
      `/api/query?start=${yearStart}&end=${today}&granularity=hour`,
      `/api/top_ips?start=${yearStart}&end=${today}&limit=10`,
    ];
    const yearLink = `#/?start=${yearStart}&end=${today}&granularity=hour`;
    const rows: Record<string, number[]> = {
      first: [],
      all: [],
      startFetch: [],
      yearLink: [],
      yearLinkFetch: [],
      year: [],
      yearFetch: [],
    };
    for (let round = 0; round < ROUNDS; round++) {
      const load = await loadTimes(page, `${server.baseUrl}/?round=${round}`);
      rows.first.push(load.firstMs);
      rows.all.push(load.allMs);
      rows.startFetch.push(await fetchTime(page, load.paths));
      const linked = await loadTimes(page, `${server.baseUrl}/?round=${round}&link${yearLink}`);
      rows.yearLink.push(linked.rangeMs);
      rows.yearLinkFetch.push(await fetchTime(page, linked.paths));
      rows.year.push(await yearQueryTime(page, yearStart, today.toString()));
      rows.yearFetch.push(await fetchTime(page, rangePaths));
    }
    const ms = (key: string) => median(rows[key]);
    const line = (label: string, key: string, baseKey: string) =>
      console.log(
        `${label}: ${ms(key).toFixed(1)} ms (median of ${ROUNDS}); API responses alone ${
          ms(baseKey).toFixed(1)
        } ms; ratio ${(ms(key) / ms(baseKey)).toFixed(2)}×`,
      );
    line("navigation → first chart drawn", "first", "startFetch");
    line("navigation → all 4 charts drawn", "all", "startFetch");
    line("navigation to a year-by-hour link → its chart drawn", "yearLink", "yearLinkFetch");
    line("year by hour: Query → chart painted", "year", "yearFetch");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await runDashboardBench();
