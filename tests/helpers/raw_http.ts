/**
 * HTTP/1.1 by hand over a plain TCP socket, for tests that need what fetch will not do: send malformed or
 * exact bytes (a Host header of their own, garbage), or stop reading after the head so a download stalls
 * (fetch reads a body on into its own buffers).
 */

/** How much of a response one read takes, and how many reads a head may take at most. */
const READ_BYTES = 1024;
const MAX_HEAD_READS = 64;

/** Connects to 127.0.0.1:`port` and writes `request` as it is. */
export async function sendRawRequest(port: number, request: string): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(request));
    return conn;
  } catch (e) {
    conn.close();
    throw e;
  }
}

/**
 * The response head read from `conn`, up to its blank line or to what came before the server closed ("" for
 * nothing). It reads at most READ_BYTES past the head: the rest of the body stays in the socket.
 */
export async function readResponseHead(conn: Deno.TcpConn): Promise<string> {
  const buffer = new Uint8Array(READ_BYTES);
  const decoder = new TextDecoder("latin1");
  let head = "";
  for (let i = 0; i < MAX_HEAD_READS && !head.includes("\r\n\r\n"); i++) {
    const n = await conn.read(buffer);
    if (n === null) break;
    head += decoder.decode(buffer.subarray(0, n));
  }
  const end = head.indexOf("\r\n\r\n");
  return end < 0 ? head : head.slice(0, end + 4);
}

/** The status code of a response head, or 0 when it has none (the server closed without answering). */
export function statusOfHead(head: string): number {
  return Number(/^HTTP\/1\.[01] (\d{3})\b/.exec(head)?.[1] ?? 0);
}
