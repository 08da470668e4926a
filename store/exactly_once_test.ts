import assert from "node:assert/strict";
import { openStore } from "./db.ts";
import { storedTrafficSums } from "./_testing.ts";

const RUNS = 12;
const CHILD = new URL("./_exactly_once_child.ts", import.meta.url).pathname;

/** Yields the lines a child prints, as they arrive. */
async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let rest = "";
  for await (const chunk of stream) {
    const parts = (rest + decoder.decode(chunk, { stream: true })).split("\n");
    rest = parts.pop() ?? "";
    yield* parts;
  }
}

function storedSums(path: string): { traffic: number; remotes: number } {
  using store = openStore(path, { log: () => {} });
  const remotes = store.db.prepare("SELECT coalesce(sum(up_bytes), 0) AS n FROM remote_traffic").get() as {
    n: number;
  };
  return { traffic: storedTrafficSums(store)[0], remotes: remotes.n };
}

Deno.test("TrafficLedger never counts twice and never keeps half a flush when killed with SIGKILL", async () => {
  const dir = await Deno.makeTempDir({ prefix: "netledger-kill-" });
  try {
    const path = `${dir}/netledger.db`;
    let committedTotal = 0;
    for (let run = 0; run < RUNS; run++) {
      // Even runs die right after announcing a flush (inside or just before its transaction), odd runs
      // right after a commit (between flushes); each after a different number of commits.
      const isDuringFlush = run % 2 === 0;
      const commitsBeforeKill = Math.floor(run / 2) % 3;
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-read", "--allow-write", CHILD, path],
        stdout: "piped",
        stderr: "inherit",
      }).spawn();
      let commits = 0;
      let inFlight = 0;
      let acked = 0;
      let isKillScheduled = false;
      // Every line the child printed before it died is read, so `acked` and `inFlight` are exact.
      for await (const line of lines(child.stdout)) {
        const [word, bytes] = line.split(" ");
        if (word === "flushing") inFlight = Number(bytes);
        if (word === "committed") {
          acked += inFlight;
          inFlight = 0;
          commits++;
        }
        const isKillPoint = isDuringFlush ? word === "flushing" : word === "committed";
        if (!isKillScheduled && commits >= commitsBeforeKill && isKillPoint) {
          isKillScheduled = true;
          // A different moment each run (0–20 ms): before, inside or after the flush's transaction.
          setTimeout(() => child.kill("SIGKILL"), (run * 7) % 21);
        }
      }
      const status = await child.status;
      assert.equal(status.signal, "SIGKILL", `run ${run}: the child was killed, it did not exit`);
      const stored = storedSums(path);
      assert.equal(stored.remotes, stored.traffic, `run ${run}: per-remote rows match the totals`);
      const allowed = [committedTotal + acked, committedTotal + acked + inFlight];
      assert.ok(
        allowed.includes(stored.traffic),
        `run ${run}: stored ${stored.traffic}, expected one of ${allowed.join(" or ")}`,
      );
      committedTotal = stored.traffic;
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
