/**
 * /api/backup releases its copy on every path (issue 12, finding 5): HEAD makes none, a completed GET and a
 * GET the client aborts half-way close and unlink theirs. Before, Hono answered HEAD through the GET
 * handler and dropped the stream unread, so every HEAD held a full copy of the database open (deleted, but
 * on disk) until garbage collection.
 */
import assert from "node:assert/strict";
import { readResponseHead, sendRawRequest, statusOfHead } from "./helpers/raw_http.ts";
import { remoteRows, serveApp, type ServedApp } from "./helpers/served_app.ts";

/** Enough rows for a copy of some MB. */
const REMOTE_ROWS = 150_000;
/** A copy takes at least this many bytes per remoteRows() row (about 22.7 measured, SQLite pages included). */
const COPY_BYTES_PER_ROW = 20;
/** How long the server may take to see a client go away: a bound on the wait, not a timing assertion. */
const RELEASE_DEADLINE_MS = 20_000;

/**
 * What this process holds open in `dir` besides the database's own files: backup copies, unlinked or not.
 * Only `dir`, because test files that run in parallel share the process.
 */
function openCopies(dir: string): string[] {
  const own = ["netledger.db", "netledger.db-wal", "netledger.db-shm"].map((name) => `${dir}/${name}`);
  return [...Deno.readDirSync("/proc/self/fd")].flatMap((entry) => {
    try {
      return [Deno.readLinkSync(`/proc/self/fd/${entry.name}`)];
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return []; // the descriptor of the listing itself, now closed
      throw e;
    }
  }).filter((target) => target.startsWith(`${dir}/`) && !own.includes(target));
}

/** Waits until no copy is open in `dir`; the server releases it once it sees the end or the abort. */
async function copiesReleased(dir: string): Promise<string[]> {
  const deadline = Date.now() + RELEASE_DEADLINE_MS;
  while (openCopies(dir).length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return openCopies(dir);
}

/**
 * What the kernel may take in of a response whose client reads no further than its head: the server's send
 * buffer at its largest (tcp_wmem's maximum) and the client's receive buffer as it starts (tcp_rmem's
 * default; Linux grows it only as the client reads). A copy larger than this cannot have been sent whole.
 */
function stalledSocketBytes(): number {
  const field = (path: string, index: number) =>
    Number(Deno.readTextFileSync(path).trim().split(/\s+/)[index]);
  return field("/proc/sys/net/ipv4/tcp_wmem", 2) + field("/proc/sys/net/ipv4/tcp_rmem", 1);
}

/** Rows for a copy of about 2.5 times stalledSocketBytes(): 12 MB with Debian's defaults. */
function stalledRemoteRows(): number {
  return Math.ceil(2.5 * stalledSocketBytes() / COPY_BYTES_PER_ROW / 1000) * 1000;
}

/**
 * Starts a GET /api/backup over a plain socket and reads only the response's head, so the download stalls
 * with most of the copy unsent. Closing the socket ends it. `length` is the copy's size.
 */
async function stalledBackupDownload(served: ServedApp): Promise<{ conn: Deno.TcpConn; length: number }> {
  const port = Number(new URL(served.baseUrl).port);
  const conn = await sendRawRequest(port, "GET /api/backup HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  try {
    const head = await readResponseHead(conn);
    assert.equal(statusOfHead(head), 200);
    const length = Number(/\r\ncontent-length: (\d+)\r\n/i.exec(head)?.[1]);
    assert.ok(
      length > 2 * stalledSocketBytes(),
      `a copy of ${length} bytes, more than twice the ${stalledSocketBytes()} the sockets may hold`,
    );
    return { conn, length };
  } catch (e) {
    conn.close();
    throw e;
  }
}

Deno.test("HEAD /api/backup makes no copy: ten leave no file and no descriptor, and name the size of a GET", async () => {
  await using served = await serveApp(remoteRows(REMOTE_ROWS));
  const files = () => [...Deno.readDirSync(served.dir)].map((e) => e.name).sort();
  const filesBefore = files();
  const lengths = new Set<string | null>();
  for (let i = 0; i < 10; i++) {
    const response = await fetch(`${served.baseUrl}/api/backup`, { method: "HEAD" });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/vnd.sqlite3");
    assert.match(
      response.headers.get("content-disposition") ?? "",
      /^attachment; filename="netledger-backup-/,
    );
    lengths.add(response.headers.get("content-length"));
  }
  assert.deepEqual(openCopies(served.dir), []);
  assert.deepEqual(files(), filesBefore);
  const get = await fetch(`${served.baseUrl}/api/backup`);
  const bytes = (await get.arrayBuffer()).byteLength;
  // Nothing was unsaved, so the GET's copy is exactly what the HEADs announced.
  assert.deepEqual([...lengths], [String(bytes)]);
  assert.ok(bytes > 1_000_000, `a copy of ${bytes} bytes`);
  assert.deepEqual(await copiesReleased(served.dir), []);
});

Deno.test("GET /api/backup whose client goes away half-way releases its copy", async () => {
  await using served = await serveApp(remoteRows(stalledRemoteRows()));
  const { conn } = await stalledBackupDownload(served);
  try {
    // The server may hold the copy through more than one descriptor while it sends it.
    const held = openCopies(served.dir);
    assert.ok(held.length > 0, "the copy is open while it streams");
    for (const target of held) assert.match(target, /\/\.netledger-backup-[^/]*\.db \(deleted\)$/);
  } finally {
    // Also when an assertion failed: the server's shutdown would wait for this response forever.
    conn.close();
  }
  assert.deepEqual(await copiesReleased(served.dir), []);
});

Deno.test("GET /api/backup makes one copy at a time: a second one meanwhile gets 503 with Retry-After", async () => {
  await using served = await serveApp(remoteRows(stalledRemoteRows()));
  const first = await stalledBackupDownload(served);
  try {
    const second = await fetch(`${served.baseUrl}/api/backup`);
    // A copy it should not have got, unread, would keep the server's shutdown waiting.
    if (second.status !== 503) await second.body?.cancel();
    assert.equal(second.status, 503);
    assert.equal(second.headers.get("retry-after"), "30");
    assert.match((await second.json()).error, /another backup of it is being made or downloaded/);
  } finally {
    first.conn.close();
  }
  assert.deepEqual(await copiesReleased(served.dir), []);
  // The first download has ended: the next one is served in full.
  const third = await fetch(`${served.baseUrl}/api/backup`);
  assert.equal(third.status, 200);
  assert.equal((await third.arrayBuffer()).byteLength, first.length);
});
