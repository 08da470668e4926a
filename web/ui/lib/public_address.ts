/**
 * Whether an address can be seen on the internet, for the first-run hint about the capture interface. The
 * ranges are capture/classify.ts's "never public" ones (isNeverPublicV4, isNeverPublicV6), which decide what
 * netledger counts; web/ui may not import capture/, so they are restated here for text only.
 */

const IPV4_REGEXP = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/;

/**
 * False for 0/8, 10/8, 127/8, 169.254/16, 172.16/12, 192.168/16, 224/4 and 240/4, and for IPv6 ::, ::1,
 * fe80::/10, fc00::/7 and ff00::/8 (an IPv4-mapped IPv6 address as its IPv4 address); true for any other
 * address. Text that is no address is not public.
 */
export function isPublicAddress(ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const v4 = IPV4_REGEXP.exec(mapped ? mapped[1] : ip);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return !(a === 0 || a === 10 || a === 127 || a >= 224 || (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168));
  }
  if (!ip.includes(":")) return false;
  const text = ip.toLowerCase();
  if (text === "::" || text === "::1") return false;
  const first = text.startsWith("::") ? 0 : parseInt(text.split(":")[0], 16);
  if (Number.isNaN(first)) return false;
  return !((first & 0xffc0) === 0xfe80 || (first & 0xfe00) === 0xfc00 || (first & 0xff00) === 0xff00);
}
