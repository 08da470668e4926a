/**
 * The request guards of issue 12 in the real program (main.ts): ALLOWED_HOSTS reaches the Host check, a bad
 * ALLOWED_HOSTS stops the start with one line, and a connection that never finishes its request head is
 * closed after HEADER_TIMEOUT_MS (Deno.serve alone keeps it open for good: finding 9).
 */
import assert from "node:assert/strict";
import { HEADER_TIMEOUT_MS } from "../web/api/mod.ts";
import { readResponseHead, sendRawRequest, statusOfHead } from "./helpers/raw_http.ts";
import { childEnv, ROOT_DIR, startMain } from "./helpers/run_main.ts";

/** Longest wait for main.ts to close a stalled connection before the test calls it never. */
const CLOSE_WAIT_LIMIT_MS = HEADER_TIMEOUT_MS * 2;

/** Reads until the server closes; "closed" then, or "still open" after CLOSE_WAIT_LIMIT_MS. */
async function waitForClose(conn: Deno.TcpConn): Promise<"closed" | "still open"> {
  const limit = setTimeout(() => conn.close(), CLOSE_WAIT_LIMIT_MS);
  const buffer = new Uint8Array(1024);
  try {
    while ((await conn.read(buffer)) !== null);
    return "closed";
  } catch (e) {
    if (e instanceof Deno.errors.ConnectionReset) return "closed";
    if (e instanceof Deno.errors.BadResource || e instanceof Deno.errors.Interrupted) return "still open";
    throw e;
  } finally {
    clearTimeout(limit);
  }
}

/** The status of a GET sent with exactly this Host header (fetch would send the URL's). */
async function statusForHost(port: number, host: string): Promise<number> {
  const conn = await sendRawRequest(
    port,
    `GET /api/health HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
  );
  try {
    return statusOfHead(await readResponseHead(conn));
  } finally {
    conn.close();
  }
}

Deno.test({
  name: "main.ts answers only the Hosts of ALLOWED_HOSTS and closes connections that never finish their head",
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "nl-guard-" });
    const main = await startMain({
      flags: ["-A"],
      env: childEnv({
        DB_PATH: `${dir}/netledger.db`,
        BIND: "127.0.0.1",
        MONITOR_IFACE: "lo",
        RING_MB: "1",
        TZ: "UTC",
        ALLOWED_HOSTS: "nas.lan",
      }),
    });
    try {
      const stalled: Deno.TcpConn[] = [];
      for (
        const part of ["", "GET /api/health HT", "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: a"]
      ) {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port: main.port });
        if (part !== "") await conn.write(new TextEncoder().encode(part));
        stalled.push(conn);
      }
      const cases: [string, number][] = [
        [`nas.lan:${main.port}`, 200],
        [`127.0.0.1:${main.port}`, 200],
        [`localhost:${main.port}`, 200],
        [`192.0.2.9:${main.port}`, 421],
        [`rebind.example:${main.port}`, 421],
      ];
      for (const [host, status] of cases) assert.equal(await statusForHost(main.port, host), status, host);
      for (const [i, conn] of stalled.entries()) {
        assert.equal(await waitForClose(conn), "closed", `stalled connection ${i}`);
        conn.close();
      }
      assert.equal(await statusForHost(main.port, `127.0.0.1:${main.port}`), 200, "the server still answers");
    } finally {
      await main.stop("SIGTERM");
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("main.ts refuses to start with a bad ALLOWED_HOSTS: one line naming it, exit code 2", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts"],
    cwd: ROOT_DIR,
    env: childEnv({ ALLOWED_HOSTS: "nas.lan,nas.lan:8080", TZ: "UTC" }),
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 2);
  const lines = new TextDecoder().decode(output.stderr).trim().split("\n");
  assert.deepEqual(lines, [
    'Invalid ALLOWED_HOSTS: got "nas.lan:8080", expected host names or IP addresses without port, such as ' +
    "nas.lan,192.0.2.5",
    "Run netledger --help for every flag and variable",
  ]);
});
