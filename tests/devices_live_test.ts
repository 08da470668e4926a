/**
 * Devices on a real Linux bridge (issue 14 Show, root): two "device" namespaces plugged into a bridge in a
 * gateway namespace, which routes them to a "public" namespace. LiveCapture on the bridge counts real TCP
 * exchanges per device; each device's counts must equal the kernel's iptables/ip6tables byte and packet
 * counters inside that device's namespace.
 */
import assert from "node:assert/strict";
import { startCaptureProbe } from "./helpers/capture_probe.ts";
import { endChild, run, runInNetns } from "./helpers/netns.ts";

const IS_ROOT = Deno.uid() === 0;
const PUBLIC_V4 = "198.51.100.2";
const PUBLIC_V6 = "2001:db8:ff::2";
const PORT = 5201;
const EXCHANGE = new URL("./helpers/tcp_exchange.ts", import.meta.url).pathname;

interface Device {
  readonly ns: string;
  readonly mac: string;
  readonly v4: string;
  /** Null: an IPv4-only device. */
  readonly v6: string | null;
}

/** Kernel counters of the device's traffic with the public namespace, per direction: [bytes, packets]. */
async function kernelCounters(device: Device): Promise<[number, number, number, number]> {
  const sums = [0, 0, 0, 0];
  for (const tool of device.v6 === null ? ["iptables"] : ["iptables", "ip6tables"]) {
    for (const [chain, up] of [["OUTPUT", true], ["INPUT", false]] as const) {
      const out = await runInNetns(device.ns, [tool, "-w", "-L", chain, "-v", "-x", "-n"]);
      // Rows: pkts bytes target prot opt in out source destination; the rule of the chain is the only one.
      const row = out.trim().split("\n").at(-1)!.trim().split(/\s+/);
      sums[up ? 0 : 1] += Number(row[1]);
      sums[up ? 2 : 3] += Number(row[0]);
    }
  }
  return sums as [number, number, number, number];
}

Deno.test({
  name: "LiveCapture on a bridge counts each device's TCP traffic exactly as the kernel's counters in it",
  ignore: !IS_ROOT,
  sanitizeResources: false,
  async fn() {
    const tag = `nd${Deno.pid}${crypto.randomUUID().slice(0, 6)}`;
    const [gw, pub] = [`${tag}g`, `${tag}p`];
    const devices: Device[] = [
      { ns: `${tag}a`, mac: "3c:22:fb:00:00:11", v4: "192.168.50.11", v6: "2001:db8:50::11" },
      { ns: `${tag}b`, mac: "da:a1:19:00:00:12", v4: "192.168.50.12", v6: null },
    ];
    const namespaces = [gw, pub, ...devices.map((d) => d.ns)];
    const inNs = (ns: string, ...args: string[]) => runInNetns(ns, args);
    /** A veth pair: `name` in the gateway, its peer "eth0" in `ns`. */
    const vethFromGateway = (name: string, ns: string) =>
      run(["ip", "-n", gw, "link", "add", name, "type", "veth", "peer", "name", "eth0", "netns", ns]);
    let server: Deno.ChildProcess | null = null;
    try {
      for (const ns of namespaces) {
        await run(["ip", "netns", "add", ns]);
        await inNs(ns, "ip", "link", "set", "lo", "up");
      }
      // Gateway: bridge br0 for the LAN, a veth to the public namespace, forwarding on.
      await inNs(gw, "ip", "link", "add", "br0", "type", "bridge");
      await inNs(gw, "ip", "addr", "add", "192.168.50.1/24", "dev", "br0");
      await inNs(gw, "ip", "addr", "add", "2001:db8:50::1/64", "dev", "br0", "nodad");
      await inNs(gw, "ip", "link", "set", "br0", "up");
      await inNs(gw, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1");
      await vethFromGateway("wan0", pub);
      await inNs(gw, "ip", "addr", "add", "198.51.100.1/24", "dev", "wan0");
      await inNs(gw, "ip", "addr", "add", "2001:db8:ff::1/64", "dev", "wan0", "nodad");
      await inNs(pub, "ip", "addr", "add", `${PUBLIC_V4}/24`, "dev", "eth0");
      await inNs(pub, "ip", "addr", "add", `${PUBLIC_V6}/64`, "dev", "eth0", "nodad");
      for (const [ns, iface] of [[gw, "wan0"], [pub, "eth0"]]) {
        await inNs(ns, "ip", "link", "set", iface, "up");
        await inNs(ns, "ethtool", "-K", iface, "tso", "off", "gso", "off", "gro", "off");
      }
      await inNs(pub, "ip", "route", "add", "192.168.50.0/24", "via", "198.51.100.1");
      await inNs(pub, "ip", "-6", "route", "add", "2001:db8:50::/64", "via", "2001:db8:ff::1");
      for (const [i, d] of devices.entries()) {
        const port = `lan${i}`;
        await vethFromGateway(port, d.ns);
        await inNs(gw, "ip", "link", "set", port, "master", "br0", "up");
        await inNs(gw, "ethtool", "-K", port, "tso", "off", "gso", "off", "gro", "off");
        await inNs(d.ns, "ip", "link", "set", "eth0", "address", d.mac);
        await inNs(d.ns, "ip", "addr", "add", `${d.v4}/24`, "dev", "eth0");
        if (d.v6 !== null) await inNs(d.ns, "ip", "addr", "add", `${d.v6}/64`, "dev", "eth0", "nodad");
        else await inNs(d.ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
        await inNs(d.ns, "ip", "link", "set", "eth0", "up");
        await inNs(d.ns, "ethtool", "-K", "eth0", "tso", "off", "gso", "off", "gro", "off");
        // TCP builds multi-segment skbs even with GSO off, and iptables counts such an skb once, before the
        // device splits it into the frames netledger sees: one segment per skb makes both count the same.
        await inNs(d.ns, "ip", "link", "set", "eth0", "gso_max_segs", "1");
        await inNs(d.ns, "ip", "route", "add", "default", "via", "192.168.50.1");
        if (d.v6 !== null) await inNs(d.ns, "ip", "-6", "route", "add", "default", "via", "2001:db8:50::1");
        // Counting rules: all traffic with the public namespace, per direction and family.
        await inNs(d.ns, "iptables", "-w", "-A", "OUTPUT", "-d", PUBLIC_V4);
        await inNs(d.ns, "iptables", "-w", "-A", "INPUT", "-s", PUBLIC_V4);
        if (d.v6 !== null) {
          await inNs(d.ns, "ip6tables", "-w", "-A", "OUTPUT", "-d", PUBLIC_V6);
          await inNs(d.ns, "ip6tables", "-w", "-A", "INPUT", "-s", PUBLIC_V6);
        }
      }
      await using probe = await startCaptureProbe(gw, "br0");
      assert.equal(probe.started.status.state, "capturing", probe.logs.join("\n"));
      server = new Deno.Command("ip", {
        args: [
          "netns",
          "exec",
          pub,
          Deno.execPath(),
          "run",
          "-A",
          EXCHANGE,
          "serve",
          PUBLIC_V4,
          PUBLIC_V6,
          String(PORT),
        ],
        stdout: "piped",
        stderr: "inherit",
      }).spawn();
      const ready = await server.stdout.pipeThrough(new TextDecoderStream()).getReader().read();
      assert.match(ready.value ?? "", /listening/);

      const exchanges: [Device, string, number, number][] = [
        [devices[0], PUBLIC_V4, 300_000, 2_000_000],
        [devices[0], PUBLIC_V6, 150_000, 700_000],
        [devices[1], PUBLIC_V4, 50_000, 1_200_000],
        [devices[1], PUBLIC_V4, 7, 3],
      ];
      for (const [device, host, up, down] of exchanges) {
        const out = await inNs(
          device.ns,
          Deno.execPath(),
          "run",
          "-A",
          EXCHANGE,
          "send",
          host,
          String(PORT),
          String(up),
          String(down),
        );
        assert.equal(out.trim(), String(down));
      }
      const expected = Object.fromEntries(
        await Promise.all(devices.map(async (d) => [d.mac, await kernelCounters(d)] as const)),
      );
      for (const d of devices) assert.ok(expected[d.mac][0] > 300 && expected[d.mac][1] > 1_200_000 / 2);
      const matches = (e: { totals: { devices: Record<string, number[]> } }) =>
        devices.every((d) => JSON.stringify(e.totals.devices[d.mac]) === JSON.stringify(expected[d.mac]));
      // The kernel counted every packet already; the capture hands them over when asked (bounded wait).
      await probe.waitFor(matches, 20_000).catch(() => null);
      const final = await probe.stop();
      for (const d of devices) assert.deepEqual(final.totals.devices[d.mac], expected[d.mac], d.mac);
      assert.equal(final.totals.devices.other, undefined, "no public traffic without a device");
      assert.equal(final.status.kernelDrops, 0);
    } finally {
      if (server !== null) await endChild(server);
      for (const ns of namespaces) {
        await new Deno.Command("ip", { args: ["netns", "delete", ns], stdout: "null", stderr: "null" })
          .output();
      }
    }
  },
});
