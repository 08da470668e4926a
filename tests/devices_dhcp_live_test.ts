/**
 * DHCP names from a real client (root): dhclient in one namespace asks dnsmasq in another for a lease,
 * sending its host name, while a Ring on the server's veth reads the frames through the snap filter. The
 * requests must arrive whole (their options lie past the 128-byte snap) and capture/dhcp_names.ts must read
 * the host name dhclient sent, keyed by the client's MAC. dhclient runs with `-sf /bin/true`, so it changes no
 * address, route or resolv.conf, and its lease and pid files live in a temp directory.
 */
import assert from "node:assert/strict";
import { createVethPair, endChild, PEER_MAC, runInNetns } from "./helpers/netns.ts";

const IS_ROOT = Deno.uid() === 0;
const HAS_TOOLS = ["/usr/sbin/dhclient", "/usr/sbin/dnsmasq"].every((path) => {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false; // not installed: the test is skipped (CI installs both)
  }
});
const HOST_NAME = "living-room-tv";

/**
 * Opens a Ring on `iface`, prints "ready", then feeds every IPv4 frame to DhcpNames until it read a name (or
 * 15 s passed), then prints the name read for `mac` and [capturedLen, originalLen] of each DHCP request.
 */
const READER = (iface: string, mac: string) => `
import { Ring } from "${new URL("../capture/ring.ts", import.meta.url).href}";
import { readLinkInfo } from "${new URL("../capture/link_info.ts", import.meta.url).href}";
import { DhcpNames } from "${new URL("../capture/dhcp_names.ts", import.meta.url).href}";
import { ParsedFrame, parseFrame, ParseOutcome } from "${
  new URL("../capture/parse_frame.ts", import.meta.url).href
}";
import { ifNameToIndex } from "${new URL("../ffi/mod.ts", import.meta.url).href}";
const link = readLinkInfo("${iface}");
using ring = Ring.open({ link, ifindex: ifNameToIndex("${iface}"), ringBytes: 1 << 20, retireBlockMs: 20 });
const names = new DhcpNames();
const parsed = new ParsedFrame();
const requests = [];
let named = null;
const sink = { countFrame(view, offset, capturedLen, originalLen, linkType) {
  if (parseFrame(view, offset, capturedLen, originalLen, linkType, parsed) !== ParseOutcome.IPV4) return;
  if (parsed.protocol === 17 && view.getUint16(parsed.transportOffset + 2) === 67) {
    requests.push([capturedLen, originalLen]);
  }
  names.observeIpv4(view, parsed.ipOffset, parsed.protocol, parsed.transportOffset, offset + capturedLen);
  named ??= names.drain(["${mac}"])[0] ?? null;
} };
console.log("ready");
const deadline = Date.now() + 15_000;
while (Date.now() < deadline && named === null) {
  if (ring.readBlocks(sink, 4) === 0) ring.wait(50);
}
console.log(JSON.stringify({ requests, named }));
`;

Deno.test({
  name: "DHCP names: a Ring reads the host name dhclient sends to dnsmasq, its requests whole",
  ignore: !IS_ROOT || !HAS_TOOLS,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using pair = await createVethPair();
    const dir = await Deno.makeTempDir({ prefix: "netledger-dhcp-" });
    let dnsmasq: Deno.ChildProcess | null = null;
    let dhclient: Deno.ChildProcess | null = null;
    try {
      // The client asks for its address: it must have none of its own.
      await runInNetns(pair.peerNs, ["ip", "addr", "flush", "dev", pair.peerIface]);
      dnsmasq = new Deno.Command("ip", {
        args: [
          "netns",
          "exec",
          pair.captureNs,
          "dnsmasq",
          "--no-daemon",
          "--conf-file=/dev/null",
          "--port=0",
          `--interface=${pair.captureIface}`,
          "--bind-interfaces",
          "--dhcp-range=192.0.2.50,192.0.2.60,1h",
          `--dhcp-leasefile=${dir}/dnsmasq.leases`,
          `--pid-file=${dir}/dnsmasq.pid`,
          "--no-resolv",
          "--no-hosts",
        ],
        stdout: "null",
        stderr: "null",
      }).spawn();
      const reader = new Deno.Command("ip", {
        args: ["netns", "exec", pair.captureNs, Deno.execPath(), "eval", READER(pair.captureIface, PEER_MAC)],
        stdout: "piped",
        stderr: "inherit",
      }).spawn();
      const lines = reader.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let text = "";
      for (let i = 0; i < 100 && !text.includes("ready\n"); i++) {
        const { value, done } = await lines.read();
        if (done) break;
        text += value;
      }
      await Deno.writeTextFile(`${dir}/dhclient.conf`, `send host-name "${HOST_NAME}";\n`);
      dhclient = new Deno.Command("ip", {
        args: [
          "netns",
          "exec",
          pair.peerNs,
          "dhclient",
          "-d",
          "-1",
          "-sf",
          "/bin/true",
          "-cf",
          `${dir}/dhclient.conf`,
          "-lf",
          `${dir}/dhclient.leases`,
          "-pf",
          `${dir}/dhclient.pid`,
          pair.peerIface,
        ],
        stdout: "null",
        stderr: "null",
      }).spawn();
      for (let i = 0; i < 1000; i++) {
        const { value, done } = await lines.read();
        if (done) break;
        text += value;
      }
      await reader.status;
      const result = JSON.parse(text.trim().split("\n").at(-1)!);
      assert.deepEqual(
        result.named,
        { deviceKey: PEER_MAC, name: HOST_NAME },
        JSON.stringify(result.requests),
      );
      assert.ok(result.requests.length > 0);
      for (const [capturedLen, originalLen] of result.requests) {
        assert.equal(capturedLen, originalLen, "a DHCP request must be captured whole");
        assert.ok(originalLen > 128, "a DHCP request is longer than the snap");
      }
    } finally {
      if (dhclient !== null) await endChild(dhclient, "SIGTERM");
      if (dnsmasq !== null) await endChild(dnsmasq, "SIGTERM");
      await Deno.remove(dir, { recursive: true });
    }
  },
});
