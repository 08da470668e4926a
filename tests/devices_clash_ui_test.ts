/**
 * One name for a device and its proxy client, in Chromium (issue 14 item 5): a device imported from a pcap
 * (main.ts --pcap) whose address is the fake Clash core's client IP. Renamed on the Devices page, the name
 * shows on the dashboard's Top devices card and in the Monitoring page's clients table; renamed there, it is
 * the device's name in /api/devices.
 */
import assert from "node:assert/strict";
import type { DevicesJson } from "../web/api_types.ts";
import { launchDashboardBrowser, waitForDashboard, watchProblems } from "./helpers/dashboard_browser.ts";
import { importTraffic, LOCAL_IP, startNetledger } from "./helpers/dashboard_rig.ts";
import { FakeClash } from "./helpers/fake_clash.ts";
import { buildFrame, ipPacket } from "./helpers/frames.ts";
import { localDate } from "./helpers/page_checks.ts";

const ZONE = "Europe/Berlin";
const SECRET = "s3cret";
const BOX = "02:00:00:00:00:01";
const PHONE = "3c:22:fb:00:00:07";
const NAME = "Anna's phone";
const NAME_FROM_MONITORING = "Anna's new phone";

/** Ten minutes ago, the phone (LOCAL_IP behind PHONE) exchanged a few packets with a public address. */
function phoneRecords() {
  const sec = Math.floor(Date.now() / 1000) - 600;
  return [0, 1, 2].flatMap((i) => [
    {
      frame: buildFrame("ethernet", ipPacket({ src: LOCAL_IP, dst: "203.0.113.5", payloadBytes: 300 }), {
        src: PHONE,
        dst: BOX,
      }),
      timestampSec: sec + i,
    },
    {
      frame: buildFrame("ethernet", ipPacket({ src: "203.0.113.5", dst: LOCAL_IP, payloadBytes: 1200 }), {
        src: BOX,
        dst: PHONE,
      }),
      timestampSec: sec + i + 0.5,
    },
  ]);
}

Deno.test({
  name:
    "a device renamed on the Devices page shows by that name on the Top devices card and the Monitoring page",
  // Playwright keeps its own pipes and timers open between steps.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const dir = await Deno.makeTempDir({ prefix: "netledger-devices-clash-ui-" });
    try {
      const dbPath = `${dir}/netledger.db`;
      await importTraffic({ dir, dbPath, timeZone: ZONE, records: phoneRecords() });
      await using fake = FakeClash.start({ secret: SECRET });
      await using netledger = await startNetledger({
        dbPath,
        timeZone: ZONE,
        env: { CLASH_API_URL: fake.url, CLASH_SECRET: SECRET },
      });
      const baseUrl = netledger.baseUrl.replace(/\/$/, "");
      await fake.until(() => fake.subscriberCount === 2);
      const video = fake.open({ sourceIP: LOCAL_IP, host: "video.example.com", chains: ["HK-01", "Proxy"] });
      fake.transfer(video, 2048, 300_000);
      fake.pushSnapshot();
      const range = `start=${localDate(ZONE, -1)}&end=${localDate(ZONE, 0)}`;
      const phone = async () =>
        (await (await fetch(`${baseUrl}/api/devices?${range}`)).json() as DevicesJson).devices
          .find((d) => d.mac === PHONE);
      assert.ok(await phone(), "the pcap gave the phone");

      await using browser = await launchDashboardBrowser({ timezoneId: ZONE, locale: "en-US" });
      const { page } = browser;
      const problems: string[] = [];
      watchProblems(page, problems);

      await t.step("renamed on the Devices page", async () => {
        await page.goto(`${baseUrl}/#/devices?${range}&granularity=day`);
        const cell = `tr[data-key="${PHONE}"] [data-testid="dev-name"]`;
        await page.click(cell);
        await page.fill('[data-testid="dev-name-input"]', NAME);
        await page.keyboard.press("Enter");
        await page.waitForFunction(
          ([selector, name]) => document.querySelector(selector)?.textContent?.includes(name),
          [cell, NAME],
        );
        assert.equal((await phone())?.name, NAME);
      });

      await t.step("the Top devices card shows the name", async () => {
        await page.goto(`${baseUrl}/#/?${range}&granularity=day`);
        await waitForDashboard(page);
        await page.waitForSelector(`[data-testid="top-devices"] li .top-device-name:has-text("${NAME}")`);
      });

      await t.step(
        "the Monitoring page's clients table shows the device's name for its client IP",
        async () => {
          await page.goto(`${baseUrl}/#/monitoring`);
          await page.waitForSelector(
            `tr[data-ip="${LOCAL_IP}"] [data-testid="mon-name"]:has-text("${NAME}")`,
          );
        },
      );

      await t.step("renamed on the Monitoring page, the device takes the name", async () => {
        const row = page.locator(`tr[data-ip="${LOCAL_IP}"]`);
        await row.locator('[data-testid="mon-name"]').click();
        await row.locator('[data-testid="mon-name-input"]').fill(NAME_FROM_MONITORING);
        await row.locator('[data-testid="mon-name-input"]').press("Enter");
        await page.waitForSelector(
          `tr[data-ip="${LOCAL_IP}"] [data-testid="mon-name"]:has-text("${NAME_FROM_MONITORING}")`,
        );
        assert.equal((await phone())?.name, NAME_FROM_MONITORING);
      });

      await t.step("the device's page shows its proxied traffic per chain and host", async () => {
        const id = (await phone())!.id;
        await page.goto(`${baseUrl}/#/devices?${range}&granularity=day`);
        await page.click(`tr[data-key="${PHONE}"] [data-testid="dev-open"]`);
        await page.waitForSelector('[data-testid="device-proxied-chains"] td:has-text("Proxy > HK-01")');
        const hostBytes = await page.getAttribute(
          '[data-testid="device-proxied-hosts"] td[data-bytes]',
          "data-bytes",
        );
        assert.equal(Number(hostBytes), 302_048, `device ${id}`);
      });
      assert.deepEqual(problems, []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
