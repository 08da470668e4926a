/**
 * Offloads measurement (issue #3 item 7), as root: a real 50 MiB TCP upload between two namespaces over a
 * veth pair, captured by netledger's LiveCapture on the sending end, once with the kernel's default
 * offloads (TSO/GSO on for veth) and once after disableOffloads() (what --disable-offloads runs). Prints
 * the packets and IP-layer bytes counted each way. The TCP endpoints use documentation addresses only.
 *
 *     deno run -A tests/bench/offloads_bench.ts
 */
import { type ProbeEvent, startCaptureProbe } from "../helpers/capture_probe.ts";
import { createVethPair, endChild, PEER_IPV4, run, type VethPair } from "../helpers/netns.ts";

const TRANSFER_BYTES = 50 * 1024 * 1024;
const PORT = 5001;

const SERVER = `
const listener = Deno.listen({ hostname: "${PEER_IPV4}", port: ${PORT} });
console.log("listening");
const conn = await listener.accept();
let total = 0;
const buffer = new Uint8Array(1 << 16);
for (let i = 0; i < 10_000_000; i++) {
  const n = await conn.read(buffer);
  if (n === null) break;
  total += n;
}
conn.close();
listener.close();
console.log(total);
`;

const CLIENT = `
const conn = await Deno.connect({ hostname: "${PEER_IPV4}", port: ${PORT} });
const chunk = new Uint8Array(1 << 16);
// write() may take part of a chunk: count what it took.
for (let sent = 0, i = 0; sent < ${TRANSFER_BYTES} && i < 10_000_000; i++) {
  sent += await conn.write(chunk.subarray(0, Math.min(chunk.length, ${TRANSFER_BYTES} - sent)));
}
conn.close();
`;

async function offloadState(pair: VethPair): Promise<string> {
  const shown = await run(["ip", "netns", "exec", pair.captureNs, "ethtool", "-k", pair.captureIface]);
  return ["tcp-segmentation-offload", "generic-segmentation-offload", "generic-receive-offload"]
    .map((f) => new RegExp(`^${f}: (\\S+)`, "m").exec(shown)?.[1] ?? "?").join("/");
}

async function transfer(pair: VethPair, dir: string): Promise<ProbeEvent> {
  await Deno.writeTextFile(`${dir}/server.ts`, SERVER);
  await Deno.writeTextFile(`${dir}/client.ts`, CLIENT);
  await using probe = await startCaptureProbe(pair.captureNs, pair.captureIface);
  const server = new Deno.Command("ip", {
    args: ["netns", "exec", pair.peerNs, Deno.execPath(), "run", "-A", `${dir}/server.ts`],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  try {
    const lines = server.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    for (let i = 0; i < 100 && !text.includes("listening"); i++) {
      const { value, done } = await lines.read();
      if (done) break;
      text += value;
    }
    await run(["ip", "netns", "exec", pair.captureNs, Deno.execPath(), "run", "-A", `${dir}/client.ts`]);
    for (let i = 0; i < 100; i++) {
      const { value, done } = await lines.read();
      if (done) break;
      text += value;
    }
    const received = Number(text.trim().split("\n").at(-1));
    if (received !== TRANSFER_BYTES) {
      throw new Error(`Server received ${received} bytes, expected ${TRANSFER_BYTES}`);
    }
  } finally {
    await endChild(server);
  }
  return await probe.stop();
}

if (import.meta.main) {
  const dir = await Deno.makeTempDir({ prefix: "netledger-offloads-" });
  try {
    await using pair = await createVethPair();
    const on = await transfer(pair, dir);
    const onState = await offloadState(pair);
    // disableOffloads() runs ethtool in this process's namespace: run it from inside the capture namespace.
    await run([
      "ip",
      "netns",
      "exec",
      pair.captureNs,
      Deno.execPath(),
      "eval",
      `import { disableOffloads } from "${new URL("../../capture/offloads.ts", import.meta.url).href}";` +
      `await disableOffloads("${pair.captureIface}", (line) => console.log(line));`,
    ]).then((out) => console.log(out.trim().split("\n").map((l) => `  log: ${l}`).join("\n")));
    const off = await transfer(pair, dir);
    const offState = await offloadState(pair);
    const row = (name: string, state: string, e: ProbeEvent) =>
      `| ${name.padEnd(28)} | ${state.padEnd(11)} | ${String(e.totals.upPackets).padStart(10)} | ${
        String(e.totals.upBytes).padStart(12)
      } | ${String(e.totals.downPackets).padStart(10)} | ${String(e.totals.downBytes).padStart(12)} | ${
        (e.totals.upBytes / Math.max(1, e.totals.upPackets)).toFixed(0).padStart(9)
      } |`;
    console.log(`50 MiB TCP upload over veth, captured on the sending end (${TRANSFER_BYTES} payload bytes)`);
    console.log(
      "| offloads                     | tso/gso/gro | up packets |     up bytes | down pkts  |   down bytes | bytes/pkt |",
    );
    console.log(
      "|------------------------------|-------------|------------|--------------|------------|--------------|-----------|",
    );
    console.log(row("kernel defaults", onState, on));
    console.log(row("after --disable-offloads", offState, off));
    const ratio = on.totals.upBytes / off.totals.upBytes;
    console.log(
      `\nIP-layer upload bytes, defaults vs offloads off: ${(ratio * 100).toFixed(2)}% (${
        ((1 - ratio) * 100).toFixed(2)
      }% fewer)`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
