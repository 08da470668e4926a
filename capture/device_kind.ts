/**
 * How the per-packet tables key the device of a packet, and its text key (capture/types.ts DeviceTraffic
 * `deviceKey`): TrafficPipeline reads the device once per packet (its `#setDevice`) and hands the same kind
 * and four words to the remote table, the device table's caller and the service counter, so the three agree.
 */
import { formatMac } from "./device_table.ts";
import { formatIpv4, formatIpv6, parseIp } from "./ip_prefix.ts";

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

/** A device's kind and four words, as the per-packet tables key it. */
export interface DeviceWords {
  readonly kind: number;
  readonly words: readonly [number, number, number, number];
}

const MAC_KEY = /^([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2})$/i;

/** The kind and words of a device key (deviceKeyOf's text: a MAC, or an address), or null for other text. */
export function deviceOfKey(key: string): DeviceWords | null {
  const mac = MAC_KEY.exec(key);
  if (mac !== null) {
    const [b0, b1, b2, b3, b4, b5] = mac.slice(1).map((hex) => parseInt(hex, 16));
    return { kind: DeviceKind.MAC, words: [b0 << 8 | b1, (b2 << 24 | b3 << 16 | b4 << 8 | b5) | 0, 0, 0] };
  }
  try {
    const { family, words } = parseIp(key);
    return { kind: family === 4 ? DeviceKind.IPV4 : DeviceKind.IPV6, words };
  } catch {
    return null;
  }
}
