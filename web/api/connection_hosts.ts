/**
 * The Clash core's hosts as a name source for the capture (issue 15 item 1): each new connection's host
 * names its client's packets to the address the core connected it to, under the device that client IP maps
 * to (store/client_devices.ts, the mapping the Monitoring and device pages show), else box-wide. On a
 * gateway whose core intercepts the LAN's traffic (TProxy, redirect), the capture on the LAN bridge sees those
 * packets with the destination's address; the core's own connections through a proxy go to the proxy server,
 * whose packets these names never match (docs/services.md).
 */
import type { ConnectionHost } from "../../clash/mod.ts";
import { devicesOfClientIps, type TrafficLedger } from "../../store/mod.ts";

/** What forwardConnectionHosts needs. */
export interface ConnectionHostDeps {
  readonly ledger: TrafficLedger;
  /** The kernel's neighbour table as IP → MAC (client_devices.ts neighbourMacs), if read. */
  readonly neighbourMacs?: () => ReadonlyMap<string, string>;
  /** LiveCapture.learnHost. */
  readonly learnHost: (deviceKey: string | null, remoteIp: string, host: string) => boolean;
  readonly log: (line: string) => void;
}

/**
 * The listener for ClashMonitor's onConnectionHosts: maps the snapshot's client IPs to devices with one read,
 * then hands each distinct (device, address, host) to the capture. A failing read is logged once; its names
 * then go box-wide, naming only the top remotes' addresses.
 */
export function forwardConnectionHosts(deps: ConnectionHostDeps): (hosts: readonly ConnectionHost[]) => void {
  let hasLoggedFailure = false;
  return (hosts) => {
    const ips = [...new Set(hosts.map((h) => h.clientIp))];
    let deviceKeys = new Map<string, string>();
    try {
      const devices = devicesOfClientIps(deps.ledger, ips, deps.neighbourMacs?.() ?? new Map());
      deviceKeys = new Map([...devices].map(([ip, device]) => [ip, device.key]));
    } catch (e) {
      if (!hasLoggedFailure) {
        deps.log(
          `Cannot map Clash clients to devices, their hosts name no device's traffic: ${
            (e as Error).message
          }`,
        );
      }
      hasLoggedFailure = true;
    }
    const sent = new Set<string>();
    for (const h of hosts) {
      const deviceKey = deviceKeys.get(h.clientIp) ?? null;
      const key = `${deviceKey} ${h.destinationIp} ${h.host}`;
      if (sent.has(key)) continue;
      sent.add(key);
      deps.learnHost(deviceKey, h.destinationIp, h.host);
    }
  };
}
