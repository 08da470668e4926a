import assert from "node:assert/strict";
import { serveWithHeaderTimeout } from "./header_timeout_server.ts";

/** Short, so the test waits little; the assertions hold for any value (they never bound a duration). */
const TEST_TIMEOUT_MS = 300;
/** Longest wait for the server to close a stalled connection before the test calls it never. */
const CLOSE_WAIT_LIMIT_MS = 60_000;

const encoder = new TextEncoder();

/** Reads until the peer closes; resolves with everything read, or "still open" after CLOSE_WAIT_LIMIT_MS. */
async function readUntilClosed(conn: Deno.TcpConn): Promise<string> {
  const buffer = new Uint8Array(4096);
  const decoder = new TextDecoder();
  let text = "";
  const limit = setTimeout(() => conn.close(), CLOSE_WAIT_LIMIT_MS);
  try {
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null) return text;
      text += decoder.decode(buffer.subarray(0, n));
    }
  } catch (e) {
    if (e instanceof Deno.errors.ConnectionReset) return text;
    if (e instanceof Deno.errors.BadResource || e instanceof Deno.errors.Interrupted) return "still open";
    throw e;
  } finally {
    clearTimeout(limit);
  }
}

/** Reads one HTTP answer head and body of known length; the connection stays open. */
async function readAnswer(conn: Deno.TcpConn): Promise<string> {
  const buffer = new Uint8Array(4096);
  let text = "";
  for (;;) {
    const n = await conn.read(buffer);
    if (n === null) return text;
    text += new TextDecoder().decode(buffer.subarray(0, n));
    const length = Number(/content-length: (\d+)/i.exec(text)?.[1] ?? NaN);
    const headEnd = text.indexOf("\r\n\r\n");
    if (headEnd >= 0 && text.length >= headEnd + 4 + length) return text;
  }
}

async function withServer(
  handler: Deno.ServeHandler<Deno.NetAddr>,
  fn: (port: number) => Promise<void>,
): Promise<void> {
  const server = serveWithHeaderTimeout(
    { hostname: "127.0.0.1", port: 0, headerTimeoutMs: TEST_TIMEOUT_MS, log: (line) => assert.fail(line) },
    handler,
  );
  try {
    await fn(server.addr.port);
  } finally {
    await server.shutdown();
  }
}

Deno.test("serveWithHeaderTimeout() closes a connection whose request head never completes", async () => {
  await withServer(() => new Response("ok"), async (port) => {
    const stalled = await Deno.connect({ hostname: "127.0.0.1", port });
    await stalled.write(encoder.encode("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: a"));
    assert.equal(await readUntilClosed(stalled), "");
    stalled.close();
    const silent = await Deno.connect({ hostname: "127.0.0.1", port });
    assert.equal(await readUntilClosed(silent), "", "a connection that sends nothing");
    silent.close();
  });
});

Deno.test("serveWithHeaderTimeout() answers with the client's own address, then closes the idle keep-alive", async () => {
  await withServer(
    (_request, info) => new Response(`${info.remoteAddr.hostname} ${info.remoteAddr.port}`),
    async (port) => {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      await conn.write(encoder.encode("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
      const answer = await readAnswer(conn);
      assert.match(answer, /^HTTP\/1\.1 200/);
      assert.ok(answer.endsWith(`\r\n\r\n127.0.0.1 ${conn.localAddr.port}`), answer);
      await conn.write(encoder.encode("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: a"));
      assert.equal(await readUntilClosed(conn), "", "the second head never completes");
      conn.close();
    },
  );
});

Deno.test("serveWithHeaderTimeout() never times out a slow answer or a WebSocket", async () => {
  const { promise: released, resolve: release } = Promise.withResolvers<void>();
  await withServer(async (request) => {
    if (request.headers.get("upgrade") === "websocket") {
      const { socket, response } = Deno.upgradeWebSocket(request);
      socket.onmessage = (event) => socket.send(`echo ${event.data}`);
      return response;
    }
    await released;
    return new Response("slow");
  }, async (port) => {
    const slow = fetch(`http://127.0.0.1:${port}/slow`).then((r) => r.text());
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    const messages: string[] = [];
    const { promise: opened, resolve: onOpen } = Promise.withResolvers<void>();
    const { promise: echoed, resolve: onEcho } = Promise.withResolvers<void>();
    ws.onopen = () => onOpen();
    ws.onmessage = (event) => {
      messages.push(event.data);
      onEcho();
    };
    await opened;
    // Several timeouts pass while the answer is pending and the WebSocket is idle; both must survive them.
    await new Promise((resolve) => setTimeout(resolve, TEST_TIMEOUT_MS * 4));
    release();
    assert.equal(await slow, "slow");
    assert.equal(ws.readyState, WebSocket.OPEN);
    ws.send("ping");
    await echoed;
    assert.deepEqual(messages, ["echo ping"]);
    const { promise: closed, resolve: onClose } = Promise.withResolvers<void>();
    ws.onclose = () => onClose();
    ws.close();
    await closed;
  });
});
