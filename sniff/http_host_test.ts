import assert from "node:assert/strict";
import { readHttpHost } from "./http_host.ts";

const request = (text: string) => new TextEncoder().encode(text);

/** Request heads and the host readHttpHost() reads from them. */
const CASES: readonly (readonly [string, string, string | null])[] = [
  ["a GET", "GET / HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n", "example.com"],
  [
    "Host after other fields",
    "POST /x HTTP/1.1\r\nUser-Agent: t\r\nContent-Length: 0\r\nhost: Example.ORG\r\n\r\n",
    "example.org",
  ],
  ["a port", "GET / HTTP/1.1\r\nHOST:   www.example.net:8080  \r\n\r\n", "www.example.net"],
  ["HTTP/1.0", "GET / HTTP/1.0\r\nHost: example.com\r\n\r\n", "example.com"],
  ["a head cut after Host", "GET /a/long/path?q=1 HTTP/1.1\r\nHost: example.com\r\nCook", "example.com"],
  ["no Host", "GET / HTTP/1.0\r\nAccept: */*\r\n\r\nHost: example.com\r\n", null],
  ["a head cut before Host", "GET / HTTP/1.1\r\nAccept: */*\r\nHo", null],
  ["a head cut inside Host", "GET / HTTP/1.1\r\nHost: examp", null],
  ["an IPv4 Host", "GET / HTTP/1.1\r\nHost: 192.0.2.1:80\r\n\r\n", null],
  ["an IPv6 Host", "GET / HTTP/1.1\r\nHost: [2001:db8::1]:80\r\n\r\n", null],
  ["an invalid Host", "GET / HTTP/1.1\r\nHost: <b>.example\r\n\r\n", null],
  ["HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", null],
  ["a response", "HTTP/1.1 200 OK\r\nHost: example.com\r\n\r\n", null],
  ["a lower-case method", "get / HTTP/1.1\r\nHost: example.com\r\n\r\n", null],
  ["Hostname is another field", "GET / HTTP/1.1\r\nHostname: example.com\r\n\r\n", null],
  ["empty", "", null],
];

for (const [what, text, host] of CASES) {
  Deno.test(`readHttpHost() reads ${host ?? "null"} from ${what}`, () => {
    assert.equal(readHttpHost(request(text)), host);
  });
}
