/**
 * A QUIC echo server and client on Deno's own QUIC (`--unstable-net`), for services_live_test.ts: real QUIC
 * Initials whose SNI netledger must read.
 *
 *     deno run -A --unstable-net quic_echo.ts serve HOST PORT CERT_PEM KEY_PEM   (prints "listening")
 *     deno run -A --unstable-net quic_echo.ts send HOST PORT SERVER_NAME CA_PEM BYTES   (prints bytes echoed)
 */
const ALPN = ["netledger-echo"];

async function serve(hostname: string, port: number, certPath: string, keyPath: string): Promise<void> {
  const endpoint = new Deno.QuicEndpoint({ hostname, port });
  const listener = endpoint.listen({
    cert: await Deno.readTextFile(certPath),
    key: await Deno.readTextFile(keyPath),
    alpnProtocols: ALPN,
  });
  console.log("listening");
  for await (const incoming of listener) {
    (async () => {
      const conn = await incoming.accept();
      for await (const stream of conn.incomingBidirectionalStreams) {
        await stream.readable.pipeTo(stream.writable).catch(() => {});
      }
    })().catch(() => {});
  }
}

async function send(hostname: string, port: number, serverName: string, caPath: string, bytes: number) {
  const conn = await Deno.connectQuic({
    hostname,
    port,
    serverName,
    caCerts: [await Deno.readTextFile(caPath)],
    alpnProtocols: ALPN,
  });
  const stream = await conn.createBidirectionalStream();
  const writer = stream.writable.getWriter();
  await writer.write(new Uint8Array(bytes).fill(0x61));
  await writer.close();
  let echoed = 0;
  for await (const chunk of stream.readable) echoed += chunk.length;
  conn.close();
  console.log(echoed);
}

if (import.meta.main) {
  const [mode, host, port, a, b, c] = Deno.args;
  if (mode === "serve") await serve(host, Number(port), a, b);
  else await send(host, Number(port), a, b, Number(c));
}
