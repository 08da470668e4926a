import assert from "node:assert/strict";
import { healthUrl, runHealthcheck } from "./healthcheck.ts";

Deno.test("healthUrl() reaches a wildcard listener through loopback and brackets IPv6", () => {
  const cases: [string, string][] = [
    ["0.0.0.0", "http://127.0.0.1:8080/api/health"],
    ["::", "http://[::1]:8080/api/health"],
    ["[::]", "http://[::1]:8080/api/health"],
    ["127.0.0.1", "http://127.0.0.1:8080/api/health"],
    ["192.0.2.4", "http://192.0.2.4:8080/api/health"],
    ["2001:db8::4", "http://[2001:db8::4]:8080/api/health"],
  ];
  for (const [bind, url] of cases) assert.equal(healthUrl(bind, 8080), url, bind);
});

Deno.test("runHealthcheck() returns 0 for a 2xx answer and 1 with one line for an error answer", async () => {
  let status = 200;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response(JSON.stringify({ status: status === 200 ? "ok" : "down" }), { status }),
  );
  try {
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    assert.equal(await runHealthcheck({ bindAddress: "127.0.0.1", webPort: server.addr.port, log }), 0);
    assert.deepEqual(lines, []);
    status = 503;
    assert.equal(await runHealthcheck({ bindAddress: "127.0.0.1", webPort: server.addr.port, log }), 1);
    assert.equal(lines.length, 1);
    assert.match(lines[0], /HTTP 503/);
  } finally {
    await server.shutdown();
  }
});

Deno.test("runHealthcheck() returns 1 with one line when nothing listens", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const lines: string[] = [];
  assert.equal(await runHealthcheck({ bindAddress: "0.0.0.0", webPort: port, log: (l) => lines.push(l) }), 1);
  assert.equal(lines.length, 1);
  assert.match(lines[0], new RegExp(`Health check of http://127\\.0\\.0\\.1:${port}/api/health failed`));
});
