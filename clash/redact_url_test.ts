import assert from "node:assert/strict";
import { ClashMonitor } from "./monitor.ts";
import { redactUrl } from "./redact_url.ts";

Deno.test("redactUrl() hides userinfo and keeps everything else", () => {
  const cases: [string, string][] = [
    ["http://user:pass@192.0.2.1:9090", "http://***@192.0.2.1:9090"],
    ["https://user:p%40ss@controller.example/api", "https://***@controller.example/api"],
    ["http://token@[2001:db8::1]:9090", "http://***@[2001:db8::1]:9090"],
    ["http://:secret@192.0.2.1", "http://***@192.0.2.1"],
    ["http://192.0.2.1:9090", "http://192.0.2.1:9090"],
    ["http://192.0.2.1:9090/path?q=a@b", "http://192.0.2.1:9090/path?q=a@b"],
    ["not a url user:pass@host", "***@host"],
  ];
  for (const [url, shown] of cases) assert.equal(redactUrl(url), shown, url);
});

Deno.test("ClashMonitor shows CLASH_API_URL without its credentials in its status and its log", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("", { status: 401 }),
  );
  const lines: string[] = [];
  const { promise: refused, resolve } = Promise.withResolvers<void>();
  const monitor = new ClashMonitor({
    apiUrl: `http://owner:secretpw@127.0.0.1:${server.addr.port}`,
    secret: "",
    persistence: null,
    log: (line) => lines.push(line),
    onEvent: (event) => {
      if (event.kind === "status" && event.status.state === "unauthorized") resolve();
    },
  });
  const connecting = monitor.status().message;
  try {
    monitor.start();
    await refused;
  } finally {
    await monitor.stop();
    await server.shutdown();
  }
  const shown = [connecting, monitor.status().message, ...lines];
  assert.ok(lines.length > 0);
  for (const text of shown) {
    assert.doesNotMatch(text, /secretpw|owner/, text);
    assert.match(text, /http:\/\/\*\*\*@127\.0\.0\.1:\d+/, text);
  }
});
