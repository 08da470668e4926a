import assert from "node:assert/strict";
import { readClientHelloSni } from "./client_hello.ts";
import {
  clientHelloMessage,
  clientHelloRecord,
  RFC_CLIENT_INITIAL_CRYPTO_FRAME,
} from "../tests/helpers/sniff_packets.ts";

/** The ClientHello of RFC 9001 Appendix A.2 (the data of its CRYPTO frame, a real client's bytes). */
const RFC9001_CLIENT_HELLO = RFC_CLIENT_INITIAL_CRYPTO_FRAME.subarray(4);

function record(message: Uint8Array): Uint8Array {
  return Uint8Array.of(0x16, 3, 1, message.length >> 8, message.length & 0xff, ...message);
}

Deno.test("readClientHelloSni() reads the SNI of RFC 9001's sample ClientHello put in a TLS record", () => {
  assert.equal(RFC9001_CLIENT_HELLO.length, 4 + 0xed);
  assert.equal(readClientHelloSni(record(RFC9001_CLIENT_HELLO)), "example.com");
});

Deno.test("readClientHelloSni() finds server_name after other extensions and lower-cases it", () => {
  const grease = [0x0a0a, new Uint8Array(0)] as const;
  const padding = [21, new Uint8Array(300)] as const;
  assert.equal(
    readClientHelloSni(clientHelloRecord("Video.Example.COM", [grease, padding])),
    "video.example.com",
  );
});

Deno.test("readClientHelloSni() reads what fits in the first segment of a split ClientHello", () => {
  const late = clientHelloRecord("www.example.org", [[21, new Uint8Array(2000)]]);
  assert.equal(readClientHelloSni(late.subarray(0, 1448)), null, "server_name lies past the segment");
  assert.equal(readClientHelloSni(late), "www.example.org");
  const early = clientHelloRecord("www.example.org");
  assert.equal(readClientHelloSni(early.subarray(0, early.length - 3)), "www.example.org");
});

/** ClientHellos that name nothing, each with what is wrong in it. */
const REFUSED: readonly (readonly [string, Uint8Array])[] = [
  ["empty", new Uint8Array(0)],
  ["application data", Uint8Array.of(0x17, 3, 3, 0, 40, ...new Uint8Array(40))],
  ["an SSL 2 record version", Uint8Array.of(0x16, 2, 0, ...clientHelloRecord("example.com").subarray(3))],
  [
    "a ServerHello",
    Uint8Array.of(
      ...clientHelloRecord("example.com").subarray(0, 5),
      2,
      ...clientHelloRecord("example.com").subarray(6),
    ),
  ],
  ["no server_name", clientHelloRecord(null)],
  ["an IP literal as SNI", clientHelloRecord("192.0.2.1")],
  ["a name with a space", clientHelloRecord("bad name.example")],
  ["a name over 253 characters", clientHelloRecord(`${"a".repeat(60)}.`.repeat(5) + "com")],
  ["UTF-8 in the name", clientHelloRecord("bücher.example")],
  ["a cut header", clientHelloRecord("example.com").subarray(0, 40)],
  ["a session id length past the end", record(Uint8Array.of(1, 0, 0, 40, 3, 3, ...new Uint8Array(32), 255))],
];

for (const [what, payload] of REFUSED) {
  Deno.test(`readClientHelloSni() returns null for ${what}`, () => {
    assert.equal(readClientHelloSni(payload), null);
  });
}

Deno.test("readClientHelloSni() returns null when the extension lengths lie", () => {
  const message = clientHelloMessage("example.com");
  const serverName = message.length - 7 - 4 - 16; // the server_name extension's header
  const lying = message.slice();
  lying[serverName + 3] = 0xff; // its length runs past the extensions
  assert.equal(readClientHelloSni(record(lying)), null);
  const shortRecord = record(message);
  shortRecord[4] -= 20; // the record ends inside server_name
  assert.equal(readClientHelloSni(shortRecord), null);
});
