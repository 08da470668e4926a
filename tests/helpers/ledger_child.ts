/**
 * Child process of the exactly-once test: feeds a TrafficLedger deterministic batches and flushes every few
 * batches, announcing each step on stdout. Batch i carries exactly i upload bytes, so the stored total is a
 * triangular number k(k+1)/2 that names how many batches were committed. Bounded: stops after MAX_BATCHES.
 *
 * Usage: deno run -A tests/helpers/ledger_child.ts DB_PATH
 */
import { BUCKET_SEC, type TrafficBatch } from "../../capture/mod.ts";
import { openStore, TrafficLedger } from "../../store/mod.ts";

const MAX_BATCHES = 400;
const FLUSH_EVERY = 4;
/** Remote rows per batch: enough that a flush takes a while, so kills land inside flushes too. */
const REMOTES_PER_BATCH = 1500;
const BASE_SEC = 1_767_225_600; // 2026-01-01T00:00:00Z

/** Batch i: i upload bytes spread over REMOTES_PER_BATCH documentation addresses in one bucket. */
export function batchOf(i: number): TrafficBatch {
  const bucketStartSec = BASE_SEC + (i % 40) * BUCKET_SEC;
  const remotes = [];
  let left = i;
  for (let r = 0; r < REMOTES_PER_BATCH; r++) {
    const upBytes = r === REMOTES_PER_BATCH - 1 ? left : Math.min(left, r % 2);
    left -= upBytes;
    remotes.push({
      bucketStartSec,
      remoteIp: `2001:db8:${(i % 7).toString(16)}::${r.toString(16)}`,
      upBytes,
      downBytes: 0,
      upPackets: upBytes > 0 ? 1 : 0,
      downPackets: 0,
    });
  }
  const upPackets = remotes.reduce((n, r) => n + r.upPackets, 0);
  return {
    traffic: [{ bucketStartSec, family: 6, upBytes: i, downBytes: 0, upPackets, downPackets: 0 }],
    remotes,
    health: [],
  };
}

if (import.meta.main) {
  const store = openStore(Deno.args[0], { log: (line) => console.error(line) });
  const ledger = new TrafficLedger(store);
  for (let i = 1; i <= MAX_BATCHES; i++) {
    ledger.add(batchOf(i));
    console.log(`added ${i}`);
    if (i % FLUSH_EVERY === 0) {
      console.log(`flushing ${i}`);
      const result = await ledger.flush();
      if (!result.isSaved) throw result.error;
      console.log(`flushed ${i}`);
    }
  }
  store.close();
  console.log("done");
}
