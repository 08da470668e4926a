/**
 * One device model with the proxy clients (issue 14 item 5), through the real app over a real server: the fake
 * Clash core's client IPs map onto the devices the capture saved (their addresses, else the neighbour table's
 * MAC); a mapped client shows its device's name, a device's name shows on the Monitoring API, and the device
 * page's `proxied` holds exactly the core's bytes of its client IPs per chain and host.
 */
import assert from "node:assert/strict";
import { BUCKET_SEC } from "../capture/mod.ts";
import { TrafficLedger } from "../store/mod.ts";
import type { DeviceDetailJson, DevicesJson } from "../web/api_types.ts";
import type { MonitoringClientsJson } from "../web/monitoring_api_types.ts";
import { serveClashApp } from "./helpers/clash_app.ts";
import { ClashRig } from "./helpers/clash_rig.ts";

const PHONE = "3c:22:fb:00:00:07";
const TV = "00:11:22:33:44:55";
/** Seen behind the phone by the capture (an older address of the TV's first: the latest wins). */
const PHONE_IP = "192.168.1.20";
/** Never captured: only the neighbour table says it is the TV. */
const TV_IP = "192.168.1.30";
/** Neither captured nor a neighbour: a client of its own. */
const LONE_IP = "192.168.1.99";

/** Saves the two devices into the rig's database: PHONE_IP was the TV's yesterday and is the phone's now. */
async function saveDevices(rig: ClashRig): Promise<void> {
  const ledger = new TrafficLedger(rig.store);
  const now = Math.floor(Date.now() / 1000);
  const bucket = now - now % BUCKET_SEC;
  const device = (deviceKey: string, bucketStartSec: number) => ({
    bucketStartSec,
    deviceKey,
    upBytes: 100,
    downBytes: 200,
    upPackets: 1,
    downPackets: 1,
  });
  const address = (deviceKey: string, ip: string, lastSeenSec: number) => ({
    deviceKey,
    ip,
    firstSeenSec: lastSeenSec - 60,
    lastSeenSec,
  });
  ledger.add({
    traffic: [{
      bucketStartSec: bucket,
      family: 4,
      upBytes: 200,
      downBytes: 400,
      upPackets: 2,
      downPackets: 2,
    }],
    remotes: [],
    health: [],
    devices: [device(PHONE, bucket), device(TV, bucket)],
    deviceAddresses: [
      address(TV, PHONE_IP, bucket - 86_400),
      address(TV, "192.168.1.31", bucket),
      address(PHONE, PHONE_IP, bucket),
    ],
  });
  await ledger.flush();
}

Deno.test("Proxy clients map onto devices: one name on both pages, and the device page's proxied bytes", async () => {
  await using rig = ClashRig.start({ secret: "s" });
  await rig.connected();
  await saveDevices(rig);
  const video = rig.fake.open({ sourceIP: PHONE_IP, host: "video.example.com", chains: ["HK-01", "Proxy"] });
  const cdn = rig.fake.open({ sourceIP: PHONE_IP, host: "", destinationIP: "203.0.113.9" });
  const tv = rig.fake.open({ sourceIP: TV_IP, host: "tv.example.org" });
  const lone = rig.fake.open({ sourceIP: LONE_IP, host: "lone.example.net" });
  rig.fake.transfer(video, 1000, 50000);
  rig.fake.transfer(cdn, 10, 20);
  rig.fake.transfer(tv, 7, 70);
  rig.fake.transfer(lone, 3, 30);
  rig.fake.hidden(5, 6);
  await rig.snapshot();
  const { server, base } = serveClashApp(rig, {
    neighbourMacs: () => new Map([[TV_IP, TV], [LONE_IP, "02:00:00:00:00:99"]]),
  });
  const get = async <T>(path: string): Promise<T> => {
    const r = await fetch(base + path);
    assert.equal(r.status, 200, path);
    return await r.json() as T;
  };
  const put = async (path: string, name: string) => {
    const r = await fetch(base + path, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name }),
    });
    assert.equal(r.status, 200, path);
    await r.body?.cancel();
  };
  try {
    const devices = (await get<DevicesJson>("/api/devices")).devices;
    const idOf = (mac: string) => devices.find((d) => d.mac === mac)!.id!;
    await put(`/api/monitoring/clients/${LONE_IP}/name`, "Guest laptop");
    await put(`/api/monitoring/clients/${PHONE_IP}/name`, "old client name");
    await put(`/api/devices/${idOf(PHONE)}/name`, "Anna's phone");

    const clients = (await get<MonitoringClientsJson>("/api/monitoring/clients")).clients;
    assert.deepEqual(
      clients.map((c) => [c.ip, c.device_id, c.name]).sort(),
      [
        [PHONE_IP, idOf(PHONE), "Anna's phone"],
        [TV_IP, idOf(TV), null],
        [LONE_IP, null, "Guest laptop"],
      ].sort(),
    );
    const detail = await get<DeviceDetailJson>(`/api/devices/${idOf(PHONE)}`);
    assert.deepEqual(detail.proxied, {
      client_ips: [PHONE_IP],
      up_bytes: 1010,
      down_bytes: 50020,
      total_bytes: 51030,
      chains: [
        { name: "Proxy > HK-01", up_bytes: 1000, down_bytes: 50000, total_bytes: 51000, connections: 1 },
        { name: "direct", up_bytes: 10, down_bytes: 20, total_bytes: 30, connections: 1 },
      ],
      hosts: [
        { name: "video.example.com", up_bytes: 1000, down_bytes: 50000, total_bytes: 51000, connections: 1 },
        { name: "203.0.113.9", up_bytes: 10, down_bytes: 20, total_bytes: 30, connections: 1 },
      ],
      hosts_other_bytes: 0,
    });
    const tvDetail = await get<DeviceDetailJson>(`/api/devices/${idOf(TV)}`);
    assert.deepEqual(
      [
        tvDetail.proxied?.client_ips,
        tvDetail.proxied?.total_bytes,
        tvDetail.proxied?.hosts.map((h) => h.name),
      ],
      [[TV_IP], 77, ["tv.example.org"]],
    );
  } finally {
    await server.shutdown();
  }
});
