import assert from "node:assert/strict";
import { parseDnsmasqLeases, parseIscLeases } from "./parse_leases.ts";

/** A dnsmasq lease file as OpenWrt writes it: IPv4 leases, then the server's DUID and DHCPv6 leases. */
const DNSMASQ = [
  "1764885600 3c:22:fb:00:00:07 192.0.2.10 anna-phone 01:3c:22:fb:00:00:07",
  "1764885700 02:11:22:33:44:55 192.0.2.11 * *",
  "1764885800 00:1b:63:00:00:09 192.0.2.12 living-room-tv *",
  "duid 00:01:00:01:2c:aa:bb:cc:00:1b:63:00:00:01",
  "1764885900 187324 2001:db8::10 anna-laptop 00:01:00:01:2c:aa:bb:cc:3c:22:fb:00:00:08",
  "",
].join("\n");

Deno.test("parseDnsmasqLeases() table: real-format lines, garbage and rewrites in progress", () => {
  const cases: { name: string; text: string; names: string[]; isComplete: boolean; skipped: number }[] = [
    {
      name: "OpenWrt file with a DHCPv6 lease and a lease without hostname",
      text: DNSMASQ,
      names: [
        "3c:22:fb:00:00:07 192.0.2.10 anna-phone",
        "00:1b:63:00:00:09 192.0.2.12 living-room-tv",
        "- 2001:db8::10 anna-laptop",
      ],
      isComplete: true,
      skipped: 0,
    },
    { name: "empty file", text: "", names: [], isComplete: true, skipped: 0 },
    {
      name: "cut in the middle of a line (dnsmasq rewriting it)",
      text: DNSMASQ.slice(0, 100),
      names: ["3c:22:fb:00:00:07 192.0.2.10 anna-phone"],
      isComplete: false,
      skipped: 0,
    },
    {
      name: "NUL bytes of a file being extended",
      text: DNSMASQ.slice(0, 74) + "\0\0\0\n",
      names: ["3c:22:fb:00:00:07 192.0.2.10 anna-phone"],
      isComplete: false,
      skipped: 1,
    },
    {
      name: "garbled lines are skipped",
      text: "not a lease\n17648 3c:22:fb:00:00:07 192.0.2.300 x *\nabc 3c:22:fb:00:00:07 192.0.2.1 y *\n",
      names: [],
      isComplete: true,
      skipped: 3,
    },
    {
      name: "control characters and HTML stay printable text",
      text: "1764885600 3c:22:fb:00:00:07 192.0.2.10 <b>tv</b>\u0007\u001b[31m *\n",
      names: ["3c:22:fb:00:00:07 192.0.2.10 <b>tv</b> [31m"],
      isComplete: true,
      skipped: 0,
    },
    {
      name: "a 10 KB hostname keeps 64 characters",
      text: `1764885600 3c:22:fb:00:00:07 192.0.2.10 ${"x".repeat(10_240)} *\n`,
      names: [`3c:22:fb:00:00:07 192.0.2.10 ${"x".repeat(64)}`],
      isComplete: true,
      skipped: 0,
    },
  ];
  for (const c of cases) {
    const parsed = parseDnsmasqLeases(c.text);
    assert.deepEqual(parsed.names.map((n) => `${n.mac ?? "-"} ${n.ip} ${n.name}`), c.names, c.name);
    assert.equal(parsed.isComplete, c.isComplete, c.name);
    assert.equal(parsed.skipped, c.skipped, c.name);
  }
});

/** An ISC dhcpd.leases as dhcpd 4.4 writes it: a header, the server DUID, leases appended as they change. */
const ISC = `# The format of this file is documented in the dhcpd.leases(5) manual page.
# This lease file was written by isc-dhcp-4.4.3

# authoring-byte-order entry is generated, DO NOT DELETE
authoring-byte-order little-endian;

server-duid "\\000\\001\\000\\001,\\252\\273\\314\\000\\033c\\000\\000\\001";

lease 192.0.2.20 {
  starts 3 2026/12/02 09:00:00;
  ends 3 2026/12/02 21:00:00;
  cltt 3 2026/12/02 09:00:00;
  binding state active;
  next binding state free;
  rewind binding state free;
  hardware ethernet 3c:22:fb:00:00:20;
  uid "\\001<\\"\\373\\000\\000 ";
  set vendor-class-identifier = "android-dhcp-14";
  client-hostname "old-name";
}
lease 192.0.2.21 {
  starts 3 2026/12/02 10:00:00;
  ends 3 2026/12/02 11:00:00;
  binding state free;
  hardware ethernet 00:1b:63:00:00:21;
  client-hostname "printer";
}
lease 192.0.2.20 {
  starts 4 2026/12/03 09:00:00;
  ends 4 2026/12/03 21:00:00;
  binding state active;
  hardware ethernet 3c:22:fb:00:00:20;
  client-hostname "Anna\\"s \\{phone\\}\\011";
}
lease 192.0.2.22 {
  binding state active;
  hardware ethernet 00:1b:63:00:00:22;
}
`;

Deno.test("parseIscLeases() table: blocks, escapes, states and rewrites in progress", () => {
  const cases: { name: string; text: string; names: string[]; isComplete: boolean }[] = [
    {
      name:
        "dhcpd 4.4 file: every named block in file order, free leases keep their MAC but not their address",
      text: ISC,
      names: [
        "3c:22:fb:00:00:20 192.0.2.20 holds old-name",
        "00:1b:63:00:00:21 192.0.2.21 free printer",
        '3c:22:fb:00:00:20 192.0.2.20 holds Anna"s {phone}',
      ],
      isComplete: true,
    },
    {
      name: "cut inside a block",
      text: ISC.slice(0, ISC.indexOf("hardware ethernet 00:1b:63:00:00:21")),
      names: ["3c:22:fb:00:00:20 192.0.2.20 holds old-name"],
      isComplete: false,
    },
    {
      name: "cut inside a string",
      text: ISC.slice(0, ISC.indexOf('"printer"') + 4),
      names: [],
      isComplete: false,
    },
    {
      name: "a 10 KB hostname with control characters keeps 64 printable characters",
      text: `lease 192.0.2.30 {\n  hardware ethernet 3c:22:fb:00:00:30;\n  client-hostname "\\033\\a${
        "y".repeat(10_240)
      }";\n}\n`,
      names: [`3c:22:fb:00:00:30 192.0.2.30 holds a${"y".repeat(63)}`],
      isComplete: true,
    },
    { name: "empty file", text: "", names: [], isComplete: true },
  ];
  for (const c of cases) {
    const parsed = parseIscLeases(c.text);
    assert.deepEqual(
      parsed.names.map((n) => `${n.mac} ${n.ip} ${n.holdsIp ? "holds" : "free"} ${n.name}`),
      c.names,
      c.name,
    );
    assert.equal(parsed.isComplete, c.isComplete, c.name);
  }
});

Deno.test("parseIscLeases() skips a block whose address is not one", () => {
  const parsed = parseIscLeases('lease 192.0.2.999 {\n  client-hostname "x";\n}\n');
  assert.deepEqual(parsed.names, []);
  assert.equal(parsed.skipped, 1);
});
