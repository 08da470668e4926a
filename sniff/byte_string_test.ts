import assert from "node:assert/strict";
import { byteString, nameString } from "./byte_string.ts";

const bytesOf = (text: string) => new TextEncoder().encode(text);

Deno.test("nameString is byteString of the range, and the same string again for the same bytes", () => {
  const packet = bytesOf("..www.example.com..cdn.example.net..");
  const first = nameString(packet, 2, 17);
  assert.equal(first, "www.example.com");
  assert.equal(first, byteString(packet, 2, 17));
  // Same bytes at another place, in another buffer: the string held is handed on.
  assert.ok(Object.is(nameString(bytesOf("www.example.com"), 0, 15), first));
  assert.equal(nameString(packet, 19, 34), "cdn.example.net");
  assert.equal(nameString(packet, 0, 0), "");
});

Deno.test("nameString never hands on a string held for other bytes, across 20,000 names", () => {
  // Far more names than the table holds: slots are shared, and each answer must still be its own bytes.
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 20_000; i++) {
      const text = `h${i}.example${i % 7}.com`;
      assert.equal(nameString(bytesOf(text), 0, text.length), text);
    }
  }
  // Same length, one byte apart.
  assert.equal(nameString(bytesOf("a.example.com"), 0, 13), "a.example.com");
  assert.equal(nameString(bytesOf("b.example.com"), 0, 13), "b.example.com");
});
