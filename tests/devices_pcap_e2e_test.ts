/**
 * Devices end to end (issue 14): a capture file from a LAN bridge with several devices, imported through
 * main.ts --pcap and served by main.ts. Per-device totals must equal the truth of the frames written, and
 * devices plus `other` must equal /api/query's summary. The devices: a phone whose IPv6 temporary address
 * rotates every day, a second router forwarding four IPv4 subnets, a randomised MAC, and broadcast,
 * multicast and all-zero MAC frames that name no device. The phone and the randomised device send DHCP
 * requests that carry their names (option 12, option 81): the names reach /api/devices, and the DHCP frames
 * (LAN broadcast) count as no public traffic.
 */
import assert from "node:assert/strict";
import { buildFrame, ipPacket, type MacPair } from "./helpers/frames.ts";
import { clientFqdnOption, dhcpMessage, dhcpPacket, hostNameOption } from "./helpers/dhcp_frames.ts";
import { writeCaptureFile } from "./helpers/pcap_writer.ts";
import { childEnv, importPcap, startMain } from "./helpers/run_main.ts";
import type { DeviceDetailJson, DevicesJson, QueryJson } from "../web/api_types.ts";

const ZONE = "Europe/Berlin";
const BOX = "02:00:00:00:00:01"; // the box's own bridge MAC: the far end of every LAN frame
const PHONE = "3c:22:fb:00:00:07";
const ROUTER = "00:11:22:33:44:55";
const RANDOM = "da:a1:19:5e:00:01";
const DAYS = ["2026-03-09", "2026-03-10", "2026-03-11"];

interface Packet {
  readonly day: number;
  /** The device's MAC, or null for frames that name none (counted in `other`). */
  readonly device: string | null;
  readonly macs: MacPair;
  readonly src: string;
  readonly dst: string;
  readonly payloadBytes: number;
  readonly direction: "up" | "down";
  readonly isVlan?: boolean;
}

function up(day: number, device: string, src: string, dst: string, payloadBytes: number): Packet {
  return { day, device, macs: { src: device, dst: BOX }, src, dst, payloadBytes, direction: "up" };
}

function down(day: number, device: string, src: string, dst: string, payloadBytes: number): Packet {
  return { day, device, macs: { src: BOX, dst: device }, src, dst, payloadBytes, direction: "down" };
}

const PACKETS: readonly Packet[] = DAYS.flatMap((_, day) => {
  const temporary = `2001:db8:1:100:${(day + 10).toString(16)}::${day + 1}`; // rotates daily
  return [
    up(day, PHONE, "192.168.1.20", "203.0.113.5", 1000 + day),
    down(day, PHONE, "203.0.113.5", "192.168.1.20", 1400),
    up(day, PHONE, temporary, "2001:db8:ff::1", 600 + day),
    down(day, PHONE, "2001:db8:ff::1", temporary, 1200),
    { ...up(day, PHONE, "192.168.1.20", "198.51.100.9", 77), isVlan: true },
    ...[1, 2, 3, 4].map((subnet) => up(day, ROUTER, `10.1.${subnet}.5`, "198.51.100.7", 300 * subnet)),
    down(day, ROUTER, "198.51.100.7", "10.1.2.5", 900),
    up(day, RANDOM, "192.168.1.40", "203.0.113.80", 50 + day),
    down(day, RANDOM, "203.0.113.80", "192.168.1.40", 500),
    // Name no device: a directed broadcast, a multicast MAC, an all-zero source MAC.
    {
      ...down(day, PHONE, "203.0.113.9", "192.168.1.255", 111),
      device: null,
      macs: { src: BOX, dst: "ff:ff:ff:ff:ff:ff" },
    },
    {
      ...down(day, PHONE, "203.0.113.9", "192.168.1.50", 222),
      device: null,
      macs: { src: BOX, dst: "01:00:5e:01:02:03" },
    },
    {
      ...up(day, PHONE, "192.168.1.60", "203.0.113.9", 333),
      device: null,
      macs: { src: "00:00:00:00:00:00", dst: BOX },
    },
    // LAN-only: not counted at all.
    { ...up(day, PHONE, "192.168.1.20", "192.168.1.40", 999), device: "none" },
  ];
});

/** IP-layer bytes of a packet, from the IP header sizes (not from netledger's parser). */
function ipBytes(p: Packet): number {
  return (p.src.includes(":") ? 40 : 20) + p.payloadBytes;
}

function timestampOf(p: Packet, index: number): number {
  return Date.parse(`${DAYS[p.day]}T10:00:00Z`) / 1000 + index;
}

/** Up and down bytes per device key (`other` for null) over the given days. */
function truth(days: readonly number[]): Map<string, { up: number; down: number }> {
  const sums = new Map<string, { up: number; down: number }>();
  for (const p of PACKETS) {
    if (p.device === "none" || !days.includes(p.day)) continue;
    const key = p.device ?? "other";
    const s = sums.get(key) ?? { up: 0, down: 0 };
    if (p.direction === "up") s.up += ipBytes(p);
    else s.down += ipBytes(p);
    sums.set(key, s);
  }
  return sums;
}

/** Up and down bytes per remote address of device `mac` over the given days. */
function remoteTruth(mac: string, days: readonly number[]): Map<string, [number, number]> {
  const sums = new Map<string, [number, number]>();
  for (const p of PACKETS) {
    if (p.device !== mac || !days.includes(p.day)) continue;
    const remote = p.direction === "up" ? p.dst : p.src;
    const [u, d] = sums.get(remote) ?? [0, 0];
    sums.set(remote, p.direction === "up" ? [u + ipBytes(p), d] : [u, d + ipBytes(p)]);
  }
  return sums;
}

async function importFile(env: Record<string, string>, path: string): Promise<void> {
  const { code, output } = await importPcap(env, path);
  assert.equal(code, 0, output);
}

Deno.test("main.ts --pcap of a LAN bridge: per-device totals equal the truth, devices plus other equal the total", async () => {
  const dir = await Deno.makeTempDir({ prefix: "netledger-devices-e2e-" });
  const env = childEnv({
    DB_PATH: `${dir}/netledger.db`,
    TZ: ZONE,
    LOCAL_IPS: "192.168.1.1,2001:db8:1:100::1",
    BIND: "127.0.0.1",
    MONITOR_IFACE: "lo",
  });
  try {
    const records = PACKETS.map((p, i) => ({
      frame: buildFrame(p.isVlan ? "vlan" : "ethernet", ipPacket(p), p.macs),
      timestampSec: timestampOf(p, i),
    }));
    // DHCP requests on the first day, before the traffic: the names come from the capture alone.
    const dhcp = [
      { mac: PHONE, options: hostNameOption("Annas-Phone") },
      { mac: RANDOM, options: clientFqdnOption("kids-tablet.home.arpa", true) },
    ].map((d, i) => ({
      frame: buildFrame("ethernet", dhcpPacket(dhcpMessage({ ...d, padToBytes: 300 })), {
        src: d.mac,
        dst: "ff:ff:ff:ff:ff:ff",
      }),
      timestampSec: timestampOf(PACKETS[0], 0) - 10 + i,
    }));
    await writeCaptureFile(`${dir}/bridge.pcapng`, [...dhcp, ...records], { format: "pcapng" });
    await importFile(env, `${dir}/bridge.pcapng`);
    const server = await startMain({ flags: ["-A"], env });
    try {
      const get = async <T>(path: string): Promise<T> => {
        const res = await fetch(`${server.baseUrl}${path}`);
        assert.equal(res.status, 200, path);
        return await res.json() as T;
      };
      for (const days of [[0, 1, 2], [0], [1], [2]]) {
        const start = DAYS[days[0]];
        const end = DAYS[days.at(-1)!];
        const answer = await get<DevicesJson>(`/api/devices?start=${start}&end=${end}`);
        const expected = truth(days);
        const got = new Map(answer.devices.map((d) => [d.mac!, { up: d.up_bytes, down: d.down_bytes }]));
        got.set("other", { up: answer.other.up_bytes, down: answer.other.down_bytes });
        assert.deepEqual(got, expected, `${start}..${end}`);
        const query = await get<QueryJson>(`/api/query?start=${start}&end=${end}`);
        const sumUp = answer.devices.reduce((n, d) => n + d.up_bytes, answer.other.up_bytes);
        const sumDown = answer.devices.reduce((n, d) => n + d.down_bytes, answer.other.down_bytes);
        assert.deepEqual([sumUp, sumDown], [query.summary.up_bytes, query.summary.down_bytes]);
      }
      const all = await get<DevicesJson>(`/api/devices?start=${DAYS[0]}&end=${DAYS[2]}`);
      const byMac = new Map(all.devices.map((d) => [d.mac, d]));
      const phone = byMac.get(PHONE)!;
      // One phone, not one row per rotating address.
      assert.deepEqual(phone.ips.toSorted(), [
        "192.168.1.20",
        "2001:db8:1:100:a::1",
        "2001:db8:1:100:b::2",
        "2001:db8:1:100:c::3",
      ]);
      assert.equal(byMac.get(ROUTER)?.is_probably_router, true);
      assert.equal(phone.is_probably_router, false);
      assert.equal(byMac.get(RANDOM)?.is_randomized_mac, true);
      assert.equal(phone.is_randomized_mac, false);
      assert.equal(all.devices.length, 3);
      assert.deepEqual([phone.name, phone.name_source], ["Annas-Phone", "dhcp"]);
      assert.deepEqual([byMac.get(RANDOM)?.name, byMac.get(RANDOM)?.name_source], [
        "kids-tablet.home.arpa",
        "dhcp",
      ]);
      assert.equal(byMac.get(ROUTER)?.name_source, null, "no source named the router");

      const detail = await get<DeviceDetailJson>(
        `/api/devices/${phone.id}?start=${DAYS[0]}&end=${DAYS[2]}&granularity=day`,
      );
      assert.deepEqual(
        detail.series.map((p) => [p.up_bytes, p.down_bytes]),
        [0, 1, 2].map((day) => [truth([day]).get(PHONE)!.up, truth([day]).get(PHONE)!.down]),
      );
      assert.equal(detail.ips.length, 4);

      // Each device's remotes per day range equal the truth, and with `other` its total (issue 14 item 3).
      for (const device of all.devices) {
        for (const days of [[0, 1, 2], [1]]) {
          const range = `start=${DAYS[days[0]]}&end=${DAYS[days.at(-1)!]}`;
          const one = await get<DeviceDetailJson>(`/api/devices/${device.id}?${range}&granularity=day`);
          const got = new Map(one.top_remotes!.map((r) => [r.ip, [r.up_bytes, r.down_bytes]]));
          assert.deepEqual(got, remoteTruth(device.mac!, days), `${device.mac} ${range}`);
          const sum = one.top_remotes!.reduce((n, r) => n + r.bytes, one.top_remotes_other_bytes!);
          assert.equal(sum, one.device.total_bytes, `${device.mac} ${range}: remotes plus other`);
        }
      }
    } finally {
      await server.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
