/**
 * The Clash core's hosts as a name source, through the real program (issue 15 item 1, root): main.ts in a
 * gateway namespace captures its LAN bridge and follows a fake core (the real wire format) running in the same
 * namespace. The core lists a connection of the device's client IP to an address with a host; the device's
 * plain TCP exchange with that address, which carries no name the capture could read, must land on the host's
 * service for that device, byte for byte as the kernel's counters inside the device count it.
 */
import assert from "node:assert/strict";
import type { DevicesJson, ServicesJson } from "../web/api_types.ts";
import { apiInNetns, startNetledgerInNetns } from "./helpers/netledger_rig.ts";
import { createLanGateway } from "./helpers/lan_gateway.ts";
import { endChild, runInNetns } from "./helpers/netns.ts";

const IS_ROOT = Deno.uid() === 0;
const DEVICE_MAC = "3c:22:fb:00:00:31";
/** Named by the core first: once its bytes show named, the capture has taken the core's names. */
const PROBE_SERVER = "198.51.100.6";
/** Talked to only after the core named it: every byte of it must be named. */
const PROXIED_SERVER = "198.51.100.5";
const PORT = "5000";
const EXCHANGE = new URL("./helpers/tcp_exchange.ts", import.meta.url).pathname;
const FAKE_CLASH = new URL("./helpers/fake_clash_server.ts", import.meta.url).pathname;

/** The device's IP-layer bytes with PROXIED_SERVER by the kernel's counters in its namespace: [up, down]. */
async function kernelBytes(ns: string): Promise<[number, number]> {
  const bytes = async (chain: string) => {
    const out = await runInNetns(ns, ["iptables", "-w", "-L", chain, "-v", "-x", "-n"]);
    return Number(out.trim().split("\n").at(-1)!.trim().split(/\s+/)[1]);
  };
  return [await bytes("OUTPUT"), await bytes("INPUT")];
}

/** One line of a child's stdout. */
async function readLine(
  reader: ReadableStreamDefaultReader<string>,
  buffered: { text: string },
): Promise<string> {
  for (let reads = 0; reads < 1000 && !buffered.text.includes("\n"); reads++) {
    const { value, done } = await reader.read();
    if (done) throw new Error("The fake Clash core ended early");
    buffered.text += value;
  }
  const newline = buffered.text.indexOf("\n");
  const line = buffered.text.slice(0, newline);
  buffered.text = buffered.text.slice(newline + 1);
  return line;
}

Deno.test({
  name:
    "main.ts names a device's traffic by the Clash core's host for its client IP, exactly as the kernel counts it",
  ignore: !IS_ROOT,
  sanitizeResources: false,
  async fn() {
    await using net = await createLanGateway({
      lan: "192.168.70",
      deviceMac: DEVICE_MAC,
      publicIps: [PROBE_SERVER, PROXIED_SERVER],
    });
    const { gw, pub, dev } = net;
    const inNs = (ns: string, ...args: string[]) => runInNetns(ns, args);
    const dir = await Deno.makeTempDir({ prefix: "netledger-services-clash-" });
    const children: Deno.ChildProcess[] = [];
    let netledger: Awaited<ReturnType<typeof startNetledgerInNetns>> | null = null;
    const exchange = async (server: string, up: number, down: number) => {
      const out = await inNs(
        dev,
        Deno.execPath(),
        "run",
        "-A",
        EXCHANGE,
        "send",
        server,
        PORT,
        `${up}`,
        `${down}`,
      );
      assert.equal(out.trim(), String(down));
    };
    try {
      // One segment per skb, so that iptables counts the frames the capture sees (devices_live_test.ts).
      await inNs(dev, "ip", "link", "set", "eth0", "gso_max_segs", "1");
      await inNs(dev, "iptables", "-w", "-A", "OUTPUT", "-d", PROXIED_SERVER);
      await inNs(dev, "iptables", "-w", "-A", "INPUT", "-s", PROXIED_SERVER);

      const spawnIn = (ns: string, args: string[]) => {
        const child = new Deno.Command("ip", {
          args: ["netns", "exec", ns, Deno.execPath(), "run", "-A", ...args],
          stdin: "piped",
          stdout: "piped",
          stderr: "inherit",
        }).spawn();
        children.push(child);
        return {
          child,
          lines: child.stdout.pipeThrough(new TextDecoderStream()).getReader(),
          buffered: { text: "" },
        };
      };
      const server = spawnIn(pub, [EXCHANGE, "serve", PROBE_SERVER, PROXIED_SERVER, PORT]);
      assert.equal(await readLine(server.lines, server.buffered), "listening");
      const fake = spawnIn(gw, [FAKE_CLASH, "s3cret"]);
      const url = (await readLine(fake.lines, fake.buffered)).replace(/^url /, "");
      const fakeInput = fake.child.stdin.getWriter();
      netledger = await startNetledgerInNetns(gw, `${dir}/netledger.db`, {
        MONITOR_IFACE: "br0",
        CLASH_API_URL: url,
        CLASH_SECRET: "s3cret",
      });

      // A client maps to a saved device: the device's first exchange is saved (SAVE_INTERVAL is 5 s here).
      await exchange(PROBE_SERVER, 1000, 1000);
      let deviceId: number | null = null;
      for (let poll = 0; poll < 60 && deviceId === null; poll++) {
        const devices = await apiInNetns(gw, "/api/devices") as DevicesJson;
        deviceId = devices.devices.find((d) => d.mac === DEVICE_MAC)?.id ?? null;
        if (deviceId === null) await new Promise((resolve) => setTimeout(resolve, 500));
      }
      assert.notEqual(deviceId, null, netledger.lines().join("\n"));
      for (
        const [server, host] of [[PROBE_SERVER, "probe.example.org"], [PROXIED_SERVER, "proxied.example.net"]]
      ) {
        await fakeInput.write(new TextEncoder().encode(`open ${net.deviceIp} ${server} ${host}\n`));
        assert.match(await readLine(fake.lines, fake.buffered), /^opened /);
      }
      const servicesOfDevice = async () =>
        await apiInNetns(gw, `/api/services?device=${deviceId}`) as ServicesJson;
      // Bounded: the core streams a snapshot a second; each API answer first takes what the capture counted.
      let isNamed = false;
      for (let round = 0; round < 30 && !isNamed; round++) {
        await exchange(PROBE_SERVER, 100, 100);
        isNamed = (await servicesOfDevice()).services.some((s) => s.name === "example.org");
        if (!isNamed) await new Promise((resolve) => setTimeout(resolve, 500));
      }
      assert.ok(isNamed, netledger.lines().join("\n"));
      // Both names came in one snapshot: this answer's catch-up has the capture take any left.
      await apiInNetns(gw, "/api/health");

      await exchange(PROXIED_SERVER, 20_000, 300_000);
      const expected = await kernelBytes(dev);
      assert.ok(expected[0] > 20_000 && expected[1] > 300_000, `${expected}`);
      const named = (s: ServicesJson) => {
        const service = s.services.find((x) => x.name === "example.net");
        return service === undefined ? null : [service.up_bytes, service.down_bytes];
      };
      let services = await servicesOfDevice();
      for (let poll = 0; poll < 40 && JSON.stringify(named(services)) !== JSON.stringify(expected); poll++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        services = await servicesOfDevice();
      }
      assert.deepEqual(named(services), expected, JSON.stringify(services));
      const hosts = services.services.find((x) => x.name === "example.net")!.hosts.map((h) => h.name);
      assert.deepEqual(hosts, ["proxied.example.net"]);
      const sum = (parts: { up_bytes: number; down_bytes: number }[]) =>
        parts.reduce((n, p) => n + p.up_bytes + p.down_bytes, 0);
      assert.equal(sum([...services.services, services.unknown, services.other]), sum([services.total]));
      await fakeInput.close();
    } finally {
      if (netledger !== null) {
        netledger.kill("SIGTERM");
        await netledger.exited;
      }
      for (const child of children) await endChild(child);
      await Deno.remove(dir, { recursive: true });
    }
  },
});
