/**
 * The maker of a MAC from the IEEE registries (MA-L, MA-M and MA-S assignments), as shipped by the npm
 * package oui-data: a JSON module, so `deno compile` embeds it and nothing is read from disk at run time.
 */
import registry from "oui-data" with { type: "json" };

const ASSIGNMENTS = registry as Readonly<Record<string, string>>;
/** Hex digits of an MA-S, MA-M and MA-L prefix: the longest assignment holding a MAC wins. */
const PREFIX_DIGITS = [9, 7, 6] as const;
const MAC_REGEXP = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

/**
 * The registered organisation of `mac` ("aa:bb:cc:dd:ee:ff"), or null when none is registered, and always
 * for a locally administered (randomised) or group MAC: those bits say no maker assigned it.
 */
export function vendorOf(mac: string): string | null {
  if (!MAC_REGEXP.test(mac)) return null;
  const hex = mac.replace(/:/g, "").toUpperCase();
  if ((parseInt(hex.slice(0, 2), 16) & 0x03) !== 0) return null;
  for (const digits of PREFIX_DIGITS) {
    // The registry's text is the organisation's name, then its postal address, one line each.
    const entry = ASSIGNMENTS[hex.slice(0, digits)];
    if (entry !== undefined) return entry.split("\n")[0].trim() || null;
  }
  return null;
}
