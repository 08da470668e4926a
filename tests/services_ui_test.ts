/**
 * The services views in Chromium (issue 15 item 5): the real server over a database filled by main.ts --pcap
 * from a LAN capture in which a phone and a TV each ask DNS for names and then talk to the answered addresses,
 * plus traffic to an address no answer named. The Services page's bytes are /api/services' exactly and its
 * rows with "other" and "unnamed" add up to /api/query's total; rows sort and open their hosts (an IDN host
 * shown decoded); the device filter; the dashboard's Top services card and the host name beside an address
 * in the top-remotes table; a device's services; phones at 360 px, keyboard, and screenshots in en/zh,
 * light/dark.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import type { DevicesJson, QueryJson, ServicesJson } from "../web/api_types.ts";
import { ZH_CN } from "../web/ui/mod.ts";
import { launchDashboardBrowser, watchProblems } from "./helpers/dashboard_browser.ts";
import { buildFrame, concat, ipPacket, type MacPair } from "./helpers/frames.ts";
import {
  assertNoSideScroll,
  getJson,
  localDate,
  lowContrastTexts,
  screenshots,
  tabThrough,
} from "./helpers/page_checks.ts";
import { type CaptureRecord, writeCaptureFile } from "./helpers/pcap_writer.ts";
import { childEnv, importPcap, startMain } from "./helpers/run_main.ts";

const ZONE = "Europe/Berlin";
const BOX = "02:00:00:00:00:01";
const PHONE = { mac: "3c:22:fb:00:00:07", ip: "192.168.1.20" };
const TV = { mac: "a4:5e:60:00:00:21", ip: "192.168.1.30" };
const RESOLVER = "192.0.2.53";
const VIDEO = { name: "video.example.com", ip: "203.0.113.5" };
/** An IDN host: the page shows it decoded ("bücher.example.com"), the service is example.com. */
const SHOP = { name: "xn--bcher-kva.example.com", shown: "bücher.example.com", ip: "203.0.113.6" };
const NEWS = { name: "www.example.org", ip: "198.51.100.20" };
const UNNAMED_IP = "203.0.113.99";

/** A DNS response (RFC 1035 §4.1) answering `name` with the IPv4 `address`, TTL 300 s. */
function dnsAnswer(name: string, address: string): Uint8Array {
  const labels = name.split(".").flatMap((l) => [l.length, ...new TextEncoder().encode(l)]);
  const header = [0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0];
  const question = [...labels, 0, 0, 1, 0, 1];
  const answer = [0xc0, 12, 0, 1, 0, 1, 0, 0, 0x01, 0x2c, 0, 4, ...address.split(".").map(Number)];
  return Uint8Array.from([...header, ...question, ...answer]);
}

/** An IPv4 UDP packet from `src`:53 to `dst`:40000 carrying `payload` (checksum 0: none, RFC 768). */
function udpFrom53(src: string, dst: string, payload: Uint8Array): Uint8Array {
  const packet = ipPacket({ src, dst, payloadBytes: 8 + payload.length });
  const view = new DataView(packet.buffer);
  view.setUint16(20, 53);
  view.setUint16(22, 40000);
  view.setUint16(24, 8 + payload.length);
  view.setUint16(26, 0);
  return concat(packet.subarray(0, 28), payload);
}

/** The capture: each device's DNS answers, then its traffic to the answered and to an unnamed address. */
function records(firstSec: number): CaptureRecord[] {
  const up = (d: typeof PHONE, dst: string, bytes: number) => ({
    macs: { src: d.mac, dst: BOX },
    packet: ipPacket({ src: d.ip, dst, payloadBytes: bytes }),
  });
  const down = (d: typeof PHONE, src: string, bytes: number) => ({
    macs: { src: BOX, dst: d.mac },
    packet: ipPacket({ src, dst: d.ip, payloadBytes: bytes }),
  });
  const answer = (d: typeof PHONE, host: { name: string; ip: string }) => ({
    macs: { src: BOX, dst: d.mac },
    packet: udpFrom53(RESOLVER, d.ip, dnsAnswer(host.name, host.ip)),
  });
  const packets: { macs: MacPair; packet: Uint8Array }[] = [
    answer(PHONE, VIDEO),
    answer(PHONE, SHOP),
    answer(TV, NEWS),
    ...Array.from({ length: 20 }, (_, i) => [
      up(PHONE, VIDEO.ip, 300 + i),
      down(PHONE, VIDEO.ip, 1400),
      down(PHONE, SHOP.ip, 700),
      up(TV, NEWS.ip, 100),
      down(TV, NEWS.ip, 900 + i),
      down(TV, UNNAMED_IP, 250),
    ]).flat(),
  ];
  return packets.map((p, i) => ({
    frame: buildFrame("ethernet", p.packet, p.macs),
    timestampSec: firstSec + i,
  }));
}

/** The services table's rows: name and download, upload and total bytes as shown. */
function tableRows(page: Page): Promise<{ name: string; bytes: number[] }[]> {
  return page.$$eval('[data-testid="services"] tbody tr[data-service]', (rows) =>
    rows.map((row) => ({
      name: (row as HTMLElement).dataset.service!,
      bytes: [...row.querySelectorAll("td[data-bytes]")].map((td) =>
        Number((td as HTMLElement).dataset.bytes)
      ),
    })));
}

Deno.test({
  name: "Services page, Top services card, a device's services and host names beside addresses in Chromium",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const dir = await Deno.makeTempDir({ prefix: "netledger-services-ui-" });
    const env = childEnv({
      DB_PATH: `${dir}/netledger.db`,
      TZ: ZONE,
      LOCAL_IPS: "192.168.1.1",
      BIND: "127.0.0.1",
      MONITOR_IFACE: "lo",
    });
    try {
      await writeCaptureFile(`${dir}/lan.pcapng`, records(Math.floor(Date.now() / 1000) - 3600), {
        format: "pcapng",
      });
      const imported = await importPcap(env, `${dir}/lan.pcapng`);
      assert.equal(imported.code, 0, imported.output);
      const server = await startMain({ flags: ["-A"], env });
      await using _stop = { [Symbol.asyncDispose]: async () => void await server.stop() };
      const baseUrl = server.baseUrl.replace(/\/$/, "");
      const range = `start=${localDate(ZONE, -6)}&end=${localDate(ZONE, 0)}`;
      const api = await getJson<ServicesJson>(baseUrl, `/api/services?${range}`);
      assert.deepEqual(api.services.map((s) => s.name).sort(), ["example.com", "example.org"]);
      await using browser = await launchDashboardBrowser({ timezoneId: ZONE, locale: "en-US" });
      const { page } = browser;
      const problems: string[] = [];
      watchProblems(page, problems);
      await page.goto(`${baseUrl}/#/services?${range}&granularity=day`);
      await page.waitForSelector('[data-testid="services"] tbody tr[data-service]');

      await t.step(
        "rows are /api/services' bytes; with other and unnamed they are the range total",
        async () => {
          const rows = await tableRows(page);
          assert.deepEqual(
            new Map(rows.map((r) => [r.name, r.bytes])),
            new Map(api.services.map((s) => [s.name, [s.down_bytes, s.up_bytes, s.total_bytes]])),
          );
          const unnamed = Number(
            await page.getAttribute(
              '[data-testid="services-unknown"] td[data-bytes]:nth-of-type(3)',
              "data-bytes",
            ),
          );
          assert.equal(unnamed, api.unknown.total_bytes);
          assert.ok(unnamed >= 20 * 250, "the unanswered address's bytes are unnamed");
          const query = await getJson<QueryJson>(baseUrl, `/api/query?${range}&granularity=day`);
          assert.equal(
            rows.reduce((sum, r) => sum + r.bytes[2], 0) + api.other.total_bytes + unnamed,
            query.summary.up_bytes + query.summary.down_bytes,
          );
        },
      );

      await t.step("columns sort both ways, and a row opens its hosts by keyboard, decoded", async () => {
        await page.click('[data-testid="svc-sort-name"]');
        assert.deepEqual((await tableRows(page)).map((r) => r.name), ["example.com", "example.org"]);
        await page.click('[data-testid="svc-sort-name"]');
        assert.deepEqual((await tableRows(page)).map((r) => r.name), ["example.org", "example.com"]);
        const toggle = page.locator('tr[data-service="example.com"] [data-testid="svc-toggle"]');
        await toggle.focus();
        await page.keyboard.press("Enter");
        assert.equal(await toggle.getAttribute("aria-expanded"), "true");
        const hosts = await page.$$eval(
          '[data-hosts-of="example.com"] li',
          (items) => items.map((li) => (li as HTMLElement).dataset.host),
        );
        assert.deepEqual(hosts.sort(), [SHOP.shown, VIDEO.name].sort());
        assert.equal(
          await page.locator(`[data-hosts-of="example.com"] li:has-text("${SHOP.shown}")`).count(),
          1,
        );
      });

      await t.step("the device filter lists one device's services", async () => {
        const devices = await getJson<DevicesJson>(baseUrl, `/api/devices?${range}`);
        const tv = devices.devices.find((d) => d.key === TV.mac)!;
        await page.selectOption('[data-testid="svc-device"]', String(tv.id));
        await page.waitForFunction(() =>
          [...document.querySelectorAll('[data-testid="services"] tbody tr[data-service]')]
            .map((tr) => (tr as HTMLElement).dataset.service).join() === "example.org"
        );
      });

      await t.step("every control shows a focus ring, and text reaches 4.5:1 in both themes", async () => {
        await page.selectOption('[data-testid="svc-device"]', "");
        await page.waitForSelector('[data-testid="services"] tr[data-service="example.com"]');
        const reached = await tabThrough(page, 45);
        const names = reached.map((r) => r.name);
        for (const want of ["last_7_days", "range-csv", "svc-device", "svc-sort-name", "svc-toggle"]) {
          assert.ok(names.includes(want), `${want} not reached by Tab: ${names.join(", ")}`);
        }
        assert.deepEqual(reached.filter((r) => !r.hasRing).map((r) => r.name), []);
        for (const scheme of ["light", "dark"] as const) {
          await page.emulateMedia({ colorScheme: scheme });
          await page.waitForFunction((s) => document.documentElement.dataset.theme === s, scheme);
          const failures = await page.evaluate(lowContrastTexts, {
            selectors: ['[data-testid="services-panel"]'],
            min: 4.5,
          });
          assert.deepEqual(failures, [], scheme);
        }
        await page.emulateMedia({ colorScheme: "light" });
      });

      await t.step("at 360 px nothing scrolls sideways; screenshots in en/zh, light/dark", async () => {
        await page.setViewportSize({ width: 360, height: 780 });
        await assertNoSideScroll(page, "services page");
        await page.setViewportSize({ width: 1280, height: 900 });
        await screenshots(page, "services", async () => {
          await page.waitForSelector('[data-testid="services"] tbody tr[data-service]');
        });
        assert.ok(ZH_CN.nav_services !== "Services");
      });

      await t.step("the dashboard's Top services card and the host name beside an address", async () => {
        await page.goto(`${baseUrl}/#/?${range}&granularity=day`);
        await page.waitForSelector('[data-testid="top-services-list"] li[data-service="example.com"]');
        await page.click(
          '[data-testid="top-services-list"] li[data-service="example.com"] [data-testid="svc-toggle"]',
        );
        await page.waitForSelector(`[data-testid="top-services-list"] li[data-host="${VIDEO.name}"]`);
        assert.equal(
          await page.textContent(
            `[data-testid="top-ips"] tr[data-ip="${VIDEO.ip}"] [data-testid="top-ips-hostname"]`,
          ),
          VIDEO.name,
        );
        await page.click('[data-testid="top-services-link"]');
        await page.waitForURL(/#\/services\?/);
        await page.waitForSelector('[data-testid="services"] tbody tr[data-service]');
      });

      await t.step("a device's detail lists its services and its remotes with their host names", async () => {
        await page.goto(`${baseUrl}/#/devices?${range}&granularity=day`);
        await page.click(`tr[data-key="${PHONE.mac}"] [data-testid="dev-open"]`);
        await page.waitForSelector('[data-testid="device-services-list"] li[data-service="example.com"]');
        assert.equal(
          await page.locator('[data-testid="device-services-list"] li[data-service="example.org"]').count(),
          0,
        );
        const remote = (ip: string) => `[data-testid="device-remotes"] tr[data-ip="${ip}"]`;
        assert.equal(
          await page.textContent(`${remote(VIDEO.ip)} [data-testid="device-remote-hostname"]`),
          VIDEO.name,
        );
        assert.equal(
          await page.textContent(`${remote(SHOP.ip)} [data-testid="device-remote-hostname"]`),
          SHOP.shown,
        );
        assert.equal(await page.locator(remote(UNNAMED_IP)).count(), 0, "the TV's remote is not the phone's");
        await page.setViewportSize({ width: 360, height: 780 });
        await assertNoSideScroll(page, "a device's detail");
        await page.setViewportSize({ width: 1280, height: 900 });
      });

      assert.deepEqual(problems, []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
