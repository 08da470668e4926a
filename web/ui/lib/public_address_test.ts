import assert from "node:assert/strict";
import { isPublicAddress } from "./public_address.ts";

Deno.test("isPublicAddress() tells documentation and global addresses from private, loopback and link-local", () => {
  const table: [string, boolean][] = [
    ["203.0.113.7", true],
    ["198.51.100.1", true],
    ["100.64.0.1", true], // carrier-grade NAT: counted as public by capture/classify.ts too
    ["172.32.0.1", true],
    ["2001:db8::1", true],
    ["::ffff:203.0.113.7", true],
    ["10.0.0.1", false],
    ["172.16.0.1", false],
    ["172.31.255.255", false],
    ["192.168.7.2", false],
    ["127.0.0.1", false],
    ["169.254.1.1", false],
    ["0.0.0.0", false],
    ["224.0.0.251", false],
    ["::1", false],
    ["::", false],
    ["fe80::1", false],
    ["febf::1", false],
    ["fd12:3456::1", false],
    ["fc00::1", false],
    ["ff02::1", false],
    ["::ffff:192.168.1.1", false],
    ["eth0", false],
  ];
  for (const [ip, isPublic] of table) assert.equal(isPublicAddress(ip), isPublic, ip);
});
