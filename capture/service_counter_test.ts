import assert from "node:assert/strict";
import {
  a,
  aaaa,
  clientHelloRecord,
  cname,
  dnsResponse,
  RFC9001_CLIENT_INITIAL,
  withTcpLength,
} from "../tests/helpers/sniff_packets.ts";
import { buildFrame, feedFrame, type MacPair } from "../tests/helpers/frames.ts";
import { filler, transportPacket } from "../tests/helpers/service_frames.ts";
import { deviceOfKey } from "./device_kind.ts";
import { parseIp } from "./ip_prefix.ts";
import { DEFAULT_MAX_NAME_ENTRIES, MIN_ANSWER_SEC, NameCache } from "./name_cache.ts";
import { seededRandom } from "../tests/helpers/netledger_rig.ts";
import { MAX_QUIC_DECRYPTS_PER_SEC, MAX_QUIC_IN_FLIGHT } from "./service_counter.ts";
import { TrafficPipeline } from "./traffic_pipeline.ts";
import { OTHER_DEVICE_KEY, OTHER_SERVICE, type TrafficBatch, UNKNOWN_SERVICE } from "./types.ts";

const LOCAL = {
  ips: ["192.168.1.1"],
  lanPrefixes: ["192.168.1.0/24", "2001:db8:1::/48"],
  mode: "auto-gua-/56",
} as const;
const BOX = "02:00:00:00:00:01";
const PHONE = "3c:22:fb:00:00:07";
const LAPTOP = "3c:22:fb:00:00:08";
const T0 = 1_780_000_000;

const upFrom = (mac: string): MacPair => ({ src: mac, dst: BOX });
const downTo = (mac: string): MacPair => ({ src: BOX, dst: mac });

function dnsFrame(mac: string, to: string, message: Uint8Array) {
  return buildFrame(
    "ethernet",
    transportPacket({
      src: "192.0.2.53",
      dst: to,
      protocol: "udp",
      srcPort: 53,
      dstPort: 40000,
      payload: message,
    }),
    downTo(mac),
  );
}

/** The phone's QUIC Initial of RFC 9001 A.2 to 198.51.100.44:443 (its SNI is example.com). */
function phoneQuicInitial() {
  return buildFrame(
    "ethernet",
    transportPacket({
      src: "192.168.1.20",
      dst: "198.51.100.44",
      protocol: "udp",
      srcPort: 50000,
      dstPort: 443,
      payload: RFC9001_CLIENT_INITIAL,
    }),
    upFrom(PHONE),
  );
}

/** Bytes per (device, service) over the batch, and the check that each (bucket, device) adds up exactly. */
function servicesOf(batch: TrafficBatch): Map<string, number> {
  const sums = new Map<string, number>();
  const perDevice = new Map<string, number>();
  for (const s of batch.services ?? []) {
    const key = `${s.deviceKey} ${s.service}`;
    sums.set(key, (sums.get(key) ?? 0) + s.upBytes + s.downBytes);
    const dk = `${s.bucketStartSec} ${s.deviceKey}`;
    perDevice.set(dk, (perDevice.get(dk) ?? 0) + s.upBytes + s.downBytes);
  }
  for (const d of batch.devices ?? []) {
    assert.equal(perDevice.get(`${d.bucketStartSec} ${d.deviceKey}`), d.upBytes + d.downBytes, d.deviceKey);
    perDevice.delete(`${d.bucketStartSec} ${d.deviceKey}`);
  }
  assert.equal(perDevice.size, 0, "service rows of no device row");
  return sums;
}

Deno.test("ServiceCounter names a device's traffic from its own DNS answer only, CNAME chain and AAAA included", () => {
  const pipeline = new TrafficPipeline({ localAddresses: LOCAL, countsServices: true });
  const answer = dnsResponse("www.example.com", [
    cname("www.example.com", "edge.cdn.example.net"),
    a("edge.cdn.example.net", "203.0.113.7", 60),
  ]);
  const dns = dnsFrame(PHONE, "192.168.1.20", answer);
  feedFrame(pipeline, dns, T0);
  const phoneUp = buildFrame("ethernet", filler("192.168.1.20", "203.0.113.7", 1000), upFrom(PHONE));
  const phoneDown = buildFrame("ethernet", filler("203.0.113.7", "192.168.1.20", 1400), downTo(PHONE));
  const laptopUp = buildFrame("ethernet", filler("192.168.1.30", "203.0.113.7", 500), upFrom(LAPTOP));
  feedFrame(pipeline, phoneUp, T0 + 1);
  feedFrame(pipeline, phoneDown, T0 + 2);
  feedFrame(pipeline, laptopUp, T0 + 3);
  // Long after the TTL, the flow keeps the name alive.
  for (let i = 1; i <= 5; i++) feedFrame(pipeline, phoneUp, T0 + 3 + i * 300);
  const batch = pipeline.drain();
  const len = (f: { bytes: Uint8Array }) => f.bytes.length - 14;
  assert.deepEqual(
    servicesOf(batch),
    new Map([
      [`${PHONE} ${UNKNOWN_SERVICE}`, len(dns)],
      [`${PHONE} example.com`, len(phoneUp) * 6 + len(phoneDown)],
      // The phone's answer does not name the laptop's traffic: the laptop did not ask.
      [`${LAPTOP} ${UNKNOWN_SERVICE}`, len(laptopUp)],
    ]),
  );
  const hosts = new Set(batch.services!.map((s) => s.host));
  assert.ok(hosts.has("www.example.com"), [...hosts].join());
  assert.deepEqual(batch.remoteHosts?.map((r) => [r.remoteIp, r.host]), [["203.0.113.7", "www.example.com"]]);
});

Deno.test("ServiceCounter: a flow's kept name follows every answer for its address within one remote row, and only its own device's", () => {
  const pipeline = new TrafficPipeline({ localAddresses: LOCAL, countsServices: true });
  const answer = (mac: string, to: string, name: string) =>
    dnsFrame(mac, to, dnsResponse(name, [a(name, "203.0.113.7", 60)]));
  const phoneUp = (bytes: number) =>
    buildFrame("ethernet", filler("192.168.1.20", "203.0.113.7", bytes), upFrom(PHONE));
  // One bucket and no drain: every packet below adds to the same remote row of the phone.
  feedFrame(pipeline, phoneUp(100), T0);
  feedFrame(pipeline, answer(PHONE, "192.168.1.20", "a.example.com"), T0 + 1);
  feedFrame(pipeline, phoneUp(200), T0 + 2);
  feedFrame(pipeline, phoneUp(300), T0 + 3);
  // The laptop's answer for the same address names the laptop only: the phone keeps its name.
  feedFrame(pipeline, answer(LAPTOP, "192.168.1.30", "c.example.net"), T0 + 4);
  feedFrame(pipeline, phoneUp(400), T0 + 5);
  feedFrame(pipeline, answer(PHONE, "192.168.1.20", "b.example.org"), T0 + 6);
  feedFrame(pipeline, phoneUp(500), T0 + 7);
  feedFrame(pipeline, phoneUp(600), T0 + 8);
  const ip = (payload: number) => payload + 20 + 8;
  const sums = servicesOf(pipeline.drain());
  assert.equal(sums.get(`${PHONE} example.com`), ip(200) + ip(300) + ip(400));
  assert.equal(sums.get(`${PHONE} example.org`), ip(500) + ip(600));
  assert.equal(sums.get(`${PHONE} example.net`), undefined);
});

Deno.test("ServiceCounter: a flow keeps its name from bucket to bucket past a short TTL, however few its packets", () => {
  const pipeline = new TrafficPipeline({ localAddresses: LOCAL, countsServices: true });
  const bucketStart = Math.ceil(T0 / 900) * 900;
  feedFrame(
    pipeline,
    dnsFrame(PHONE, "192.168.1.20", dnsResponse("a.example.com", [a("a.example.com", "203.0.113.7", 30)])),
    bucketStart + 5,
  );
  const up = buildFrame("ethernet", filler("192.168.1.20", "203.0.113.7", 1000), upFrom(PHONE));
  // The first packet of the bucket looks the name up; the second, 880 s later, reuses it; the third comes
  // 890 s after that, in the next bucket: the flow never idled for FLOW_IDLE_SEC (900 s).
  for (const at of [10, 890, 1780]) feedFrame(pipeline, up, bucketStart + at);
  const sums = servicesOf(pipeline.drain());
  assert.equal(sums.get(`${PHONE} example.com`), (up.bytes.length - 14) * 3);
});

Deno.test("ServiceCounter names a flow from its ClientHello SNI (the ClientHello too), TCP DNS and IPv6", () => {
  const pipeline = new TrafficPipeline({ localAddresses: LOCAL, countsServices: true });
  const hello = buildFrame(
    "ethernet",
    transportPacket({
      src: "192.168.1.30",
      dst: "198.51.100.9",
      protocol: "tcp",
      srcPort: 50000,
      dstPort: 8443,
      payload: clientHelloRecord("rr3---sn-abc.video.example.co.uk"),
    }),
    upFrom(LAPTOP),
  );
  const tcpDns = buildFrame(
    "ethernet",
    transportPacket({
      src: "2001:db8:ff::53",
      dst: "2001:db8:1::30",
      protocol: "tcp",
      srcPort: 53,
      dstPort: 50001,
      payload: withTcpLength(
        dnsResponse("v6.example.org", [aaaa("v6.example.org", "2001:db8:ff:0:0:0:0:80")], {
          questionType: 28,
        }),
      ),
    }),
    downTo(LAPTOP),
  );
  const v6Down = buildFrame("ethernet", filler("2001:db8:ff::80", "2001:db8:1::30", 3000), downTo(LAPTOP));
  feedFrame(pipeline, hello, T0);
  feedFrame(pipeline, tcpDns, T0 + 1);
  feedFrame(pipeline, v6Down, T0 + 2);
  const batch = pipeline.drain();
  const sums = servicesOf(batch);
  assert.equal(sums.get(`${LAPTOP} example.co.uk`), hello.bytes.length - 14);
  assert.equal(sums.get(`${LAPTOP} example.org`), v6Down.bytes.length - 14);
  assert.equal(sums.get(`${LAPTOP} ${UNKNOWN_SERVICE}`), tcpDns.bytes.length - 14);
});

Deno.test("ServiceCounter reads a LAN resolver's answer, which is not traffic, for the device that asked", () => {
  const pipeline = new TrafficPipeline({ localAddresses: LOCAL, countsServices: true });
  const lanDns = buildFrame(
    "ethernet",
    transportPacket({
      src: "192.168.1.1",
      dst: "192.168.1.20",
      protocol: "udp",
      srcPort: 53,
      dstPort: 40000,
      payload: dnsResponse("example.net", [a("example.net", "203.0.113.99")]),
    }),
    downTo(PHONE),
  );
  const up = buildFrame("ethernet", filler("192.168.1.20", "203.0.113.99", 700), upFrom(PHONE));
  feedFrame(pipeline, lanDns, T0);
  feedFrame(pipeline, up, T0 + 1);
  const batch = pipeline.drain();
  assert.deepEqual(servicesOf(batch), new Map([[`${PHONE} example.net`, up.bytes.length - 14]]));
});

Deno.test("ServiceCounter: hostile DNS and ClientHellos leave packets counted, unnamed, never throwing", () => {
  const pipeline = new TrafficPipeline({ localAddresses: LOCAL, countsServices: true });
  const good = dnsResponse("example.com", [a("example.com", "203.0.113.7")]);
  let state = 7;
  const random = () => (state = Math.imul(state, 1103515245) + 12345 >>> 0) >>> 24;
  for (let i = 0; i < 3000; i++) {
    const payload = i % 2 === 0 ? good.slice() : clientHelloRecord("www.example.com");
    for (let flips = 1 + (random() & 7); flips > 0; flips--) payload[random() % payload.length] = random();
    const cut = payload.subarray(0, 1 + random() % payload.length);
    const frame = i % 2 === 0 ? dnsFrame(PHONE, "192.168.1.20", cut) : buildFrame(
      "ethernet",
      transportPacket({
        src: "192.168.1.20",
        dst: "198.51.100.1",
        protocol: "tcp",
        srcPort: 5,
        dstPort: 443,
        payload: cut,
      }),
      upFrom(PHONE),
    );
    feedFrame(pipeline, frame, T0 + i);
  }
  const batch = pipeline.drain();
  const total = [...servicesOf(batch).values()].reduce((n, b) => n + b, 0);
  assert.equal(total, pipeline.stats().upBytes + pipeline.stats().downBytes);
  assert.equal(pipeline.stats().countedPackets, 3000);
});

Deno.test("ServiceCounter: without devices every byte is OTHER_DEVICE_KEY's, still named", () => {
  const pipeline = new TrafficPipeline({ localAddresses: LOCAL, countsServices: true, countsDevices: false });
  feedFrame(
    pipeline,
    dnsFrame(PHONE, "192.168.1.20", dnsResponse("example.com", [a("example.com", "203.0.113.7")])),
    T0,
  );
  const up = buildFrame("ethernet", filler("192.168.1.20", "203.0.113.7", 100), upFrom(PHONE));
  feedFrame(pipeline, up, T0 + 1);
  const batch = pipeline.drain();
  const sums = servicesOf(batch);
  assert.equal(sums.get(`${OTHER_DEVICE_KEY} example.com`), up.bytes.length - 14);
  assert.ok(!batch.services!.some((s) => s.service === OTHER_SERVICE));
});

Deno.test("TrafficPipeline.learnHost (the Clash core's host) names that device's later packets to the address, no other device's", () => {
  const pipeline = new TrafficPipeline({ localAddresses: LOCAL, countsServices: true });
  const phoneMac = deviceOfKey(PHONE)!;
  const [m0, m1] = phoneMac.words;
  const v4 = parseIp("203.0.113.70").words;
  const v6 = parseIp("2001:db8:ff::70").words;
  const before = buildFrame("ethernet", filler("192.168.1.20", "203.0.113.70", 300), upFrom(PHONE));
  feedFrame(pipeline, before, T0);
  pipeline.learnHost(phoneMac.kind, m0, m1, 0, 0, 4, v4[0], 0, 0, 0, "Video.Example.NET", T0);
  pipeline.learnHost(phoneMac.kind, m0, m1, 0, 0, 6, v6[0], v6[1], v6[2], v6[3], "v6.example.org", T0);
  pipeline.learnHost(phoneMac.kind, m0, m1, 0, 0, 4, v4[0], 0, 0, 0, "not a host", T0); // ignored
  const frames = [
    buildFrame("ethernet", filler("192.168.1.20", "203.0.113.70", 1000), upFrom(PHONE)),
    buildFrame("ethernet", filler("203.0.113.70", "192.168.1.20", 1400), downTo(PHONE)),
    buildFrame("ethernet", filler("2001:db8:1:1::20", "2001:db8:ff::70", 500), upFrom(PHONE)),
    buildFrame("ethernet", filler("192.168.1.30", "203.0.113.70", 700), upFrom(LAPTOP)),
  ];
  for (const f of frames) feedFrame(pipeline, f, T0 + 1);
  const sums = servicesOf(pipeline.drain());
  const ip = (f: { bytes: Uint8Array }) => f.bytes.length - 14;
  assert.equal(sums.get(`${PHONE} example.net`), ip(frames[0]) + ip(frames[1]));
  assert.equal(sums.get(`${PHONE} example.org`), ip(frames[2]));
  assert.equal(sums.get(`${PHONE} ${UNKNOWN_SERVICE}`), ip(before), "packets before the name stay unknown");
  assert.equal(sums.get(`${LAPTOP} ${UNKNOWN_SERVICE}`), ip(frames[3]), "the laptop did not ask");
});

Deno.test("NameCache: the longer of TTL and flow life, per device, bounded with the least recently used dropped", () => {
  const cache = new NameCache(8);
  const [r] = parseIp("203.0.113.7").words;
  cache.learn(1, 1, 2, 0, 0, 4, r, 0, 0, 0, "a.example.com", 100, 30);
  assert.equal(cache.hostName(cache.lookup(1, 1, 2, 0, 0, 4, r, 0, 0, 0, 120, 120)), "a.example.com");
  // Another device did not ask.
  assert.equal(cache.lookup(1, 1, 3, 0, 0, 4, r, 0, 0, 0, 120, 120), 0);
  // No device: the box's entry.
  assert.equal(cache.hostName(cache.lookup(0, 0, 0, 0, 0, 4, r, 0, 0, 0, 120, 120)), "a.example.com");
  // The hit at 120 keeps it for FLOW_IDLE_SEC (900) beyond the 30 s TTL; then it expires.
  assert.notEqual(cache.lookup(1, 1, 2, 0, 0, 4, r, 0, 0, 0, 1000, 1000), 0);
  assert.equal(cache.lookup(1, 1, 2, 0, 0, 4, r, 0, 0, 0, 1000 + 901, 1000 + 901), 0);
  // A flood of names keeps at most 8 entries; the one still in use survives.
  cache.learn(1, 1, 2, 0, 0, 4, r, 0, 0, 0, "a.example.com", 2000, 3600);
  for (let i = 0; i < 100; i++) {
    cache.learn(1, 9, i, 0, 0, 4, i, 0, 0, 0, `n${i}.example.org`, 2000 + i, 3600);
    assert.notEqual(cache.lookup(1, 1, 2, 0, 0, 4, r, 0, 0, 0, 2000 + i, 2000 + i), 0, `after ${i}`);
    assert.ok(cache.size <= 8);
  }
  cache.sweep(2100);
  assert.equal(cache.hostName(cache.lookup(1, 1, 2, 0, 0, 4, r, 0, 0, 0, 2100, 2100)), "a.example.com");
});

Deno.test("NameCache: a TTL of 0 names the connection its answer opens, in a later second too, for MIN_ANSWER_SEC", () => {
  const zeroTtl = new NameCache(8);
  const [zero] = parseIp("203.0.113.8").words;
  zeroTtl.learn(1, 1, 4, 0, 0, 4, zero, 0, 0, 0, "zero.example.com", 1910, 0);
  zeroTtl.learn(1, 1, 5, 0, 0, 4, zero, 0, 0, 0, "zero.example.com", 1910, 0);
  const late = 1910 + MIN_ANSWER_SEC;
  assert.equal(
    zeroTtl.hostName(zeroTtl.lookup(1, 1, 4, 0, 0, 4, zero, 0, 0, 0, late, late)),
    "zero.example.com",
  );
  assert.equal(zeroTtl.lookup(1, 1, 5, 0, 0, 4, zero, 0, 0, 0, late + 1, late + 1), 0);
});

Deno.test("NameCache: an answer kept in its bucket while its key's stamp holds is the answer a fresh lookup gives, over 2 × 20,000 random steps", () => {
  // A small bound forces drops and rebuilds; a large one lets entries expire and come back to life. Few
  // addresses and devices make collisions, renames and the same name again common.
  for (const bound of [64, 4096]) {
    checkKeptAnswers(new NameCache(bound), seededRandom(bound));
  }
});

function checkKeptAnswers(cache: NameCache, random: () => number): void {
  const next = (below: number) => Math.floor(random() * below);
  // Kept answers per (device, address), as TrafficPipeline keeps one per remote row of a bucket: id, stamp
  // slot, stamp and the bucket's end.
  const kept = new Map<string, [number, number, number, number]>();
  const bucketEnd = (t: number) => (Math.floor(t / 900) + 1) * 900;
  let nowSec = 1_000_000;
  let checked = 0;
  let named = 0;
  for (let step = 0; step < 20_000; step++) {
    nowSec += next(3);
    const device = next(5);
    const address = 1 + next(40);
    const dk = device === 0 ? 0 : 1;
    if (next(4) === 0) {
      cache.learn(
        dk,
        0x3c22,
        device,
        0,
        0,
        4,
        address,
        0,
        0,
        0,
        `h${next(3)}.example.com`,
        nowSec,
        next(120),
      );
      continue;
    }
    const key = `${device} ${address}`;
    const fresh = () =>
      cache.lookup(dk, 0x3c22, device, 0, 0, 4, address, 0, 0, 0, nowSec, bucketEnd(nowSec));
    const held = kept.get(key);
    if (held !== undefined && nowSec < held[3] && cache.stampAt(held[1]) === held[2]) {
      assert.equal(held[0], fresh(), `step ${step}: ${key}`);
      checked++;
      if (held[0] !== 0) named++;
      continue;
    }
    const stampSlot = cache.stampSlotOf(dk, 0x3c22, device, 0, 0, 4, address, 0, 0, 0);
    const stamp = cache.stampAt(stampSlot);
    assert.ok(stamp >= 0);
    kept.set(key, [fresh(), stampSlot, stamp, bucketEnd(nowSec)]);
  }
  assert.ok(checked > 2000 && named > 200, `kept answers checked: ${checked}, named: ${named}`);
}

Deno.test("NameCache grows with its entries: every one of 6,000 (device, address) names is found, none of a device that did not ask", () => {
  const cache = new NameCache(DEFAULT_MAX_NAME_ENTRIES);
  const [w0, w1, w2] = parseIp("2001:db8:ff::").words;
  // 3,000 addresses 2001:db8:ff::1…, each named for one of 50 devices.
  const learn = (i: number) =>
    cache.learn(1, 0x3c22, i % 50, 0, 0, 6, w0, w1, w2, i + 1, `h${i}.example.com`, 100, 60);
  const lookup = (dk: number, device: number, i: number) =>
    cache.lookup(dk, 0x3c22, device, 0, 0, 6, w0, w1, w2, i + 1, 120, 120);
  for (let i = 0; i < 3000; i++) learn(i);
  assert.equal(cache.size, 6000, "a device entry and a box entry per address");
  for (let i = 0; i < 3000; i++) {
    assert.equal(cache.hostName(lookup(1, i % 50, i)), `h${i}.example.com`);
    assert.equal(
      cache.hostName(lookup(0, 0, i)),
      `h${i}.example.com`,
      "the box's entry for a packet of no device",
    );
    assert.equal(lookup(1, (i + 1) % 50, i), 0);
  }
});

Deno.test("ServiceCounter names a QUIC flow from its Initial (RFC 9001 A.2) once decrypted: later packets, not the Initial", async () => {
  const pipeline = new TrafficPipeline({ localAddresses: LOCAL, countsServices: true });
  const initial = phoneQuicInitial();
  const later = buildFrame("ethernet", filler("198.51.100.44", "192.168.1.20", 1200), downTo(PHONE));
  feedFrame(pipeline, initial, T0);
  assert.equal(pipeline.pendingNameWork, 1);
  for (let turn = 0; turn < 1000 && pipeline.pendingNameWork > 0; turn++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  assert.equal(pipeline.pendingNameWork, 0);
  feedFrame(pipeline, later, T0 + 1);
  const sums = servicesOf(pipeline.drain());
  assert.equal(sums.get(`${PHONE} example.com`), later.bytes.length - 14);
  assert.equal(sums.get(`${PHONE} ${UNKNOWN_SERVICE}`), initial.bytes.length - 14);
});

Deno.test("ServiceCounter decrypts at most MAX_QUIC_DECRYPTS_PER_SEC QUIC Initials a second of packet time after a burst; the rest stay unnamed, counted", async () => {
  const pipeline = new TrafficPipeline({ localAddresses: LOCAL, countsServices: true });
  const initial = phoneQuicInitial();
  // Feeds `count` Initials at `at`, then says how many decryptions they started, and lets them finish.
  const started = async (count: number, at: number) => {
    for (let i = 0; i < count; i++) feedFrame(pipeline, initial, at);
    const inFlight = pipeline.pendingNameWork;
    for (let turn = 0; turn < 10_000 && pipeline.pendingNameWork > 0; turn++) {
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    assert.equal(pipeline.pendingNameWork, 0);
    return inFlight;
  };
  assert.equal(MAX_QUIC_IN_FLIGHT, 64);
  assert.equal(await started(40, T0), 40, "within the first burst");
  assert.equal(await started(40, T0), 24, "the rest of the burst");
  assert.equal(await started(40, T0 + 0.25), MAX_QUIC_DECRYPTS_PER_SEC / 4, "a quarter of a second's budget");
  assert.equal(await started(50, T0 + 60), 50, "a quiet minute refills the burst");
  assert.equal(await started(50, T0 + 60), 14, "and no more");
  const batch = pipeline.drain();
  const counted = (batch.devices ?? []).reduce((sum, d) => sum + d.upPackets, 0);
  assert.equal(counted, 220, "every Initial counted, decrypted or not");
  servicesOf(batch); // and each device's services add up to it
});

Deno.test("ServiceCounter reads the SNI of a ClientHello bigger than the snap when the frame comes whole; cut to the snap, its flow stays unknown, counted", () => {
  // Chrome-sized: a 512-byte padding extension (RFC 7685) before server_name, so the SNI lies far past byte 128.
  const sni = "www.example.com";
  const record = clientHelloRecord(sni, [[21, new Uint8Array(512)]]);
  const hello = buildFrame(
    "ethernet",
    transportPacket({
      src: "192.168.1.20",
      dst: "198.51.100.12",
      protocol: "tcp",
      srcPort: 50000,
      dstPort: 443,
      payload: record,
    }),
    upFrom(PHONE),
  );
  const sniAt = String.fromCharCode(...hello.bytes).lastIndexOf(sni);
  assert.ok(sniAt > 512, `the SNI at ${sniAt}`);
  const down = buildFrame("ethernet", filler("198.51.100.12", "192.168.1.20", 1400), downTo(PHONE));
  const snapped = { ...hello, bytes: hello.bytes.subarray(0, 128) };
  for (const [frame, service] of [[hello, "example.com"], [snapped, UNKNOWN_SERVICE]] as const) {
    const pipeline = new TrafficPipeline({ localAddresses: LOCAL, countsServices: true });
    feedFrame(pipeline, frame, T0);
    feedFrame(pipeline, down, T0 + 1);
    assert.deepEqual(
      servicesOf(pipeline.drain()),
      new Map([[`${PHONE} ${service}`, hello.originalLen - 14 + down.bytes.length - 14]]),
    );
  }
});

Deno.test("ServiceCounter: unnamed bytes are each device's unknown, and where a bounded table was full its remainder is other, exactly", () => {
  const pipeline = new TrafficPipeline({
    localAddresses: LOCAL,
    countsServices: true,
    maxDevices: 1,
    maxServiceRows: 1,
  });
  const phone = (to: string, bytes: number) =>
    buildFrame("ethernet", filler("192.168.1.20", to, bytes), upFrom(PHONE));
  feedFrame(
    pipeline,
    dnsFrame(PHONE, "192.168.1.20", dnsResponse("a.example.com", [a("a.example.com", "203.0.113.7", 60)])),
    T0,
  );
  feedFrame(
    pipeline,
    dnsFrame(PHONE, "192.168.1.20", dnsResponse("b.example.org", [a("b.example.org", "203.0.113.8", 60)])),
    T0,
  );
  // Bucket 1: the phone's first named row takes the one service row; its second name finds the table full.
  feedFrame(pipeline, phone("203.0.113.7", 1000), T0 + 1);
  feedFrame(pipeline, phone("203.0.113.8", 700), T0 + 2);
  // The laptop finds the one-device table full: counted in the device other.
  feedFrame(
    pipeline,
    buildFrame("ethernet", filler("192.168.1.30", "203.0.113.7", 500), upFrom(LAPTOP)),
    T0 + 3,
  );
  // Bucket 2 (after the drain): a plain unnamed packet of the phone.
  const first = pipeline.drain();
  feedFrame(pipeline, phone("198.51.100.1", 300), T0 + 900);
  const second = pipeline.drain();
  const firstSums = servicesOf(first); // also checks every (bucket, device) adds up to its device row
  assert.equal(firstSums.get(`${PHONE} example.com`), 1000 + 20 + 8);
  assert.equal(
    firstSums.get(`${PHONE} ${UNKNOWN_SERVICE}`),
    undefined,
    "a full bucket says other, not unknown",
  );
  assert.ok(firstSums.get(`${PHONE} ${OTHER_SERVICE}`)! > 700, "the second name and the DNS answers");
  assert.equal(firstSums.get(`${OTHER_DEVICE_KEY} ${OTHER_SERVICE}`), 500 + 20 + 8);
  assert.deepEqual([...servicesOf(second)], [[`${PHONE} ${UNKNOWN_SERVICE}`, 300 + 20 + 8]]);
});

Deno.test("ServiceCounter: a light named flow keeps every byte when compactions drop its remote row again and again", () => {
  const pipeline = new TrafficPipeline({ localAddresses: LOCAL, countsServices: true, maxRemotes: 16 });
  const phone = deviceOfKey(PHONE)!;
  const named = parseIp("203.0.113.7").words;
  pipeline.learnHost(
    phone.kind,
    phone.words[0],
    phone.words[1],
    0,
    0,
    4,
    named[0],
    0,
    0,
    0,
    "a.example.com",
    T0,
  );
  let namedBytes = 0;
  for (let i = 0; i < 3000; i++) {
    // One packet in ten to the named address, lighter than the rest: its row is among the halves dropped.
    const frame = i % 10 === 0
      ? buildFrame("ethernet", filler("192.168.1.20", "203.0.113.7", 40 + i % 7), upFrom(PHONE))
      : buildFrame("ethernet", filler("192.168.1.20", `198.51.100.${i % 250}`, 1000), upFrom(PHONE));
    if (i % 10 === 0) namedBytes += frame.bytes.length - 14;
    feedFrame(pipeline, frame, T0 + 1 + i / 10);
  }
  assert.ok(pipeline.stats().remoteCompactions > 20, `compactions: ${pipeline.stats().remoteCompactions}`);
  const sums = servicesOf(pipeline.drain());
  assert.equal(sums.get(`${PHONE} example.com`), namedBytes);
});
