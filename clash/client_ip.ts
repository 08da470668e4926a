/**
 * The client key of a connection: its source IP as stable text, so the same device always lands on the same
 * row (docs/clash-accounting.md P6).
 */

const MAPPED_DOTTED_REGEXP = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;
const MAPPED_HEX_REGEXP = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;

/**
 * Normalises a `metadata.sourceIP`: lowercase, IPv6 zone stripped (mihomo adds `%br-lan`, zashboard#798),
 * IPv4-mapped IPv6 unwrapped to dotted IPv4. Works on text only, so no IPv4-only parser can choke on an
 * EUI-64 source (zashboard#388). Returns "" for an empty input.
 */
export function normalizeClientIp(sourceIp: string): string {
  let ip = sourceIp.trim().toLowerCase();
  const zone = ip.indexOf("%");
  if (zone >= 0) ip = ip.slice(0, zone);
  if (!ip.startsWith("::ffff:")) return ip;
  const dotted = MAPPED_DOTTED_REGEXP.exec(ip);
  if (dotted) return dotted[1];
  const hex = MAPPED_HEX_REGEXP.exec(ip);
  if (!hex) return ip;
  const high = parseInt(hex[1], 16);
  const low = parseInt(hex[2], 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}
