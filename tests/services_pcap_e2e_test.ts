/**
 * Services end to end (issue 15 "Show"): a capture file from a LAN bridge with two devices, imported through
 * main.ts --pcap and served by main.ts. Each device resolves names (DNS over UDP, a CNAME chain, a shared
 * CDN address that two names point to) and opens a TLS connection whose ClientHello names its server; then
 * traffic flows to the answered addresses. The per-service and per-(device, service) bytes must equal the
 * truth of the frames written, exactly, and services + unknown + other must equal /api/query's summary.
 */
import assert from "node:assert/strict";
import { buildFrame, type MacPair } from "./helpers/frames.ts";
import { writeCaptureFile } from "./helpers/pcap_writer.ts";
import { childEnv, importPcap, startMain } from "./helpers/run_main.ts";
import { filler, transportPacket } from "./helpers/service_frames.ts";
import { a, clientHelloRecord, cname, dnsResponse } from "./helpers/sniff_packets.ts";
import type { DeviceDetailJson, DevicesJson, QueryJson, ServicesJson, TopIpsJson } from "../web/api_types.ts";

const ZONE = "Europe/Berlin";
const BOX = "02:00:00:00:00:01";
const PHONE = { mac: "3c:22:fb:00:00:07", ip: "192.168.1.20" };
const LAPTOP = { mac: "3c:22:fb:00:00:08", ip: "192.168.1.30" };
const RESOLVER = "198.51.100.53";
const CDN = "203.0.113.7"; // both www.example.com (phone) and video.example.org (laptop) resolve to it
const API = "198.51.100.9"; // named only by the laptop's ClientHello
// Two days ago: host names older than SERVICE_RETENTION_DAYS (90) are dropped by the server's retention pass.
const DAY = Temporal.Now.plainDateISO(ZONE).subtract({ days: 2 }).toString();

interface Packet {
  readonly device: typeof PHONE;
  readonly direction: "up" | "down";
  readonly packet: Uint8Array;
  /** The service the bytes belong to: a registrable domain, or "unknown". */
  readonly service: string;
}

function up(device: typeof PHONE, to: string, bytes: number, service: string): Packet {
  return { device, direction: "up", packet: filler(device.ip, to, bytes), service };
}

function down(device: typeof PHONE, from: string, bytes: number, service: string): Packet {
  return { device, direction: "down", packet: filler(from, device.ip, bytes), service };
}

function dns(device: typeof PHONE, message: Uint8Array): Packet {
  const packet = transportPacket({
    src: RESOLVER,
    dst: device.ip,
    protocol: "udp",
    srcPort: 53,
    dstPort: 41000,
    payload: message,
  });
  // The answer itself travels before any name for the resolver: unknown.
  return { device, direction: "down", packet, service: "unknown" };
}

const PACKETS: readonly Packet[] = [
  // Before any answer: unknown.
  up(PHONE, CDN, 300, "unknown"),
  dns(
    PHONE,
    dnsResponse("www.example.com", [
      cname("www.example.com", "edge.cdn.example.net"),
      a("edge.cdn.example.net", CDN, 60),
    ]),
  ),
  up(PHONE, CDN, 1000, "example.com"),
  down(PHONE, CDN, 1400, "example.com"),
  // The laptop did not ask about the CDN yet: the phone's answer does not name its traffic.
  up(LAPTOP, CDN, 500, "unknown"),
  dns(LAPTOP, dnsResponse("video.example.org", [a("video.example.org", CDN, 300)])),
  down(LAPTOP, CDN, 1400, "example.org"),
  down(LAPTOP, CDN, 1300, "example.org"),
  {
    device: LAPTOP,
    direction: "up",
    packet: transportPacket({
      src: LAPTOP.ip,
      dst: API,
      protocol: "tcp",
      srcPort: 50000,
      dstPort: 443,
      payload: clientHelloRecord("api.example.net"),
    }),
    service: "example.net",
  },
  down(LAPTOP, API, 1200, "example.net"),
  // The phone keeps its own name for the shared address.
  down(PHONE, CDN, 900, "example.com"),
  // Never named.
  up(PHONE, "203.0.113.200", 250, "unknown"),
];

function macsOf(p: Packet): MacPair {
  return p.direction === "up" ? { src: p.device.mac, dst: BOX } : { src: BOX, dst: p.device.mac };
}

/** Bytes per service (and per device when `mac` is given), from the packets written. */
function truth(mac?: string): Map<string, number> {
  const sums = new Map<string, number>();
  for (const p of PACKETS) {
    if (mac !== undefined && p.device.mac !== mac) continue;
    sums.set(p.service, (sums.get(p.service) ?? 0) + p.packet.length);
  }
  return sums;
}

function servicesOf(answer: ServicesJson): Map<string, number> {
  const got = new Map(answer.services.map((s) => [s.name, s.total_bytes]));
  if (answer.unknown.total_bytes > 0) got.set("unknown", answer.unknown.total_bytes);
  assert.equal(answer.other.total_bytes, 0);
  return got;
}

Deno.test("main.ts --pcap: per-service and per-(device, service) bytes equal the truth exactly", async () => {
  const dir = await Deno.makeTempDir({ prefix: "netledger-services-e2e-" });
  const env = childEnv({
    DB_PATH: `${dir}/netledger.db`,
    TZ: ZONE,
    LOCAL_IPS: "192.168.1.1",
    BIND: "127.0.0.1",
    MONITOR_IFACE: "lo",
  });
  try {
    const t0 = Date.parse(`${DAY}T10:00:00Z`) / 1000;
    const records = PACKETS.map((p, i) => ({
      frame: buildFrame("ethernet", p.packet, macsOf(p)),
      timestampSec: t0 + i,
    }));
    await writeCaptureFile(`${dir}/bridge.pcap`, records, { format: "pcap" });
    const imported = await importPcap(env, `${dir}/bridge.pcap`);
    assert.equal(imported.code, 0, imported.output);
    const server = await startMain({ flags: ["-A"], env });
    try {
      const get = async <T>(path: string): Promise<T> => {
        const res = await fetch(`${server.baseUrl}${path}`);
        assert.equal(res.status, 200, path);
        return await res.json() as T;
      };
      const range = `start=${DAY}&end=${DAY}`;
      const box = await get<ServicesJson>(`/api/services?${range}`);
      assert.deepEqual(servicesOf(box), truth());
      const query = await get<QueryJson>(`/api/query?${range}`);
      assert.equal(box.total.total_bytes, query.summary.total_bytes);
      const hosts = new Map(box.services.map((s) => [s.name, s.hosts.map((h) => h.name)]));
      assert.deepEqual(hosts.get("example.com"), ["www.example.com"]);
      assert.deepEqual(hosts.get("example.net"), ["api.example.net"]);

      const devices = await get<DevicesJson>(`/api/devices?${range}`);
      for (const device of [PHONE, LAPTOP]) {
        const id = devices.devices.find((d) => d.mac === device.mac)!.id;
        const mine = await get<ServicesJson>(`/api/services?${range}&device=${id}`);
        assert.deepEqual(servicesOf(mine), truth(device.mac), device.mac);
      }
      const top = await get<TopIpsJson>(`/api/top_ips?${range}`);
      assert.equal(top.top_ips.find((r) => r.ip === API)?.hostname, "api.example.net");
      assert.equal(top.top_ips.find((r) => r.ip === "203.0.113.200")?.hostname, undefined);
      const laptopId = devices.devices.find((d) => d.mac === LAPTOP.mac)!.id;
      const laptop = await get<DeviceDetailJson>(`/api/devices/${laptopId}?${range}`);
      assert.equal(laptop.top_remotes?.find((r) => r.ip === API)?.hostname, "api.example.net");
      const phoneId = devices.devices.find((d) => d.mac === PHONE.mac)!.id;
      const phone = await get<DeviceDetailJson>(`/api/devices/${phoneId}?${range}`);
      assert.equal(phone.top_remotes?.find((r) => r.ip === "203.0.113.200")?.hostname, undefined);
      assert.ok(phone.top_remotes?.some((r) => r.ip === "203.0.113.200"), "the unnamed remote is listed");

      const limited = await get<ServicesJson>(`/api/services?${range}&limit=1`);
      const parts = limited.services.reduce((n, s) => n + s.total_bytes, 0) + limited.unknown.total_bytes +
        limited.other.total_bytes;
      assert.equal(parts, query.summary.total_bytes);
      const csv = await (await fetch(`${server.baseUrl}/api/services?${range}&format=csv`)).text();
      assert.match(csv, /^service,up_bytes,/);
      for (
        const [path, param] of [["limit=0", "limit"], ["start=2026-13-01", "start"], ["device=x", "device"]]
      ) {
        const res = await fetch(`${server.baseUrl}/api/services?${path}`);
        assert.equal(res.status, 400, path);
        assert.match((await res.json()).error, new RegExp(param));
      }
    } finally {
      await server.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
