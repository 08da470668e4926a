/**
 * The dashboard's honest states in a real headless Chromium against the real netledger (main.ts) over real
 * databases (issue 13): the first run on an empty database, capture without permission and an unreachable
 * server, each in Chinese, and the top-remotes table following a range down to one hour, to the byte.
 * Saves screenshots of each state (1280 and 360 px, light and dark, English and Chinese) under
 * tests/output/screenshots/.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import type { HealthJson, QueryJson, TopIpsJson } from "../web/api_types.ts";
import { EN, ZH_CN } from "../web/ui/mod.ts";
import { launchDashboardBrowser, waitForDashboard, watchProblems } from "./helpers/dashboard_browser.ts";
import { LOCAL_IP, startNetledger } from "./helpers/dashboard_rig.ts";
import { fill, getJson, importRecentTraffic, localDate, screenshots, textOf } from "./helpers/page_checks.ts";
import { childEnv, followOutput, ROOT_DIR, SERVING_LINE_REGEXP } from "./helpers/run_main.ts";
import { openStore, TrafficLedger } from "../store/mod.ts";

const SERVER_ZONE = "Asia/Kolkata";
const IS_ROOT = Deno.uid() === 0;

/** UTC seconds of local `date` at `hour`:`minute` in the server zone. */
function localSec(date: string, hour: number, minute = 0): number {
  const wall = Temporal.PlainDate.from(date).toPlainDateTime({ hour, minute });
  return wall.toZonedDateTime(SERVER_ZONE).epochMilliseconds / 1000;
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
  // Written in the server's zone, as netledger writes its own history: day rows are local days of the zone
  // they were written in (docs/history-storage.md "Picking the spans of a range").
  using store = openStore(dbPath, { log: () => {}, timeZone: SERVER_ZONE });
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

/** Runs the page's polls now instead of at their next interval (poll.ts reruns them when the tab shows). */
async function pollNow(page: Page): Promise<void> {
  await page.evaluate(() => document.dispatchEvent(new Event("visibilitychange")));
}

/** Stops a child that may have exited already, and waits for its output to end. */
async function stopChild(child: Deno.ChildProcess, exited: Promise<unknown>): Promise<void> {
  try {
    child.kill("SIGTERM");
  } catch (e) {
    if (!(e instanceof TypeError)) throw e; // already exited
  }
  await exited;
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
      assert.equal(await textOf(page, "#first-run-title"), ZH_CN.first_run_title);
      const shown = await panel.textContent() ?? "";
      assert.ok(shown.includes(fill(ZH_CN.first_run_capturing, { iface: "lo" })), shown);
      assert.equal(
        await textOf(page, '[data-testid="first-run-warning"]'),
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
    await importRecentTraffic({ dir, dbPath, timeZone: SERVER_ZONE, days: 3 });
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
      assert.ok((await textOf(page, '[data-testid="status-line"]')).includes(
        fill(ZH_CN.status_not_capturing, { iface: "lo" }),
      ));
      // No capture, no speed: "—", not "0 B/s".
      assert.equal(await textOf(page, '[data-testid="live-speed"] .up'), "▲ —");
      assert.equal(await textOf(page, '[data-testid="live-speed"] .down'), "▼ —");
      await screenshots(page, "state-no-permission", () => problem.waitFor());
    } finally {
      await stopChild(child, output.exited);
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
      await importRecentTraffic({ dir, dbPath, timeZone: SERVER_ZONE, days: 10 });
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
      const edited = localDate(SERVER_ZONE, -3);
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
      const day = localDate(SERVER_ZONE, -1);
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
        assert.equal(await textOf(page, '[data-testid="top-ips-range"]'), `${day} 03:00 – ${day} 04:00`);
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
          await textOf(page, '[data-testid="top-ips-count"]'),
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
