/**
 * Login in a real headless Chromium against the real netledger (main.ts) with AUTH_PASSWORD and API_TOKEN set:
 * the login page guards the dashboard, the session cookie is HttpOnly and SameSite=Strict, "Log out" ends the
 * session, a 401 sends the dashboard to the login page once and back to where it was, and scripts reach the
 * API with the bearer token alone. Saves a screenshot of the login page under tests/output/screenshots/.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import type { SummaryJson } from "../web/api_types.ts";
import { formatBytes } from "../web/format_bytes.ts";
import { SESSION_COOKIE } from "../web/api/mod.ts";
import { EN, RU, ZH_CN } from "../web/ui/mod.ts";
import { launchDashboardBrowser, waitForDashboard, watchProblems } from "./helpers/dashboard_browser.ts";
import { importTraffic, startNetledger, trafficRecords } from "./helpers/dashboard_rig.ts";
import { SCREENSHOT_DIR } from "./helpers/page_checks.ts";

const SERVER_ZONE = "UTC";
const PASSWORD = "correct horse battery 7";
const API_TOKEN = crypto.randomUUID();

/** Moments of today (server zone UTC) at which the imported traffic flows, so the "today" card has bytes. */
function todayTimestamps(nowSec: number): number[] {
  const dayStartSec = nowSec - (nowSec % 86400);
  const spanSec = nowSec - dayStartSec;
  return [0.2, 0.4, 0.6, 0.8].map((share) => dayStartSec + Math.floor(spanSec * share));
}

/** GETs `path` from the server with only `headers` (no browser, no cookie jar). */
async function apiStatus(baseUrl: string, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${baseUrl}${path}`, { headers });
  return { status: response.status, body: await response.json() as Record<string, unknown> };
}

async function submitPassword(page: Page, password: string): Promise<number> {
  await page.fill("#password", password);
  const answered = page.waitForResponse((r) =>
    new URL(r.url()).pathname === "/login" && r.request().method() === "POST"
  );
  await page.click('button[type="submit"]');
  return (await answered).status();
}

function pathOf(page: Page): string {
  return new URL(page.url()).pathname;
}

Deno.test({
  name: "login page guards the dashboard in headless Chromium; Log out ends the session; the API token works",
  // Playwright keeps its own pipes and timers open between steps.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const dir = await Deno.makeTempDir({ prefix: "netledger-auth-ui-" });
    try {
      const dbPath = `${dir}/netledger.db`;
      const records = trafficRecords(todayTimestamps(Math.floor(Date.now() / 1000)), 4);
      await importTraffic({ dir, dbPath, timeZone: SERVER_ZONE, records });
      await using server = await startNetledger({
        dbPath,
        timeZone: SERVER_ZONE,
        env: { AUTH_PASSWORD: PASSWORD, API_TOKEN },
      });
      const { baseUrl } = server;
      const bearer = { authorization: `Bearer ${API_TOKEN}` };
      // Declared after the server, so disposed before it: the page never sees the server go away.
      await using browser = await launchDashboardBrowser({ locale: "en-US", colorScheme: "light" });
      const { page, context } = browser;
      const problems: string[] = [];
      let isNavigating = false;
      watchProblems(page, problems, () => isNavigating);
      const loginLoads: string[] = [];
      page.on("request", (r) => {
        const url = new URL(r.url());
        if (r.isNavigationRequest() && r.method() === "GET" && url.pathname === "/login") {
          loginLoads.push(url.search);
        }
      });

      await t.step("opening / lands on the login page", async () => {
        await page.goto(`${baseUrl}/`);
        assert.equal(pathOf(page), "/login");
        assert.equal(new URL(page.url()).searchParams.get("next"), "/");
        assert.ok(await page.locator("#password").isVisible());
        assert.equal(await page.locator("#app").count(), 0, "no dashboard before login");
        await Deno.mkdir(SCREENSHOT_DIR, { recursive: true });
        await page.screenshot({ path: `${SCREENSHOT_DIR}login.png` });
      });

      await t.step("a wrong password shows an error and stays on the login page", async () => {
        assert.equal(await submitPassword(page, "wrong password"), 401);
        assert.equal(pathOf(page), "/login");
        assert.equal((await page.locator('[role="alert"]').textContent())?.trim(), "Wrong password");
        assert.deepEqual(await context.cookies(baseUrl), []);
      });

      await t.step(
        "the right password reaches the dashboard with no errors, and cards show values",
        async () => {
          problems.length = 0; // the wrong password's 401 above was expected
          assert.equal(await submitPassword(page, PASSWORD), 303);
          await page.waitForURL(`${baseUrl}/`);
          await waitForDashboard(page);
          const summary = await apiStatus(baseUrl, "/api/summary", bearer);
          assert.equal(summary.status, 200);
          const today = (summary.body as unknown as SummaryJson).today;
          assert.ok(today.total_bytes > 0);
          const card = page.locator('[data-testid="card-today"]');
          assert.equal(await card.getAttribute("data-bytes"), String(today.total_bytes));
          // The dashboard shows SI units by default (as ISPs bill); the API's total_fmt keeps the old tool's.
          const shown = formatBytes(today.total_bytes, { base: 1000, locale: "en" });
          assert.equal((await card.locator(".card-value").textContent())?.trim(), shown);
          assert.deepEqual(problems, []);
        },
      );

      await t.step("the session cookie is HttpOnly and SameSite=Strict", async () => {
        const cookies = await context.cookies(baseUrl);
        assert.deepEqual(cookies.map((c) => c.name), [SESSION_COOKIE]);
        assert.equal(cookies[0].httpOnly, true);
        assert.equal(cookies[0].sameSite, "Strict");
        assert.equal(cookies[0].path, "/");
        assert.ok(!(await page.evaluate(() => document.cookie)).includes(SESSION_COOKIE));
      });

      await t.step("Log out is in every language and reached from the keyboard", async () => {
        for (const [lang, messages] of [["zh-CN", ZH_CN], ["ru", RU], ["en", EN]] as const) {
          await page.selectOption('[data-testid="lang-select"]', lang);
          await page.waitForFunction(
            (label) => document.querySelector('[data-testid="logout"]')?.textContent === label,
            messages.log_out,
          );
        }
        await page.focus('[data-testid="theme-toggle"]');
        await page.keyboard.press("Tab");
        assert.equal(
          await page.evaluate(() => document.activeElement?.getAttribute("data-testid")),
          "logout",
        );
        // The extra button still fits a 360 px phone header (the dashboard test checks the same without it).
        await page.setViewportSize({ width: 360, height: 740 });
        assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth));
        await page.setViewportSize({ width: 1280, height: 900 });
        assert.deepEqual(problems, []);
      });

      await t.step("Log out returns to the login page and the API then answers 401", async () => {
        const [session] = await context.cookies(baseUrl);
        isNavigating = true; // leaving cancels the dashboard's polls in flight
        await page.keyboard.press("Enter");
        await page.waitForURL(`${baseUrl}/login`);
        isNavigating = false;
        assert.ok(await page.locator("#password").isVisible());
        assert.deepEqual(await context.cookies(baseUrl), []);
        assert.equal((await context.request.get(`${baseUrl}/api/summary`)).status(), 401);
        // The old cookie is dead on the server too, not only forgotten by the browser.
        const replayed = await apiStatus(baseUrl, "/api/summary", {
          cookie: `${SESSION_COOKIE}=${session.value}`,
        });
        assert.equal(replayed.status, 401);
        assert.equal(typeof replayed.body.error, "string");
      });

      await t.step(
        "a 401 sends the dashboard to the login page once, and login returns to the page",
        async () => {
          assert.equal(await submitPassword(page, PASSWORD), 303);
          await page.waitForURL(`${baseUrl}/`);
          await waitForDashboard(page);
          // The session ends behind the page's back (as when the server restarts); its next API call sees 401.
          await context.clearCookies();
          loginLoads.length = 0;
          await page.evaluate(() => location.hash = "#/monitoring");
          await page.waitForURL((url) => url.pathname === "/login");
          assert.equal(new URL(page.url()).searchParams.get("next"), "/#/monitoring");
          assert.deepEqual(loginLoads, [`?next=${encodeURIComponent("/#/monitoring")}`]);
          assert.equal(await submitPassword(page, PASSWORD), 303);
          await page.waitForURL(`${baseUrl}/#/monitoring`);
          await page.waitForSelector('[data-testid="monitoring-page"]');
          assert.equal(loginLoads.length, 1);
        },
      );

      await t.step(
        "a logged-in browser sent to /login?next=/<TAB>/host stays on this site (finding 2)",
        async () => {
          const offSite: string[] = [];
          await page.route((url) => url.host !== new URL(baseUrl).host, (route) => {
            offSite.push(route.request().url());
            return route.abort();
          });
          isNavigating = true; // leaving cancels the dashboard's polls in flight
          // Chromium skips a TAB in a Location, so "/\t/198.51.100.7/" would be "//198.51.100.7/": another site.
          await page.goto(`${baseUrl}/login?next=${encodeURIComponent("/\t/198.51.100.7/")}`);
          await waitForDashboard(page);
          isNavigating = false;
          assert.equal(new URL(page.url()).origin, baseUrl);
          assert.equal(pathOf(page), "/");
          assert.deepEqual(offSite, []);
          await page.unrouteAll();
        },
      );

      await t.step("the API token works without a cookie; a wrong one does not", async () => {
        const withToken = await apiStatus(baseUrl, "/api/summary", bearer);
        assert.equal(withToken.status, 200);
        assert.equal(typeof (withToken.body as unknown as SummaryJson).today.total_bytes, "number");
        assert.equal((await apiStatus(baseUrl, "/api/summary")).status, 401);
        const wrong = await apiStatus(baseUrl, "/api/summary", { authorization: "Bearer not-the-token" });
        assert.equal(wrong.status, 401);
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
