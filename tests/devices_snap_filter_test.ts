/**
 * The snap filter in the kernel (root): a Ring attached to a real interface in a namespace receives DHCP
 * frames whole, while a big TCP frame is cut to SNAP_BYTES, on an Ethernet veth (SOCK_RAW) and on a tun
 * device (SOCK_DGRAM, frames start at the IP header); with SERVICE_NAMES on, TCP segments that start a TLS
 * ClientHello come whole too. The kernel also checks the program when the socket attaches it.
 * capture/snap_filter_test.ts runs the same program in an interpreter over many more cases.
 */
import assert from "node:assert/strict";
import { buildFrame, ipPacket } from "./helpers/frames.ts";
import { injectInNetns } from "./helpers/inject_frames.ts";
import { createVethPair, runInNetns } from "./helpers/netns.ts";
import { transportPacket } from "./helpers/service_frames.ts";
import { clientHelloRecord } from "./helpers/sniff_packets.ts";
import { startTunDevice } from "./helpers/tun_device.ts";

const IS_ROOT = Deno.uid() === 0;
/** capture/ring.ts SNAP_BYTES, the default snap. */
const SNAP_BYTES = 128;

/**
 * Opens a Ring on `iface` (with the SERVICE_NAMES classes when `serviceNames`), prints "ready", then reads
 * until it saw a frame of each wire length in `lengths` and prints [capturedLen, originalLen] of those frames
 * (others, which the kernel may send, are skipped).
 */
const READER = (iface: string, lengths: readonly number[], serviceNames: boolean) => `
import { Ring } from "${new URL("../capture/ring.ts", import.meta.url).href}";
import { readLinkInfo } from "${new URL("../capture/link_info.ts", import.meta.url).href}";
import { fullFrameClassesFor } from "${new URL("../capture/snap_filter.ts", import.meta.url).href}";
import { ifNameToIndex } from "${new URL("../ffi/mod.ts", import.meta.url).href}";
const lengths = new Set(${JSON.stringify(lengths)});
const link = readLinkInfo("${iface}");
using ring = Ring.open({
  link,
  ifindex: ifNameToIndex("${iface}"),
  ringBytes: 1 << 20,
  retireBlockMs: 20,
  fullFrameClasses: fullFrameClassesFor(${serviceNames}),
});
const frames = [];
const sink = { countFrame(view, offset, capturedLen, originalLen) {
  if (lengths.has(originalLen)) frames.push([capturedLen, originalLen]);
} };
console.log("ready");
for (let i = 0; i < 500 && frames.length < lengths.size; i++) {
  if (ring.readBlocks(sink, 4) === 0) ring.wait(20);
}
console.log(JSON.stringify({ socketType: link.socketType, frames }));
`;

/** Starts READER in `ns`, runs `send` once it is ready, and returns what it printed last. */
async function readWhileSending(
  ns: string,
  iface: string,
  lengths: readonly number[],
  send: () => Promise<void>,
  serviceNames = false,
): Promise<{ socketType: string; frames: [number, number][] }> {
  const child = new Deno.Command("ip", {
    args: ["netns", "exec", ns, Deno.execPath(), "eval", READER(iface, lengths, serviceNames)],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  for (let i = 0; i < 100 && !text.includes("ready\n"); i++) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  await send();
  for (let i = 0; i < 100; i++) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  await child.status;
  return JSON.parse(text.trim().split("\n").at(-1)!);
}

/** A UDP packet from port `sport` to `dport` with `payloadBytes` after the IP header. */
function udp(src: string, dst: string, sport: number, dport: number, payloadBytes: number): Uint8Array {
  const packet = ipPacket({ src, dst, payloadBytes });
  new DataView(packet.buffer).setUint16(20, sport);
  new DataView(packet.buffer).setUint16(22, dport);
  return packet;
}

// A DHCPDISCOVER (300-byte BOOTP message), a DHCPOFFER with a longer options field, and a full-size TCP
// segment; the wire lengths differ so the reader can tell them apart.
const DHCP_DISCOVER = udp("0.0.0.0", "255.255.255.255", 68, 67, 308);
const DHCP_OFFER = udp("192.0.2.1", "192.0.2.50", 67, 68, 400);
const BIG_TCP = ipPacket({ src: "198.51.100.7", dst: "192.0.2.1", payloadBytes: 1400, protocol: 6 });

Deno.test({
  name: "Ring's snap filter hands DHCP frames over whole and cuts big TCP frames on an Ethernet link",
  ignore: !IS_ROOT,
  sanitizeResources: false,
  async fn() {
    await using pair = await createVethPair();
    const frames = [DHCP_DISCOVER, DHCP_OFFER, BIG_TCP].map((p) => buildFrame("ethernet", p).bytes);
    const result = await readWhileSending(
      pair.captureNs,
      pair.captureIface,
      frames.map((f) => f.length),
      () => injectInNetns(pair.peerNs, pair.peerIface, frames),
    );
    assert.equal(result.socketType, "raw");
    const [discover, offer, tcp] = frames.map((f) => f.length);
    assert.deepEqual(result.frames, [[discover, discover], [offer, offer], [SNAP_BYTES, tcp]]);
  },
});

Deno.test({
  name: "Ring's snap filter hands DHCP packets over whole and cuts big TCP packets on a tun link",
  ignore: !IS_ROOT,
  sanitizeResources: false,
  async fn() {
    await using pair = await createVethPair();
    await using tun = await startTunDevice(pair.captureNs, "nltun0");
    await runInNetns(pair.captureNs, ["ip", "link", "set", "nltun0", "up"]);
    const packets = [DHCP_DISCOVER, DHCP_OFFER, BIG_TCP];
    const result = await readWhileSending(
      pair.captureNs,
      "nltun0",
      packets.map((p) => p.length),
      () => tun.send(packets),
    );
    assert.equal(result.socketType, "dgram");
    const [discover, offer, tcp] = packets.map((p) => p.length);
    assert.deepEqual(result.frames, [[discover, discover], [offer, offer], [SNAP_BYTES, tcp]]);
  },
});

// With SERVICE_NAMES on: a ClientHello over IPv4 and over IPv6, whose SNI lies past the snap, and a big TCP
// segment that starts with no TLS record.
const CLIENT_HELLOS = [
  transportPacket({
    src: "192.0.2.50",
    dst: "198.51.100.7",
    protocol: "tcp",
    srcPort: 50000,
    dstPort: 443,
    payload: clientHelloRecord("www.example.com"),
  }),
  transportPacket({
    src: "2001:db8:1::50",
    dst: "2001:db8:ff::7",
    protocol: "tcp",
    srcPort: 50000,
    dstPort: 8443,
    payload: clientHelloRecord("www.example.org"),
  }),
];
const BIG_TCP_NO_TLS = ipPacket({ src: "192.0.2.50", dst: "198.51.100.7", payloadBytes: 1300, protocol: 6 });

for (const link of ["Ethernet", "tun"] as const) {
  Deno.test({
    name: `Ring's snap filter with SERVICE_NAMES on hands TLS ClientHellos over whole and cuts other TCP on ${
      link === "Ethernet" ? "an Ethernet" : "a tun"
    } link`,
    ignore: !IS_ROOT,
    sanitizeResources: false,
    async fn() {
      await using pair = await createVethPair();
      const packets = [...CLIENT_HELLOS, BIG_TCP_NO_TLS];
      let result;
      if (link === "Ethernet") {
        const frames = packets.map((p) => buildFrame("ethernet", p).bytes);
        result = await readWhileSending(
          pair.captureNs,
          pair.captureIface,
          frames.map((f) => f.length),
          () => injectInNetns(pair.peerNs, pair.peerIface, frames),
          true,
        );
        assert.equal(result.socketType, "raw");
        const [hello4, hello6, tcp] = frames.map((f) => f.length);
        assert.deepEqual(result.frames, [[hello4, hello4], [hello6, hello6], [SNAP_BYTES, tcp]]);
      } else {
        await using tun = await startTunDevice(pair.captureNs, "nltun0");
        await runInNetns(pair.captureNs, ["ip", "link", "set", "nltun0", "up"]);
        result = await readWhileSending(
          pair.captureNs,
          "nltun0",
          packets.map((p) => p.length),
          () => tun.send(packets),
          true,
        );
        assert.equal(result.socketType, "dgram");
        const [hello4, hello6, tcp] = packets.map((p) => p.length);
        assert.deepEqual(result.frames, [[hello4, hello4], [hello6, hello6], [SNAP_BYTES, tcp]]);
      }
    },
  });
}
