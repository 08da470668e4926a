import assert from "node:assert/strict";
import { normalizeClientIp } from "./client_ip.ts";

const CASES: [string, string, string][] = [
  ["IPv4 stays", "192.168.1.10", "192.168.1.10"],
  ["IPv6 is lowercased", "FD00::ABCD", "fd00::abcd"],
  ["mihomo zone is stripped", "fe80::1%br-lan", "fe80::1"],
  ["dotted 4-in-6 is unwrapped", "::ffff:192.168.1.20", "192.168.1.20"],
  ["hex 4-in-6 is unwrapped", "::FFFF:C0A8:0114", "192.168.1.20"],
  ["EUI-64 source is kept as text", "fe80::21a:2bff:fe3c:4d5e", "fe80::21a:2bff:fe3c:4d5e"],
  ["empty stays empty", "", ""],
];

for (const [name, input, expected] of CASES) {
  Deno.test(`normalizeClientIp() ${name}`, () => assert.equal(normalizeClientIp(input), expected));
}
