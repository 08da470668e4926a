/**
 * The Monitoring page in a real headless Chromium against the real netledger (main.ts) connected to the fake
 * sing-box core: clients table with the stored numbers, sorting, renaming (persisted), client detail, the
 * live chart fed through the server's WebSocket relay, the dashboard widget, another language and the dark
 * theme. Saves screenshots under tests/output/screenshots/.
 */
import assert from "node:assert/strict";
import type { MonitoringClientsJson } from "../web/monitoring_api_types.ts";
import { ZH_CN } from "../web/ui/mod.ts";
import { launchDashboardBrowser, watchProblems } from "./helpers/dashboard_browser.ts";
import { startNetledger } from "./helpers/dashboard_rig.ts";
import { FakeClash } from "./helpers/fake_clash.ts";
import { SCREENSHOT_DIR } from "./helpers/page_checks.ts";

const SECRET = "s3cret";
const SERVER_ZONE = "Asia/Kathmandu";

async function clients(baseUrl: string): Promise<MonitoringClientsJson> {
  const response = await fetch(`${baseUrl}/api/monitoring/clients`);
  assert.equal(response.status, 200);
  return await response.json() as MonitoringClientsJson;
}

Deno.test({
  name: "Monitoring page in headless Chromium shows proxy clients, renames, sorts, details and live traffic",
  // Playwright keeps its own pipes and timers open between steps.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    await using fake = FakeClash.start({ secret: SECRET });
    await using netledger = await startNetledger({
      timeZone: SERVER_ZONE,
      env: { CLASH_API_URL: fake.url, CLASH_SECRET: SECRET },
    });
    await checkPage(t, netledger.baseUrl, fake);
  },
});

/** The steps, against a running netledger at `baseUrl` connected to `fake`. */
async function checkPage(t: Deno.TestContext, baseUrl: string, fake: FakeClash): Promise<void> {
  await fake.until(() => fake.subscriberCount === 2);
  const video = fake.open({
    sourceIP: "192.168.1.10",
    host: "video.example.com",
    chains: ["HK-01", "Proxy"],
  });
  const v6 = fake.open({ sourceIP: "fd00::20", host: "", destinationIP: "2001:db8::5", network: "udp" });
  fake.transfer(video, 2048, 3 * 1024 * 1024);
  fake.transfer(v6, 512, 4096);
  fake.pushSnapshot();
  await using browser = await launchDashboardBrowser({ locale: "en-US", colorScheme: "light" });
  const { page } = browser;
  const problems: string[] = [];
  watchProblems(page, problems);
  await page.goto(`${baseUrl}/#/monitoring`);
  await page.waitForSelector('[data-testid="mon-clients"] tr[data-ip="fd00::20"]');

  await t.step("clients table shows the server's numbers, busiest download first", async () => {
    const stored = await clients(baseUrl);
    assert.deepEqual(stored.clients.map((c) => [c.ip, c.down_bytes]), [
      ["192.168.1.10", 3 * 1024 * 1024],
      ["fd00::20", 4096],
    ]);
    const rows = await page.locator('[data-testid="mon-clients"] tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [tr.getAttribute("data-ip"), tr.querySelector("td.down")?.textContent])
    );
    // 3 MiB and 4 KiB in the default SI units.
    assert.deepEqual(rows, [["192.168.1.10", "3.15 MB"], ["fd00::20", "4.10 kB"]]);
    // The card follows the overview's own poll, which may answer after the clients table's.
    await page.waitForFunction(
      (want) => document.querySelector('[data-testid="mon-active"] .card-value')?.textContent === want,
      "2",
    );
  });

  await t.step("sorting by IP ascending reorders the rows", async () => {
    await page.click('[data-testid="mon-sort-ip"]');
    await page.click('[data-testid="mon-sort-ip"]');
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="mon-clients"] tbody tr')?.getAttribute("data-ip") ===
        "fd00::20"
    );
  });

  await t.step("a name typed in the name cell is saved on the server", async () => {
    const row = page.locator('tr[data-ip="192.168.1.10"]');
    await row.locator('[data-testid="mon-name"]').click();
    await row.locator('[data-testid="mon-name-input"]').fill("Living room NAS");
    await row.locator('[data-testid="mon-name-input"]').press("Enter");
    await page.waitForSelector(
      'tr[data-ip="192.168.1.10"] [data-testid="mon-name"]:has-text("Living room NAS")',
    );
    const stored = await clients(baseUrl);
    assert.equal(stored.clients.find((c) => c.ip === "192.168.1.10")?.name, "Living room NAS");
  });

  await t.step("the IP opens the client's resources, chains and live connections", async () => {
    await page.click('tr[data-ip="192.168.1.10"] td.ip a');
    await page.waitForSelector('[data-testid="mon-resources"] td:has-text("video.example.com")');
    assert.match(await page.locator('[data-testid="mon-chains"]').textContent() ?? "", /Proxy > HK-01/);
    assert.equal(await page.locator('[data-testid="mon-connections"] tbody tr').count(), 1);
    assert.match(page.url(), /#\/monitoring\?client=192\.168\.1\.10$/);
    await page.keyboard.press("Escape");
    await page.waitForSelector('[data-testid="mon-detail"]', { state: "detached" });
  });

  await t.step("a /traffic line reaches the live chart and the rate card through the relay", async () => {
    await page.waitForSelector('[data-chart="monitoring-live"] .uplot');
    fake.pushTraffic(); // the bytes moved since the server subscribed
    fake.transfer(video, 64, 4096);
    // A line is this subscriber's delta since its previous line (docs/clash-accounting.md §1.4).
    fake.pushTraffic();
    await page.waitForFunction(() =>
      /▲ 64 B\/s/.test(document.querySelector('[data-testid="mon-rate"]')?.textContent ?? "")
    );
    assert.ok(fake.requests.every((r) => !r.includes("/api/")), "the browser never reaches the core");
  });

  await t.step("Chinese labels and the dark theme", async () => {
    await page.selectOption('[data-testid="lang-select"]', "zh-CN");
    await page.waitForSelector(`h2:has-text("${ZH_CN.mon_live_title}")`);
    for (
      let i = 0;
      i < 3 && await page.evaluate(() => document.documentElement.dataset.theme) !== "dark";
      i++
    ) {
      await page.click('[data-testid="theme-toggle"]');
    }
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "dark");
    await Deno.mkdir(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: `${SCREENSHOT_DIR}/monitoring-zh-dark.png`, fullPage: true });
  });

  await t.step(
    "on a phone the page does not overflow sideways (tables become cards)",
    async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.waitForSelector('[data-testid="mon-clients"]');
      const overflow = await page.evaluate(() =>
        document.documentElement.scrollWidth - globalThis.innerWidth
      );
      assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`);
      await page.screenshot({ path: `${SCREENSHOT_DIR}/monitoring-phone-dark.png`, fullPage: true });
      await page.setViewportSize({ width: 1280, height: 900 });
    },
  );

  await t.step("the dashboard widget links to the page", async () => {
    await page.goto(`${baseUrl}/#/`);
    await page.waitForSelector('[data-testid="mon-widget"] a[href="#/monitoring"]');
  });

  assert.deepEqual(problems, []);
}
