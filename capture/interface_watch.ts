/**
 * The monitored interface's own addresses and LAN prefixes, kept current, and the default-route interface
 * used when MONITOR_IFACE is unset. The capture loop decides when to refresh (capture_loop.ts: whenever the
 * kernel announces a change, and every LINK_REFRESH_MS of loop_schedule.ts); the auto /56 LAN prefixes are
 * derived from the addresses on every refresh. Manual EXCLUDE_IPV6_PREFIX prefixes always win over auto
 * detection.
 */
import { readProcFile } from "../ffi/mod.ts";
import { type LocalAddresses, resolveLocalAddresses } from "./local_addresses.ts";

/** Options of an InterfaceWatch. */
export interface InterfaceWatchOptions {
  readonly iface: string;
  /** EXCLUDE_IPV6_PREFIX; non-empty replaces the auto /56 prefixes. */
  readonly excludeIpv6Prefixes: readonly string[];
  readonly log: (line: string) => void;
  /** Source of the host's addresses; Deno.networkInterfaces unless a test gives a fake. */
  readonly listInterfaces?: () => readonly Deno.NetworkInterfaceInfo[];
}

/** Keeps the LocalAddresses of one interface; call refresh() when they may have changed. */
export class InterfaceWatch {
  readonly #options: InterfaceWatchOptions;
  #current: LocalAddresses;

  constructor(options: InterfaceWatchOptions) {
    this.#options = options;
    this.#current = resolveLocalAddresses([], options.excludeIpv6Prefixes);
  }

  /**
   * Re-reads the addresses (one getifaddrs). Returns the new LocalAddresses when they changed (and logs the
   * change), else null.
   */
  refresh(): LocalAddresses | null {
    const list = this.#options.listInterfaces ?? Deno.networkInterfaces;
    const ips = list().filter((i) => i.name === this.#options.iface).map((i) =>
      i.address.replace(/%.*$/, "")
    );
    const next = resolveLocalAddresses([...new Set(ips)].sort(), this.#options.excludeIpv6Prefixes);
    if (sameAddresses(next, this.#current)) return null;
    this.#current = next;
    this.#options.log(
      `Local addresses of "${this.#options.iface}": ${next.ips.join(", ") || "none"}; ` +
        `LAN prefixes (${next.mode}): ${next.lanPrefixes.join(", ") || "none"}`,
    );
    return next;
  }
}

function sameAddresses(a: LocalAddresses, b: LocalAddresses): boolean {
  return a.mode === b.mode && a.ips.join() === b.ips.join() && a.lanPrefixes.join() === b.lanPrefixes.join();
}

/** RTF_UP and RTF_REJECT from linux/route.h (the kernel's "unreachable" default route on lo is rejected). */
const RTF_UP = 0x0001;
const RTF_REJECT = 0x0200;

/** The interface of the IPv4 default route with the lowest metric in /proc/net/route text; null if none. */
export function ipv4DefaultRoute(routeTable: string): string | null {
  let best: { iface: string; metric: number } | null = null;
  for (const line of routeTable.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8 || f[1] !== "00000000" || f[7] !== "00000000") continue;
    const flags = parseInt(f[3], 16);
    const metric = Number(f[6]);
    if ((flags & RTF_UP) === 0 || (flags & RTF_REJECT) !== 0) continue;
    if (best === null || metric < best.metric) best = { iface: f[0], metric };
  }
  return best?.iface ?? null;
}

/** The interface of the IPv6 default route (::/0) with the lowest metric in /proc/net/ipv6_route text. */
export function ipv6DefaultRoute(routeTable: string): string | null {
  let best: { iface: string; metric: number } | null = null;
  for (const line of routeTable.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || !/^0{32}$/.test(f[0]) || f[1] !== "00") continue;
    const flags = parseInt(f[8], 16);
    const metric = parseInt(f[5], 16);
    if ((flags & RTF_UP) === 0 || (flags & RTF_REJECT) !== 0 || f[9] === "lo") continue;
    if (best === null || metric < best.metric) best = { iface: f[9], metric };
  }
  return best?.iface ?? null;
}

/**
 * The interface of the default route (IPv4 first, then IPv6), for when MONITOR_IFACE is unset; null when
 * the host has no default route. `readFile` is a seam for tests.
 */
export function defaultRouteInterface(readFile: (path: string) => string = readProcFile): string | null {
  const read = (path: string): string => {
    try {
      return readFile(path);
    } catch (e) {
      // A kernel without IPv6 has no /proc/net/ipv6_route: no route there.
      if (e instanceof Deno.errors.NotFound) return "";
      throw e;
    }
  };
  return ipv4DefaultRoute(read("/proc/net/route")) ?? ipv6DefaultRoute(read("/proc/net/ipv6_route"));
}
