/**
 * LiveCapture on a real veth pair (root): frames injected from the peer namespace must come out of onBatch
 * with exactly the expected bytes and packets, no drops, across an interface that is deleted and recreated;
 * a tun device is captured as raw IP; without CAP_NET_RAW the capture reports the clear message instead of
 * crashing.
 */
import assert from "node:assert/strict";
import { buildFrame, type Encapsulation, ipPacket, truncateFrame } from "./helpers/frames.ts";
import { injectInNetns } from "./helpers/inject_frames.ts";
import { CAPTURE_IPV4, CAPTURE_IPV6, createVethPair, recreateVeth, runInNetns } from "./helpers/netns.ts";
import { type ProbeEvent, startCaptureProbe } from "./helpers/capture_probe.ts";
import { startTunDevice } from "./helpers/tun_device.ts";
import { LinkType } from "../capture/link_type.ts";

/** Namespaces, veth pairs and AF_PACKET sockets need root (CI runs these tests as root). */
const IS_ROOT = Deno.uid() === 0;

/** One injected frame and what netledger must count for it. */
interface Case {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly upBytes: number;
  readonly downBytes: number;
  readonly isMalformed?: boolean;
}

function counted(
  name: string,
  encapsulation: Encapsulation,
  direction: "up" | "down",
  src: string,
  dst: string,
  payloadBytes: number,
): Case {
  const packet = ipPacket({ src, dst, payloadBytes });
  const isUpload = direction === "up";
  return {
    name,
    bytes: buildFrame(encapsulation, packet).bytes,
    upBytes: isUpload ? packet.length : 0,
    downBytes: isUpload ? 0 : packet.length,
  };
}

function ignored(name: string, encapsulation: Encapsulation, src: string, dst: string): Case {
  return {
    name,
    bytes: buildFrame(encapsulation, ipPacket({ src, dst, payloadBytes: 200 })).bytes,
    upBytes: 0,
    downBytes: 0,
  };
}

/** The known frame set; the last frame is counted, so once it is counted every earlier frame was read. */
const CASES: readonly Case[] = [
  ignored("IPv4 LAN-only", "ethernet", "192.168.1.10", "192.168.1.20"),
  ignored("IPv6 same /56", "ethernet", CAPTURE_IPV6, "2001:db8:1:2a::5"),
  ignored("IPv4 multicast (SSDP)", "ethernet", CAPTURE_IPV4, "239.255.255.250"),
  ignored("IPv6 multicast (mDNS)", "ethernet", "fe80::1", "ff02::fb"),
  {
    name: "malformed: IPv4 header cut short",
    bytes:
      truncateFrame(buildFrame("ethernet", ipPacket({ src: "203.0.113.9", dst: CAPTURE_IPV4 })), 24).bytes,
    upBytes: 0,
    downBytes: 0,
    isMalformed: true,
  },
  {
    name: "malformed: IPv4 IHL 3",
    bytes: buildFrame("ethernet", ipPacket({ src: "203.0.113.9", dst: CAPTURE_IPV4, ihl: 3 })).bytes,
    upBytes: 0,
    downBytes: 0,
    isMalformed: true,
  },
  counted("IPv4 upload", "ethernet", "up", CAPTURE_IPV4, "198.51.100.7", 1200),
  counted("IPv6 upload", "ethernet", "up", CAPTURE_IPV6, "2001:db8:ff::7", 700),
  counted("IPv6 download", "ethernet", "down", "2001:db8:ff::7", CAPTURE_IPV6, 1400),
  counted("IPv4 upload from a LAN host (router)", "ethernet", "up", "192.168.1.10", "198.51.100.7", 300),
  counted(
    "802.1Q-tagged IPv4 download (tag moved to tp_vlan_tci)",
    "vlan",
    "down",
    "198.51.100.8",
    CAPTURE_IPV4,
    900,
  ),
  counted(
    "QinQ IPv6 upload (inner tag stays in the frame)",
    "qinq",
    "up",
    CAPTURE_IPV6,
    "2001:db8:ff::9",
    500,
  ),
  counted("QinQ IPv4 download", "qinq", "down", "203.0.113.10", CAPTURE_IPV4, 64),
  counted("PPPoE IPv4 download", "pppoe", "down", "203.0.113.11", CAPTURE_IPV4, 1000),
  counted("IPv4 download", "ethernet", "down", "203.0.113.9", CAPTURE_IPV4, 1000),
];

function expectedTotals(cases: readonly Case[], rounds: number) {
  const sum = (pick: (c: Case) => number) => rounds * cases.reduce((n, c) => n + pick(c), 0);
  return {
    upBytes: sum((c) => c.upBytes),
    downBytes: sum((c) => c.downBytes),
    upPackets: sum((c) => c.upBytes > 0 ? 1 : 0),
    downPackets: sum((c) => c.downBytes > 0 ? 1 : 0),
    malformedPackets: sum((c) => c.isMalformed ? 1 : 0),
  };
}

function frames(rounds: number): Uint8Array[] {
  return Array.from({ length: rounds }, () => CASES.map((c) => c.bytes)).flat();
}

function totalsOf(e: ProbeEvent) {
  const t = e.totals;
  return {
    upBytes: t.upBytes,
    downBytes: t.downBytes,
    upPackets: t.upPackets,
    downPackets: t.downPackets,
    malformedPackets: t.malformedPackets,
  };
}

const isSeen = (expected: ReturnType<typeof expectedTotals>) => (e: ProbeEvent) =>
  e.status.countedPackets === expected.upPackets + expected.downPackets &&
  e.status.malformedPackets === expected.malformedPackets;

Deno.test({
  name:
    "LiveCapture counts injected Ethernet, VLAN, QinQ, PPPoE, LAN, multicast and malformed frames exactly",
  ignore: !IS_ROOT,
  sanitizeResources: false,
  async fn() {
    await using pair = await createVethPair();
    await using probe = await startCaptureProbe(pair.captureNs, pair.captureIface);
    assert.equal(probe.started.status.state, "capturing", probe.logs.join("\n"));
    const rounds = 300;
    const expected = expectedTotals(CASES, rounds);
    await injectInNetns(pair.peerNs, pair.peerIface, frames(rounds));
    await probe.waitFor(isSeen(expected));
    const final = await probe.stop();
    assert.deepEqual(totalsOf(final), expected);
    assert.equal(final.totals.droppedPackets, 0);
    assert.equal(final.status.kernelDrops, 0);
    assert.ok(
      final.status.kernelPackets >= rounds * CASES.length,
      `kernel saw ${final.status.kernelPackets}`,
    );
    assert.deepEqual(final.totals.remotes["203.0.113.9"], [0, rounds * (20 + 1000)]);
    assert.deepEqual(final.totals.remotes["2001:db8:ff::9"], [rounds * (40 + 500), 0]);
    assert.equal(final.status.state, "stopped");
  },
});

Deno.test({
  name:
    "LiveCapture follows an interface that goes down, comes up, is deleted and recreated, keeping its counts",
  ignore: !IS_ROOT,
  sanitizeResources: false,
  async fn() {
    await using pair = await createVethPair();
    await using probe = await startCaptureProbe(pair.captureNs, pair.captureIface);
    await injectInNetns(pair.peerNs, pair.peerIface, frames(20));
    await probe.waitFor(isSeen(expectedTotals(CASES, 20)));

    await runInNetns(pair.captureNs, ["ip", "link", "set", pair.captureIface, "down"]);
    await probe.waitFor((e) => e.status.state === "interface_down");
    await runInNetns(pair.captureNs, ["ip", "link", "set", pair.captureIface, "up"]);
    await injectInNetns(pair.peerNs, pair.peerIface, frames(10));
    await probe.waitFor(isSeen(expectedTotals(CASES, 30)));
    assert.equal((await probe.status()).status.opens, 1, "a link that only went down keeps its socket");

    await recreateVeth(pair);
    await probe.waitFor((e) => e.status.opens === 2 && e.status.state === "capturing");
    await injectInNetns(pair.peerNs, pair.peerIface, frames(30));
    const all = expectedTotals(CASES, 60);
    await probe.waitFor(isSeen(all));
    const final = await probe.stop();
    assert.deepEqual(totalsOf(final), all);
    assert.equal(final.status.kernelDrops, 0);
    const logs = probe.logs.join("\n");
    assert.match(logs, /Interface "nlcap0" went down/);
    assert.match(logs, /Interface "nlcap0" (disappeared|was replaced)/);
    assert.match(logs, /Re-opened capture on "nlcap0"/);
  },
});

Deno.test({
  name: "LiveCapture without CAP_NET_RAW reports no_permission with the fix instead of crashing",
  ignore: !IS_ROOT,
  sanitizeResources: false,
  async fn() {
    await using pair = await createVethPair();
    await using probe = await startCaptureProbe(pair.captureNs, pair.captureIface, { isWithoutNetRaw: true });
    const status = probe.started.status;
    assert.equal(status.state, "no_permission");
    assert.match(
      status.message ?? "",
      /netledger needs CAP_NET_RAW: run as root, or with systemd AmbientCapabilities=CAP_NET_RAW, or docker --cap-add NET_RAW --network host/,
    );
    assert.ok(probe.logs.some((l) => l.includes("CAP_NET_RAW")));
    const final = await probe.stop();
    assert.equal(final.status.state, "stopped");
  },
});

Deno.test({
  name: "LiveCapture captures a tun device (WireGuard-like, no link header) with SOCK_DGRAM as raw IP",
  ignore: !IS_ROOT,
  sanitizeResources: false,
  async fn() {
    await using pair = await createVethPair();
    await using tun = await startTunDevice(pair.captureNs, "nltun0");
    await using probe = await startCaptureProbe(pair.captureNs, "nltun0");
    assert.equal(probe.started.status.socketType, "dgram");
    assert.equal(probe.started.status.linkType, LinkType.RAW_IP);
    // The tun has no address: LAN-side addresses are private or ULA, so nothing reaches this host's stack.
    const down4 = ipPacket({ src: "203.0.113.9", dst: "192.168.5.5", payloadBytes: 1000 });
    const up6 = ipPacket({ src: "fd00::5", dst: "2001:db8:ff::7", payloadBytes: 500 });
    const lan = ipPacket({ src: "192.168.5.6", dst: "192.168.5.5", payloadBytes: 100 });
    const up4 = ipPacket({ src: "192.168.5.5", dst: "198.51.100.7", payloadBytes: 300 });
    const rounds = 100;
    await tun.send(Array.from({ length: rounds }, () => [down4, up6, lan, up4]).flat());
    await probe.waitFor((e) => e.status.countedPackets === 3 * rounds);
    const final = await probe.stop();
    assert.deepEqual(totalsOf(final), {
      upBytes: rounds * (up6.length + up4.length),
      downBytes: rounds * down4.length,
      upPackets: 2 * rounds,
      downPackets: rounds,
      malformedPackets: 0,
    });
    assert.equal(final.status.kernelDrops, 0);
  },
});
