import assert from "node:assert/strict";
import type { TopIpJson } from "../api.ts";
import { addressSortKey, otherRemotes, rankRemotes } from "./rank_remotes.ts";

function row(ip: string, up: number, down: number): TopIpJson {
  return { ip, bytes: up + down, bytes_fmt: "", up_bytes: up, down_bytes: down };
}

/** In the server's order: heaviest total first. */
const ROWS = [
  row("203.0.113.9", 100, 900),
  row("2001:db8::a", 700, 200),
  row("203.0.113.10", 50, 500),
  row("198.51.100.1", 500, 40),
];

const ips = (ranked: ReturnType<typeof rankRemotes>) => ranked.map((r) => `${r.rank} ${r.row.ip}`);

Deno.test("rankRemotes() sorts by each column in both directions and keeps the server's rank", () => {
  const sorted = (key: "total" | "up" | "down" | "ip", isDescending: boolean) =>
    ips(rankRemotes(ROWS, { key, isDescending, search: "" }));
  assert.deepEqual(sorted("total", true), [
    "1 203.0.113.9",
    "2 2001:db8::a",
    "3 203.0.113.10",
    "4 198.51.100.1",
  ]);
  assert.deepEqual(sorted("total", false), [
    "4 198.51.100.1",
    "3 203.0.113.10",
    "2 2001:db8::a",
    "1 203.0.113.9",
  ]);
  assert.deepEqual(sorted("up", true), [
    "2 2001:db8::a",
    "4 198.51.100.1",
    "1 203.0.113.9",
    "3 203.0.113.10",
  ]);
  assert.deepEqual(sorted("down", true), [
    "1 203.0.113.9",
    "3 203.0.113.10",
    "2 2001:db8::a",
    "4 198.51.100.1",
  ]);
  // As numbers: .9 before .10, IPv4 before IPv6.
  assert.deepEqual(sorted("ip", false), [
    "4 198.51.100.1",
    "1 203.0.113.9",
    "3 203.0.113.10",
    "2 2001:db8::a",
  ]);
});

Deno.test("rankRemotes() keeps the rows whose address contains the search, ignoring case and spaces", () => {
  const found = (search: string) => ips(rankRemotes(ROWS, { key: "total", isDescending: true, search }));
  assert.deepEqual(found("203.0.113"), ["1 203.0.113.9", "3 203.0.113.10"]);
  assert.deepEqual(found(" DB8::A "), ["2 2001:db8::a"]);
  assert.deepEqual(found("192.0.2"), []);
  assert.equal(found("").length, 4);
});

Deno.test("otherRemotes() is the span's bytes minus the listed rows, never negative", () => {
  assert.deepEqual(otherRemotes(ROWS, { upBytes: 2000, downBytes: 2000 }), { upBytes: 650, downBytes: 360 });
  assert.deepEqual(otherRemotes(ROWS, { upBytes: 1000, downBytes: 1640 }), { upBytes: 0, downBytes: 0 });
});

Deno.test("addressSortKey() orders addresses as numbers, IPv4 before IPv6", () => {
  const order = [
    "2001:db8::1:0",
    "203.0.113.10",
    "2001:db8::a",
    "9.9.9.9",
    "::ffff:1.2.3.4",
    "2001:db8:0:0:1::",
  ];
  assert.deepEqual([...order].sort((a, b) => addressSortKey(a) < addressSortKey(b) ? -1 : 1), [
    "9.9.9.9",
    "203.0.113.10",
    "::ffff:1.2.3.4",
    "2001:db8::a",
    "2001:db8::1:0",
    "2001:db8:0:0:1::",
  ]);
});
