/**
 * Pure parsers of the two system files that name hosts: /etc/ethers (ethers(5): "mac hostname-or-ip") and
 * /etc/hosts (hosts(5): "ip canonical-name aliases…"). People edit both by hand, so a malformed line is
 * skipped, not the file, and a last line without a newline is complete.
 */
import { cleanName } from "./clean_name.ts";
import { canonicalIp, canonicalMac, type FileName, type ParsedNameFile } from "./file_name.ts";

/** /etc/ethers: a MAC and its name per line; a line mapping a MAC to an address names nothing. */
export function parseEthers(text: string): ParsedNameFile {
  return parseLines(text, ([first, second]) => {
    const mac = canonicalMac(first);
    if (mac === null || second === undefined) return null;
    if (canonicalIp(second) !== null) return "unnamed";
    const name = cleanName(second);
    return name === null ? null : { mac, ip: null, name, holdsIp: false };
  });
}

/** /etc/hosts: an address and its canonical name (the first one) per line. */
export function parseHosts(text: string): ParsedNameFile {
  return parseLines(text, ([first, second]) => {
    const ip = canonicalIp(first);
    if (ip === null || second === undefined) return null;
    const name = cleanName(second);
    return name === null ? null : { mac: null, ip, name, holdsIp: true };
  });
}

function parseLines(
  text: string,
  nameOf: (fields: readonly string[]) => FileName | "unnamed" | null,
): ParsedNameFile {
  const names: FileName[] = [];
  let skipped = 0;
  for (const line of text.split("\n")) {
    const fields = line.replace(/#.*/, "").trim().split(/\s+/).filter((f) => f !== "");
    if (fields.length === 0) continue;
    const name = nameOf(fields);
    if (name === null) skipped++;
    else if (name !== "unnamed") names.push(name);
  }
  return { names, isComplete: !text.includes("\0"), skipped };
}
