/**
 * The Devices page in Chromium (issue 14): the real server over a database filled by main.ts --pcap from a
 * LAN bridge capture with several devices (a phone with IPv4 and rotating IPv6 addresses, a TV, a second
 * router forwarding four subnets, a randomised MAC, and frames that name no device). The table's bytes are
 * /api/devices' exactly, devices plus "other" are the range total, sorting, renaming in place (shown on the
 * dashboard's Top devices card and kept across a reload), the device's chart and addresses, phones, focus
 * rings, contrast and screenshots.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import type { DevicesJson, QueryJson } from "../web/api_types.ts";
import { launchDashboardBrowser, waitForDashboard, watchProblems } from "./helpers/dashboard_browser.ts";
import { buildFrame, ipPacket, type MacPair } from "./helpers/frames.ts";
import {
  assertNoSideScroll,
  localDate,
  lowContrastTexts,
  screenshots,
  tabThrough,
} from "./helpers/page_checks.ts";
import { writeCaptureFile } from "./helpers/pcap_writer.ts";
import { childEnv, ROOT_DIR, startMain } from "./helpers/run_main.ts";

const ZONE = "Europe/Berlin";
const BOX = "02:00:00:00:00:01";
const PHONE = "3c:22:fb:00:00:07";
const TV = "a4:5e:60:00:00:21";
const ROUTER = "00:11:22:33:44:55";
const RANDOM = "da:a1:19:5e:00:01";
const TV_NAME = "Living room TV";

interface Packet {
  readonly macs: MacPair;
  readonly src: string;
  readonly dst: string;
  readonly payloadBytes: number;
}

const up = (mac: string, src: string, dst: string, payloadBytes: number): Packet => ({
  macs: { src: mac, dst: BOX },
  src,
  dst,
  payloadBytes,
});
const down = (mac: string, src: string, dst: string, payloadBytes: number): Packet => ({
  macs: { src: BOX, dst: mac },
  src,
  dst,
  payloadBytes,
});

/** One hour of the LAN: every device talks, with sizes that differ per hour so no two totals tie. */
function hourOf(hour: number): Packet[] {
  const temporary = `2001:db8:1:100:${(10 + (hour % 3)).toString(16)}::${hour % 3 + 1}`;
  return [
    up(PHONE, "192.168.1.20", "203.0.113.5", 300 + hour),
    down(PHONE, "203.0.113.5", "192.168.1.20", 1100),
    up(PHONE, temporary, "2001:db8:ff::1", 200),
    down(PHONE, "2001:db8:ff::1", temporary, 900 + hour),
    up(TV, "192.168.1.30", "198.51.100.20", 120),
    down(TV, "198.51.100.20", "192.168.1.30", 1400),
    down(TV, "198.51.100.20", "192.168.1.30", 1400 - hour),
    ...[1, 2, 3, 4].map((subnet) => up(ROUTER, `10.1.${subnet}.5`, "198.51.100.7", 50 * subnet)),
    down(ROUTER, "198.51.100.7", "10.1.2.5", 300),
    up(RANDOM, "192.168.1.40", "203.0.113.80", 40),
    down(RANDOM, "203.0.113.80", "192.168.1.40", 90 + hour),
    // Names no device: counted in "other".
    { ...down(PHONE, "203.0.113.9", "192.168.1.255", 111), macs: { src: BOX, dst: "ff:ff:ff:ff:ff:ff" } },
  ];
}

/** Imports 30 hours of traffic ending an hour ago through main.ts --pcap. */
async function importDevices(env: Record<string, string>, dir: string): Promise<void> {
  const firstSec = Math.floor(Date.now() / 1000) - 31 * 3600;
  const records = Array.from({ length: 30 }, (_, hour) => hourOf(hour)).flatMap((packets, hour) =>
    packets.map((p, i) => ({
      frame: buildFrame("ethernet", ipPacket(p), p.macs),
      timestampSec: firstSec + hour * 3600 + i,
    }))
  );
  await writeCaptureFile(`${dir}/bridge.pcapng`, records, { format: "pcapng" });
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts", "--pcap", `${dir}/bridge.pcapng`],
    cwd: ROOT_DIR,
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
}

/** Each table row's key and its download, upload and total bytes as shown. */
async function tableRows(page: Page): Promise<{ key: string; bytes: number[] }[]> {
  return await page.$$eval('[data-testid="devices"] tbody tr', (rows) =>
    rows.map((row) => ({
      key: (row as HTMLElement).dataset.key!,
      bytes: [...row.querySelectorAll("td[data-bytes]")].map((td) =>
        Number((td as HTMLElement).dataset.bytes)
      ),
    })));
}

async function waitForDevices(page: Page): Promise<void> {
  await page.waitForSelector('[data-testid="devices"] tbody tr');
}

Deno.test("the Devices page lists the devices exactly, sorts, renames in place and feeds the Top devices card", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "netledger-devices-ui-" });
  const env = childEnv({
    DB_PATH: `${dir}/netledger.db`,
    TZ: ZONE,
    LOCAL_IPS: "192.168.1.1,2001:db8:1:100::1",
    BIND: "127.0.0.1",
    MONITOR_IFACE: "lo",
  });
  try {
    await importDevices(env, dir);
    const server = await startMain({ flags: ["-A"], env });
    try {
      const baseUrl = server.baseUrl.replace(/\/$/, "");
      const start = localDate(ZONE, -6);
      const end = localDate(ZONE, 0);
      const range = `start=${start}&end=${end}`;
      const devicesUrl = `${baseUrl}/#/devices?${range}&granularity=day`;
      const getJson = async <T>(path: string): Promise<T> => {
        const res = await fetch(`${baseUrl}${path}`);
        assert.equal(res.status, 200, path);
        return await res.json() as T;
      };
      const api = await getJson<DevicesJson>(`/api/devices?${range}`);
      assert.equal(api.devices.length, 4);
      await using browser = await launchDashboardBrowser({ timezoneId: ZONE });
      const { page } = browser;
      const problems: string[] = [];
      watchProblems(page, problems);
      await page.goto(devicesUrl);
      await waitForDevices(page);

      await t.step(
        "every device's bytes are /api/devices' exactly; devices plus other are the range total",
        async () => {
          const rows = await tableRows(page);
          const byKey = new Map(api.devices.map((d) => [d.key, [d.down_bytes, d.up_bytes, d.total_bytes]]));
          assert.deepEqual(new Map(rows.map((r) => [r.key, r.bytes])), byKey);
          const other = await page.$$eval(
            '[data-testid="devices-other"] td[data-bytes]',
            (cells) => cells.map((td) => Number((td as HTMLElement).dataset.bytes)),
          );
          assert.deepEqual(other, [api.other.down_bytes, api.other.up_bytes, api.other.total_bytes]);
          assert.ok(api.other.total_bytes > 0, "the broadcast frames are other's");
          const query = await getJson<QueryJson>(`/api/query?${range}&granularity=day`);
          const shownTotal = rows.reduce((sum, r) => sum + r.bytes[2], other[2]);
          assert.equal(shownTotal, query.summary.up_bytes + query.summary.down_bytes);
          // Heaviest first by default.
          assert.deepEqual(
            rows.map((r) => r.bytes[2]),
            api.devices.map((d) => d.total_bytes).toSorted((a, b) => b - a),
          );
        },
      );

      await t.step("a randomised MAC and a router behind the box are marked", async () => {
        assert.equal(
          await page.locator(`tr[data-key="${RANDOM}"] [data-testid="dev-randomized"]`).count(),
          1,
        );
        assert.equal(await page.locator(`tr[data-key="${PHONE}"] [data-testid="dev-randomized"]`).count(), 0);
        assert.equal(await page.locator(`tr[data-key="${ROUTER}"] [data-testid="dev-router"]`).count(), 1);
        assert.equal(await page.locator('[data-testid="dev-router"]').count(), 1);
        const phoneIps = await page.textContent(`tr[data-key="${PHONE}"] .dev-ips-cell`);
        assert.match(phoneIps ?? "", /\+2$/, "four addresses: two shown and +2");
      });

      await t.step("the columns sort both ways", async () => {
        await page.click('[data-testid="dev-sort-total"]');
        const ascending = (await tableRows(page)).map((r) => r.bytes[2]);
        assert.deepEqual(ascending, ascending.toSorted((a, b) => a - b));
        await page.click('[data-testid="dev-sort-up"]');
        const ups = (await tableRows(page)).map((r) => r.bytes[1]);
        assert.deepEqual(ups, ups.toSorted((a, b) => b - a));
        await page.click('[data-testid="dev-sort-mac"]');
        const macs = (await tableRows(page)).map((r) => r.key);
        assert.deepEqual(macs, [PHONE, ROUTER, TV, RANDOM].toSorted());
        await page.click('[data-testid="dev-sort-total"]');
      });

      await t.step(
        "Escape cancels a rename; Enter saves it, and the name shows on the dashboard card after a reload",
        async () => {
          const tvName = `tr[data-key="${TV}"] [data-testid="dev-name"]`;
          await page.click(tvName);
          await page.fill('[data-testid="dev-name-input"]', "not this");
          await page.keyboard.press("Escape");
          await page.waitForSelector(tvName);
          assert.equal(
            (await getJson<DevicesJson>(`/api/devices?${range}`)).devices.find((d) => d.key === TV)?.name,
            null,
          );

          await page.focus(tvName);
          await page.keyboard.press("Enter");
          await page.fill('[data-testid="dev-name-input"]', TV_NAME);
          await page.keyboard.press("Enter");
          await page.waitForFunction(
            ([selector, name]) => document.querySelector(selector)?.textContent?.includes(name),
            [tvName, TV_NAME],
          );
          const saved = (await getJson<DevicesJson>(`/api/devices?${range}`)).devices.find((d) =>
            d.key === TV
          );
          assert.equal(saved?.name, TV_NAME);
          assert.equal(saved?.name_source, "user");

          await page.goto(`${baseUrl}/#/?${range}&granularity=day`);
          await waitForDashboard(page);
          await page.waitForSelector('[data-testid="top-devices"] li');
          await page.reload();
          await waitForDashboard(page);
          await page.waitForSelector('[data-testid="top-devices"] li');
          const cardNames = await page.$$eval(
            '[data-testid="top-devices"] li .top-device-name',
            (names) => names.map((n) => n.textContent),
          );
          assert.equal(cardNames.length, 4);
          assert.ok(cardNames.includes(TV_NAME), cardNames.join(", "));
          const link = await page.getAttribute('[data-testid="top-devices-link"]', "href");
          assert.equal(link, `#/devices?${range}&granularity=day`);
          await page.click('[data-testid="top-devices-link"]');
          await waitForDevices(page);
          assert.equal(
            await page.textContent(`tr[data-key="${TV}"] [data-testid="dev-name"]`).then((s) =>
              s?.replace("✎", "")
            ),
            TV_NAME,
          );
        },
      );

      await t.step("a quick range is a history step of the Devices page; Back returns", async () => {
        await page.click('[data-quick="yesterday"]');
        await page.waitForFunction(
          (first) => location.hash.startsWith("#/devices?") && !location.hash.includes(`start=${first}&`),
          start,
        );
        await page.goBack();
        await page.waitForFunction(
          (want) =>
            (document.querySelector('[data-testid="range-start"]') as HTMLInputElement | null)?.value ===
              want,
          start,
        );
        assert.ok(page.url().includes(`#/devices?${range}`), page.url());
        // The inputs show the address's range at once; the CSV link follows the range once it is loaded.
        const wanted = `/api/devices?${range}&format=csv`;
        await page.waitForFunction(
          (href) => document.querySelector('[data-testid="range-csv"]')?.getAttribute("href") === href,
          wanted,
        );
        await waitForDevices(page);
      });

      await t.step("a device's page shows its chart and every address with first and last seen", async () => {
        await page.click(`tr[data-key="${PHONE}"] [data-testid="dev-open"]`);
        await page.waitForSelector('[data-testid="device-ips"] tbody tr');
        await page.waitForSelector('[data-chart="device"] .uplot');
        const ips = await page.$$eval(
          '[data-testid="device-ips"] tbody tr td:first-child',
          (cells) => cells.map((c) => c.textContent),
        );
        assert.deepEqual(ips.toSorted(), [
          "192.168.1.20",
          "2001:db8:1:100:a::1",
          "2001:db8:1:100:b::2",
          "2001:db8:1:100:c::3",
        ]);
        const phone = api.devices.find((d) => d.key === PHONE)!;
        const strip = await page.$$eval(
          '[data-testid="device-detail"] .summary-strip [data-bytes]',
          (cells) => cells.map((c) => Number((c as HTMLElement).dataset.bytes)),
        );
        assert.deepEqual(strip, [phone.up_bytes, phone.down_bytes]);
        await page.click('[data-testid="device-close"]');
        assert.equal(await page.locator('[data-testid="device-detail"]').count(), 0);
      });

      await t.step("no sideways scroll at 1280 and 360 px; the rows are cards on a phone", async () => {
        await assertNoSideScroll(page, "devices at 1280 px");
        await page.setViewportSize({ width: 360, height: 740 });
        await assertNoSideScroll(page, "devices");
        assert.notEqual(
          await page.$eval('[data-testid="devices"] tbody tr', (tr) => getComputedStyle(tr).display),
          "table-row",
        );
        await page.setViewportSize({ width: 1280, height: 900 });
      });

      await t.step("every control shows a focus ring", async () => {
        const reached = await tabThrough(page, 45);
        const names = reached.map((r) => r.name);
        for (
          const want of ["last_7_days", "range-start", "range-csv", "dev-sort-name", "dev-name", "dev-open"]
        ) {
          assert.ok(names.includes(want), `${want} not reached by Tab: ${names.join(", ")}`);
        }
        assert.deepEqual(reached.filter((r) => !r.hasRing).map((r) => r.name), []);
      });

      await t.step("text reaches 4.5:1 in both themes", async () => {
        for (const scheme of ["light", "dark"] as const) {
          await page.emulateMedia({ colorScheme: scheme });
          await page.waitForFunction((s) => document.documentElement.dataset.theme === s, scheme);
          const failures = await page.evaluate(lowContrastTexts, {
            selectors: ['[data-testid="devices-panel"]'],
            min: 4.5,
          });
          assert.deepEqual(failures, [], scheme);
        }
        await page.emulateMedia({ colorScheme: "light" });
      });

      await t.step("screenshots of the Devices page and the dashboard's card", async () => {
        await screenshots(page, "devices", () => waitForDevices(page));
        await page.goto(`${baseUrl}/#/?${range}&granularity=day`);
        await waitForDashboard(page);
        await screenshots(page, "top-devices", async () => {
          await page.waitForSelector('[data-testid="top-devices"] li');
          const failures = await page.evaluate(lowContrastTexts, {
            selectors: ['[data-testid="top-devices"]'],
            min: 4.5,
          });
          assert.deepEqual(failures, []);
        });
      });

      assert.deepEqual(problems, []);
    } finally {
      await server.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
