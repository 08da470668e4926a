/**
 * The fake Clash core (fake_clash.ts) as a process, for a netledger running inside a network namespace, which
 * cannot reach the test's own 127.0.0.1:
 *
 *     ip netns exec NS deno run -A fake_clash_server.ts SECRET
 *
 * It prints "url URL" once it listens, then reads commands, one per line, and answers each with one line:
 * "open SOURCE_IP DESTINATION_IP HOST" opens a connection ("opened ID"). It streams snapshots by itself
 * (isTicking) and ends when stdin closes.
 */
import { FakeClash } from "./fake_clash.ts";

const [secret] = Deno.args;
await using fake = FakeClash.start({ secret, isTicking: true });
console.log(`url ${fake.url}`);
let pending = "";
for await (const text of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
  pending += text;
  let newline: number;
  while ((newline = pending.indexOf("\n")) >= 0) {
    const [command, sourceIP, destinationIP, host] = pending.slice(0, newline).trim().split(" ");
    pending = pending.slice(newline + 1);
    if (command !== "open") throw new Error(`Unknown command "${command}": expected open`);
    console.log(`opened ${fake.open({ sourceIP, destinationIP, host }).id}`);
  }
}
