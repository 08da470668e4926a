import assert from "node:assert/strict";
import { autoLanPrefixes, resolveLocalAddresses } from "./local_addresses.ts";

Deno.test("autoLanPrefixes() takes the /56 of each global unicast address once", () => {
  const ips = [
    "192.0.2.10",
    "fe80::1",
    "fd00::5",
    "2001:db8:1:1ab::5",
    "2001:db8:1:100::1",
    "2001:db8:2::9",
    "::1",
  ];
  assert.deepEqual(autoLanPrefixes(ips), ["2001:db8:1:100::/56", "2001:db8:2::/56"]);
});

Deno.test("resolveLocalAddresses() uses auto /56 prefixes without manual ones", () => {
  assert.deepEqual(resolveLocalAddresses(["2001:DB8:1:100:0::1", "192.0.2.10"], []), {
    ips: ["2001:db8:1:100::1", "192.0.2.10"],
    lanPrefixes: ["2001:db8:1:100::/56"],
    mode: "auto-gua-/56",
  });
});

Deno.test("resolveLocalAddresses() lets manual prefixes replace auto detection", () => {
  assert.deepEqual(resolveLocalAddresses(["2001:db8:1:100::1"], ["2001:db8:1::5/48", "2001:db8:9::/64"]), {
    ips: ["2001:db8:1:100::1"],
    lanPrefixes: ["2001:db8:1::/48", "2001:db8:9::/64"],
    mode: "manual",
  });
});

Deno.test("resolveLocalAddresses() throws a SyntaxError naming a bad prefix", () => {
  assert.throws(
    () => resolveLocalAddresses([], ["2001:db8::/200"]),
    (e) => e instanceof SyntaxError && e.message.includes('"2001:db8::/200"'),
  );
});
