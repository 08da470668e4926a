import assert from "node:assert/strict";
import {
  classifyPacket,
  compileLocalMatcher,
  Direction,
  isNeverPublicV4,
  isNeverPublicV6,
} from "./classify.ts";
import { parseIp } from "./ip_prefix.ts";
import { type LocalAddresses, resolveLocalAddresses } from "./local_addresses.ts";
import { ipPacket } from "../tests/helpers/frames.ts";

/** Host of the matrix: a router with a public WAN IPv4, a LAN IPv4 and an IPv6 GUA (auto /56 2001:db8:1:100::/56). */
const HOST = resolveLocalAddresses(["198.51.100.7", "192.168.1.1", "2001:db8:1:100::1", "fe80::1"], []);
const MANUAL = resolveLocalAddresses(["2001:db8:1:100::1"], ["2001:db8:1::/48"]);

function classify(src: string, dst: string, local: LocalAddresses = HOST): number {
  const packet = ipPacket({ src, dst });
  const isV4 = parseIp(src).family === 4;
  return classifyPacket(
    new DataView(packet.buffer),
    isV4 ? 12 : 8,
    isV4 ? 16 : 24,
    isV4 ? 4 : 6,
    compileLocalMatcher(local),
  );
}

const { UPLOAD, DOWNLOAD, IGNORED_LOCAL, IGNORED_PUBLIC } = Direction;

/** [name, source, destination, expected direction, local addresses (default HOST)]. */
const MATRIX: readonly (readonly [string, string, string, number, LocalAddresses?])[] = [
  // IPv4
  ["IPv4 private → public is upload", "192.168.1.20", "203.0.113.9", UPLOAD],
  ["IPv4 public → private is download", "203.0.113.9", "192.168.1.20", DOWNLOAD],
  ["IPv4 host's public address → public is upload", "198.51.100.7", "203.0.113.9", UPLOAD],
  ["IPv4 public → host's public address is download", "203.0.113.9", "198.51.100.7", DOWNLOAD],
  ["IPv4 private → private is ignored", "10.1.2.3", "192.168.1.20", IGNORED_LOCAL],
  ["IPv4 host's public address → private is ignored", "198.51.100.7", "192.168.1.20", IGNORED_LOCAL],
  ["IPv4 public → public (neither local) is ignored", "203.0.113.9", "192.0.2.33", IGNORED_PUBLIC],
  ["IPv4 172.16/12 → public is upload", "172.16.0.1", "203.0.113.9", UPLOAD],
  ["IPv4 public → 172.31.255.254 is download", "203.0.113.9", "172.31.255.254", DOWNLOAD],
  ["IPv4 loopback ↔ loopback is ignored", "127.0.0.1", "127.0.0.53", IGNORED_LOCAL],
  ["IPv4 link-local → public is upload", "169.254.10.1", "203.0.113.9", UPLOAD],
  ["IPv4 0.0.0.0 → broadcast (DHCP) is ignored", "0.0.0.0", "255.255.255.255", IGNORED_LOCAL],
  ["IPv4 mDNS from a LAN host is ignored (multicast fix)", "192.168.1.20", "224.0.0.251", IGNORED_LOCAL],
  ["IPv4 SSDP from a LAN host is ignored (multicast fix)", "192.168.1.20", "239.255.255.250", IGNORED_LOCAL],
  ["IPv4 multicast from the host's public address is ignored", "198.51.100.7", "224.0.0.1", IGNORED_LOCAL],
  ["IPv4 240/4 from a LAN host is ignored", "192.168.1.20", "240.0.0.1", IGNORED_LOCAL],
  ["IPv4 public → multicast is download", "203.0.113.9", "232.1.1.1", DOWNLOAD],
  // IPv6
  ["IPv6 ULA → public is upload", "fd00::20", "2001:db8:ff::9", UPLOAD],
  ["IPv6 public → ULA is download", "2001:db8:ff::9", "fd00::20", DOWNLOAD],
  ["IPv6 host's GUA → public is upload", "2001:db8:1:100::1", "2001:db8:ff::9", UPLOAD],
  ["IPv6 public → host's GUA is download", "2001:db8:ff::9", "2001:db8:1:100::1", DOWNLOAD],
  ["IPv6 LAN device in the host's /56 → public is upload", "2001:db8:1:1ff::20", "2001:db8:ff::9", UPLOAD],
  [
    "IPv6 public → LAN device in the host's /56 is download",
    "2001:db8:ff::9",
    "2001:db8:1:1ff::20",
    DOWNLOAD,
  ],
  [
    "IPv6 host ↔ LAN device in the same /56 is ignored",
    "2001:db8:1:100::1",
    "2001:db8:1:1ab::20",
    IGNORED_LOCAL,
  ],
  [
    "IPv6 two LAN devices in the same /56 is ignored",
    "2001:db8:1:101::20",
    "2001:db8:1:1fe::30",
    IGNORED_LOCAL,
  ],
  ["IPv6 host → neighbour's /56 of the same ISP is upload", "2001:db8:1:100::1", "2001:db8:1:200::5", UPLOAD],
  ["IPv6 public → public (neither local) is ignored", "2001:db8:1:200::5", "2001:db8:ff::9", IGNORED_PUBLIC],
  ["IPv6 ULA ↔ host's GUA is ignored", "fd00::20", "2001:db8:1:100::1", IGNORED_LOCAL],
  ["IPv6 link-local ↔ link-local is ignored", "fe80::1", "fe80::2", IGNORED_LOCAL],
  ["IPv6 link-local → public is upload", "fe80::abcd", "2001:db8:ff::9", UPLOAD],
  ["IPv6 loopback ↔ loopback is ignored", "::1", "::1", IGNORED_LOCAL],
  ["IPv6 :: → ff02::16 (MLD) is ignored", "::", "ff02::16", IGNORED_LOCAL],
  [
    "IPv6 mDNS from the host's GUA is ignored (multicast fix)",
    "2001:db8:1:100::1",
    "ff02::fb",
    IGNORED_LOCAL,
  ],
  ["IPv6 public → multicast is download", "2001:db8:ff::9", "ff0e::1", DOWNLOAD],
  ["IPv6 IPv4-mapped private → mapped public is upload", "::ffff:192.168.1.20", "::ffff:203.0.113.9", UPLOAD],
  ["IPv6 IPv4-mapped public → mapped private is download", "::ffff:203.0.113.9", "::ffff:10.0.0.2", DOWNLOAD],
  [
    "IPv6 IPv4-mapped host address → mapped public is upload",
    "::ffff:198.51.100.7",
    "::ffff:192.0.2.1",
    UPLOAD,
  ],
  [
    "IPv6 IPv4-mapped public ↔ mapped public is ignored",
    "::ffff:192.0.2.1",
    "::ffff:203.0.113.9",
    IGNORED_PUBLIC,
  ],
  [
    "IPv6 manual /48: host ↔ another /56 inside it is ignored",
    "2001:db8:1:100::1",
    "2001:db8:1:300::2",
    IGNORED_LOCAL,
    MANUAL,
  ],
  [
    "IPv6 manual /48: device inside it → public is upload",
    "2001:db8:1:300::2",
    "2001:db8:ff::9",
    UPLOAD,
    MANUAL,
  ],
  [
    "IPv6 manual /48: public → device inside it is download",
    "2001:db8:ff::9",
    "2001:db8:1:ff00::2",
    DOWNLOAD,
    MANUAL,
  ],
  [
    "IPv6 auto /56: another /56 of the same /48 is not local",
    "2001:db8:1:300::2",
    "2001:db8:ff::9",
    IGNORED_PUBLIC,
  ],
];

for (const [name, src, dst, expected, local] of MATRIX) {
  Deno.test(`classifyPacket() ${name}`, () => {
    assert.equal(classify(src, dst, local), expected);
  });
}

Deno.test("isNeverPublicV4() covers every never-public IPv4 range at both ends", () => {
  const edges = [
    "0.0.0.0",
    "0.255.255.255",
    "10.0.0.0",
    "10.255.255.255",
    "127.0.0.0",
    "127.255.255.255",
    "169.254.0.0",
    "169.254.255.255",
    "172.16.0.0",
    "172.31.255.255",
    "192.168.0.0",
    "192.168.255.255",
    "224.0.0.0",
    "239.255.255.255",
    "240.0.0.0",
    "255.255.255.255",
  ];
  for (const text of edges) assert.equal(isNeverPublicV4(parseIp(text).words[0]), true, text);
  for (const text of ["192.0.2.1", "198.51.100.255", "203.0.113.0"]) {
    assert.equal(isNeverPublicV4(parseIp(text).words[0]), false, text);
  }
});

Deno.test("isNeverPublicV6() covers every never-public IPv6 range at both ends", () => {
  const never = ["::", "::1", "fe80::", "febf:ffff::1", "fc00::", "fdff:ffff::1", "ff00::", "ff02::fb"];
  for (const text of never) assert.equal(isNeverPublicV6(...parseIp(text).words), true, text);
  for (const text of ["::2", "2001:db8::1", "2001:db8:ffff::"]) {
    assert.equal(isNeverPublicV6(...parseIp(text).words), false, text);
  }
});

Deno.test("compileLocalMatcher() throws a SyntaxError naming a bad host address", () => {
  assert.throws(
    () => compileLocalMatcher({ ips: ["192.0.2.300"], lanPrefixes: [], mode: "manual" }),
    (e) => e instanceof SyntaxError && e.message.includes('"192.0.2.300"'),
  );
});
