import assert from "node:assert/strict";
import { cleanHostName, displayHostName, serviceOf } from "./host_name.ts";

/** Raw names and what cleanHostName() makes of them. */
const CLEAN_CASES: readonly (readonly [string, string | null])[] = [
  ["example.com", "example.com"],
  ["WWW.Example.COM.", "www.example.com"],
  ["rr3---sn-abc.googlevideo.com", "rr3---sn-abc.googlevideo.com"],
  ["xn--mnchen-3ya.de", "xn--mnchen-3ya.de"],
  ["localhost", "localhost"],
  ["3com.com", "3com.com"],
  [`${"a".repeat(63)}.com`, `${"a".repeat(63)}.com`],
  [`${"a".repeat(64)}.com`, null],
  [`${"abcdefghi.".repeat(25)}coms`, null], // 254 characters
  [`${"abcdefghi.".repeat(25)}com`, `${"abcdefghi.".repeat(25)}com`], // 253
  [`${"abcdefghi.".repeat(25)}com.`, `${"abcdefghi.".repeat(25)}com`], // 253 and the final dot
  ["", null],
  [".", null],
  ["example..com", null],
  [".example.com", null],
  ["-example.com", null],
  ["example-.com", null],
  ["exa_mple.com", null],
  ["exa mple.com", null],
  ["münchen.de", null],
  ["192.0.2.1", null],
  ["2001:db8::1", null],
  ["example.com:443", null],
  ["<script>.com", null],
];

for (const [raw, clean] of CLEAN_CASES) {
  const shown = raw.length > 40 ? `a ${raw.length}-character name` : JSON.stringify(raw);
  Deno.test(`cleanHostName() ${clean === null ? "refuses" : "accepts"} ${shown}`, () => {
    assert.equal(cleanHostName(raw), clean);
  });
}

Deno.test("cleanHostName() answers the same when asked again, and after its memo of recent names fills", () => {
  for (let round = 0; round < 3; round++) {
    for (const [raw, clean] of CLEAN_CASES) assert.equal(cleanHostName(raw), clean, JSON.stringify(raw));
    for (let i = 0; i < 5000; i++) assert.equal(cleanHostName(`H${i}.Example.com`), `h${i}.example.com`);
  }
});

Deno.test("serviceOf() is the registrable domain under the ICANN Public Suffix List, else the host itself", () => {
  assert.equal(serviceOf("rr3---sn-abc.googlevideo.com"), "googlevideo.com");
  assert.equal(serviceOf("www.bbc.co.uk"), "bbc.co.uk");
  assert.equal(serviceOf("example.com"), "example.com");
  assert.equal(serviceOf("d111111abcdef8.cloudfront.net"), "cloudfront.net"); // private PSL entries left out
  assert.equal(serviceOf("com"), "com");
  assert.equal(serviceOf("localhost"), "localhost");
  assert.equal(serviceOf("192.0.2.1"), "192.0.2.1");
});

Deno.test("displayHostName() decodes xn-- labels and leaves other names and bad punycode as they are", () => {
  assert.equal(displayHostName("xn--mnchen-3ya.de"), "münchen.de");
  assert.equal(displayHostName("www.xn--80ak6aa92e.com"), "www.аррӏе.com");
  assert.equal(displayHostName("example.com"), "example.com");
  assert.equal(displayHostName("xn--zz.example"), "xn--zz.example");
});
