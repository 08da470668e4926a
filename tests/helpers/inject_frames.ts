/**
 * Frame injector for capture tests: sends prepared Ethernet frames out of an interface through an AF_PACKET
 * socket (ffi sendto), one syscall per frame. Run it inside the peer namespace of a veth pair:
 *
 *     await injectInNetns(pair.peerNs, pair.peerIface, frames);
 *
 * As a script: `deno run -A tests/helpers/inject_frames.ts IFACE FILE` sends the frames of FILE, stored as
 * a 4-byte little-endian length before each frame (encodeFrames()).
 */
import * as libc from "../../ffi/mod.ts";
import { AF_PACKET, SOCK_CLOEXEC, SOCK_RAW, SOCKADDR_LL } from "../../ffi/mod.ts";
import { run } from "./netns.ts";

/** Sends every frame once, in order, out of `iface`; returns the number sent. Needs CAP_NET_RAW. */
export function injectFrames(iface: string, frames: readonly Uint8Array[]): number {
  const ifindex = libc.ifNameToIndex(iface);
  if (ifindex === 0) throw new Error(`Cannot inject: no interface "${iface}"`);
  const fd = libc.socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  try {
    const address = new Uint8Array(SOCKADDR_LL.size);
    const a = new DataView(address.buffer);
    a.setUint16(SOCKADDR_LL.family, AF_PACKET, true);
    a.setInt32(SOCKADDR_LL.ifindex, ifindex, true);
    let sent = 0;
    for (const frame of frames) {
      if (libc.sendto(fd, frame, address) !== frame.byteLength) {
        throw new Error(`Short send of a ${frame.byteLength}-byte frame`);
      }
      sent++;
    }
    return sent;
  } finally {
    libc.close(fd);
  }
}

/** Frames as one byte string: a 4-byte little-endian length before each frame. */
export function encodeFrames(frames: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(frames.reduce((n, f) => n + 4 + f.byteLength, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const f of frames) {
    view.setUint32(at, f.byteLength, true);
    out.set(f, at + 4);
    at += 4 + f.byteLength;
  }
  return out;
}

/** The inverse of encodeFrames(); throws SyntaxError on a truncated file. */
export function decodeFrames(bytes: Uint8Array): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const frames: Uint8Array[] = [];
  for (let at = 0; at < bytes.byteLength;) {
    if (at + 4 > bytes.byteLength) {
      throw new SyntaxError(`Cannot decode frames: truncated length at byte ${at}`);
    }
    const length = view.getUint32(at, true);
    if (at + 4 + length > bytes.byteLength) {
      throw new SyntaxError(`Cannot decode frames: truncated frame at byte ${at}`);
    }
    frames.push(bytes.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return frames;
}

/** Sends `frames` out of `iface` inside namespace `ns` (a child `deno run` under `ip netns exec`). */
export async function injectInNetns(ns: string, iface: string, frames: readonly Uint8Array[]): Promise<void> {
  const file = await Deno.makeTempFile({ prefix: "netledger-frames-" });
  try {
    await Deno.writeFile(file, encodeFrames(frames));
    const script = new URL(import.meta.url).pathname;
    await run(["ip", "netns", "exec", ns, Deno.execPath(), "run", "-A", script, iface, file]);
  } finally {
    await Deno.remove(file);
  }
}

if (import.meta.main) {
  const [iface, file] = Deno.args;
  injectFrames(iface, decodeFrames(await Deno.readFile(file)));
}
