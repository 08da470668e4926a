/**
 * How the per-packet tables key the device of a packet, and its text key (capture/types.ts DeviceTraffic
 * `deviceKey`): TrafficPipeline reads the device once per packet (its `#setDevice`) and hands the same kind
 * and four words to the remote table, the device table's caller and the service counter, so the three agree.
 */
import { formatMac } from "./device_table.ts";
import { formatIpv4, formatIpv6 } from "./ip_prefix.ts";

/**
 * NONE: a group or all-zero MAC (the packet belongs to no device); MAC: the words are the MAC's high 16 and
 * low 32 bits; IPV4 and IPV6: the words are the local address (one word for IPv4, the rest 0), on links
 * without MACs.
 */
export const DeviceKind = { NONE: 0, MAC: 1, IPV4: 4, IPV6: 6 } as const;

/** The device key of kind `kind` whose four words start at `at` in `keys`, or null for DeviceKind.NONE. */
export function deviceKeyOf(kind: number, keys: Int32Array, at: number): string | null {
  if (kind === DeviceKind.MAC) return formatMac(keys[at], keys[at + 1]);
  if (kind === DeviceKind.IPV4) return formatIpv4(keys[at]);
  if (kind === DeviceKind.IPV6) return formatIpv6(keys[at], keys[at + 1], keys[at + 2], keys[at + 3]);
  return null;
}
