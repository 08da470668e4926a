/**
 * The dashboard draws imported vnStat interface totals (issue 17 item 5) apart from counted traffic: under the
 * 30-day and 12-month charts, in their own framed chart with the note that they are not counted traffic, while
 * the counted charts stay empty. Chromium against the real server.
 */
import assert from "node:assert/strict";
import { openStore, saveInterfaceTotals } from "../store/mod.ts";
import { launchDashboardBrowser, waitForDashboard, watchProblems } from "./helpers/dashboard_browser.ts";
import { childEnv, startMain } from "./helpers/run_main.ts";

Deno.test("the dashboard shows imported interface totals in their own marked charts", async () => {
  const dir = await Deno.makeTempDir({ prefix: "netledger-imported-ui-" });
  try {
    const dbPath = `${dir}/netledger.db`;
    const store = openStore(dbPath, { log: () => {}, timeZone: "UTC" });
    const hourAgoSec = Math.floor(Date.now() / 3_600_000 - 1) * 3600;
    saveInterfaceTotals(store, "eth0", [{
      spanStartSec: hourAgoSec,
      spanSec: 3600,
      rxBytes: 7e9,
      txBytes: 1e9,
    }]);
    store.close();
    const server = await startMain({
      flags: ["-A"],
      env: childEnv({ DB_PATH: dbPath, TZ: "UTC", BIND: "127.0.0.1", MONITOR_IFACE: "lo" }),
    });
    try {
      await using browser = await launchDashboardBrowser({ locale: "en-US", timezoneId: "UTC" });
      const { page } = browser;
      const problems: string[] = [];
      watchProblems(page, problems);
      await page.goto(server.baseUrl);
      await waitForDashboard(page);
      for (const name of ["days-imported", "months-imported"]) {
        await page.waitForSelector(`[data-source="imported_interface_totals"] [data-chart="${name}"] .uplot`);
      }
      const notes = await page.$$eval(
        '[data-source="imported_interface_totals"] p',
        (ps) => ps.map((p) => p.textContent),
      );
      assert.deepEqual(notes, [
        "Imported vnStat totals of eth0, LAN included: not counted traffic",
        "Imported vnStat totals of eth0, LAN included: not counted traffic",
      ]);
      assert.deepEqual(problems, []);
    } finally {
      await server.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
