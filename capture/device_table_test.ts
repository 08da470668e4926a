import assert from "node:assert/strict";
import { DEVICE_IDLE_SEC, DeviceTable, formatMac, MAX_DEVICE_ROWS } from "./device_table.ts";
import { resolveLocalAddresses } from "./local_addresses.ts";
import { TrafficPipeline } from "./traffic_pipeline.ts";
import { BUCKET_SEC, OTHER_DEVICE_KEY, type TrafficBatch } from "./types.ts";
import {
  buildFrame,
  type Encapsulation,
  feedFrame,
  type Frame,
  ipPacket,
  type MacPair,
} from "../tests/helpers/frames.ts";

const T0 = 1_700_000_100;
const LOCAL = resolveLocalAddresses(["192.168.1.1", "2001:db8:1:100::1"], []);
const ROUTER = "02:aa:00:00:00:01";
const PHONE = "3c:22:fb:00:00:07";

/** A frame of `payloadBytes` from `src` to `dst`, between the MACs of `macs`. */
function frame(src: string, dst: string, macs: MacPair, encapsulation: Encapsulation = "ethernet"): Frame {
  return buildFrame(encapsulation, ipPacket({ src, dst, payloadBytes: 100 }), macs);
}

/** Per bucket, the device rows (OTHER_DEVICE_KEY included) add up to the bucket's traffic. */
function assertDevicesAddUp(batch: TrafficBatch): void {
  for (const bucket of new Set(batch.traffic.map((t) => t.bucketStartSec))) {
    for (const field of ["upBytes", "downBytes", "upPackets", "downPackets"] as const) {
      const total = batch.traffic.filter((t) => t.bucketStartSec === bucket).reduce(
        (n, t) => n + t[field],
        0,
      );
      const devices = (batch.devices ?? []).filter((d) => d.bucketStartSec === bucket)
        .reduce((n, d) => n + d[field], 0);
      assert.equal(devices, total, `${field} of bucket ${bucket}`);
    }
  }
}

Deno.test("formatMac writes the 48 bits as six lower-case octets", () => {
  assert.equal(formatMac(0x3c22, 0xfb000007 | 0), "3c:22:fb:00:00:07");
  assert.equal(formatMac(0x0000, 1), "00:00:00:00:00:01");
});

Deno.test("TrafficPipeline keys devices by the local end's MAC: source of uploads, destination of downloads", () => {
  const pipeline = new TrafficPipeline({ localAddresses: LOCAL });
  feedFrame(pipeline, frame("192.168.1.20", "203.0.113.5", { src: PHONE, dst: ROUTER }), T0); // 120 up
  feedFrame(pipeline, frame("203.0.113.5", "192.168.1.20", { src: ROUTER, dst: PHONE }), T0 + 1); // 120 down
  feedFrame(
    pipeline,
    frame("2001:db8:1:100::aa", "2001:db8:ff::1", { src: PHONE, dst: ROUTER }, "vlan"),
    T0 + 2,
  );
  feedFrame(
    pipeline,
    frame("2001:db8:ff::1", "2001:db8:1:100::bb", { src: ROUTER, dst: PHONE }, "qinq"),
    T0 + 3,
  );
  const batch = pipeline.drain();
  assert.deepEqual(batch.devices, [
    { bucketStartSec: T0, deviceKey: PHONE, upBytes: 260, downBytes: 260, upPackets: 2, downPackets: 2 },
  ]);
  assert.deepEqual(batch.deviceAddresses?.map((a) => a.ip).sort(), [
    "192.168.1.20",
    "2001:db8:1:100::aa",
    "2001:db8:1:100::bb",
  ]);
  assertDevicesAddUp(batch);
});

Deno.test("TrafficPipeline counts broadcast, multicast and all-zero MACs in the exact other device", () => {
  const pipeline = new TrafficPipeline({ localAddresses: LOCAL });
  feedFrame(pipeline, frame("192.168.1.20", "203.0.113.5", { src: PHONE, dst: ROUTER }), T0);
  feedFrame(pipeline, frame("203.0.113.5", "192.168.1.20", { src: ROUTER, dst: "ff:ff:ff:ff:ff:ff" }), T0);
  feedFrame(pipeline, frame("203.0.113.5", "192.168.1.21", { src: ROUTER, dst: "01:00:5e:00:00:fb" }), T0);
  feedFrame(pipeline, frame("192.168.1.22", "203.0.113.5", { src: "00:00:00:00:00:00", dst: ROUTER }), T0);
  feedFrame(pipeline, frame("192.168.1.23", "203.0.113.5", { src: "33:33:00:00:00:01", dst: ROUTER }), T0);
  const batch = pipeline.drain();
  assert.deepEqual(batch.devices, [
    {
      bucketStartSec: T0,
      deviceKey: OTHER_DEVICE_KEY,
      upBytes: 240,
      downBytes: 240,
      upPackets: 2,
      downPackets: 2,
    },
    { bucketStartSec: T0, deviceKey: PHONE, upBytes: 120, downBytes: 0, upPackets: 1, downPackets: 0 },
  ]);
  assert.deepEqual(batch.deviceAddresses?.map((a) => a.deviceKey), [PHONE]);
  assertDevicesAddUp(batch);
});

Deno.test("TrafficPipeline keeps a randomised (locally administered) MAC as a device", () => {
  const pipeline = new TrafficPipeline({ localAddresses: LOCAL });
  feedFrame(pipeline, frame("192.168.1.30", "203.0.113.5", { src: "da:a1:19:00:00:01", dst: ROUTER }), T0);
  assert.deepEqual(pipeline.drain().devices?.map((d) => d.deviceKey), ["da:a1:19:00:00:01"]);
});

Deno.test("TrafficPipeline keys devices by the local IP on links without MACs (raw IP, PPP, Linux cooked)", () => {
  const pipeline = new TrafficPipeline({ localAddresses: LOCAL });
  const macs = { src: PHONE, dst: ROUTER };
  for (const encapsulation of ["raw", "ppp", "sll", "sll2"] as const) {
    feedFrame(pipeline, frame("192.168.1.40", "203.0.113.5", macs, encapsulation), T0);
    feedFrame(pipeline, frame("2001:db8:ff::1", "2001:db8:1:100::40", macs, encapsulation), T0);
  }
  feedFrame(pipeline, frame("::ffff:192.168.1.40", "::ffff:203.0.113.5", macs, "raw"), T0);
  const batch = pipeline.drain();
  assert.deepEqual(batch.devices?.map((d) => [d.deviceKey, d.upPackets, d.downPackets]), [
    ["192.168.1.40", 5, 0],
    ["2001:db8:1:100::40", 0, 4],
  ]);
  assertDevicesAddUp(batch);
});

Deno.test("TrafficPipeline folds a flood of random source MACs into the exact other device, table bounded", () => {
  const pipeline = new TrafficPipeline({ localAddresses: LOCAL });
  let seed = 7;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  const flood = 30_000;
  let maxRows = 0;
  for (let i = 0; i < flood; i++) {
    const mac = formatMac(next() & 0xfeff, next() | 0); // group bit clear: each one a unicast station
    const ip = `10.${i >> 16 & 255}.${i >> 8 & 255}.${i & 255}`;
    feedFrame(pipeline, frame(ip, "203.0.113.5", { src: mac, dst: ROUTER }), T0 + (i % 1800));
    maxRows = Math.max(maxRows, pipeline.pendingDeviceRows);
  }
  const batch = pipeline.drain();
  assert.ok(maxRows <= 16_384, `rows held at most ${maxRows}`);
  const named = batch.devices!.filter((d) => d.deviceKey !== OTHER_DEVICE_KEY);
  assert.equal(new Set(named.map((d) => d.deviceKey)).size, 4096);
  assert.ok(pipeline.stats().deviceOverflowPackets > 0);
  assertDevicesAddUp(batch);
  assert.equal(pipeline.pendingDeviceRows, 0);
});

/** One packet of 10 bytes from the device (MAC high and low bits, or 0 and 0) at IPv4 address `ip`. */
function addPacket(
  table: DeviceTable,
  sec: number,
  high: number,
  low: number,
  ip: number,
  isUpload = true,
): boolean {
  const row = table.rowOf(Math.floor(sec / BUCKET_SEC), high, low, 4, ip, 0, 0, 0, sec);
  table.credit(row, isUpload ? 10 : 0, isUpload ? 0 : 10, isUpload ? 1 : 0, isUpload ? 0 : 1, sec);
  return row >= 0;
}

Deno.test("DeviceTable keeps rows within maxRows and devices within maxDevices", () => {
  const table = new DeviceTable(2, 3);
  // MAC 02:00:00:00:00:01: rows 1 to 3 are held, and packets of a row past the bound are refused.
  const held = [1, 2, 3, 4, 5].map((ip) => addPacket(table, T0, 0x0200, 1, ip));
  assert.deepEqual(held, [true, true, true, false, false]);
  assert.equal(table.size, 3);
  assert.equal(table.deviceCount, 1);
  assert.equal(table.overflowPackets, 2);
  table.drain();
  // The MAC device is still held after the drain, so one new device (an address, no MAC) fits beside it.
  for (let ip = 1; ip <= 3; ip++) addPacket(table, T0, 0, 0, ip, false);
  assert.equal(table.deviceCount, 2);
  assert.equal(table.overflowPackets, 4);
  assert.deepEqual(table.drain().traffic.map((t) => t.deviceKey), ["0.0.0.1"]);
  assert.throws(() => new DeviceTable(0), RangeError);
});

Deno.test("DeviceTable holds its devices across drains until they are idle for DEVICE_IDLE_SEC", () => {
  const table = new DeviceTable(2, 100);
  const add = (ip: number, sec: number) => addPacket(table, sec, 0, 0, ip);
  const keys = () => table.drain().traffic.map((t) => t.deviceKey).sort();
  add(1, T0);
  add(2, T0);
  assert.deepEqual(keys(), ["0.0.0.1", "0.0.0.2"]);
  // A flood of new devices finds the table full: the two held devices keep their rows.
  for (let ip = 3; ip < 50; ip++) add(ip, T0 + 60);
  add(1, T0 + 60);
  assert.deepEqual(keys(), ["0.0.0.1"]);
  assert.equal(table.overflowPackets, 47);
  // Device 2 goes idle; once device 1 is seen DEVICE_IDLE_SEC after it, a drain lets it go.
  add(1, T0 + DEVICE_IDLE_SEC);
  add(3, T0 + DEVICE_IDLE_SEC);
  assert.deepEqual(keys(), ["0.0.0.1"]);
  assert.equal(table.deviceCount, 1);
  add(3, T0 + DEVICE_IDLE_SEC + 1);
  assert.equal(table.deviceCount, 2);
  assert.deepEqual(keys(), ["0.0.0.3"]);
  assert.equal(table.overflowPackets, 48);
});

Deno.test("DeviceTable row numbers stay valid while the table grows, and start again after a drain", () => {
  const table = new DeviceTable();
  // 3,000 rows (many growths): each row's number is taken once, then counted in later passes.
  const rows = Array.from(
    { length: 3000 },
    (_, ip) => table.rowOf(T0 / BUCKET_SEC, 0, 0, 4, ip + 1, 0, 0, 0, T0),
  );
  assert.deepEqual(rows, rows.map((_, i) => i));
  for (let pass = 1; pass <= 3; pass++) {
    rows.forEach((row, i) => {
      const isUp = pass !== 2;
      table.credit(row, isUp ? i + pass : 0, isUp ? 0 : i + pass, isUp ? 1 : 0, isUp ? 0 : 1, T0 + pass);
    });
  }
  assert.equal(table.rowOf(T0 / BUCKET_SEC, 0, 0, 4, 2000, 0, 0, 0, T0), 1999);
  const { traffic, addresses } = table.drain();
  assert.equal(traffic.length, 3000);
  for (const t of traffic) {
    const i = Number(t.deviceKey.split(".").reduce((n, octet) => n * 256 + Number(octet), 0)) - 1;
    assert.deepEqual(
      [t.upBytes, t.downBytes, t.upPackets, t.downPackets],
      [2 * i + 4, i + 2, 2, 1],
      t.deviceKey,
    );
  }
  assert.ok(addresses.every((a) => a.firstSeenSec === T0 && a.lastSeenSec === T0 + 3));
  assert.equal(table.rowOf(T0 / BUCKET_SEC, 0, 0, 4, 2000, 0, 0, 0, T0), 0);
  table.credit(-1, 10, 20, 1, 2, T0);
  assert.equal(table.overflowPackets, 3);
  assert.throws(() => new DeviceTable(1, MAX_DEVICE_ROWS + 1), RangeError);
});
