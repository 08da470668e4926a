/**
 * The dashboard in a real headless Chromium against the real netledger (main.ts) serving a database filled
 * by `main.ts --pcap`, in a server zone (Asia/Kathmandu, +05:45) that is neither the machine's nor the
 * browser's. Saves screenshots (desktop and phone, light and dark) under tests/output/screenshots/.
 */
import assert from "node:assert/strict";
import type { DaysJson, HealthJson, QueryJson, SummaryJson, TopIpsJson } from "../web/api_types.ts";
import { EN, RU, ZH_CN } from "../web/ui/mod.ts";
import { launchDashboardBrowser, waitForDashboard, watchProblems } from "./helpers/dashboard_browser.ts";
import { importTraffic, startNetledger, trafficRecords } from "./helpers/dashboard_rig.ts";
import { getJson, textOf } from "./helpers/page_checks.ts";
import { BUCKET_SEC } from "../capture/mod.ts";
import { formatBytes } from "../web/format_bytes.ts";
import { openStore, TrafficLedger } from "../store/mod.ts";

const SERVER_ZONE = "Asia/Kathmandu";
const SCREENSHOT_DIR = new URL("./output/screenshots/", import.meta.url).pathname;
const QUICK_IDS = [
  "today",
  "yesterday",
  "last_7_days",
  "last_30_days",
  "this_month",
  "last_month",
  "this_year",
];

/** A browser zone whose date today differs from the server zone's, so a UI using the browser's would fail. */
function browserZone(): string {
  const serverToday = Temporal.Now.plainDateISO(SERVER_ZONE).toString();
  const candidates = ["Pacific/Kiritimati", "Pacific/Pago_Pago", "America/Los_Angeles", "Asia/Tokyo"];
  return candidates.find((zone) => Temporal.Now.plainDateISO(zone).toString() !== serverToday)!;
}

/** What each quick button must select, computed with Temporal (independently of web/ui/lib). */
function expectedRange(id: string): { start: string; end: string; granularity: string } {
  const today = Temporal.Now.plainDateISO(SERVER_ZONE);
  const monthStart = today.with({ day: 1 });
  const range = (start: Temporal.PlainDate, end: Temporal.PlainDate, granularity: string) => ({
    start: start.toString(),
    end: end.toString(),
    granularity,
  });
  switch (id) {
    case "today":
      return range(today, today, "hour");
    case "yesterday":
      return range(today.subtract({ days: 1 }), today.subtract({ days: 1 }), "hour");
    case "last_7_days":
      return range(today.subtract({ days: 6 }), today, "day");
    case "last_30_days":
      return range(today.subtract({ days: 29 }), today, "day");
    case "this_month":
      return range(monthStart, today, "day");
    case "last_month":
      return range(monthStart.subtract({ months: 1 }), monthStart.subtract({ days: 1 }), "day");
    default:
      return range(today.with({ month: 1, day: 1 }), today, "month");
  }
}

/** Traffic every 90 minutes over the last 45 days and every 2 days over the year before. */
function fixtureTimestamps(nowSec: number): number[] {
  const times: number[] = [];
  for (let t = nowSec - 30; t > nowSec - 45 * 86400; t -= 5400) times.push(t);
  for (let t = nowSec - 45 * 86400; t > nowSec - 400 * 86400; t -= 2 * 86400) times.push(t);
  return times.reverse();
}

const NEW_YORK = "America/New_York";
const DROPPED_PACKETS = 42;

/**
 * Writes a little traffic into each bucket of `bucketsSec` and `dropped` kernel drops into the last one,
 * through the real store as a live capture would (a pcap cannot carry kernel drops).
 */
async function recordTraffic(dbPath: string, bucketsSec: readonly number[], dropped: number): Promise<void> {
  using store = openStore(dbPath, { log: () => {} });
  const ledger = new TrafficLedger(store);
  const bytes = { upBytes: 1000, downBytes: 5000, upPackets: 1, downPackets: 4 };
  const last = bucketsSec[bucketsSec.length - 1];
  ledger.add({
    traffic: bucketsSec.map((bucketStartSec) => ({ bucketStartSec, family: 4 as const, ...bytes })),
    remotes: bucketsSec.map((bucketStartSec) => ({ bucketStartSec, remoteIp: "203.0.113.5", ...bytes })),
    health: [{ bucketStartSec: last, malformedPackets: 0, droppedPackets: dropped }],
  });
  const result = await ledger.flush();
  assert.ok(result.isSaved, result.error?.message);
}

Deno.test({
  name: "dashboard in headless Chromium shows the real server's numbers in the server's zone",
  // Playwright keeps its own pipes and timers open between steps.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const dir = await Deno.makeTempDir({ prefix: "netledger-dashboard-" });
    try {
      const dbPath = `${dir}/netledger.db`;
      const records = trafficRecords(fixtureTimestamps(Math.floor(Date.now() / 1000)));
      await importTraffic({ dir, dbPath, timeZone: SERVER_ZONE, records });
      await using server = await startNetledger({ dbPath, timeZone: SERVER_ZONE });
      const { baseUrl } = server;
      // Declared after the server, so disposed before it: the page never sees the server go away.
      await using browser = await launchDashboardBrowser({
        timezoneId: browserZone(),
        locale: "en-US",
        colorScheme: "light",
      });
      const { page } = browser;
      const problems: string[] = [];
      let navigating = false;
      watchProblems(page, problems, () => navigating);
      await page.goto(`${baseUrl}/`);
      await waitForDashboard(page);

      await t.step("cards equal /api/summary, in SI units by default", async () => {
        const summary = await getJson<SummaryJson>(baseUrl, "/api/summary");
        // The fixture ends 30 s before it was made, so today's card is empty right after the server's midnight,
        // and in January the year is the month: the sums hold on every day.
        const { today, month, year } = summary;
        assert.ok(year.total_bytes > 0 && year.total_bytes >= month.total_bytes);
        assert.ok(month.total_bytes >= today.total_bytes);
        const cards: [string, number, string][] = [
          ["today", summary.today.total_bytes, summary.today.total_fmt],
          ["month", summary.month.total_bytes, summary.month.total_fmt],
          ["year", summary.year.total_bytes, summary.year.total_fmt],
          ["today-up", summary.today.up_bytes, summary.today.up_fmt],
          ["today-down", summary.today.down_bytes, summary.today.down_fmt],
        ];
        for (const [id, bytes, fmt] of cards) {
          const card = page.locator(`[data-testid="card-${id}"]`);
          assert.equal(await card.getAttribute("data-bytes"), String(bytes), id);
          // The API's *_fmt keeps its 1024-based "GB"; the page writes SI units, as ISPs bill.
          assert.match(fmt, /^\d+\.\d\d [KMGTP]?B$/, id);
          const shown = formatBytes(bytes, { base: 1000, locale: "en" });
          assert.equal((await card.locator(".card-value").textContent())?.trim(), shown, id);
        }
      });

      await t.step("header shows the server zone and a live speed", async () => {
        assert.match(await textOf(page, '[data-testid="time-zone"]'), /^Asia\/Kathmandu \(UTC\+05:45\)$/);
        assert.match(
          await textOf(page, '[data-testid="live-speed"]'),
          /▲ (—|\d+(\.\d\d)? [kMGTP]?B\/s)\s*▼ (—|\d+(\.\d\d)? [kMGTP]?B\/s)/,
        );
      });

      await t.step(
        "each quick button sets the server-zone range and granularity, and the summary follows",
        async () => {
          for (const id of QUICK_IDS) {
            const before = expectedRange(id);
            const requested = page.waitForRequest((r) => new URL(r.url()).pathname === "/api/query");
            const answered = page.waitForResponse((r) => new URL(r.url()).pathname === "/api/query");
            await page.click(`[data-quick="${id}"]`);
            const url = new URL((await requested).url());
            await answered;
            const shown = {
              start: await page.inputValue('[data-testid="range-start"]'),
              end: await page.inputValue('[data-testid="range-end"]'),
              granularity: await page.inputValue('[data-testid="range-granularity"]'),
            };
            const sent = Object.fromEntries(
              ["start", "end", "granularity"].map((k) => [k, url.searchParams.get(k)]),
            );
            // Computed once more after the click, in case the server's date turned meanwhile.
            const expected = JSON.stringify(shown) === JSON.stringify(before) ? before : expectedRange(id);
            assert.deepEqual(shown, expected, id);
            // Selected once its range is shown (with the series, the top remotes and the date limits).
            await page.waitForSelector(`[data-quick="${id}"][aria-pressed="true"]`);
            assert.deepEqual(sent, expected, id);
            const query = await getJson<QueryJson>(baseUrl, `/api/query${url.search}`);
            await page.waitForFunction(
              (bytes) =>
                document.querySelector('[data-testid="range-summary"] strong')?.getAttribute("data-bytes") ===
                  bytes,
              String(query.summary.total_bytes),
            );
          }
        },
      );

      await t.step("the applied range is in the address, and an address with a range opens it", async () => {
        const week = expectedRange("last_7_days");
        await page.click('[data-quick="last_7_days"]');
        const hash = `#/?start=${week.start}&end=${week.end}&granularity=day`;
        await page.waitForFunction((want) => location.hash === want, hash);
        const link = { start: "2026-01-05", end: "2026-02-10", granularity: "day" };
        const search = `?start=${link.start}&end=${link.end}&granularity=${link.granularity}`;
        navigating = true;
        await page.goto(`${baseUrl}/?opened=link#/${search}`);
        navigating = false;
        await waitForDashboard(page);
        const query = await getJson<QueryJson>(baseUrl, `/api/query${search}`);
        await page.waitForFunction(
          (bytes) =>
            document.querySelector('[data-testid="range-summary"] strong')?.getAttribute("data-bytes") ===
              bytes,
          String(query.summary.total_bytes),
        );
        assert.deepEqual({
          start: await page.inputValue('[data-testid="range-start"]'),
          end: await page.inputValue('[data-testid="range-end"]'),
          granularity: await page.inputValue('[data-testid="range-granularity"]'),
        }, link);
        await page.waitForSelector(`[data-chart="range"][data-points="${query.series.length}"]`);
      });

      await t.step("top IPs and the CSV link follow the applied range", async () => {
        await page.click('[data-quick="last_30_days"]');
        const range = expectedRange("last_30_days");
        const search = `?start=${range.start}&end=${range.end}`;
        const top = await getJson<TopIpsJson>(baseUrl, `/api/top_ips${search}&limit=10`);
        assert.equal(top.top_ips.length, 10);
        await page.waitForFunction(
          (ips) =>
            [...document.querySelectorAll(".top-ips td.ip")].map((td) => td.textContent).join() === ips,
          top.top_ips.map((r) => r.ip).join(),
        );
        assert.equal(await page.locator(".top-ips .rank.gold").textContent(), "1");
        assert.equal(await page.locator(".top-ips .rank.silver").textContent(), "2");
        assert.equal(await page.locator(".top-ips .rank.bronze").textContent(), "3");
        // The top IPs of the previous range may read the same: wait for the link of this range.
        const href = `/api/query${search}&granularity=day&format=csv`;
        await page.waitForFunction(
          (want) => document.querySelector('[data-testid="range-csv"]')?.getAttribute("href") === want,
          href,
        );
        const csv = await page.request.get(`${baseUrl}${href}`);
        assert.equal(csv.status(), 200);
        assert.match(csv.headers()["content-type"], /^text\/csv/);
        assert.ok((await csv.text()).includes(range.end));
      });

      await t.step("hovering today's bar of the 30-day chart shows its exact bytes", async () => {
        const days = await getJson<DaysJson>(baseUrl, "/api/history/30days");
        const today = days.days[days.days.length - 1];
        await page.locator('[data-chart="days"]').scrollIntoViewIfNeeded();
        const box = (await page.locator('[data-chart="days"] .u-over').boundingBox())!;
        await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2);
        const exact = (bytes: number) => `(${new Intl.NumberFormat("en").format(bytes)} B)`;
        const legend = page.locator('[data-chart="days"] .u-legend');
        await page.waitForFunction(
          (want) => document.querySelector('[data-chart="days"] .u-legend')?.textContent?.includes(want),
          exact(today.up_bytes),
        );
        assert.ok((await legend.textContent())!.includes(exact(today.down_bytes)));
        assert.ok((await legend.textContent())!.includes(today.day));
      });

      await t.step("every control is reachable with the keyboard", async () => {
        await page.locator("body").focus();
        const reached = new Set<string>();
        for (let i = 0; i < 60; i++) {
          await page.keyboard.press("Tab");
          reached.add(
            await page.evaluate(() => {
              const el = document.activeElement as HTMLElement | null;
              return el?.dataset.quick ?? el?.dataset.testid ?? el?.textContent ?? "";
            }),
          );
        }
        for (
          const id of [
            ...QUICK_IDS,
            "range-start",
            "range-end",
            "range-granularity",
            "lang-select",
            "theme-toggle",
          ]
        ) {
          assert.ok(reached.has(id), `${id} not reached by Tab: ${[...reached].join(" | ")}`);
        }
      });

      await t.step("the language switch changes visible text and is remembered", async () => {
        // Languages other than English are chunks of their own: the text changes once one has arrived.
        const shows = (selector: string, wanted: string) =>
          page.waitForFunction(
            ([s, w]) => document.querySelector(s)?.textContent?.trim() === w,
            [selector, wanted] as const,
          );
        await page.selectOption('[data-testid="lang-select"]', "ru");
        await shows('[data-quick="today"]', RU.quick_today);
        assert.equal(await textOf(page, "#range-title"), RU.range_title);
        assert.equal(await page.getAttribute("html", "lang"), "ru");
        // Reloaded with Russian stored, the page appears once its messages are here: never first in English.
        await page.addInitScript(() => {
          const observer = new MutationObserver(() => {
            const title = document.getElementById("range-title")?.textContent;
            if (!title) return;
            document.documentElement.dataset.firstRangeTitle = title;
            observer.disconnect();
          });
          observer.observe(document, { childList: true, subtree: true, characterData: true });
        });
        navigating = true;
        await page.reload();
        navigating = false;
        await waitForDashboard(page);
        assert.equal(await textOf(page, "#range-title"), RU.range_title);
        assert.equal(await page.getAttribute("html", "data-first-range-title"), RU.range_title);
        await page.selectOption('[data-testid="lang-select"]', "zh-CN");
        await shows("#range-title", ZH_CN.range_title);
        await page.selectOption('[data-testid="lang-select"]', "en");
        await shows("#range-title", EN.range_title);
      });

      await t.step("the theme follows the system and the toggle overrides it", async () => {
        await page.emulateMedia({ colorScheme: "dark" });
        await page.waitForFunction(() => document.documentElement.dataset.theme === "dark");
        await page.click('[data-testid="theme-toggle"]'); // system → light
        assert.equal(await page.getAttribute("html", "data-theme"), "light");
        await page.click('[data-testid="theme-toggle"]'); // light → dark
        await page.click('[data-testid="theme-toggle"]'); // dark → system
        assert.equal(await page.getAttribute("html", "data-theme"), "dark");
        await page.emulateMedia({ colorScheme: "light" });
        await page.waitForFunction(() => document.documentElement.dataset.theme === "light");
      });

      await t.step("#/monitoring shows its placeholder page", async () => {
        await page.click(`nav a[href="#/monitoring"]`);
        await page.waitForSelector('[data-testid="monitoring-page"]');
        await page.click(`nav a[href="#/"]`);
        await waitForDashboard(page);
      });

      await t.step(
        "screenshots: desktop and phone, light and dark; 360 px has no horizontal scroll",
        async () => {
          await Deno.mkdir(SCREENSHOT_DIR, { recursive: true });
          for (const [name, width, height] of [["desktop", 1280, 900], ["phone", 360, 740]] as const) {
            await page.setViewportSize({ width, height });
            for (const scheme of ["light", "dark"] as const) {
              await page.emulateMedia({ colorScheme: scheme });
              await page.waitForFunction((s) => document.documentElement.dataset.theme === s, scheme);
              await waitForDashboard(page);
              const { scrollWidth, innerWidth } = await page.evaluate(() => ({
                scrollWidth: document.documentElement.scrollWidth,
                innerWidth: globalThis.innerWidth,
              }));
              assert.ok(
                scrollWidth <= innerWidth,
                `${name} ${scheme}: page is ${scrollWidth} px wide in ${innerWidth}`,
              );
              await page.screenshot({ path: `${SCREENSHOT_DIR}${name}-${scheme}.png`, fullPage: true });
            }
          }
        },
      );

      assert.deepEqual(problems, []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "dashboard in America/New_York: 23/25-hour days, unhealthy capture and this hour's kernel drops",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const dir = await Deno.makeTempDir({ prefix: "netledger-dashboard-" });
    try {
      const dbPath = `${dir}/netledger.db`;
      // Traffic on both 2025 DST change days (so the date pickers allow them) and now, with kernel drops.
      const nowSec = Math.floor(Date.now() / 1000);
      const buckets = [
        Date.UTC(2025, 2, 9, 12) / 1000,
        Date.UTC(2025, 10, 2, 12) / 1000,
        nowSec - (nowSec % BUCKET_SEC),
      ];
      await recordTraffic(dbPath, buckets, DROPPED_PACKETS);
      // An interface that does not exist: capture waits for it and /api/health reports the problem.
      const iface = `nl${Deno.pid % 100000}x`;
      await using server = await startNetledger({
        dbPath,
        timeZone: NEW_YORK,
        iface,
      });
      await using browser = await launchDashboardBrowser({ timezoneId: "Asia/Tokyo", locale: "en-US" });
      const { page } = browser;
      const problems: string[] = [];
      watchProblems(page, problems);
      await page.goto(`${server.baseUrl}/`);
      await waitForDashboard(page);

      await t.step(
        "a status strip names the capture problem /api/health reports, its text as detail",
        async () => {
          const health = await getJson<HealthJson>(server.baseUrl, "/api/health");
          assert.notEqual(health.status, "ok");
          assert.deepEqual(health.problems.map((p) => p.split(":")[0]), ["capture"]);
          const capture = health.capture!;
          assert.equal(capture.state, "waiting_for_interface");
          const problem = page.locator(
            `[data-testid="status-strip"] [data-problem="capture:${capture.state}"]`,
          );
          await problem.waitFor();
          assert.equal(
            await problem.locator("span").first().textContent(),
            EN.capture_waiting_for_interface.replace("{iface}", capture.iface),
          );
          assert.equal(await problem.locator("details code").textContent(), capture.message);
          await Deno.mkdir(SCREENSHOT_DIR, { recursive: true });
          await page.screenshot({ path: `${SCREENSHOT_DIR}status-strip.png` });
        },
      );

      await t.step(
        "the kernel drops of this hour are in the status strip and marked on today's chart",
        async () => {
          const strip = EN.status_drops.replace("{count}", String(DROPPED_PACKETS));
          await page.waitForFunction(
            (want) => document.querySelector('[data-testid="status-strip"]')?.textContent?.includes(want),
            strip,
          );
          // Today's chart spans the local day's first to last hour; the current hour sits at this fraction.
          const now = Temporal.Now.zonedDateTimeISO(NEW_YORK);
          const dayStart = now.startOfDay().epochMilliseconds;
          const lastHour = now.startOfDay().add({ days: 1 }).subtract({ hours: 1 }).epochMilliseconds;
          const thisHour = now.round({ smallestUnit: "hour", roundingMode: "floor" }).epochMilliseconds;
          const chart = page.locator('[data-chart="today"]');
          await chart.scrollIntoViewIfNeeded();
          const box = (await chart.locator(".u-over").boundingBox())!;
          const x = box.x + box.width * (thisHour - dayStart) / (lastHour - dayStart);
          await page.mouse.move(Math.min(x, box.x + box.width - 1), box.y + box.height / 2);
          // recordTraffic counted 1 + 4 packets in the bucket: 42 of 47 dropped is a share worth shading.
          const note = EN.chart_dropped.replace("{dropped}", String(DROPPED_PACKETS))
            .replace("{packets}", String(DROPPED_PACKETS + 5))
            .replace(
              "{share}",
              new Intl.NumberFormat("en", { style: "percent", maximumSignificantDigits: 2 })
                .format(DROPPED_PACKETS / (DROPPED_PACKETS + 5)),
            );
          await page.waitForFunction(
            (want) => document.querySelector('[data-chart="today"] .u-legend')?.textContent?.includes(want),
            note,
          );
          await chart.screenshot({ path: `${SCREENSHOT_DIR}today-with-drops.png` });
        },
      );

      await t.step(
        "a range over a DST change day has 23 or 25 hours, labelled as the server labels them",
        async () => {
          for (const [day, hours] of [["2025-03-09", 23], ["2025-11-02", 25]] as const) {
            await page.fill('[data-testid="range-start"]', day);
            await page.fill('[data-testid="range-end"]', day);
            await page.selectOption('[data-testid="range-granularity"]', "hour");
            await page.click('button[type="submit"]');
            await page.waitForSelector(`[data-chart="range"][data-points="${hours}"]`);
            const query = await getJson<QueryJson>(
              server.baseUrl,
              `/api/query?start=${day}&end=${day}&granularity=hour`,
            );
            assert.equal(query.series.length, hours);
            const box =
              (await page.locator(`[data-chart="range"][data-points="${hours}"] .u-over`).boundingBox())!;
            await page.mouse.move(box.x + box.width - 1, box.y + box.height / 2);
            await page.waitForFunction(
              (label) =>
                document.querySelector('[data-chart="range"] .u-legend')?.textContent?.includes(label),
              `${day} 23:00`,
            );
          }
        },
      );

      assert.deepEqual(problems, []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
