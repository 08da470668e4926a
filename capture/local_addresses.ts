/**
 * The host's own addresses and the IPv6 LAN prefixes, as one plain record that crosses the Worker boundary
 * and feeds /api/debug/local_ips. "auto" derives the /56 of every global unicast IPv6 address (a typical
 * delegated prefix, so every LAN device of a router counts as local); EXCLUDE_IPV6_PREFIX replaces it.
 */
import { formatIp, formatPrefix, maskAddress, parseIp, parsePrefix } from "./ip_prefix.ts";

/** How the LAN prefixes were chosen. */
export type LanFilterMode = "auto-gua-/56" | "manual";

/** Host addresses and LAN prefixes in canonical text form. */
export interface LocalAddresses {
  /** Addresses bound to the monitored interface (or LOCAL_IPS for pcap import). */
  readonly ips: readonly string[];
  /** CIDR prefixes whose addresses count as local, e.g. "2001:db8:1:100::/56". */
  readonly lanPrefixes: readonly string[];
  readonly mode: LanFilterMode;
}

/** Length of the auto-detected LAN prefix: the delegation size most ISPs hand a home (RIPE-690). */
export const AUTO_LAN_PREFIX_LENGTH = 56;

/** The /56 of every IPv6 global unicast address (2000::/3) in `ips`, deduplicated, in first-seen order. */
export function autoLanPrefixes(ips: readonly string[]): string[] {
  const prefixes: string[] = [];
  for (const text of ips) {
    const address = parseIp(text);
    if (address.family !== 6 || address.words[0] >>> 29 !== 1) continue;
    const prefix = formatPrefix({
      address: maskAddress(address, AUTO_LAN_PREFIX_LENGTH),
      length: AUTO_LAN_PREFIX_LENGTH,
    });
    if (!prefixes.includes(prefix)) prefixes.push(prefix);
  }
  return prefixes;
}

/**
 * The LocalAddresses for host addresses `ips`: manual mode with `manualPrefixes` (EXCLUDE_IPV6_PREFIX) when
 * any are given, else auto mode. Throws SyntaxError naming the first address or prefix that does not parse.
 */
export function resolveLocalAddresses(
  ips: readonly string[],
  manualPrefixes: readonly string[],
): LocalAddresses {
  const canonicalIps = ips.map((ip) => formatIp(parseIp(ip)));
  if (manualPrefixes.length > 0) {
    return {
      ips: canonicalIps,
      lanPrefixes: manualPrefixes.map((p) => formatPrefix(parsePrefix(p))),
      mode: "manual",
    };
  }
  return { ips: canonicalIps, lanPrefixes: autoLanPrefixes(canonicalIps), mode: "auto-gua-/56" };
}
