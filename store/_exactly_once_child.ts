/**
 * Child process of exactly_once_test.ts: counts traffic into the database at Deno.args[0] and flushes in a
 * loop until it is killed, printing `flushing <bytes>` before and `committed <bytes>` after each flush.
 */
import { openStore } from "./db.ts";
import { TrafficLedger } from "./traffic_ledger.ts";

const REMOTES_PER_FLUSH = 3000;
const store = openStore(Deno.args[0], { log: (line) => console.error(line) });
const ledger = new TrafficLedger(store);
const encoder = new TextEncoder();
const say = (line: string) => Deno.stdout.writeSync(encoder.encode(`${line}\n`));

for (let round = 1;; round++) {
  let bytes = 0;
  for (let i = 0; i < REMOTES_PER_FLUSH; i++) {
    const bucketStartSec = 900 * (i % 96);
    const upBytes = round + i;
    bytes += upBytes;
    ledger.add({
      traffic: [{ bucketStartSec, family: 4, upBytes, downBytes: 0, upPackets: 1, downPackets: 0 }],
      remotes: [{
        bucketStartSec,
        remoteIp: `2001:db8::${round.toString(16)}:${i.toString(16)}`,
        upBytes,
        downBytes: 0,
        upPackets: 1,
        downPackets: 0,
      }],
      health: [],
    });
  }
  say(`flushing ${bytes}`);
  const result = await ledger.flush();
  if (!result.isSaved) throw result.error;
  say(`committed ${bytes}`);
}
