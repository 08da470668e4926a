import assert from "node:assert/strict";
import { resolveLocalAddresses } from "./local_addresses.ts";
import { RateWindow } from "./rate_window.ts";
import { DEFAULT_MAX_REMOTES } from "./remote_table.ts";
import { TrafficPipeline } from "./traffic_pipeline.ts";
import { BUCKET_SEC, OTHER_REMOTE_IP, type TrafficBatch } from "./types.ts";
import {
  arpFrame,
  buildFrame,
  feedFrame,
  type Frame,
  frameView,
  ipPacket,
  truncateFrame,
} from "../tests/helpers/frames.ts";

const T0 = 1_700_000_100; // a bucket start: 1_700_000_100 = 1_888_889 × 900
const LOCAL = resolveLocalAddresses(["192.168.1.2", "2001:db8:1:100::2"], []);

function up(src: string, dst: string, payloadBytes: number): Frame {
  return buildFrame("ethernet", ipPacket({ src, dst, payloadBytes }));
}

/** Every per-remote row of a bucket, OTHER included, adds up to the bucket's traffic over both families. */
function assertRemotesAddUp(batch: TrafficBatch): void {
  const buckets = new Set(batch.traffic.map((t) => t.bucketStartSec));
  for (const bucket of buckets) {
    for (const field of ["upBytes", "downBytes", "upPackets", "downPackets"] as const) {
      const traffic = batch.traffic.filter((t) => t.bucketStartSec === bucket).reduce(
        (n, t) => n + t[field],
        0,
      );
      const remotes = batch.remotes.filter((r) => r.bucketStartSec === bucket).reduce(
        (n, r) => n + r[field],
        0,
      );
      assert.equal(remotes, traffic, `${field} of bucket ${bucket}`);
    }
  }
}

Deno.test("TrafficPipeline.drain() reports traffic per bucket and family, remotes and health, then resets", () => {
  const pipeline = new TrafficPipeline({ localAddresses: LOCAL });
  feedFrame(pipeline, up("192.168.1.2", "203.0.113.9", 100), T0); // 120 up, v4
  feedFrame(pipeline, up("203.0.113.9", "192.168.1.2", 1000), T0 + 899); // 1020 down, v4, same bucket
  feedFrame(pipeline, up("2001:db8:1:1ff::7", "2001:db8:ff::1", 60), T0 + 899.9); // 100 up, v6
  feedFrame(pipeline, up("192.168.1.2", "203.0.113.9", 10), T0 + BUCKET_SEC); // 30 up, next bucket
  feedFrame(pipeline, truncateFrame(up("192.168.1.2", "203.0.113.9", 100), 30), T0 + BUCKET_SEC + 5);
  pipeline.addDrops(T0 + 10, 3);
  assert.equal(pipeline.pendingBuckets, 2);
  const batch = pipeline.drain();
  assert.equal(pipeline.pendingBuckets, 0);
  assert.deepEqual(batch.traffic, [
    { bucketStartSec: T0, family: 4, upBytes: 120, downBytes: 1020, upPackets: 1, downPackets: 1 },
    { bucketStartSec: T0, family: 6, upBytes: 100, downBytes: 0, upPackets: 1, downPackets: 0 },
    { bucketStartSec: T0 + BUCKET_SEC, family: 4, upBytes: 30, downBytes: 0, upPackets: 1, downPackets: 0 },
  ]);
  assert.deepEqual(batch.remotes, [
    {
      bucketStartSec: T0,
      remoteIp: "203.0.113.9",
      upBytes: 120,
      downBytes: 1020,
      upPackets: 1,
      downPackets: 1,
    },
    {
      bucketStartSec: T0,
      remoteIp: "2001:db8:ff::1",
      upBytes: 100,
      downBytes: 0,
      upPackets: 1,
      downPackets: 0,
    },
    {
      bucketStartSec: T0 + BUCKET_SEC,
      remoteIp: "203.0.113.9",
      upBytes: 30,
      downBytes: 0,
      upPackets: 1,
      downPackets: 0,
    },
  ]);
  assert.deepEqual(batch.health, [
    { bucketStartSec: T0, malformedPackets: 0, droppedPackets: 3 },
    { bucketStartSec: T0 + BUCKET_SEC, malformedPackets: 1, droppedPackets: 0 },
  ]);
  // up() frames go from 02:00:00:00:00:02 to 02:00:00:00:00:01: the local end of a download is the latter.
  assert.deepEqual(batch.devices, [
    {
      bucketStartSec: T0,
      deviceKey: "02:00:00:00:00:01",
      upBytes: 0,
      downBytes: 1020,
      upPackets: 0,
      downPackets: 1,
    },
    {
      bucketStartSec: T0,
      deviceKey: "02:00:00:00:00:02",
      upBytes: 220,
      downBytes: 0,
      upPackets: 2,
      downPackets: 0,
    },
    {
      bucketStartSec: T0 + BUCKET_SEC,
      deviceKey: "02:00:00:00:00:02",
      upBytes: 30,
      downBytes: 0,
      upPackets: 1,
      downPackets: 0,
    },
  ]);
  assert.deepEqual(
    batch.deviceAddresses?.toSorted((a, b) =>
      a.deviceKey.localeCompare(b.deviceKey) || a.ip.localeCompare(b.ip)
    ),
    [
      { deviceKey: "02:00:00:00:00:01", ip: "192.168.1.2", firstSeenSec: T0 + 899, lastSeenSec: T0 + 899 },
      { deviceKey: "02:00:00:00:00:02", ip: "192.168.1.2", firstSeenSec: T0, lastSeenSec: T0 + BUCKET_SEC },
      {
        deviceKey: "02:00:00:00:00:02",
        ip: "2001:db8:1:1ff::7",
        firstSeenSec: T0 + 899,
        lastSeenSec: T0 + 899,
      },
    ],
  );
  assert.deepEqual(pipeline.drain(), {
    traffic: [],
    remotes: [],
    health: [],
    devices: [],
    deviceAddresses: [],
    dhcpNames: [],
    deviceRemotes: [],
  });
});

Deno.test("TrafficPipeline.stats() counts seen = counted + ignored + malformed across drains", () => {
  const pipeline = new TrafficPipeline({ localAddresses: LOCAL });
  const frames = [
    up("192.168.1.2", "203.0.113.9", 100), // counted
    up("192.168.1.2", "192.168.1.3", 100), // LAN: ignored
    up("203.0.113.1", "198.51.100.1", 100), // transit: ignored
    up("192.168.1.2", "224.0.0.251", 100), // mDNS: ignored
    up("2001:db8:1:100::2", "2001:db8:1:1ff::3", 100), // same /56: ignored
    arpFrame(), // not IP: ignored
    { ...up("192.168.1.2", "203.0.113.9", 100), linkType: 147 }, // unknown link: ignored
    truncateFrame(up("192.168.1.2", "203.0.113.9", 100), 20), // malformed
  ];
  frames.forEach((frame) => feedFrame(pipeline, frame, T0));
  pipeline.drain();
  feedFrame(pipeline, up("203.0.113.9", "192.168.1.2", 0), T0);
  feedFrame(pipeline, frames[0], NaN); // no usable time: malformed
  assert.deepEqual(pipeline.stats(), {
    seenPackets: 10,
    countedPackets: 2,
    ignoredPackets: 6,
    malformedPackets: 2,
    droppedPackets: 0,
    upBytes: 120,
    downBytes: 20,
    remoteRows: 1,
    remoteCompactions: 0,
    deviceOverflowPackets: 0,
  });
});

Deno.test("TrafficPipeline.setLocalAddresses() changes what counts as local", () => {
  const pipeline = new TrafficPipeline();
  const frame = up("2001:db8:1:100::2", "2001:db8:ff::1", 0);
  feedFrame(pipeline, frame, T0);
  assert.equal(pipeline.stats().countedPackets, 0);
  pipeline.setLocalAddresses(LOCAL);
  feedFrame(pipeline, frame, T0);
  assert.equal(pipeline.stats().countedPackets, 1);
  assert.equal(pipeline.localAddresses(), LOCAL);
});

Deno.test("TrafficPipeline counts an IPv4-mapped IPv6 remote as its IPv4 address", () => {
  const pipeline = new TrafficPipeline();
  feedFrame(pipeline, up("::ffff:192.168.1.2", "::ffff:203.0.113.9", 0), T0);
  const batch = pipeline.drain();
  assert.equal(batch.traffic[0].family, 6);
  assert.equal(batch.remotes[0].remoteIp, "203.0.113.9");
});

Deno.test("TrafficPipeline feeds counted bytes into its RateWindow", () => {
  const rateWindow = new RateWindow(30);
  const pipeline = new TrafficPipeline({ localAddresses: LOCAL, rateWindow });
  feedFrame(pipeline, up("192.168.1.2", "203.0.113.9", 100), T0 + 0.5);
  feedFrame(pipeline, up("203.0.113.9", "192.168.1.2", 10), T0 + 0.7);
  feedFrame(pipeline, up("192.168.1.2", "192.168.1.3", 10), T0 + 0.7);
  assert.deepEqual(rateWindow.current(T0 + 1), { ts: T0, upBytes: 120, downBytes: 30 });
});

Deno.test("TrafficPipeline keeps memory bounded and totals exact over 1,000,000 distinct remote IPs", () => {
  const pipeline = new TrafficPipeline({ localAddresses: LOCAL });
  // One frame rewritten in place: the destination's last two words walk through 2001:db8:ff::/48.
  const scan = up("2001:db8:1:100::2", "2001:db8:ff::", 12);
  const scanView = frameView(scan);
  const heavy = up("192.168.1.2", "203.0.113.77", 1400);
  const truth = { upBytes: 0, upPackets: 0 };
  let maxRows = 0;
  for (let i = 0; i < 1_000_000; i++) {
    scanView.setUint32(14 + 24 + 12, i);
    const timestampSec = T0 + Math.floor(i / 400_000) * BUCKET_SEC;
    feedFrame(pipeline, scan, timestampSec);
    truth.upBytes += 52;
    truth.upPackets++;
    if (i % 1000 === 0) {
      feedFrame(pipeline, heavy, timestampSec);
      truth.upBytes += 1420;
      truth.upPackets++;
    }
    if (i % 10_000 === 0) maxRows = Math.max(maxRows, pipeline.stats().remoteRows);
  }
  assert.ok(maxRows <= DEFAULT_MAX_REMOTES, `rows ${maxRows}`);
  assert.ok(pipeline.stats().remoteCompactions > 0);
  const batch = pipeline.drain();
  assert.ok(batch.remotes.length <= DEFAULT_MAX_REMOTES + 3);
  assertRemotesAddUp(batch);
  assert.equal(batch.traffic.reduce((n, t) => n + t.upBytes, 0), truth.upBytes);
  assert.equal(batch.remotes.reduce((n, r) => n + r.upPackets, 0), truth.upPackets);
  assert.equal(batch.remotes.filter((r) => r.remoteIp === OTHER_REMOTE_IP).length, 3);
  const heavyRows = batch.remotes.filter((r) => r.remoteIp === "203.0.113.77");
  assert.deepEqual(heavyRows.map((r) => r.upPackets), [400, 400, 200]);
});
