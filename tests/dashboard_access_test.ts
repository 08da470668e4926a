/**
 * Access and phones in a real headless Chromium against the real netledger (main.ts) with login on and a fake
 * sing-box core (issue 13): a deep link (its #fragment never reaches the server) survives the login page, which
 * is centred at 1280 and 360 px; the dashboard, the Monitoring page and client detail fit 360 px; every
 * control reached by Tab shows a focus ring, and the selected quick range looks unlike a focused one; text on
 * the cards, the top-remotes table, the summary and the status line reaches 4.5:1 in both themes, computed
 * from the computed colours. Saves the login page's screenshots (1280 and 360 px, light and dark, English and
 * Chinese) under tests/output/screenshots/.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { launchDashboardBrowser, waitForDashboard, watchProblems } from "./helpers/dashboard_browser.ts";
import { startNetledger } from "./helpers/dashboard_rig.ts";
import { FakeClash } from "./helpers/fake_clash.ts";
import {
  assertNoSideScroll,
  importRecentTraffic,
  localDate,
  lowContrastTexts,
  SCREENSHOT_DIR,
  tabThrough,
} from "./helpers/page_checks.ts";

const SERVER_ZONE = "Asia/Kolkata";
const PASSWORD = "correct horse battery 13";

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
      await importRecentTraffic({ dir, dbPath, timeZone: SERVER_ZONE, days: 20 });
      await using server = await startNetledger({
        dbPath,
        timeZone: SERVER_ZONE,
        env: { AUTH_PASSWORD: PASSWORD, CLASH_API_URL: fake.url, CLASH_SECRET: "s3cret" },
      });
      const { baseUrl } = server;
      await using browser = await launchDashboardBrowser({ locale: "en-US", colorScheme: "light" });
      const { page } = browser;
      const problems: string[] = [];
      let isNavigating = false;
      watchProblems(page, problems, () => isNavigating);

      await t.step(
        "a deep link lands on the login page, centred at 1280 and 360 px, in both themes",
        async () => {
          const link = `#/?start=${localDate(SERVER_ZONE, -9)}&end=${
            localDate(SERVER_ZONE, -2)
          }&granularity=day`;
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
          assert.equal(await page.inputValue('[data-testid="range-start"]'), localDate(SERVER_ZONE, -9));
          assert.equal(await page.inputValue('[data-testid="range-end"]'), localDate(SERVER_ZONE, -2));
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
