import assert from "node:assert/strict";
import * as K from "../ffi/mod.ts";
import { linkInfoFor, readLinkInfo } from "./link_info.ts";
import { LinkType } from "./link_type.ts";

const MATRIX: readonly {
  name: string;
  hardwareType: number;
  socketType: "raw" | "dgram";
  linkType: number;
}[] = [
  {
    name: "Ethernet NIC, veth, bridge, bond, VLAN sub-interface",
    hardwareType: K.ARPHRD_ETHER,
    socketType: "raw",
    linkType: LinkType.ETHERNET,
  },
  { name: "ppp0 / pppoe-wan", hardwareType: K.ARPHRD_PPP, socketType: "dgram", linkType: LinkType.RAW_IP },
  {
    name: "tun, WireGuard (no header)",
    hardwareType: K.ARPHRD_NONE,
    socketType: "dgram",
    linkType: LinkType.RAW_IP,
  },
  {
    name: "raw IP modem (rmnet)",
    hardwareType: K.ARPHRD_RAWIP,
    socketType: "dgram",
    linkType: LinkType.RAW_IP,
  },
  { name: "IPIP tunnel", hardwareType: K.ARPHRD_TUNNEL, socketType: "dgram", linkType: LinkType.RAW_IP },
  { name: "6in4 sit", hardwareType: K.ARPHRD_SIT, socketType: "dgram", linkType: LinkType.RAW_IP },
  { name: "GRE", hardwareType: K.ARPHRD_IPGRE, socketType: "dgram", linkType: LinkType.RAW_IP },
  { name: "loopback", hardwareType: K.ARPHRD_LOOPBACK, socketType: "dgram", linkType: LinkType.RAW_IP },
];

for (const row of MATRIX) {
  Deno.test(`linkInfoFor() captures ${row.name} with ${row.socketType}`, () => {
    const info = linkInfoFor("x0", row.hardwareType);
    assert.equal(info.socketType, row.socketType);
    assert.equal(info.linkType, row.linkType);
  });
}

Deno.test("readLinkInfo() reads the type of real interfaces from sysfs", () => {
  assert.equal(readLinkInfo("lo")?.hardwareType, K.ARPHRD_LOOPBACK);
  assert.equal(readLinkInfo("lo")?.socketType, "dgram");
});

Deno.test("readLinkInfo() returns null for an interface that does not exist", () => {
  assert.equal(readLinkInfo("nlabsent0"), null);
});

Deno.test("readLinkInfo() rejects names that are not interface names", () => {
  assert.throws(() => readLinkInfo("../etc"), SyntaxError);
  assert.throws(() => readLinkInfo("a name"), SyntaxError);
  assert.throws(() => readLinkInfo(""), SyntaxError);
});

Deno.test("readLinkInfo() reads a bridge and a WireGuard-like tun from a sysfs tree", () => {
  const root = Deno.makeTempDirSync();
  try {
    for (const [name, type] of [["br0", "1"], ["wg0", "65534"], ["ppp0", "512"]]) {
      Deno.mkdirSync(`${root}/${name}`);
      Deno.writeTextFileSync(`${root}/${name}/type`, `${type}\n`);
    }
    assert.equal(readLinkInfo("br0", root)?.linkType, LinkType.ETHERNET);
    assert.equal(readLinkInfo("wg0", root)?.socketType, "dgram");
    assert.equal(readLinkInfo("ppp0", root)?.linkType, LinkType.RAW_IP);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});
