/**
 * Real TCP traffic for live tests, run inside network namespaces:
 *
 *     deno run -A tcp_exchange.ts serve 198.51.100.2 2001:db8:ff::2 PORT   # until killed
 *     deno run -A tcp_exchange.ts send HOST PORT UP_BYTES DOWN_BYTES       # one exchange, then exits
 *
 * `send` writes an 8-byte big-endian DOWN_BYTES, then UP_BYTES bytes, and half-closes; the server reads to
 * the end, answers DOWN_BYTES bytes and closes. `send` prints the bytes it received and fails on a short read.
 */

const CHUNK = new Uint8Array(16 * 1024);

async function readAll(conn: Deno.Conn, header?: Uint8Array): Promise<number> {
  const buffer = new Uint8Array(64 * 1024);
  let total = 0;
  for (let reads = 0; reads < 1_000_000; reads++) {
    const n = await conn.read(buffer);
    if (n === null) return total;
    if (header !== undefined && total < header.length) {
      header.set(buffer.subarray(0, Math.min(n, header.length - total)), total);
    }
    total += n;
  }
  throw new Error("Cannot read the exchange: more than a million reads");
}

/** Writes `count` zero bytes; conn.write() may take only part of a chunk, so each write takes what is left. */
async function writeBytes(conn: Deno.Conn, count: number): Promise<void> {
  let left = count;
  for (let writes = 0; left > 0 && writes < 10_000_000; writes++) {
    left -= await conn.write(CHUNK.subarray(0, Math.min(left, CHUNK.length)));
  }
}

async function serve(hosts: string[], port: number): Promise<void> {
  const listeners = hosts.map((hostname) => Deno.listen({ hostname, port }));
  console.log("listening");
  await Promise.all(listeners.map(async (listener) => {
    for await (const conn of listener) {
      (async () => {
        const header = new Uint8Array(8);
        await readAll(conn, header);
        await writeBytes(conn, Number(new DataView(header.buffer).getBigUint64(0)));
        conn.close();
      })().catch((e) => console.error(`Exchange failed: ${e}`));
    }
  }));
}

async function send(host: string, port: number, upBytes: number, downBytes: number): Promise<void> {
  const conn = await Deno.connect({ hostname: host, port });
  const header = new Uint8Array(8);
  new DataView(header.buffer).setBigUint64(0, BigInt(downBytes));
  for (let at = 0; at < header.length;) at += await conn.write(header.subarray(at));
  await writeBytes(conn, upBytes);
  await conn.closeWrite();
  const received = await readAll(conn);
  conn.close();
  if (received !== downBytes) {
    throw new Error(`Cannot finish the exchange: got ${received} of ${downBytes} bytes`);
  }
  console.log(received);
}

const [command, ...args] = Deno.args;
if (command === "serve") await serve(args.slice(0, -1), Number(args.at(-1)));
else if (command === "send") await send(args[0], Number(args[1]), Number(args[2]), Number(args[3]));
else throw new Error(`Unknown command "${command}": expected serve or send`);
