import assert from "node:assert/strict";
import { LinkType } from "./link_type.ts";
import { MAX_LINK_TRAILER_BYTES, ParsedFrame, parseFrame, ParseOutcome } from "./parse_frame.ts";
import {
  arpFrame,
  buildFrame,
  type Encapsulation,
  ethernetFrame,
  EtherType,
  extendFrame,
  type Frame,
  frameOf,
  frameView,
  ipPacket,
  snapFrame,
  truncateFrame,
} from "../tests/helpers/frames.ts";

function parse(frame: Frame): { outcome: number; parsed: ParsedFrame } {
  const parsed = new ParsedFrame();
  const outcome = parseFrame(
    frameView(frame),
    0,
    frame.bytes.length,
    frame.originalLen,
    frame.linkType,
    parsed,
  );
  return { outcome, parsed };
}

const V4 = ipPacket({ src: "192.168.1.20", dst: "203.0.113.9", payloadBytes: 300 });
const V6 = ipPacket({ src: "2001:db8:1:100::20", dst: "2001:db8:ff::9", payloadBytes: 300 });
const ENCAPSULATIONS: readonly Encapsulation[] = [
  "ethernet",
  "vlan",
  "qinq",
  "pppoe",
  "vlan-pppoe",
  "sll",
  "sll2",
  "raw",
  "ppp",
  "ppp-hdlc",
  "null",
];

for (const encapsulation of ENCAPSULATIONS) {
  for (
    const [name, packet, outcome] of [["IPv4", V4, ParseOutcome.IPV4], [
      "IPv6",
      V6,
      ParseOutcome.IPV6,
    ]] as const
  ) {
    Deno.test(`parseFrame() finds the ${name} header in a ${encapsulation} frame and counts its IP length`, () => {
      const frame = buildFrame(encapsulation, packet);
      const { outcome: found, parsed } = parse(frame);
      assert.equal(found, outcome);
      assert.equal(parsed.ipBytes, packet.length);
      assert.equal(parsed.ipOffset, frame.bytes.length - packet.length);
      const addressBytes = name === "IPv4" ? 4 : 16;
      const srcAt = name === "IPv4" ? 12 : 8;
      assert.deepEqual(
        frame.bytes.subarray(parsed.srcOffset, parsed.srcOffset + addressBytes),
        packet.subarray(srcAt, srcAt + addressBytes),
      );
      assert.deepEqual(
        frame.bytes.subarray(parsed.dstOffset, parsed.dstOffset + addressBytes),
        packet.subarray(srcAt + addressBytes, srcAt + 2 * addressBytes),
      );
    });
  }
}

interface Row {
  readonly name: string;
  readonly frame: Frame;
  readonly outcome: number;
  /** Expected counted bytes when the outcome is IPv4/IPv6. */
  readonly ipBytes?: number;
}

const small = ipPacket({ src: "10.0.0.2", dst: "198.51.100.1", payloadBytes: 8 });
const big = ipPacket({ src: "10.0.0.2", dst: "198.51.100.1", payloadBytes: 1480 });
const superV4 = ipPacket({ src: "10.0.0.2", dst: "198.51.100.1", payloadBytes: 70_000, lengthField: 0 });
const superV6 = ipPacket({ src: "fd00::2", dst: "2001:db8::1", payloadBytes: 70_000, lengthField: 0 });
const shortFieldV4 = ipPacket({
  src: "10.0.0.2",
  dst: "198.51.100.1",
  payloadBytes: 60_000,
  lengthField: 1500,
});
const emptyV6 = ipPacket({ src: "fd00::2", dst: "2001:db8::1", payloadBytes: 0 });

const ROWS: readonly Row[] = [
  {
    name: "does not count Ethernet padding of a short IPv4 packet",
    frame: buildFrame("ethernet", small),
    outcome: ParseOutcome.IPV4,
    ipBytes: 28,
  },
  {
    name: "counts the IP length of a frame cut by a 128-byte snap length",
    frame: snapFrame(buildFrame("ethernet", big), 128),
    outcome: ParseOutcome.IPV4,
    ipBytes: 1500,
  },
  {
    name: "counts an IPv4 header with options",
    frame: buildFrame(
      "ethernet",
      ipPacket({ src: "10.0.0.2", dst: "198.51.100.1", ihl: 6, payloadBytes: 10 }),
    ),
    outcome: ParseOutcome.IPV4,
    ipBytes: 34,
  },
  {
    name: "counts an IPv6 packet with an empty payload",
    frame: buildFrame("raw", emptyV6),
    outcome: ParseOutcome.IPV6,
    ipBytes: 40,
  },
  {
    name: "counts an IPv4 super-packet with total length 0 from the original length",
    frame: snapFrame(buildFrame("ethernet", superV4), 128),
    outcome: ParseOutcome.IPV4,
    ipBytes: superV4.length,
  },
  {
    name: "counts an IPv6 super-packet with payload length 0 from the original length",
    frame: snapFrame(buildFrame("vlan", superV6), 128),
    outcome: ParseOutcome.IPV6,
    ipBytes: superV6.length,
  },
  {
    name: "counts an IPv4 packet whose length field is smaller than its payload from the original length",
    frame: buildFrame("sll", shortFieldV4),
    outcome: ParseOutcome.IPV4,
    ipBytes: shortFieldV4.length,
  },
  {
    name: "treats a trailer of MAX_LINK_TRAILER_BYTES as link framing",
    frame: extendFrame(buildFrame("raw", big), MAX_LINK_TRAILER_BYTES),
    outcome: ParseOutcome.IPV4,
    ipBytes: 1500,
  },
  {
    name: "treats a longer trailer as a super-packet",
    frame: extendFrame(buildFrame("raw", big), MAX_LINK_TRAILER_BYTES + 1),
    outcome: ParseOutcome.IPV4,
    ipBytes: 1500 + MAX_LINK_TRAILER_BYTES + 1,
  },
  { name: "ignores ARP", frame: arpFrame(), outcome: ParseOutcome.NOT_IP },
  {
    name: "ignores LLDP",
    frame: ethernetFrame(EtherType.LLDP, new Uint8Array(40)),
    outcome: ParseOutcome.NOT_IP,
  },
  {
    name: "ignores PPPoE discovery",
    frame: ethernetFrame(EtherType.PPPOE_DISCOVERY, new Uint8Array([0x11, 0x09, 0, 0, 0, 0])),
    outcome: ParseOutcome.NOT_IP,
  },
  {
    name: "ignores a PPPoE session frame carrying LCP",
    frame: ethernetFrame(
      EtherType.PPPOE_SESSION,
      new Uint8Array([0x11, 0, 0, 1, 0, 6, 0xc0, 0x21, 1, 1, 0, 4]),
    ),
    outcome: ParseOutcome.NOT_IP,
  },
  {
    name: "ignores an 802.3 length frame",
    frame: ethernetFrame(0x0026, new Uint8Array(38)),
    outcome: ParseOutcome.NOT_IP,
  },
  {
    name: "ignores a link type it does not know",
    frame: frameOf(V4, 147),
    outcome: ParseOutcome.UNSUPPORTED_LINK,
  },
  {
    name: "counts an empty frame as malformed",
    frame: frameOf(new Uint8Array(0), LinkType.ETHERNET),
    outcome: -1,
  },
  {
    name: "counts a frame shorter than an Ethernet header as malformed",
    frame: truncateFrame(buildFrame("ethernet", V4), 13),
    outcome: ParseOutcome.MALFORMED,
  },
  {
    name: "counts a truncated IPv4 header as malformed",
    frame: truncateFrame(buildFrame("ethernet", V4), 14 + 19),
    outcome: ParseOutcome.MALFORMED,
  },
  {
    name: "counts a truncated IPv6 header as malformed",
    frame: truncateFrame(buildFrame("ethernet", V6), 14 + 39),
    outcome: ParseOutcome.MALFORMED,
  },
  {
    name: "counts a snap length that cuts the IPv6 header as malformed",
    frame: snapFrame(buildFrame("qinq", V6), 18 + 30),
    outcome: ParseOutcome.MALFORMED,
  },
  {
    name: "counts an IPv4 total length beyond the frame as malformed",
    frame: truncateFrame(buildFrame("ethernet", V4), 14 + 200),
    outcome: ParseOutcome.MALFORMED,
  },
  {
    name: "counts an IPv6 payload length beyond the frame as malformed",
    frame: truncateFrame(buildFrame("sll2", V6), 20 + 200),
    outcome: ParseOutcome.MALFORMED,
  },
  {
    name: "counts IHL < 5 as malformed",
    frame: buildFrame("ethernet", ipPacket({ src: "10.0.0.2", dst: "198.51.100.1", ihl: 4 })),
    outcome: ParseOutcome.MALFORMED,
  },
  {
    name: "counts a total length shorter than the header as malformed",
    frame: buildFrame("ethernet", ipPacket({ src: "10.0.0.2", dst: "198.51.100.1", lengthField: 19 })),
    outcome: ParseOutcome.MALFORMED,
  },
  {
    name: "counts a bad IP version as malformed",
    frame: buildFrame("raw", ipPacket({ src: "10.0.0.2", dst: "198.51.100.1", version: 5 })),
    outcome: ParseOutcome.MALFORMED,
  },
  {
    name: "counts an IPv6 header behind the IPv4 EtherType as malformed",
    frame: ethernetFrame(EtherType.IPV4, V6),
    outcome: ParseOutcome.MALFORMED,
  },
  {
    name: "counts an IPv6 packet on the raw-IPv4 link type as malformed",
    frame: frameOf(V6, LinkType.RAW_IPV4),
    outcome: ParseOutcome.MALFORMED,
  },
  {
    name: "counts a truncated VLAN tag as malformed",
    frame: truncateFrame(ethernetFrame(EtherType.IPV4, new Uint8Array(0), [[EtherType.VLAN, 1]]), 16),
    outcome: ParseOutcome.MALFORMED,
  },
  {
    name: "counts a PPPoE header with a bad version as malformed",
    frame: ethernetFrame(EtherType.PPPOE_SESSION, new Uint8Array([0x21, 0, 0, 1, 0, 6, 0, 0x21])),
    outcome: ParseOutcome.MALFORMED,
  },
];

for (const row of ROWS) {
  Deno.test(`parseFrame() ${row.name}`, () => {
    const { outcome, parsed } = parse(row.frame);
    assert.equal(outcome, row.outcome);
    if (row.ipBytes !== undefined) assert.equal(parsed.ipBytes, row.ipBytes);
  });
}

Deno.test("parseFrame() reads a frame at an offset inside a larger buffer", () => {
  const frame = buildFrame("vlan", V6);
  const buffer = new Uint8Array(1000);
  buffer.set(frame.bytes, 321);
  const parsed = new ParsedFrame();
  const outcome = parseFrame(
    new DataView(buffer.buffer),
    321,
    frame.bytes.length,
    frame.originalLen,
    1,
    parsed,
  );
  assert.equal(outcome, ParseOutcome.IPV6);
  assert.equal(parsed.ipOffset, 321 + 18);
  assert.equal(parsed.ipBytes, V6.length);
});

Deno.test("parseFrame() counts lengths outside the view as malformed instead of throwing", () => {
  const view = frameView(buildFrame("ethernet", V4));
  const parsed = new ParsedFrame();
  assert.equal(
    parseFrame(view, 0, view.byteLength + 1, view.byteLength + 1, 1, parsed),
    ParseOutcome.MALFORMED,
  );
  assert.equal(parseFrame(view, -1, 20, 20, 1, parsed), ParseOutcome.MALFORMED);
  assert.equal(parseFrame(view, 0, NaN, 60, 1, parsed), ParseOutcome.MALFORMED);
});

Deno.test("parseFrame() reads BSD loopback headers in either byte order", () => {
  const header = new Uint8Array([0, 0, 0, 2]);
  const frame = frameOf(new Uint8Array([...header, ...V4]), LinkType.LOOP);
  assert.equal(parse(frame).outcome, ParseOutcome.IPV4);
  assert.equal(
    parse(frameOf(new Uint8Array([0, 0, 0, 99, ...V4]), LinkType.NULL)).outcome,
    ParseOutcome.NOT_IP,
  );
});
