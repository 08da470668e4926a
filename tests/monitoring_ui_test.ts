/**
 * The Monitoring page of issue 13 ("on par with the Clash dashboards") in a real headless Chromium against the
 * real netledger (main.ts) and the fake sing-box core: the global live-connections table (sort, filters,
 * search, bounded rows), the range picker, renaming in the name cell (shown on the dashboard widget), client
 * detail over the page without moving it, closing a connection behind auth after a confirmation, phones at
 * 360 px, and one message for a wrong secret; the dashboard's range form over the proxy history (issue 17
 * item 7) and a live chart that starts from the stored samples. Saves screenshots under
 * tests/output/screenshots/.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import type { MonitoringClientsJson, MonitoringSamplesJson } from "../web/monitoring_api_types.ts";
import { EN, ZH_CN } from "../web/ui/mod.ts";
import { type DashboardBrowser, launchDashboardBrowser, watchProblems } from "./helpers/dashboard_browser.ts";
import { FakeClash, type FakeConnection } from "./helpers/fake_clash.ts";
import { getJson, localDate, SCREENSHOT_DIR } from "./helpers/page_checks.ts";
import { startNetledger } from "./helpers/dashboard_rig.ts";

const SECRET = "s3cret";
const PASSWORD = "correct horse battery 7";
const SERVER_ZONE = "Asia/Kathmandu";
/** Connections of one busy client beyond the rows the table draws (live_connections_model.ts: 200). */
const BULK_CONNECTIONS = 230;
const MAX_SHOWN_CONNECTIONS = 200;

/** Ids the fake core lists in a plain GET /connections, as any client of the core would read them. */
async function coreIds(fake: FakeClash): Promise<string[]> {
  const response = await fetch(`${fake.url}/connections`, { headers: { authorization: `Bearer ${SECRET}` } });
  return (await response.json() as { connections: { id: string }[] }).connections.map((c) => c.id);
}

/** The ids of the connections table's rows, top to bottom. */
function tableIds(page: Page): Promise<(string | null)[]> {
  return page.locator('[data-testid="conn-table"] tbody tr').evaluateAll((trs) =>
    trs.map((tr) => tr.getAttribute("data-id"))
  );
}

/** Waits until the table lists exactly `ids` in that order. */
async function waitForRows(page: Page, ids: readonly string[]): Promise<void> {
  await page.waitForFunction((expected) => {
    const rows = [...document.querySelectorAll('[data-testid="conn-table"] tbody tr')];
    return JSON.stringify(rows.map((tr) => tr.getAttribute("data-id"))) === JSON.stringify(expected);
  }, ids);
}

/** How far the page is wider than the window, and the widest dialog beyond its own box (both in px). */
function overflow(page: Page): Promise<{ page: number; dialog: number }> {
  return page.evaluate(() => ({
    page: document.documentElement.scrollWidth - globalThis.innerWidth,
    dialog: Math.max(
      0,
      ...[...document.querySelectorAll("dialog[open]")].map((d) => d.scrollWidth - d.clientWidth),
    ),
  }));
}

/** Sets language and theme as the header's controls store them, and reloads. */
async function usePrefs(page: Page, lang: string, theme: "light" | "dark"): Promise<void> {
  await page.evaluate(([l, th]) => {
    localStorage.setItem("netledger.lang", l);
    localStorage.setItem("netledger.theme", th);
  }, [lang, theme]);
  await page.reload();
  await page.waitForSelector('[data-testid="conn-table"] tbody tr');
}

async function logIn(page: Page, baseUrl: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.fill("#password", PASSWORD);
  await Promise.all([page.waitForURL(`${baseUrl}/`), page.click('button[type="submit"]')]);
}

Deno.test({
  name:
    "Monitoring page in headless Chromium: live connections, range, rename, detail, closing behind auth, phones",
  // Playwright keeps its own pipes and timers open between steps.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await using fake = FakeClash.start({ secret: SECRET });
    await using netledger = await startNetledger({
      timeZone: SERVER_ZONE,
      env: { CLASH_API_URL: fake.url, CLASH_SECRET: SECRET, AUTH_PASSWORD: PASSWORD },
    });
    await fake.until(() => fake.subscriberCount === 2);
    const video = fake.open({
      sourceIP: "192.168.1.10",
      host: "video.example.com",
      chains: ["HK-01", "Proxy"],
    });
    const api = fake.open({ sourceIP: "192.168.1.10", host: "api.example.org", destinationPort: "8443" });
    const dns = fake.open({
      sourceIP: "fd00::20",
      host: "",
      destinationIP: "2001:db8::53",
      destinationPort: "53",
      network: "udp",
    });
    const bulk = Array.from(
      { length: BULK_CONNECTIONS },
      (_, i) => fake.open({ sourceIP: "10.0.0.99", host: `bulk-${i}.example.net` }),
    );
    fake.transfer(video, 2048, 3_000_000);
    fake.transfer(api, 1000, 20_000);
    fake.transfer(dns, 512, 4096);
    fake.pushSnapshot();
    // Declared after the server, so disposed before it: the page never sees the server go away.
    await using browser = await launchDashboardBrowser({ locale: "en-US", colorScheme: "light" });
    const { page } = browser;
    const problems: string[] = [];
    let isNavigating = false;
    watchProblems(page, problems, () => isNavigating);
    await logIn(page, netledger.baseUrl);
    await page.goto(`${netledger.baseUrl}/#/monitoring`);
    await page.waitForSelector(`[data-testid="conn-table"] tr[data-id="${video.id}"]`);

    await t.step("the connections table draws at most 200 rows and says how many it leaves out", async () => {
      assert.equal((await tableIds(page)).length, MAX_SHOWN_CONNECTIONS);
      const total = BULK_CONNECTIONS + 3;
      assert.equal(
        await page.textContent('[data-testid="conn-hidden"]'),
        `Showing ${MAX_SHOWN_CONNECTIONS} of ${total}: narrow the filters to see the rest`,
      );
      assert.equal(await page.textContent('[data-testid="conn-total"]'), `${total} connections`);
    });

    await t.step(
      "filters by client, network, chain and host, and the search box, narrow the rows",
      async () => {
        await page.selectOption('[data-testid="conn-client"]', "192.168.1.10");
        await waitForRows(page, [video.id, api.id]); // no speed yet: the heavier first
        assert.equal(await page.locator('[data-testid="conn-hidden"]').count(), 0);
        await page.selectOption('[data-testid="conn-client"]', "");
        await page.selectOption('[data-testid="conn-network"]', "udp");
        await waitForRows(page, [dns.id]);
        await page.selectOption('[data-testid="conn-network"]', "");
        await page.selectOption('[data-testid="conn-chain"]', "Proxy > HK-01");
        await waitForRows(page, [video.id]);
        await page.selectOption('[data-testid="conn-chain"]', "");
        await page.fill('[data-testid="conn-host"]', "BULK-17.");
        await waitForRows(page, [bulk[17].id]);
        await page.fill('[data-testid="conn-host"]', "");
        await page.fill('[data-testid="conn-search"]', "2001:db8::53");
        await waitForRows(page, [dns.id]);
        await page.fill('[data-testid="conn-search"]', "");
        await page.selectOption('[data-testid="conn-client"]', "192.168.1.10");
      },
    );

    await t.step("columns sort by speed, total, host and duration", async () => {
      // Speeds are the growth since the previous snapshot: api moves more now, video more in total.
      fake.transfer(video, 10, 1_000);
      fake.transfer(api, 10, 500_000);
      fake.pushSnapshot();
      await waitForRows(page, [api.id, video.id]);
      await page.click('[data-testid="conn-sort-down"]');
      await waitForRows(page, [video.id, api.id]);
      await page.click('[data-testid="conn-sort-host"]');
      await waitForRows(page, [api.id, video.id]); // api.example.org before video.example.com
      await page.click('[data-testid="conn-sort-host"]');
      await waitForRows(page, [video.id, api.id]);
      assert.equal(
        await page.getAttribute('[data-testid="conn-sort-host"] >> xpath=..', "aria-sort"),
        "descending",
      );
      await page.click('[data-testid="conn-sort-duration"]');
      assert.match(
        await page.textContent(`tr[data-id="${video.id}"] td[data-label="${EN.mon_col_duration}"]`) ?? "",
        /^\d+s$|^\d+m( \d+s)?$/,
      );
    });

    await t.step(
      "the range picker loads the history of another range, in the address, and Back returns",
      async () => {
        await page.waitForSelector('[data-chart="monitoring-history"][data-points="24"]');
        const today = await page.getAttribute('[data-testid="mon-history-summary"]', "data-bytes");
        assert.ok(Number(today) >= 3_000_000, `today's proxied bytes, got ${today}`);
        const answered = page.waitForResponse((r) => r.url().includes("/api/monitoring/history?"));
        await page.click('[data-quick="last_7_days"]');
        const request = new URL((await answered).url());
        assert.equal(request.searchParams.get("granularity"), "day");
        assert.match(
          page.url(),
          /#\/monitoring\?start=\d{4}-\d{2}-\d{2}&end=\d{4}-\d{2}-\d{2}&granularity=day$/,
        );
        await page.waitForSelector('[data-chart="monitoring-history"][data-points="7"]');
        assert.equal(await page.getAttribute('[data-quick="last_7_days"]', "aria-pressed"), "true");
        await page.click('[data-quick="yesterday"]');
        await page.waitForSelector('[data-testid="mon-history-summary"][data-bytes="0"]');
        await page.goBack();
        await page.waitForSelector('[data-chart="monitoring-history"][data-points="7"]');
        await page.goBack();
        await page.waitForSelector('[data-chart="monitoring-history"][data-points="24"]');
        assert.equal(await page.getAttribute('[data-quick="today"]', "aria-pressed"), "true");
      },
    );

    await t.step(
      "the name cell renames a client (Enter saves) and the dashboard widget shows the name",
      async () => {
        const row = page.locator('[data-testid="mon-clients"] tr[data-ip="192.168.1.10"]');
        await row.locator('[data-testid="mon-name"]').click();
        await row.locator('[data-testid="mon-name-input"]').fill("Living room NAS");
        await row.locator('[data-testid="mon-name-input"]').press("Enter");
        await page.waitForSelector(
          'tr[data-ip="192.168.1.10"] [data-testid="mon-name"]:has-text("Living room NAS")',
        );
        const stored = await (await page.request.get(`${netledger.baseUrl}/api/monitoring/clients`))
          .json() as MonitoringClientsJson;
        assert.equal(stored.clients.find((c) => c.ip === "192.168.1.10")?.name, "Living room NAS");
        // Escape leaves the name as it was.
        await row.locator('[data-testid="mon-name"]').click();
        await row.locator('[data-testid="mon-name-input"]').fill("Something else");
        await row.locator('[data-testid="mon-name-input"]').press("Escape");
        await page.waitForSelector(
          'tr[data-ip="192.168.1.10"] [data-testid="mon-name"]:has-text("Living room NAS")',
        );
        await page.waitForSelector(`tr[data-id="${video.id}"] td:has-text("Living room NAS")`);

        isNavigating = true;
        await page.goto(`${netledger.baseUrl}/#/`);
        isNavigating = false;
        await page.waitForSelector(
          '[data-testid="mon-widget"] li[data-ip="192.168.1.10"]:has-text("Living room NAS")',
        );
        await page.goto(`${netledger.baseUrl}/#/monitoring`);
        await page.waitForSelector(`[data-testid="conn-table"] tr[data-id="${video.id}"]`);
      },
    );

    await t.step(
      "client detail opens over the page without moving it, and closes back to the same place",
      async () => {
        const link = page.locator('[data-testid="mon-clients"] tr[data-ip="192.168.1.10"] td.ip a');
        await link.scrollIntoViewIfNeeded();
        await page.evaluate(() => scrollBy(0, 40));
        const before = await page.evaluate(() => scrollY);
        assert.ok(before > 0, "the clients table is below the fold");
        await link.click();
        await page.waitForSelector('[data-testid="mon-resources"] td:has-text("video.example.com")');
        assert.equal(await page.evaluate(() => scrollY), before);
        assert.match(page.url(), /#\/monitoring\?client=192\.168\.1\.10$/);
        assert.equal(await page.locator('[data-testid="mon-connections"] tbody tr').count(), 2);
        await page.click('[data-testid="mon-detail-close"]');
        await page.waitForSelector('[data-testid="mon-detail"]', { state: "detached" });
        assert.equal(await page.evaluate(() => scrollY), before);
        assert.match(page.url(), /#\/monitoring$/, "closing went back the step that opened it");
      },
    );

    await t.step(
      "closing a connection asks first, then the core closes it and the table drops it",
      async () => {
        await page.selectOption('[data-testid="conn-client"]', "192.168.1.10");
        await page.click(`tr[data-id="${api.id}"] [data-testid="conn-close"]`);
        await page.waitForSelector('[data-testid="conn-close-dialog"]');
        await page.click('[data-testid="conn-close-dialog"] button:has-text("Cancel")');
        await page.waitForSelector('[data-testid="conn-close-dialog"]', { state: "detached" });
        assert.deepEqual(fake.requests.filter((r) => r.startsWith("DELETE")), []);

        await page.click(`tr[data-id="${api.id}"] [data-testid="conn-close"]`);
        assert.match(
          await page.textContent('[data-testid="conn-close-dialog"]') ?? "",
          /acts on the proxy core/,
        );
        await page.click('[data-testid="conn-close-confirm"]');
        await page.waitForSelector('[data-testid="conn-close-dialog"]', { state: "detached" });
        assert.deepEqual(fake.requests.filter((r) => r.startsWith("DELETE")), [
          `DELETE /connections/${api.id}`,
        ]);
        assert.ok(!(await coreIds(fake)).includes(api.id), "the core no longer lists it");
        fake.pushSnapshot();
        await page.waitForSelector(`tr[data-id="${api.id}"]`, { state: "detached" });
        assert.ok((await tableIds(page)).includes(video.id));
      },
    );

    // A phone with a long address and a long host: they may wrap only between their labels.
    const phone = fake.open({
      sourceIP: "fd00:1234:5678:9abc:def0:1234:5678:9abc",
      host: "a-very-long-host-name-of-a-streaming-service.video.example.com",
      chains: ["HK-01-with-a-long-node-name", "Proxy"],
    });
    fake.transfer(phone, 4096, 8_000_000);
    fake.pushSnapshot();

    await t.step("at 360 px nothing scrolls sideways, client detail included", async () => {
      await page.setViewportSize({ width: 360, height: 780 });
      const row = page.locator(`[data-testid="mon-clients"] tr[data-ip="${phone.sourceIP}"]`);
      await row.waitFor(); // the clients table polls every 10 s
      assert.deepEqual(await overflow(page), { page: 0, dialog: 0 });
      await row.locator("td.ip a").click();
      await page.waitForSelector(`[data-testid="mon-resources"] td:has-text("${phone.host}")`);
      assert.deepEqual(await overflow(page), { page: 0, dialog: 0 });
      await Deno.mkdir(SCREENSHOT_DIR, { recursive: true });
      await page.screenshot({ path: `${SCREENSHOT_DIR}/monitoring-detail-360-en-light.png` });
      await page.keyboard.press("Escape");
      await page.waitForSelector('[data-testid="mon-detail"]', { state: "detached" });
    });

    await t.step("screenshots at 1280 and 360 px, light and dark, English and Chinese", async () => {
      for (const c of bulk) fake.finish(c); // 200 cards would make a very long phone screenshot
      fake.pushSnapshot();
      await page.selectOption('[data-testid="conn-client"]', "");
      // No speed in this snapshot: the heavier first (phone 8 MB, video 3 MB, dns 4.6 kB).
      await waitForRows(page, [phone.id, video.id, dns.id]);
      isNavigating = true; // each usePrefs() reloads the page, cancelling the polls in flight
      for (const [lang, suffix] of [["en", "en"], ["zh-CN", "zh"]] as const) {
        for (const theme of ["light", "dark"] as const) {
          await usePrefs(page, lang, theme);
          if (lang === "zh-CN") await page.waitForSelector(`h2:has-text("${ZH_CN.mon_connections}")`);
          for (const width of [1280, 360]) {
            await page.setViewportSize({ width, height: width === 360 ? 780 : 900 });
            assert.equal((await overflow(page)).page, 0, `${lang} ${theme} ${width}px`);
            await page.screenshot({
              path: `${SCREENSHOT_DIR}/monitoring-${width}-${suffix}-${theme}.png`,
              fullPage: true,
            });
          }
        }
      }
      await usePrefs(page, "en", "light");
      isNavigating = false;
      await page.setViewportSize({ width: 1280, height: 900 });
    });

    assert.deepEqual(problems, []);
  },
});

Deno.test({
  name:
    "Monitoring page without auth offers no close control (the route answers 403) and says a wrong secret once",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await using fake = FakeClash.start({ secret: SECRET });
    await using netledger = await startNetledger({
      timeZone: SERVER_ZONE,
      env: { CLASH_API_URL: fake.url, CLASH_SECRET: SECRET },
    });
    await fake.until(() => fake.subscriberCount === 2);
    const video: FakeConnection = fake.open({ sourceIP: "192.168.1.10", host: "video.example.com" });
    fake.transfer(video, 10, 10);
    fake.pushSnapshot();
    await using browser: DashboardBrowser = await launchDashboardBrowser({ locale: "en-US" });
    const { page } = browser;
    await page.goto(`${netledger.baseUrl}/#/monitoring`);
    await page.waitForSelector(`[data-testid="conn-table"] tr[data-id="${video.id}"]`);

    await t.step("auth off: no close control, and the route refuses with 403", async () => {
      assert.equal(await page.locator('[data-testid="conn-close"]').count(), 0);
      const answer = await page.evaluate(async (id) => {
        const response = await fetch(`/api/monitoring/connections/${id}`, { method: "DELETE" });
        return { status: response.status, body: await response.json() };
      }, video.id);
      assert.equal(answer.status, 403);
      assert.match(answer.body.error, /authentication is off/);
      assert.ok((await coreIds(fake)).includes(video.id));
    });

    await t.step(
      "a wrong secret is said once, by the status strip, and nowhere else on the page",
      async () => {
        fake.changeSecret("rotated-secret");
        await page.waitForSelector(`[data-testid="status-strip"]:has-text("${EN.mon_state_unauthorized}")`, {
          timeout: 60_000,
        });
        // The strip follows /api/health, the table the overview's own poll: no stale connections once it answered.
        await page.locator('[data-testid="conn-table"]').waitFor({ state: "detached" });
        // Closed <details> (the server's own words under the message) are not part of innerText.
        const text = await page.evaluate(() => document.body.innerText);
        assert.equal(text.split(/refused/i).length - 1, 1, text);
        await page.goto(`${netledger.baseUrl}/#/`);
        await page.waitForSelector('[data-testid="mon-widget"]');
        const dashboard = await page.evaluate(() => document.body.innerText);
        assert.equal(dashboard.split(/refused/i).length - 1, 1, dashboard);
      },
    );
  },
});

Deno.test({
  name:
    "Monitoring page: the live chart starts from the stored samples, the dashboard's range form picks the history",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await using fake = FakeClash.start({ secret: SECRET });
    await using netledger = await startNetledger({
      timeZone: SERVER_ZONE,
      env: { CLASH_API_URL: fake.url, CLASH_SECRET: SECRET },
    });
    await fake.until(() => fake.subscriberCount === 2);
    const video = fake.open({ sourceIP: "192.168.1.10", host: "video.example.com" });
    fake.transfer(video, 1000, 5000);
    fake.pushSnapshot();
    fake.pushTraffic(); // one second of 1000 up and 5000 down, before the Monitoring page is open
    await using browser = await launchDashboardBrowser({ locale: "en-US" });
    const { page } = browser;
    const problems: string[] = [];
    watchProblems(page, problems, () => false);
    await page.goto(`${netledger.baseUrl}/#/`);
    await page.waitForFunction(async () => {
      const answer = await (await fetch("/api/monitoring/samples")).json() as MonitoringSamplesJson;
      return answer.samples.length > 0;
    });
    const { samples } = await getJson<MonitoringSamplesJson>(netledger.baseUrl, "/api/monitoring/samples");
    assert.deepEqual(samples.map((s) => [s.up_bytes, s.down_bytes]), [[1000, 5000]]);

    await t.step("the live chart opens with the second the core sent before the page loaded", async () => {
      await page.click('nav a[href="#/monitoring"]');
      await page.waitForSelector('[data-chart="monitoring-live"][data-bytes="6000"]');
      fake.transfer(video, 1, 2);
      fake.pushTraffic();
      await page.waitForSelector('[data-chart="monitoring-live"][data-bytes="6003"]');
    });

    await t.step(
      "the dates, granularity and Query of the dashboard's form load the proxy history",
      async () => {
        await page.waitForSelector('[data-chart="monitoring-history"][data-points="24"]');
        const history = page.locator('[data-testid="mon-history"]');
        const [yesterday, today] = [localDate(SERVER_ZONE, -1), localDate(SERVER_ZONE, 0)];
        await history.locator('[data-testid="range-start"]').fill(today);
        await history.locator('[data-testid="range-end"]').fill(yesterday);
        await history.locator('[role="alert"]').waitFor();
        assert.ok(
          await history.locator('button[type="submit"]').isDisabled(),
          "no Query of a range that ends first",
        );
        await history.locator('[data-testid="range-start"]').fill(yesterday);
        await history.locator('[data-testid="range-end"]').fill(today);
        await history.locator('[data-testid="range-granularity"]').selectOption("day");
        const answered = page.waitForResponse((r) => r.url().includes("/api/monitoring/history?"));
        await history.locator('button[type="submit"]').click();
        const request = new URL((await answered).url());
        assert.deepEqual(
          [
            request.searchParams.get("start"),
            request.searchParams.get("end"),
            request.searchParams.get("granularity"),
          ],
          [yesterday, today, "day"],
        );
        await page.waitForSelector('[data-chart="monitoring-history"][data-points="2"]');
        assert.match(
          page.url(),
          new RegExp(`#/monitoring\\?start=${yesterday}&end=${today}&granularity=day$`),
        );
        assert.equal(await history.locator('[data-quick][aria-pressed="true"]').count(), 0);
        await page.goBack();
        await page.waitForSelector('[data-chart="monitoring-history"][data-points="24"]');
        assert.equal(await history.locator('[data-testid="range-start"]').inputValue(), today);
        assert.equal(await page.getAttribute('[data-quick="today"]', "aria-pressed"), "true");
      },
    );

    assert.deepEqual(problems, []);
  },
});
