import assert from "node:assert/strict";
import { fakeInterfaces } from "./_fake_kernel.ts";
import {
  defaultRouteInterface,
  InterfaceWatch,
  ipv4DefaultRoute,
  ipv6DefaultRoute,
} from "./interface_watch.ts";

const ROUTE = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
wan1\t00000000\t010200C0\t0003\t0\t0\t200\t00000000\t0\t0\t0
eth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0
eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
`;
const IPV6_ROUTE = [
  "20010db8000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth1",
  "00000000000000000000000000000000 00 00000000000000000000000000000000 00 20010db8000000000000000000000001 00000400 00000002 00000000 00000003    ppp0",
  "00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo",
].join("\n");

Deno.test("ipv4DefaultRoute() picks the default route with the lowest metric", () => {
  assert.equal(ipv4DefaultRoute(ROUTE), "eth0");
});

Deno.test("ipv4DefaultRoute() returns null without a default route", () => {
  assert.equal(ipv4DefaultRoute(ROUTE.split("\n").filter((l) => !l.includes("010200C0")).join("\n")), null);
});

Deno.test("ipv6DefaultRoute() skips the kernel's reject route on lo", () => {
  assert.equal(ipv6DefaultRoute(IPV6_ROUTE), "ppp0");
  assert.equal(ipv6DefaultRoute(IPV6_ROUTE.split("\n").filter((l) => !l.includes("ppp0")).join("\n")), null);
});

Deno.test("defaultRouteInterface() falls back to IPv6 when IPv4 has no default route", () => {
  const files: Record<string, string> = {
    "/proc/net/route": ROUTE.split("\n")[0],
    "/proc/net/ipv6_route": IPV6_ROUTE,
  };
  assert.equal(defaultRouteInterface((p) => files[p]), "ppp0");
});

Deno.test("InterfaceWatch.refresh() derives the auto /56 and logs only changes", () => {
  const lines: string[] = [];
  let entries: [string, string][] = [["eth0", "192.0.2.10"], ["eth0", "2001:db8:1:2a::10"], [
    "lo",
    "127.0.0.1",
  ]];
  const watch = new InterfaceWatch({
    iface: "eth0",
    excludeIpv6Prefixes: [],
    log: (l) => lines.push(l),
    listInterfaces: () => fakeInterfaces(entries)(),
  });
  const first = watch.refresh();
  assert.deepEqual(first, {
    ips: ["192.0.2.10", "2001:db8:1:2a::10"],
    lanPrefixes: ["2001:db8:1::/56"],
    mode: "auto-gua-/56",
  });
  assert.equal(watch.refresh(), null, "unchanged");
  entries = [["eth0", "192.0.2.10"], ["eth0", "2001:db8:2:2a::10"]];
  assert.deepEqual(watch.refresh()?.lanPrefixes, ["2001:db8:2::/56"]);
  assert.equal(watch.refresh(), null, "unchanged again");
  assert.equal(lines.length, 2);
  assert.match(lines[1], /2001:db8:2::\/56/);
});

Deno.test("InterfaceWatch.refresh() keeps manual EXCLUDE_IPV6_PREFIX over auto detection", () => {
  const watch = new InterfaceWatch({
    iface: "eth0",
    excludeIpv6Prefixes: ["2001:db8:ff::/48"],
    log: () => {},
    listInterfaces: fakeInterfaces([["eth0", "2001:db8:1:2a::10"]]),
  });
  assert.deepEqual(watch.refresh(), {
    ips: ["2001:db8:1:2a::10"],
    lanPrefixes: ["2001:db8:ff::/48"],
    mode: "manual",
  });
});
