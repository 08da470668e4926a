/**
 * LiveCapture on a real veth pair (root): frames injected from the peer namespace must come out of onBatch
 * with exactly the expected bytes and packets, no drops, across an interface that is deleted and recreated
 * and an address added while capturing; a tun device is captured as raw IP; without CAP_NET_RAW the capture
 * reports the clear message instead of crashing.
 */
import assert from "node:assert/strict";
import { buildFrame, ipPacket } from "./helpers/frames.ts";
import { CASES, expectedTotals, frames } from "./helpers/live_cases.ts";
import { injectInNetns } from "./helpers/inject_frames.ts";
import { CAPTURE_IPV6, createVethPair, recreateVeth, runInNetns } from "./helpers/netns.ts";
import { type ProbeEvent, startCaptureProbe } from "./helpers/capture_probe.ts";
import { startTunDevice } from "./helpers/tun_device.ts";
import { LinkType, LiveCapture } from "../capture/mod.ts";

/** Namespaces, veth pairs and AF_PACKET sockets need root (CI runs these tests as root). */
const IS_ROOT = Deno.uid() === 0;

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
    // The Worker reports unasked only every REPORT_INTERVAL_MS (60 s); each status asks it (catchUp), and
    // its answer hands the batches over together with the counters.
    const caught = await probe.waitFor(isSeen(expected));
    assert.equal(caught.caughtUp, true);
    assert.deepEqual(totalsOf(caught), expected);
    const final = await probe.stop();
    assert.deepEqual(totalsOf(final), expected);
    assert.equal(final.totals.droppedPackets, 0);
    assert.equal(final.status.kernelDrops, 0);
    assert.ok(
      final.status.kernelPackets >= rounds * CASES.length,
      `kernel saw ${final.status.kernelPackets}`,
    );
    assert.deepEqual(final.totals.remotes["203.0.113.9"], [0, rounds * (20 + 1000)]);
    // The live rate the Worker wrote into shared memory adds up to the same bytes, without any report.
    assert.deepEqual(final.rates, { upBytes: expected.upBytes, downBytes: expected.downBytes });
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
    // Going down flushed the interface's IPv6 addresses (netledger logged them gone); give it back as a network
    // manager would, and wait until netledger follows, since the frames below count with it.
    await runInNetns(pair.captureNs, [
      "ip",
      "addr",
      "replace",
      `${CAPTURE_IPV6}/64`,
      "dev",
      pair.captureIface,
      "nodad",
    ]);
    await probe.waitFor((e) =>
      e.status.state === "capturing" &&
      probe.logs.filter((l) => l.startsWith("Local addresses")).at(-1)?.includes(CAPTURE_IPV6) === true
    );
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
  name: "LiveCapture classifies with an address added to the interface as soon as the kernel announces it",
  ignore: !IS_ROOT,
  sanitizeResources: false,
  async fn() {
    await using pair = await createVethPair();
    await using probe = await startCaptureProbe(pair.captureNs, pair.captureIface);
    const added = "2001:db8:77:1::1";
    const mentionsAdded = () =>
      probe.logs.filter((l) => l.startsWith("Local addresses")).at(-1)?.includes(added);
    assert.equal(mentionsAdded(), false, probe.logs.join("\n"));
    await runInNetns(pair.captureNs, ["ip", "addr", "add", `${added}/64`, "dev", pair.captureIface, "nodad"]);
    // Announced over rtnetlink: seen well before the 10-minute refresh (and the 5-s polling fallback).
    await probe.waitFor(() => mentionsAdded() === true, 4_000);
    assert.match(probe.logs.at(-1)!, /2001:db8:77::\/56/, "its auto /56 LAN prefix");
    const up = ipPacket({ src: added, dst: "2001:db8:ff::7", payloadBytes: 300 });
    const sameSlash56 = ipPacket({ src: added, dst: "2001:db8:77:2::9", payloadBytes: 300 });
    const rounds = 50;
    await injectInNetns(
      pair.peerNs,
      pair.peerIface,
      Array.from({ length: rounds }, () => [sameSlash56, up].map((p) => buildFrame("ethernet", p).bytes))
        .flat(),
    );
    await probe.waitFor((e) => e.status.countedPackets === rounds);

    await runInNetns(pair.captureNs, ["ip", "addr", "del", `${added}/64`, "dev", pair.captureIface]);
    await probe.waitFor(() => mentionsAdded() === false, 4_000);
    const final = await probe.stop();
    assert.deepEqual(totalsOf(final), {
      upBytes: rounds * up.length,
      downBytes: 0,
      upPackets: rounds,
      downPackets: 0,
      malformedPackets: 0,
    });
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
    // With no ring to poll the Worker sleeps on the shared stop cell, and a report request wakes it too.
    assert.equal((await probe.status()).caughtUp, true);
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

Deno.test({
  name:
    "LiveCapture.learnHost queues names while its Worker runs, even before the interface exists, and none once it stopped",
  sanitizeResources: false,
  async fn() {
    const logs: string[] = [];
    // An interface that does not exist: the Worker waits for it and opens no ring, so nothing is captured.
    const capture = await LiveCapture.start({
      iface: `nlabsent${Deno.pid % 1000}`,
      ringBytes: 2 ** 20,
      excludeIpv6Prefixes: [],
      disableOffloads: false,
      onBatch: () => {},
      log: (line) => logs.push(line),
      countsServices: true,
    });
    try {
      assert.equal(capture.status().state, "waiting_for_interface", logs.join("\n"));
      assert.equal(capture.learnHost("3c:22:fb:00:00:07", "198.51.100.5", "proxied.example.net"), true);
      assert.equal(capture.learnHost(null, "not an address", "proxied.example.net"), false);
      assert.equal(capture.learnHost(null, "198.51.100.5", "bücher.example"), false);
      assert.equal(await capture.catchUp(), true);
    } finally {
      await capture.stop();
    }
    // Past the queue's size, with no Worker to take them: refused, and no line says the queue is full.
    for (let i = 0; i < 2000; i++) {
      assert.equal(capture.learnHost(null, "198.51.100.5", "late.example.net"), false);
    }
    assert.ok(!logs.some((line) => line.includes("faster than the capture")), logs.join("\n"));
  },
});
