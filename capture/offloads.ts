/**
 * Opt-in --disable-offloads: with GRO/LRO/TSO/GSO on, the kernel hands AF_PACKET one super-packet for many
 * wire packets (issue #3 item 7). Counts stay right (super-packets are counted from tp_len), but packet
 * counts shrink and sizes no longer match the wire. This runs `ethtool -K IFACE gro off lro off tso off gso
 * off`, as the replaced tool's container entrypoint did, then reads `ethtool -k` back and reports every
 * feature that is still on (often "[fixed]" on virtual devices).
 */

/** ethtool -K short names and the long names `ethtool -k` prints. */
const FEATURES: readonly (readonly [string, string])[] = [
  ["gro", "generic-receive-offload"],
  ["lro", "large-receive-offload"],
  ["tso", "tcp-segmentation-offload"],
  ["gso", "generic-segmentation-offload"],
];

/** The short names of the offload features that `ethtool -k` output shows as still on. */
export function offloadsStillOn(ethtoolShowOutput: string): string[] {
  const on: string[] = [];
  for (const [short, long] of FEATURES) {
    const match = ethtoolShowOutput.match(new RegExp(`^\\s*${long}:\\s*(on|off)`, "m"));
    if (match?.[1] === "on") on.push(short);
  }
  return on;
}

/**
 * Turns the offloads of `iface` off where ethtool can; logs the outcome and returns the features it could
 * not turn off. Never throws: a missing ethtool or a refusing driver is logged, and capture goes on.
 */
export async function disableOffloads(iface: string, log: (line: string) => void): Promise<string[]> {
  const args = ["-K", iface, ...FEATURES.flatMap(([short]) => [short, "off"])];
  try {
    // Non-zero when some feature cannot change; what counts is the state read back below.
    await new Deno.Command("ethtool", { args, stdout: "null", stderr: "null" }).output();
    const shown = await new Deno.Command("ethtool", { args: ["-k", iface], stdout: "piped", stderr: "piped" })
      .output();
    if (!shown.success) {
      log(
        `Cannot disable offloads on "${iface}": ethtool -k said "${
          new TextDecoder().decode(shown.stderr).trim()
        }"`,
      );
      return FEATURES.map(([short]) => short);
    }
    const stillOn = offloadsStillOn(new TextDecoder().decode(shown.stdout));
    for (const feature of stillOn) {
      log(
        `Cannot disable offload "${feature}" on "${iface}": the driver keeps it on; super-packets are counted from their length`,
      );
    }
    if (stillOn.length === 0) log(`Disabled offloads gro, lro, tso, gso on "${iface}"`);
    return stillOn;
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound ? "ethtool is not installed" : (e as Error).message;
    log(`Cannot disable offloads on "${iface}": ${why}; byte counts stay exact, packet counts may be lower`);
    return FEATURES.map(([short]) => short);
  }
}
