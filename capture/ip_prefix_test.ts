import assert from "node:assert/strict";
import { formatIp, formatPrefix, parseIp, parsePrefix } from "./ip_prefix.ts";

/** [input, canonical text]: RFC 5952 section 4 and common forms. */
const CANONICAL: readonly (readonly [string, string])[] = [
  ["192.0.2.1", "192.0.2.1"],
  ["0.0.0.0", "0.0.0.0"],
  ["255.255.255.255", "255.255.255.255"],
  ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
  ["2001:0db8:0000:0000:0001:0000:0000:0001", "2001:db8::1:0:0:1"],
  ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
  ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
  ["::", "::"],
  ["::1", "::1"],
  ["1::", "1::"],
  ["fe80::1%eth0", "fe80::1"],
  ["::ffff:192.0.2.1", "::ffff:192.0.2.1"],
  ["::ffff:c000:201", "::ffff:192.0.2.1"],
  ["::fffe:c000:201", "::fffe:c000:201"],
  ["2001:db8:1:100:ffff:ffff:ffff:ffff", "2001:db8:1:100:ffff:ffff:ffff:ffff"],
];

for (const [input, canonical] of CANONICAL) {
  Deno.test(`formatIp(parseIp()) writes "${input}" as "${canonical}"`, () => {
    assert.equal(formatIp(parseIp(input)), canonical);
  });
}

for (
  const bad of [
    "",
    "1.2.3",
    "1.2.3.256",
    "1.2.3.4.5",
    "2001:db8::1::2",
    "2001:db8:1:2:3:4:5:6:7",
    "12345::",
    "g::1",
    "1:2:3:4:5:6:7::8",
  ]
) {
  Deno.test(`parseIp() throws a SyntaxError naming "${bad}"`, () => {
    assert.throws(() => parseIp(bad), (e) => e instanceof SyntaxError && e.message.includes(`"${bad}"`));
  });
}

Deno.test("parsePrefix() clears host bits and formats canonically", () => {
  assert.equal(formatPrefix(parsePrefix("2001:db8:1:1ab::5/56")), "2001:db8:1:100::/56");
  assert.equal(formatPrefix(parsePrefix("192.168.77.9/16")), "192.168.0.0/16");
  assert.equal(formatPrefix(parsePrefix("2001:db8::1")), "2001:db8::1/128");
  assert.equal(formatPrefix(parsePrefix("203.0.113.9/0")), "0.0.0.0/0");
});

Deno.test("parsePrefix() throws a SyntaxError for a length beyond the family", () => {
  assert.throws(() => parsePrefix("192.0.2.0/33"), SyntaxError);
  assert.throws(() => parsePrefix("2001:db8::/129"), SyntaxError);
  assert.throws(() => parsePrefix("2001:db8::/x"), SyntaxError);
});
