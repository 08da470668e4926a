/**
 * Ring on a real veth pair (root): the BPF snap filter cuts what is copied to SNAP_BYTES while tp_len keeps
 * the wire length, and frames come out in order, in place, with their link type. The ring runs in a child
 * process inside the capture namespace (an AF_PACKET socket binds in its creator's namespace).
 */
import assert from "node:assert/strict";
import { buildFrame, ipPacket } from "./helpers/frames.ts";
import { injectInNetns } from "./helpers/inject_frames.ts";
import { CAPTURE_IPV4, createVethPair } from "./helpers/netns.ts";

const IS_ROOT = Deno.uid() === 0;

/** Opens a Ring, prints "ready", then prints [capturedLen, originalLen, linkType, firstByte] per frame read. */
const READER = (iface: string, frameCount: number) => `
import { Ring, SNAP_BYTES } from "${new URL("../capture/ring.ts", import.meta.url).href}";
import { readLinkInfo } from "${new URL("../capture/link_info.ts", import.meta.url).href}";
import { ifNameToIndex } from "${new URL("../ffi/mod.ts", import.meta.url).href}";
const link = readLinkInfo("${iface}");
using ring = Ring.open({ link, ifindex: ifNameToIndex("${iface}"), ringBytes: 1 << 20, retireBlockMs: 20 });
const frames = [];
const sink = { countFrame(view, offset, capturedLen, originalLen, linkType) {
  // Only frames from the injector (source MAC 02:00:00:00:00:02): the kernel may send its own.
  if (view.getUint8(offset + 11) === 2) frames.push([capturedLen, originalLen, linkType, view.getUint8(offset + 14)]);
} };
console.log(JSON.stringify({ ready: true, snapBytes: SNAP_BYTES }));
for (let i = 0; i < 500 && frames.length < ${frameCount}; i++) {
  if (ring.readBlocks(sink, 4) === 0) ring.wait(20);
}
console.log(JSON.stringify({ frames, stats: ring.readStats() }));
`;

Deno.test({
  name: "Ring copies at most SNAP_BYTES of each frame and reports the wire length",
  ignore: !IS_ROOT,
  sanitizeResources: false,
  async fn() {
    await using pair = await createVethPair();
    const child = new Deno.Command("ip", {
      args: ["netns", "exec", pair.captureNs, Deno.execPath(), "eval", READER(pair.captureIface, 3)],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    for (let i = 0; i < 100 && !text.includes("\n"); i++) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    const { snapBytes } = JSON.parse(text.split("\n")[0]);
    const sizes = [1400, 40, 1000];
    const frames = sizes.map((payloadBytes) =>
      buildFrame("ethernet", ipPacket({ src: CAPTURE_IPV4, dst: "198.51.100.7", payloadBytes })).bytes
    );
    await injectInNetns(pair.peerNs, pair.peerIface, frames);
    for (let i = 0; i < 100; i++) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    await child.status;
    const result = JSON.parse(text.trim().split("\n").at(-1)!);
    assert.deepEqual(
      result.frames,
      frames.map((f) => [Math.min(f.length, snapBytes), f.length, 1, 0x45]),
    );
    assert.equal(result.stats.drops, 0);
  },
});
