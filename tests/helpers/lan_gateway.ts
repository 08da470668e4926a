/**
 * A home network in three namespaces for live tests: a gateway with a LAN bridge `br0` (LAN.1/24, where
 * netledger captures) routing to a "public" namespace over `wan0` (198.51.100.1/24), and one device behind
 * the bridge (LAN.11, IPv4 only) with its own MAC. Offloads are off on every link, so the frames the capture
 * sees are the packets the device's kernel counts.
 *
 *     await using net = await createLanGateway({ lan: "192.168.60", deviceMac, publicIps: ["198.51.100.3"] });
 *     await runInNetns(net.dev, ["curl", ...]);
 */
import { run, runInNetns } from "./netns.ts";

/** What the network holds. */
export interface LanGatewayOptions {
  /** The LAN's first three octets, e.g. "192.168.60": the gateway is .1, the device .11. */
  readonly lan: string;
  readonly deviceMac: string;
  /** Addresses of the public namespace, in 198.51.100.0/24 (the gateway's side is .1). */
  readonly publicIps: readonly string[];
}

/** The namespaces' names; disposing deletes them. */
export interface LanGateway extends AsyncDisposable {
  readonly gw: string;
  readonly pub: string;
  readonly dev: string;
  readonly deviceIp: string;
}

/** Creates the three namespaces and their links; on a failure, deletes what it made and throws. */
export async function createLanGateway(options: LanGatewayOptions): Promise<LanGateway> {
  const tag = `lg${Deno.pid}${crypto.randomUUID().slice(0, 6)}`;
  const [gw, pub, dev] = [`${tag}g`, `${tag}p`, `${tag}d`];
  const deviceIp = `${options.lan}.11`;
  const inNs = (ns: string, ...args: string[]) => runInNetns(ns, args);
  const net: LanGateway = {
    gw,
    pub,
    dev,
    deviceIp,
    async [Symbol.asyncDispose]() {
      for (const ns of [gw, pub, dev]) {
        await new Deno.Command("ip", { args: ["netns", "delete", ns], stdout: "null", stderr: "null" })
          .output();
      }
    },
  };
  try {
    for (const ns of [gw, pub, dev]) {
      await run(["ip", "netns", "add", ns]);
      await inNs(ns, "ip", "link", "set", "lo", "up");
    }
    await inNs(gw, "ip", "link", "add", "br0", "type", "bridge");
    await inNs(gw, "ip", "addr", "add", `${options.lan}.1/24`, "dev", "br0");
    await inNs(gw, "ip", "link", "set", "br0", "up");
    await inNs(gw, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
    await run(["ip", "-n", gw, "link", "add", "wan0", "type", "veth", "peer", "name", "eth0", "netns", pub]);
    await inNs(gw, "ip", "addr", "add", "198.51.100.1/24", "dev", "wan0");
    for (const ip of options.publicIps) await inNs(pub, "ip", "addr", "add", `${ip}/24`, "dev", "eth0");
    await run(["ip", "-n", gw, "link", "add", "lan0", "type", "veth", "peer", "name", "eth0", "netns", dev]);
    await inNs(gw, "ip", "link", "set", "lan0", "master", "br0");
    await inNs(dev, "ip", "link", "set", "eth0", "address", options.deviceMac);
    await inNs(dev, "ip", "addr", "add", `${deviceIp}/24`, "dev", "eth0");
    await inNs(dev, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
    for (const [ns, iface] of [[gw, "wan0"], [gw, "lan0"], [pub, "eth0"], [dev, "eth0"]]) {
      await inNs(ns, "ip", "link", "set", iface, "up");
      await inNs(ns, "ethtool", "-K", iface, "tso", "off", "gso", "off", "gro", "off");
    }
    await inNs(pub, "ip", "route", "add", `${options.lan}.0/24`, "via", "198.51.100.1");
    await inNs(dev, "ip", "route", "add", "default", "via", `${options.lan}.1`);
    return net;
  } catch (e) {
    await net[Symbol.asyncDispose]();
    throw e;
  }
}
