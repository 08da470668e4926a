/**
 * Pure parsers of DHCP servers' lease files (DHCP_LEASES): dnsmasq's (OpenWrt /tmp/dhcp.leases, Debian
 * /var/lib/misc/dnsmasq.leases) and ISC dhcpd's dhcpd.leases. Both servers rewrite the file while netledger
 * may read it, so a text that ends inside a record is reported as incomplete rather than trusted.
 */
import { cleanName } from "./clean_name.ts";
import { canonicalIp, canonicalMac, type FileName, type ParsedNameFile } from "./file_name.ts";

/**
 * dnsmasq's lease file: "expiry mac ip hostname client-id" per IPv4 lease, "*" for no hostname; DHCPv6 leases
 * follow a "duid …" line with the IAID in place of the MAC, so they name an address only. dnsmasq ends
 * every line with a newline: a last line without one (or a NUL, as in a file being extended) is a rewrite in
 * progress.
 */
export function parseDnsmasqLeases(text: string): ParsedNameFile {
  const names: FileName[] = [];
  let skipped = 0;
  const lines = text.split("\n");
  const isComplete = !text.includes("\0") && lines.pop() === "";
  for (const line of lines) {
    const fields = line.trim().split(/\s+/);
    if (fields.length === 1 && fields[0] === "") continue;
    if (fields[0] === "duid" && fields.length === 2) continue;
    const ip = canonicalIp(fields[2] ?? "");
    if (fields.length < 4 || !/^\d+$/.test(fields[0]) || ip === null) {
      skipped++;
      continue;
    }
    const name = fields[3] === "*" ? null : cleanName(fields[3]);
    if (name !== null) names.push({ mac: canonicalMac(fields[1]), ip, name, holdsIp: true });
  }
  return { names, isComplete, skipped };
}

/**
 * ISC dhcpd's lease file: `lease <ip> { … }` blocks, appended as leases change, so a later block of a MAC
 * or address is newer. A block names its `hardware ethernet` with its `client-hostname`; it holds its
 * address only while its `binding state` is active (blocks without one, of old servers, count as active).
 * A text that ends inside a block or a string is a rewrite in progress.
 */
export function parseIscLeases(text: string): ParsedNameFile {
  const tokens = tokenize(text);
  if (tokens === null) return { names: [], isComplete: false, skipped: 0 };
  const names: FileName[] = [];
  let skipped = 0;
  let depth = 0;
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i];
    if (depth === 0 && token === "lease" && tokens[i + 2] === "{") {
      const end = blockEnd(tokens, i + 2);
      if (end < 0) return { names, isComplete: false, skipped };
      const lease = leaseOf(tokens[i + 1], tokens.slice(i + 3, end));
      if (lease === null) skipped++;
      else if (lease !== "unnamed") names.push(lease);
      i = end + 1;
      continue;
    }
    if (token === "{") depth++;
    if (token === "}") depth--;
    i++;
  }
  return { names, isComplete: depth === 0, skipped };
}

/** The name of one lease block's statements; "unnamed" without a hostname or MAC; null when malformed. */
function leaseOf(address: string, body: readonly string[]): FileName | "unnamed" | null {
  const ip = canonicalIp(address);
  if (ip === null) return null;
  let mac: string | null = null;
  let name: string | null = null;
  let holdsIp = true;
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    if (body[i] === "{") depth++;
    if (body[i] === "}") depth--;
    if (depth !== 0) continue;
    const statementStart = i === 0 || body[i - 1] === ";" || body[i - 1] === "}";
    if (!statementStart) continue;
    if (body[i] === "hardware" && body[i + 1] === "ethernet") mac = canonicalMac(body[i + 2] ?? "");
    if (body[i] === "client-hostname" && body[i + 1]?.startsWith('"')) {
      name = cleanName(unquote(body[i + 1]));
    }
    if (body[i] === "binding" && body[i + 1] === "state") holdsIp = body[i + 2] === "active";
  }
  if (name === null || (mac === null && !holdsIp)) return "unnamed";
  return { mac, ip, name, holdsIp };
}

/** Index of the "}" closing the block opened at `open`, or -1 when the text ends first. */
function blockEnd(tokens: readonly string[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (tokens[i] === "{") depth++;
    if (tokens[i] === "}" && --depth === 0) return i;
  }
  return -1;
}

/** Words, quoted strings (quotes kept), "{", "}" and ";"; comments dropped. Null inside an open string. */
function tokenize(text: string): string[] | null {
  const tokens: string[] = [];
  const TOKEN_REGEXP = /\s+|#[^\n]*|"(?:[^"\\]|\\.)*"|[{};]|[^\s{};"#]+|"/gy;
  for (let match = TOKEN_REGEXP.exec(text); match !== null; match = TOKEN_REGEXP.exec(text)) {
    const token = match[0];
    if (token === '"') return null;
    if (!/^\s/.test(token) && !token.startsWith("#")) tokens.push(token);
  }
  return text.includes("\0") ? null : tokens;
}

/** A dhcpd string's text: `\"`, `\\` and octal `\ooo` escapes decoded. */
function unquote(quoted: string): string {
  return quoted.slice(1, -1).replace(
    /\\([0-7]{1,3}|.)/g,
    (_, escaped: string) => /^[0-7]+$/.test(escaped) ? String.fromCharCode(parseInt(escaped, 8)) : escaped,
  );
}
