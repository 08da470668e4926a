/**
 * A tun device (ARPHRD_NONE, like WireGuard) for capture tests of the SOCK_DGRAM / raw-IP path: IP packets
 * written to it arrive on the interface as received packets. It lives as long as this script holds it.
 *
 *     await using tun = await startTunDevice(pair.captureNs, "nltun0");
 *     await tun.send(packets);
 *
 * As a script (`deno run -A tun_device.ts NAME`, inside the namespace): creates the device, sets it up,
 * prints "ready"; then each stdin line names a frames file (inject_frames.ts encodeFrames()) whose packets
 * it writes, answering "sent"; it exits, deleting the device, when stdin closes.
 */
import * as libc from "../../ffi/mod.ts";
import { decodeFrames, encodeFrames } from "./inject_frames.ts";
import { endChild } from "./netns.ts";

/** linux/if_tun.h TUNSETIFF = _IOW('T', 202, int); IFF_TUN; IFF_NO_PI (no 4-byte packet-info prefix). */
const TUNSETIFF = 0x400454ca;
const IFF_TUN = 0x0001;
const IFF_NO_PI = 0x1000;
/** fcntl.h O_RDWR | O_CLOEXEC. */
const O_RDWR_CLOEXEC = 0o2 | 0o2000000;
/** linux/if.h struct ifreq: 16-byte name, then the flags union; 40 bytes on LP64. */
const IFREQ_BYTES = 40;

/** A tun device held by a child process in a namespace. */
export interface TunDevice extends AsyncDisposable {
  /** Writes each IP packet to the device (received on the interface), in order. */
  send(packets: readonly Uint8Array[]): Promise<void>;
}

/** Starts the holder script in `ns` and resolves once the device `name` is up. */
export async function startTunDevice(ns: string, name: string): Promise<TunDevice> {
  const child = new Deno.Command("ip", {
    args: ["netns", "exec", ns, Deno.execPath(), "run", "-A", new URL(import.meta.url).pathname, name],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const writer = child.stdin.getWriter();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const expect = async (word: string) => {
    for (let i = 0; i < 1000 && !text.includes(word); i++) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`tun holder ended before "${word}"`);
      text += value;
    }
    text = "";
  };
  let isClosed = false;
  const close = async () => {
    if (isClosed) return;
    isClosed = true;
    await writer.close();
    await child.status;
  };
  try {
    await expect("ready");
  } catch (e) {
    await endChild(child);
    throw e;
  }
  return {
    async send(packets) {
      const file = await Deno.makeTempFile({ prefix: "netledger-tun-" });
      try {
        await Deno.writeFile(file, encodeFrames(packets));
        await writer.write(new TextEncoder().encode(`${file}\n`));
        await expect("sent");
      } finally {
        await Deno.remove(file);
      }
    },
    [Symbol.asyncDispose]: close,
  };
}

if (import.meta.main) {
  const name = Deno.args[0];
  const fd = libc.openFile("/dev/net/tun", O_RDWR_CLOEXEC);
  const request = new Uint8Array(IFREQ_BYTES);
  request.set(new TextEncoder().encode(name).subarray(0, 15));
  new DataView(request.buffer).setUint16(16, IFF_TUN | IFF_NO_PI, true);
  libc.ioctl(fd, TUNSETIFF, request, "ioctl(TUNSETIFF)");
  const up = await new Deno.Command("ip", { args: ["link", "set", name, "up"] }).output();
  if (!up.success) throw new Error(`Cannot set "${name}" up`);
  console.log("ready");
  const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream()).getReader();
  let pending = "";
  for (let reads = 0; reads < 100_000; reads++) {
    const { value, done } = await lines.read();
    if (done) break;
    pending += value;
    let newline: number;
    while ((newline = pending.indexOf("\n")) >= 0) {
      const file = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      for (const packet of decodeFrames(await Deno.readFile(file))) libc.writeAll(fd, packet);
      console.log("sent");
    }
  }
  libc.close(fd);
}
