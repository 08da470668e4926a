/**
 * The dashboard's honest states in a real headless Chromium against the real netledger (main.ts) over real
 * databases (issue 13): the first run on an empty database, capture without permission and an unreachable
 * server, each in Chinese; the top-remotes table following a range down to one hour, to the byte; and, with
 * login on, a deep link that survives the login page, every page at 360 px without sideways scrolling,
 * focus rings and text contrast measured from computed styles in both themes. Saves screenshots (1280 and
 * 360 px, light and dark, English and Chinese) under tests/output/screenshots/.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import type { HealthJson, QueryJson, TopIpsJson } from "../web/api_types.ts";
import { EN, ZH_CN } from "../web/ui/mod.ts";
import { launchDashboardBrowser, waitForDashboard, watchProblems } from "./helpers/dashboard_browser.ts";
import { importTraffic, LOCAL_IP, startNetledger, trafficRecords } from "./helpers/dashboard_rig.ts";
import { FakeClash } from "./helpers/fake_clash.ts";
import { childEnv, followOutput, ROOT_DIR, SERVING_LINE_REGEXP, startMain } from "./helpers/run_main.ts";
import { openStore, TrafficLedger } from "../store/mod.ts";

const SERVER_ZONE = "Asia/Kolkata";
const SCREENSHOT_DIR = new URL("./output/screenshots/", import.meta.url).pathname;
const PASSWORD = "correct horse battery 13";
const IS_ROOT = Deno.uid() === 0;

/** Fills `{name}` placeholders as the dashboard's translate() does. */
function fill(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => name in values ? String(values[name]) : whole);
}

/** The server zone's local date `days` from today. */
function localDate(days: number): string {
  return Temporal.Now.plainDateISO(SERVER_ZONE).add({ days }).toString();
}

/** UTC seconds of local `date` at `hour`:`minute` in the server zone. */
function localSec(date: string, hour: number, minute = 0): number {
  const wall = Temporal.PlainDate.from(date).toPlainDateTime({ hour, minute });
  return wall.toZonedDateTime(SERVER_ZONE).epochMilliseconds / 1000;
}

/** Traffic every 90 minutes over the last `days` days, from twelve remotes (dashboard_rig.ts). */
async function importRecentTraffic(dir: string, dbPath: string, days: number): Promise<void> {
  const nowSec = Math.floor(Date.now() / 1000);
  const times: number[] = [];
  for (let t = nowSec - 30; t > nowSec - days * 86400; t -= 5400) times.push(t);
  await importTraffic({ dir, dbPath, timeZone: SERVER_ZONE, records: trafficRecords(times.reverse()) });
}

/** One remote's bytes in the 15-minute bucket starting at `bucketSec`. */
interface KnownTraffic {
  readonly bucketSec: number;
  readonly ip: string;
  readonly up: number;
  readonly down: number;
}

/** Saves `rows` through the real store, as a live capture would, so the database holds exactly them. */
async function writeTraffic(dbPath: string, rows: readonly KnownTraffic[]): Promise<void> {
  using store = openStore(dbPath, { log: () => {} });
  const ledger = new TrafficLedger(store);
  ledger.add({
    traffic: rows.map((r) => ({
      bucketStartSec: r.bucketSec,
      family: r.ip.includes(":") ? 6 as const : 4 as const,
      upBytes: r.up,
      downBytes: r.down,
      upPackets: 1,
      downPackets: 1,
    })),
    remotes: rows.map((r) => ({
      bucketStartSec: r.bucketSec,
      remoteIp: r.ip,
      upBytes: r.up,
      downBytes: r.down,
      upPackets: 1,
      downPackets: 1,
    })),
    health: [],
  });
  const result = await ledger.flush();
  assert.ok(result.isSaved, result.error?.message);
}

async function getJson<T>(baseUrl: string, path: string): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`);
  assert.equal(response.status, 200, path);
  return await response.json() as T;
}

async function text(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).first().textContent() ?? "").trim();
}

/** Switches the dashboard's language with its own control and waits for <html lang>. */
async function setLang(page: Page, lang: "en" | "zh-CN"): Promise<void> {
  await page.selectOption('[data-testid="lang-select"]', lang);
  await page.waitForFunction((want) => document.documentElement.lang === want, lang);
}

/** Asserts the page is no wider than the window (no sideways scrolling). */
async function assertNoSideScroll(page: Page, what: string): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: globalThis.innerWidth,
  }));
  assert.ok(scrollWidth <= innerWidth, `${what}: the page is ${scrollWidth} px wide in ${innerWidth}`);
}

/**
 * Screenshots of the current state at 1280 and 360 px, light and dark, English and Chinese, as
 * `<name>-<lang>-<width>-<scheme>.png`; at 360 px the page must not scroll sideways. `ready` waits for the
 * state after each change. Ends in English, light, 1280 px.
 */
async function screenshots(page: Page, name: string, ready: () => Promise<void>): Promise<void> {
  await Deno.mkdir(SCREENSHOT_DIR, { recursive: true });
  for (const lang of ["en", "zh-CN"] as const) {
    await setLang(page, lang);
    for (const [width, height] of [[1280, 900], [360, 740]] as const) {
      await page.setViewportSize({ width, height });
      for (const scheme of ["light", "dark"] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.waitForFunction((s) => document.documentElement.dataset.theme === s, scheme);
        await ready();
        if (width === 360) await assertNoSideScroll(page, `${name} ${lang} ${scheme}`);
        await page.screenshot({
          path: `${SCREENSHOT_DIR}${name}-${lang}-${width}-${scheme}.png`,
          fullPage: true,
        });
      }
    }
  }
  await setLang(page, "en");
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.emulateMedia({ colorScheme: "light" });
}

/** Runs the page's polls now instead of at their next interval (poll.ts reruns them when the tab shows). */
async function pollNow(page: Page): Promise<void> {
  await page.evaluate(() => document.dispatchEvent(new Event("visibilitychange")));
}

Deno.test({
  name:
    "first run in zh: an empty database says what is captured and where, and warns that lo counts nothing",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "netledger-first-run-" });
    try {
      await using server = await startNetledger({ dbPath: `${dir}/netledger.db`, timeZone: SERVER_ZONE });
      await using browser = await launchDashboardBrowser({ locale: "zh-CN", colorScheme: "light" });
      const { page } = browser;
      const problems: string[] = [];
      watchProblems(page, problems);
      await page.goto(`${server.baseUrl}/`);
      const panel = page.locator('[data-testid="first-run"]');
      await panel.waitFor();
      assert.equal(await text(page, "#first-run-title"), ZH_CN.first_run_title);
      const shown = await panel.textContent() ?? "";
      assert.ok(shown.includes(fill(ZH_CN.first_run_capturing, { iface: "lo" })), shown);
      assert.equal(
        await text(page, '[data-testid="first-run-warning"]'),
        fill(ZH_CN.first_run_loopback, { iface: "lo" }),
      );
      assert.ok(shown.includes(ZH_CN.first_run_where) && shown.includes("README.md#where-to-run-it"), shown);
      // The status line says where capture runs, in the same language.
      await page.waitForFunction(
        (want) => document.querySelector('[data-testid="status-line"]')?.textContent?.includes(want),
        fill(ZH_CN.status_capturing, { iface: "lo" }),
      );
      await screenshots(page, "state-first-run", () => panel.waitFor());
      assert.deepEqual(problems, []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "no permission in zh: the status strip names the problem in Chinese, the server's words as detail",
  ignore: !IS_ROOT,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "netledger-no-raw-" });
    const dbPath = `${dir}/netledger.db`;
    await importRecentTraffic(dir, dbPath, 3);
    // Root without CAP_NET_RAW (capsh drops it from the bounding set before main.ts starts).
    const child = new Deno.Command("capsh", {
      args: ["--drop=cap_net_raw", "--", "-c", `exec '${Deno.execPath()}' run -A main.ts`],
      cwd: ROOT_DIR,
      clearEnv: true,
      env: childEnv({
        DB_PATH: dbPath,
        TZ: SERVER_ZONE,
        LOCAL_IPS: LOCAL_IP,
        MONITOR_IFACE: "lo",
        BIND: "127.0.0.1",
        WEB_PORT: "0",
      }),
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const output = followOutput(child);
    try {
      const baseUrl =
        new URL(SERVING_LINE_REGEXP.exec(await output.waitForLine(SERVING_LINE_REGEXP))![1]).origin;
      const health = await getJson<HealthJson>(baseUrl, "/api/health");
      assert.equal(health.capture?.state, "no_permission");
      await using browser = await launchDashboardBrowser({ locale: "zh-CN", colorScheme: "light" });
      const { page } = browser;
      await page.goto(`${baseUrl}/`);
      await waitForDashboard(page);
      const problem = page.locator('[data-testid="status-strip"] [data-problem="capture:no_permission"]');
      await problem.waitFor();
      assert.equal(
        await problem.locator("span").first().textContent(),
        fill(ZH_CN.capture_no_permission, { iface: "lo" }),
      );
      // The server's English text is there, but only as the detail under the Chinese line.
      assert.equal(await problem.locator("details summary").textContent(), ZH_CN.status_details);
      assert.equal(await problem.locator("details code").textContent(), health.capture?.message);
      assert.equal(await problem.locator("details code").isVisible(), false);
      await problem.locator("details summary").click();
      assert.equal(await problem.locator("details code").isVisible(), true);
      assert.ok((await text(page, '[data-testid="status-line"]')).includes(
        fill(ZH_CN.status_not_capturing, { iface: "lo" }),
      ));
      // No capture, no speed: "—", not "0 B/s".
      assert.equal(await text(page, '[data-testid="live-speed"] .up'), "▲ —");
      assert.equal(await text(page, '[data-testid="live-speed"] .down'), "▼ —");
      await screenshots(page, "state-no-permission", () => problem.waitFor());
    } finally {
      try {
        child.kill("SIGTERM");
      } catch (e) {
        if (!(e instanceof TypeError)) throw e;
      }
      await output.exited;
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "unreachable server in zh: a failed request leaves the controls on what is shown, as a banner; edits mark it stale",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "netledger-unreachable-" });
    try {
      const dbPath = `${dir}/netledger.db`;
      await importRecentTraffic(dir, dbPath, 10);
      await using server = await startNetledger({ dbPath, timeZone: SERVER_ZONE });
      const { baseUrl } = server;
      await using browser = await launchDashboardBrowser({ locale: "zh-CN", colorScheme: "light" });
      const { page } = browser;
      await page.goto(`${baseUrl}/`);
      await waitForDashboard(page);
      const pressed = () =>
        page.locator('[data-quick][aria-pressed="true"]').evaluateAll((buttons) =>
          buttons.map((b) => (b as HTMLElement).dataset.quick)
        );
      const inputs = async () => ({
        start: await page.inputValue('[data-testid="range-start"]'),
        end: await page.inputValue('[data-testid="range-end"]'),
        granularity: await page.inputValue('[data-testid="range-granularity"]'),
      });
      await page.waitForSelector('[data-quick][aria-pressed="true"]');
      const shownQuick = await pressed();
      const shown = await inputs();
      const shownHash = await page.evaluate(() => location.hash);
      const shownTotal = await page.getAttribute('[data-testid="range-summary"] strong', "data-bytes");
      assert.equal(shownQuick.length, 1);
      assert.notEqual(shownQuick[0], "yesterday");

      // The server stops answering: every request fails as a refused connection would.
      await page.route(`${baseUrl}/api/**`, (route) => route.abort("connectionrefused"));
      await page.click('[data-quick="yesterday"]');
      const banner = page.locator('[data-testid="range-error"]');
      await banner.waitFor();
      assert.deepEqual(
        await pressed(),
        shownQuick,
        "the selected button is still the one whose range is shown",
      );
      assert.deepEqual(await inputs(), shown, "the inputs still name the range shown");
      assert.equal(await page.evaluate(() => location.hash), shownHash);
      assert.equal(await page.getAttribute('[data-testid="range-summary"] strong', "data-bytes"), shownTotal);
      // In Chinese, with the browser's English words as the detail.
      assert.equal(
        await banner.locator("span").first().textContent(),
        fill(ZH_CN.range_failed, { start: shown.start, end: shown.end }),
      );
      assert.match(await banner.locator("details code").textContent() ?? "", /\/api\/query/);
      assert.equal(await banner.getAttribute("role"), "alert");
      assert.equal(await page.locator(".cards [role=alert], .cards .banner").count(), 0, "not a grid item");
      assert.equal(await page.locator('[data-testid="range-stale"]').count(), 0);

      // The polls notice too: the status strip says so in Chinese, and the live speed is no number.
      await pollNow(page);
      const unreachable = page.locator('[data-problem="server:unreachable"]');
      await unreachable.waitFor();
      assert.equal(await unreachable.locator("span").first().textContent(), ZH_CN.status_unreachable);
      await page.waitForFunction(() =>
        document.querySelector('[data-testid="live-speed"] .up')?.textContent?.trim() === "▲ —"
      );
      assert.equal(await page.getAttribute('[data-testid="status-line"]', "data-tone"), "bad");

      // A date edited by hand but not queried marks what is shown as stale.
      const edited = localDate(-3);
      await page.fill('[data-testid="range-start"]', edited);
      const stale = page.locator('[data-testid="range-stale"]');
      await stale.waitFor();
      assert.equal((await stale.textContent())?.trim(), ZH_CN.range_stale);
      assert.equal(await page.getAttribute('section[aria-labelledby="range-title"]', "data-stale"), "true");
      await screenshots(page, "state-unreachable", () => stale.waitFor());

      // Back again: querying the edited range shows it, and the marks go.
      await page.unroute(`${baseUrl}/api/**`);
      await pollNow(page);
      await unreachable.waitFor({ state: "detached" });
      await page.fill('[data-testid="range-start"]', edited);
      await page.click('.range-form button[type="submit"]');
      const query = await getJson<QueryJson>(
        baseUrl,
        `/api/query?start=${edited}&end=${shown.end}&granularity=${shown.granularity}`,
      );
      await page.waitForFunction(
        (bytes) =>
          document.querySelector('[data-testid="range-summary"] strong')?.getAttribute("data-bytes") ===
            bytes,
        String(query.summary.total_bytes),
      );
      assert.equal(await banner.count(), 0);
      assert.equal(await stale.count(), 0);
      assert.deepEqual(await inputs(), { ...shown, start: edited });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** Yesterday's traffic, known to the byte: three remotes in the 03:00 hour and others around it. */
function hourFixture(day: string): KnownTraffic[] {
  const rows: KnownTraffic[] = [
    { bucketSec: localSec(day, 2, 45), ip: "198.51.100.20", up: 50, down: 50 },
    { bucketSec: localSec(day, 3, 0), ip: "203.0.113.7", up: 1000, down: 5000 },
    { bucketSec: localSec(day, 3, 30), ip: "198.51.100.9", up: 300, down: 700 },
    { bucketSec: localSec(day, 3, 45), ip: "203.0.113.7", up: 11, down: 22 },
    { bucketSec: localSec(day, 3, 45), ip: "2001:db8::3", up: 2, down: 1 },
    { bucketSec: localSec(day, 4, 0), ip: "2001:db8::9", up: 4000, down: 4000 },
  ];
  // Fourteen more remotes at 18:00, so the whole day lists more than ten.
  for (let n = 1; n <= 14; n++) {
    rows.push({ bucketSec: localSec(day, 18, 0), ip: `203.0.113.${100 + n}`, up: 20 * n, down: 30 * n });
  }
  return rows;
}

/** The table's rows as [address, up, down, total] from the cells' exact byte counts. */
async function tableRows(page: Page): Promise<[string, number, number, number][]> {
  return await page.locator('[data-testid="top-ips"] tbody tr').evaluateAll((trs) =>
    trs.map((tr) => {
      const bytes = [...tr.querySelectorAll("td[data-bytes]")].map((td) =>
        Number(td.getAttribute("data-bytes"))
      );
      return [tr.getAttribute("data-ip") ?? "", bytes[0], bytes[1], bytes[2]] as [
        string,
        number,
        number,
        number,
      ];
    })
  );
}

/** What the table must list for `rows`: per remote sums, heaviest first. */
function expectedRows(rows: readonly KnownTraffic[]): [string, number, number, number][] {
  const sums = new Map<string, { up: number; down: number }>();
  for (const r of rows) {
    const sum = sums.get(r.ip) ?? { up: 0, down: 0 };
    sums.set(r.ip, { up: sum.up + r.up, down: sum.down + r.down });
  }
  return [...sums].map(([ip, s]): [string, number, number, number] => [ip, s.up, s.down, s.up + s.down])
    .sort((a, b) => b[3] - a[3]);
}

Deno.test({
  name: "top remotes follow the range down to one hour, to the byte: others, sort, search and more rows",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const dir = await Deno.makeTempDir({ prefix: "netledger-top-hour-" });
    try {
      const dbPath = `${dir}/netledger.db`;
      const day = localDate(-1);
      const fixture = hourFixture(day);
      await writeTraffic(dbPath, fixture);
      await using server = await startNetledger({ dbPath, timeZone: SERVER_ZONE });
      await using browser = await launchDashboardBrowser({ locale: "en-US", colorScheme: "light" });
      const { page } = browser;
      const problems: string[] = [];
      watchProblems(page, problems);
      await page.goto(`${server.baseUrl}/#/?start=${day}&end=${day}&granularity=hour`);
      await waitForDashboard(page);
      const whole = expectedRows(fixture);
      assert.equal(whole.length, 19);

      await t.step("the day lists its ten heaviest, then all other addresses in one row", async () => {
        await page.waitForFunction(
          (want) => document.querySelectorAll('[data-testid="top-ips"] tbody tr').length === want,
          10,
        );
        assert.deepEqual(await tableRows(page), whole.slice(0, 10));
        const rest = whole.slice(10);
        const others = page.locator('[data-testid="top-ips-others"] td[data-bytes]');
        assert.deepEqual(
          await others.evaluateAll((tds) => tds.map((td) => Number(td.getAttribute("data-bytes")))),
          [
            rest.reduce((s, r) => s + r[1], 0),
            rest.reduce((s, r) => s + r[2], 0),
            rest.reduce((s, r) => s + r[3], 0),
          ],
        );
      });

      await t.step("show more lists every remote, and the button goes when there are no more", async () => {
        await page.click('[data-testid="top-ips-more"]');
        await page.waitForFunction(
          (want) => document.querySelectorAll('[data-testid="top-ips"] tbody tr').length === want,
          whole.length,
        );
        assert.deepEqual(await tableRows(page), whole);
        assert.equal(await page.locator('[data-testid="top-ips-more"]').count(), 0);
        assert.equal(await page.locator('[data-testid="top-ips-others"]').count(), 0);
      });

      await t.step("clicking the 03:00 hour shows that hour's remotes", async () => {
        await page.click('[data-table-toggle="range"]');
        await page.locator('[data-chart="range"]').locator("xpath=..").getByRole("button", {
          name: `${day} 03:00`,
          exact: true,
        }).click();
        const hour = fixture.filter((r) => r.bucketSec >= localSec(day, 3) && r.bucketSec < localSec(day, 4));
        const want = expectedRows(hour);
        await page.waitForFunction(
          (ips) =>
            [...document.querySelectorAll('[data-testid="top-ips"] tbody tr')].map((tr) =>
              tr.getAttribute("data-ip")
            )
              .join() === ips,
          want.map((r) => r[0]).join(),
        );
        assert.deepEqual(await tableRows(page), want);
        assert.equal(await text(page, '[data-testid="top-ips-range"]'), `${day} 03:00 – ${day} 04:00`);
        // The same numbers as the API gives for that hour.
        const api = await getJson<TopIpsJson>(
          server.baseUrl,
          `/api/top_ips?start=${day}T03:00&end=${day}T03:00&limit=50`,
        );
        assert.deepEqual(api.top_ips.map((r) => [r.ip, r.up_bytes, r.down_bytes, r.bytes]), want);
        assert.equal(await page.locator('[data-testid="top-ips-others"]').count(), 0);
        await screenshots(
          page,
          "state-top-remotes-hour",
          () => page.locator('[data-testid="top-ips"]').waitFor(),
        );
      });

      await t.step("columns sort both ways and the search filters by address", async () => {
        const ips = async () => (await tableRows(page)).map((r) => r[0]);
        await page.click('[data-testid="top-ips-sort-up"]');
        assert.deepEqual(await ips(), ["203.0.113.7", "198.51.100.9", "2001:db8::3"]);
        assert.equal(
          await page.getAttribute('th:has([data-testid="top-ips-sort-up"])', "aria-sort"),
          "descending",
        );
        await page.click('[data-testid="top-ips-sort-up"]');
        assert.deepEqual(await ips(), ["2001:db8::3", "198.51.100.9", "203.0.113.7"]);
        await page.click('[data-testid="top-ips-sort-ip"]');
        assert.deepEqual(await ips(), ["198.51.100.9", "203.0.113.7", "2001:db8::3"]);
        await page.fill('[data-testid="top-ips-search"]', "DB8");
        assert.deepEqual(await ips(), ["2001:db8::3"]);
        assert.equal(
          await text(page, '[data-testid="top-ips-count"]'),
          fill(EN.top_ips_matches, { count: 1, total: 3 }),
        );
        await page.fill('[data-testid="top-ips-search"]', "");
        assert.equal((await ips()).length, 3);
      });

      assert.deepEqual(problems, []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/**
 * In the page: each visible element under `selectors` with text of its own, whose text contrast against
 * the first opaque background behind it (WCAG 2 relative luminance) is below `min`, as "selector text: ratio".
 */
function lowContrastTexts(args: { selectors: string[]; min: number }): string[] {
  const parse = (css: string): number[] | null => {
    const rgb = /^rgba?\(([^)]+)\)$/.exec(css);
    if (rgb) {
      const [r, g, b, a = 1] = rgb[1].split(/[\s,/]+/).filter(Boolean).map(Number);
      return [r, g, b, a];
    }
    const srgb = /^color\(srgb ([^)]+)\)$/.exec(css);
    if (srgb) {
      const [r, g, b, a = 1] = srgb[1].split(/[\s/]+/).filter(Boolean).map(Number);
      return [r * 255, g * 255, b * 255, a];
    }
    return null;
  };
  const luminance = ([r, g, b]: number[]) => {
    const f = (v: number) => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const backgroundOf = (el: Element | null): number[] => {
    for (let e = el; e; e = e.parentElement) {
      const color = parse(getComputedStyle(e).backgroundColor);
      if (color && color[3] > 0) return color;
    }
    return [255, 255, 255, 1];
  };
  const failures: string[] = [];
  for (const selector of args.selectors) {
    for (const root of document.querySelectorAll(selector)) {
      for (const el of [root, ...root.querySelectorAll("*")]) {
        const own = [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent)
          .join("").trim();
        const box = el.getBoundingClientRect();
        if (!own || box.width <= 1 || box.height <= 1) continue;
        const fg = parse(getComputedStyle(el).color);
        if (!fg) {
          failures.push(`${selector} "${own}": colour ${getComputedStyle(el).color} not understood`);
          continue;
        }
        const [a, b] = [luminance(fg), luminance(backgroundOf(el))];
        const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        if (ratio < args.min) failures.push(`${selector} "${own}": ${ratio.toFixed(2)}`);
      }
    }
  }
  return failures;
}

/**
 * Presses Tab up to `presses` times from the top of the page and returns, for each element reached, its
 * name and whether a focus ring shows: an outline at least 2 px wide, or a box shadow.
 */
async function tabThrough(page: Page, presses: number): Promise<{ name: string; hasRing: boolean }[]> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const reached: { name: string; hasRing: boolean }[] = [];
  for (let i = 0; i < presses; i++) {
    await page.keyboard.press("Tab");
    const focus = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return null;
      const style = getComputedStyle(el);
      const hasOutline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
      return {
        name: el.dataset.testid ?? el.dataset.quick ??
          `${el.tagName.toLowerCase()} "${el.textContent?.trim()}"`,
        hasRing: hasOutline || style.boxShadow !== "none",
      };
    });
    if (focus) reached.push(focus);
  }
  return reached;
}

/**
 * At 1280 and 360 px, light and dark: the login form is centred, the page does not scroll sideways, and a
 * screenshot `login-<lang>-<width>-<scheme>.png` is saved. Ends at 1280 px, light.
 */
async function checkLoginLayout(page: Page, lang: string): Promise<void> {
  for (const [width, height] of [[1280, 900], [360, 740]] as const) {
    await page.setViewportSize({ width, height });
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const { dx, dy } = await loginOffCentre(page);
      assert.ok(dx <= 1 && dy <= 1, `login ${lang} ${width} px: off centre by ${dx}, ${dy} px`);
      if (width === 360) await assertNoSideScroll(page, `login ${lang} ${scheme}`);
      await page.screenshot({ path: `${SCREENSHOT_DIR}login-${lang}-${width}-${scheme}.png` });
    }
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.emulateMedia({ colorScheme: "light" });
}

/** The login form's centre minus the window's, in px, horizontally and vertically. */
async function loginOffCentre(page: Page): Promise<{ dx: number; dy: number }> {
  return await page.evaluate(() => {
    const box = document.querySelector("form")!.getBoundingClientRect();
    return {
      dx: Math.abs(box.left + box.width / 2 - innerWidth / 2),
      dy: Math.abs(box.top + box.height / 2 - innerHeight / 2),
    };
  });
}

Deno.test({
  name: "with login on: a deep link survives login; every page fits 360 px; focus rings and text contrast",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const dir = await Deno.makeTempDir({ prefix: "netledger-access-" });
    await using fake = FakeClash.start({ secret: "s3cret" });
    try {
      const dbPath = `${dir}/netledger.db`;
      await importRecentTraffic(dir, dbPath, 20);
      const main = await startMain({
        flags: ["-A"],
        env: childEnv({
          DB_PATH: dbPath,
          TZ: SERVER_ZONE,
          LOCAL_IPS: LOCAL_IP,
          MONITOR_IFACE: "lo",
          BIND: "127.0.0.1",
          AUTH_PASSWORD: PASSWORD,
          CLASH_API_URL: fake.url,
          CLASH_SECRET: "s3cret",
        }),
      });
      await using _server = { [Symbol.asyncDispose]: async () => void await main.stop() };
      const { baseUrl } = main;
      await using browser = await launchDashboardBrowser({ locale: "en-US", colorScheme: "light" });
      const { page } = browser;
      const problems: string[] = [];
      let isNavigating = false;
      watchProblems(page, problems, () => isNavigating);

      await t.step(
        "a deep link lands on the login page, centred at 1280 and 360 px, in both themes",
        async () => {
          const link = `#/?start=${localDate(-9)}&end=${localDate(-2)}&granularity=day`;
          await page.goto(`${baseUrl}/${link}`);
          assert.equal(new URL(page.url()).pathname, "/login");
          await Deno.mkdir(SCREENSHOT_DIR, { recursive: true });
          await checkLoginLayout(page, "en");
          // The login page speaks the browser's language (Accept-Language), so Chinese needs its own browser.
          {
            await using zh = await launchDashboardBrowser({ locale: "zh-CN" });
            await zh.page.goto(`${baseUrl}/${link}`);
            assert.equal(await zh.page.locator("html").getAttribute("lang"), "zh");
            await checkLoginLayout(zh.page, "zh-CN");
          }
          // The fragment never reaches the server, yet login returns to it.
          await page.fill("#password", PASSWORD);
          isNavigating = true;
          await page.click('button[type="submit"]');
          await page.waitForURL(`${baseUrl}/${link}`);
          isNavigating = false;
          await waitForDashboard(page);
          assert.equal(await page.inputValue('[data-testid="range-start"]'), localDate(-9));
          assert.equal(await page.inputValue('[data-testid="range-end"]'), localDate(-2));
        },
      );

      await t.step(
        "every control shows a focus ring; the selected quick range looks unlike a focused one",
        async () => {
          await page.waitForSelector('[data-testid="top-ips"]');
          const reached = await tabThrough(page, 70);
          const names = reached.map((r) => r.name);
          for (
            const want of [
              "lang-select",
              "theme-toggle",
              "last_7_days",
              "range-start",
              "top-ips-sort-up",
              "top-ips-search",
            ]
          ) {
            assert.ok(names.includes(want), `${want} not reached by Tab: ${names.join(" | ")}`);
          }
          assert.deepEqual(reached.filter((r) => !r.hasRing), []);
          await page.click('[data-quick="last_7_days"]');
          await page.waitForSelector('[data-quick="last_7_days"][aria-pressed="true"]');
          await page.focus('[data-quick="yesterday"]');
          await page.keyboard.press("Shift+Tab");
          await page.keyboard.press("Tab");
          const look = (selector: string) =>
            page.locator(selector).evaluate((el) => {
              const s = getComputedStyle(el);
              return {
                background: s.backgroundColor,
                outline: s.outlineStyle,
                isFocused: el === document.activeElement,
              };
            });
          const focused = await look('[data-quick="yesterday"]');
          const selected = await look('[data-quick="last_7_days"]');
          assert.ok(focused.isFocused && !selected.isFocused);
          assert.notEqual(focused.outline, "none");
          assert.equal(selected.outline, "none");
          assert.notEqual(focused.background, selected.background);
        },
      );

      await t.step("text on cards, the table and the status line reaches 4.5:1 in both themes", async () => {
        for (const scheme of ["light", "dark"] as const) {
          await page.emulateMedia({ colorScheme: scheme });
          await page.waitForFunction((s) => document.documentElement.dataset.theme === s, scheme);
          const failures = await page.evaluate(lowContrastTexts, {
            selectors: [
              ".cards",
              '[data-testid="top-ips-panel"]',
              '[data-testid="status-line"]',
              ".summary-strip",
            ],
            min: 4.5,
          });
          assert.deepEqual(failures, [], scheme);
        }
        await page.emulateMedia({ colorScheme: "light" });
      });

      await t.step(
        "the dashboard, monitoring and client detail fit 360 px, and their controls show focus",
        async () => {
          await fake.until(() => fake.subscriberCount === 2);
          const phone = fake.open({
            sourceIP: "fd00:1234:5678:9abc:def0:1234:5678:9abc",
            host: "a-very-long-host-name-of-a-streaming-service.video.example.com",
            chains: ["HK-01-with-a-long-node-name", "Proxy"],
          });
          const laptop = fake.open({ sourceIP: "192.168.1.10", host: "example.com", chains: ["DIRECT"] });
          fake.transfer(phone, 4096, 8 * 1024 * 1024);
          fake.transfer(laptop, 1024, 2048);
          fake.pushSnapshot();
          await page.setViewportSize({ width: 360, height: 740 });
          await waitForDashboard(page);
          await assertNoSideScroll(page, "dashboard");
          await page.click('nav a[href="#/monitoring"]');
          const row = page.locator(`[data-testid="mon-clients"] tr[data-ip="${phone.sourceIP}"]`);
          await row.waitFor();
          await assertNoSideScroll(page, "monitoring");
          await row.locator("td.ip a").click();
          await page.locator('[data-testid="mon-detail"]').waitFor();
          await assertNoSideScroll(page, "client detail");
          await page.screenshot({
            path: `${SCREENSHOT_DIR}monitoring-detail-en-360-light.png`,
            fullPage: true,
          });
          await page.setViewportSize({ width: 1280, height: 900 });
          isNavigating = true;
          await page.goto(`${baseUrl}/#/monitoring`);
          isNavigating = false;
          await row.waitFor();
          const reached = await tabThrough(page, 50);
          assert.ok(
            reached.some((r) => r.name.startsWith("mon-sort-")),
            reached.map((r) => r.name).join(" | "),
          );
          assert.deepEqual(reached.filter((r) => !r.hasRing), []);
        },
      );

      assert.deepEqual(problems, []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
