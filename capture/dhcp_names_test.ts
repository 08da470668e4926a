import assert from "node:assert/strict";
import fc from "fast-check";
import { buildFrame, feedFrame, ipPacket } from "../tests/helpers/frames.ts";
import {
  clientFqdnOption,
  dhcpMessage,
  DhcpMessageType,
  DhcpOption,
  dhcpPacket,
  hostNameOption,
} from "../tests/helpers/dhcp_frames.ts";
import { DhcpNames, MAX_DHCP_NAMES, readDhcpRequestName } from "./dhcp_names.ts";
import { TrafficPipeline } from "./traffic_pipeline.ts";

const MAC = "3c:22:fb:00:00:01";
const read = (message: Uint8Array, end = message.length) =>
  readDhcpRequestName(new DataView(message.buffer), 0, end)?.name ?? null;

/** Rows: name, message, the name read (null: none). */
const CASES: readonly (readonly [string, Uint8Array, string | null])[] = [
  [
    "a DISCOVER's host name",
    dhcpMessage({ mac: MAC, options: hostNameOption("Living-Room-TV") }),
    "Living-Room-TV",
  ],
  [
    "a REQUEST's host name",
    dhcpMessage({
      mac: MAC,
      messageType: DhcpMessageType.REQUEST,
      options: hostNameOption("pixel-7"),
    }),
    "pixel-7",
  ],
  [
    "an INFORM's host name",
    dhcpMessage({
      mac: MAC,
      messageType: DhcpMessageType.INFORM,
      options: hostNameOption("nas"),
    }),
    "nas",
  ],
  [
    "a client FQDN in DNS wire format",
    dhcpMessage({
      mac: MAC,
      options: clientFqdnOption("laptop.home.arpa", true),
    }),
    "laptop.home.arpa",
  ],
  [
    "a client FQDN in ASCII",
    dhcpMessage({ mac: MAC, options: clientFqdnOption("desk.lan", false) }),
    "desk.lan",
  ],
  [
    "the host name before the FQDN",
    dhcpMessage({
      mac: MAC,
      options: [...clientFqdnOption("other.lan", true), ...hostNameOption("first")],
    }),
    "first",
  ],
  ["a UTF-8 name", dhcpMessage({ mac: MAC, options: hostNameOption("Телефон-Маши") }), "Телефон-Маши"],
  [
    "a Latin-1 name",
    dhcpMessage({ mac: MAC, options: hostNameOption(new Uint8Array([0x43, 0x61, 0x66, 0xe9])) }),
    "Café",
  ],
  [
    "a name with control characters and HTML, as text",
    dhcpMessage({
      mac: MAC,
      options: hostNameOption("<b>tv</b>\u0000\u001b[31m\nx"),
    }),
    "<b>tv</b> [31m x",
  ],
  [
    "a 255-byte name, cut to 64 characters",
    dhcpMessage({ mac: MAC, options: hostNameOption("a".repeat(255)) }),
    "a"
      .repeat(64),
  ],
  [
    "the host name in `file` (option overload 1)",
    dhcpMessage({
      mac: MAC,
      options: [DhcpOption.OVERLOAD, 1, 1],
      file: [...hostNameOption("in-file"), DhcpOption.END],
    }),
    "in-file",
  ],
  [
    "the host name in `sname` (option overload 2)",
    dhcpMessage({
      mac: MAC,
      options: [DhcpOption.OVERLOAD, 1, 2],
      sname: [...hostNameOption("in-sname"), DhcpOption.END],
    }),
    "in-sname",
  ],
  [
    "no name from `file` without option overload",
    dhcpMessage({
      mac: MAC,
      file: [...hostNameOption("in-file"), DhcpOption.END],
    }),
    null,
  ],
  [
    "no name from an option that runs past the end of `sname`",
    dhcpMessage({
      mac: MAC,
      options: [DhcpOption.OVERLOAD, 1, 2],
      sname: [...new Array(60).fill(0), DhcpOption.HOST_NAME, 10, 0x61, 0x62],
    }),
    null,
  ],
  [
    "no name from an option whose length runs past the captured end",
    dhcpMessage({
      mac: MAC,
      options: [DhcpOption.HOST_NAME, 200, 0x61, 0x62],
      omitEnd: true,
      padToBytes: 0,
    }),
    null,
  ],
  ["no name from a reply", dhcpMessage({ mac: MAC, op: 2, options: hostNameOption("server") }), null],
  [
    "no name from a RELEASE",
    dhcpMessage({
      mac: MAC,
      messageType: DhcpMessageType.RELEASE,
      options: hostNameOption("tv"),
    }),
    null,
  ],
  [
    "no name without a message type (plain BOOTP)",
    dhcpMessage({
      mac: MAC,
      messageType: null,
      options: hostNameOption("tv"),
    }),
    null,
  ],
  [
    "no name from a group chaddr",
    dhcpMessage({ mac: "01:00:5e:00:00:01", options: hostNameOption("tv") }),
    null,
  ],
  [
    "no name from an all-zero chaddr",
    dhcpMessage({ mac: "00:00:00:00:00:00", options: hostNameOption("tv") }),
    null,
  ],
  [
    "no name that is only spaces and controls",
    dhcpMessage({ mac: MAC, options: hostNameOption(" \u0007 ") }),
    null,
  ],
  [
    "no name from an empty host name option",
    dhcpMessage({ mac: MAC, options: [DhcpOption.HOST_NAME, 0] }),
    null,
  ],
  [
    "no name from a broken FQDN label",
    dhcpMessage({
      mac: MAC,
      options: [DhcpOption.CLIENT_FQDN, 6, 0x05, 0, 0, 9, 0x61, 0x62],
    }),
    null,
  ],
];

for (const [name, message, expected] of CASES) {
  Deno.test(`readDhcpRequestName() reads ${name}`, () => {
    assert.equal(read(message), expected);
  });
}

Deno.test("readDhcpRequestName() keys the name by chaddr, lower case", () => {
  const message = dhcpMessage({ mac: "3C:22:FB:0A:0B:0C", options: hostNameOption("tv") });
  assert.deepEqual(readDhcpRequestName(new DataView(message.buffer), 0, message.length), {
    deviceKey: "3c:22:fb:0a:0b:0c",
    name: "tv",
  });
});

Deno.test("readDhcpRequestName() never throws on random or mutated messages, and names only requests", () => {
  const seed = Number(Deno.env.get("FUZZ_SEED") ?? Date.now() % 2 ** 31);
  console.log(`FUZZ_SEED=${seed}`);
  const base = dhcpMessage({
    mac: MAC,
    options: [DhcpOption.OVERLOAD, 1, 3, ...hostNameOption("x".repeat(40))],
    file: hostNameOption("f"),
    sname: clientFqdnOption("s.lan", true),
  });
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 30 }),
      fc.nat(base.length),
      fc.uint8Array({ maxLength: 600 }),
      fc.boolean(),
      (edits, end, random, useRandom) => {
        const bytes = useRandom ? random : base.slice();
        if (!useRandom) { for (const [at, value] of edits) bytes[at] = value; }
        const found = readDhcpRequestName(new DataView(bytes.buffer), 0, Math.min(end, bytes.length));
        return found === null || (bytes[0] === 1 && found.name.length <= 64 && found.name.length > 0);
      },
    ),
    { seed, numRuns: 3000 },
  );
});

const DHCP_FRAME = buildFrame(
  "ethernet",
  dhcpPacket(dhcpMessage({ mac: MAC, options: hostNameOption("tv") })),
  { src: MAC, dst: "ff:ff:ff:ff:ff:ff" },
);
const PUBLIC_FRAME = buildFrame(
  "ethernet",
  ipPacket({ src: "192.168.1.20", dst: "203.0.113.9", payloadBytes: 100 }),
  { src: MAC, dst: "02:00:00:00:00:01" },
);

Deno.test("TrafficPipeline hands a DHCP name over with the first drain in which its device has traffic", () => {
  const pipeline = new TrafficPipeline({
    localAddresses: { ips: [], lanPrefixes: [], mode: "auto-gua-/56" },
  });
  feedFrame(pipeline, DHCP_FRAME, 1_000);
  const before = pipeline.drain();
  assert.deepEqual(before.dhcpNames, []);
  assert.equal(before.traffic.length, 0, "a DHCP request to the broadcast address is not public traffic");
  feedFrame(pipeline, PUBLIC_FRAME, 1_001);
  assert.deepEqual(pipeline.drain().dhcpNames, [{ deviceKey: MAC, name: "tv" }]);
  feedFrame(pipeline, DHCP_FRAME, 1_002);
  feedFrame(pipeline, PUBLIC_FRAME, 1_003);
  assert.deepEqual(pipeline.drain().dhcpNames, [], "an unchanged name is handed over once");
});

Deno.test("TrafficPipeline reads DHCP names behind an 802.1Q tag and from a relay (port 67 → 67)", () => {
  const pipeline = new TrafficPipeline();
  const relayed = dhcpPacket(dhcpMessage({ mac: MAC, options: hostNameOption("relayed") }), {
    src: "192.168.2.1",
    dst: "192.168.1.1",
    sport: 67,
  });
  feedFrame(pipeline, buildFrame("vlan", relayed, { src: MAC, dst: "02:00:00:00:00:01" }), 1_000);
  feedFrame(pipeline, PUBLIC_FRAME, 1_001);
  assert.deepEqual(pipeline.drain().dhcpNames, [{ deviceKey: MAC, name: "relayed" }]);
});

Deno.test("TrafficPipeline counts no DHCP names when it counts no devices", () => {
  const pipeline = new TrafficPipeline({ countsDevices: false });
  feedFrame(pipeline, DHCP_FRAME, 1_000);
  feedFrame(pipeline, PUBLIC_FRAME, 1_001);
  assert.deepEqual(pipeline.drain().dhcpNames, []);
});

Deno.test("DhcpNames holds at most MAX_DHCP_NAMES names, forgetting the oldest", () => {
  const names = new DhcpNames();
  const keys: string[] = [];
  for (let i = 0; i <= MAX_DHCP_NAMES; i++) {
    const mac = `02:00:00:00:${(i >> 8).toString(16).padStart(2, "0")}:${
      (i & 255).toString(16).padStart(2, "0")
    }`;
    keys.push(mac);
    const packet = dhcpPacket(dhcpMessage({ mac, options: hostNameOption(`d${i}`) }));
    names.observeIpv4(new DataView(packet.buffer), 0, 17, 20, packet.length);
  }
  const drained = names.drain(keys);
  assert.equal(drained.length, MAX_DHCP_NAMES);
  assert.equal(drained[0].deviceKey, keys[1], "the first name was forgotten");
});
