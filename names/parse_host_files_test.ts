import assert from "node:assert/strict";
import { parseEthers, parseHosts } from "./parse_host_files.ts";

Deno.test("parseEthers() table: ethers(5) lines, comments, MAC spellings and bad lines", () => {
  const text = [
    "# /etc/ethers: static names",
    "3c:22:fb:00:00:07   anna-phone   # her phone",
    "8:0:20:1:2:3\tsun-box",
    "00-1B-63-00-00-09 living-room-tv",
    "00:1b:63:00:00:0a 192.0.2.10",
    "zz:1b:63:00:00:0b broken",
    "00:1b:63:00:00:0c",
    `00:1b:63:00:00:0d ${"n".repeat(10_240)}`,
    "00:1b:63:00:00:0e last-line-without-newline",
  ].join("\n");
  const parsed = parseEthers(text);
  assert.deepEqual(parsed.names.map((n) => `${n.mac} ${n.name}`), [
    "3c:22:fb:00:00:07 anna-phone",
    "08:00:20:01:02:03 sun-box",
    "00:1b:63:00:00:09 living-room-tv",
    `00:1b:63:00:00:0d ${"n".repeat(64)}`,
    "00:1b:63:00:00:0e last-line-without-newline",
  ]);
  assert.equal(parsed.skipped, 2);
  assert.equal(parsed.isComplete, true);
});

Deno.test("parseHosts() table: the canonical name of each address, IPv6 in the capture's spelling", () => {
  const text = [
    "127.0.0.1\tlocalhost",
    "192.0.2.5   nas.lan nas   # the NAS",
    "2001:DB8:0:0::0:10 anna-laptop",
    "192.0.2.256 bad-address",
    "192.0.2.6",
    "192.0.2.7 \u0007\u0008",
    "",
  ].join("\n");
  const parsed = parseHosts(text);
  assert.deepEqual(parsed.names.map((n) => `${n.ip} ${n.name}`), [
    "127.0.0.1 localhost",
    "192.0.2.5 nas.lan",
    "2001:db8::10 anna-laptop",
  ]);
  assert.equal(parsed.skipped, 3);
});
