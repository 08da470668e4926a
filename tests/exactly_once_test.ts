/**
 * Exactly once under SIGKILL (issue #2 item 8): a child feeds a real TrafficLedger on a real SQLite file and
 * is killed by PID right after it announces a flush (so the kill lands during the transaction) or right after
 * a commit (between flushes). Whatever the moment, the file holds exactly the first k batches for some k
 * between the last announced commit and the last added batch: nothing partial, nothing twice.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { ROOT_DIR } from "./helpers/run_main.ts";

const RUNS = 12;

interface KillOutcome {
  readonly lastFlushed: number;
  readonly lastAdded: number;
}

/** Runs the child until it prints a line matching `trigger` for the `nth` time, then SIGKILLs it. */
async function runAndKill(dbPath: string, trigger: RegExp, nth: number): Promise<KillOutcome> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "tests/helpers/ledger_child.ts", dbPath],
    cwd: ROOT_DIR,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let seen = 0;
  let text = "";
  let isKilled = false;
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    text += decoder.decode(chunk, { stream: true });
    if (!isKilled) {
      seen = text.split("\n").filter((line) => trigger.test(line)).length;
      if (seen >= nth) {
        child.kill("SIGKILL");
        isKilled = true;
      }
    }
  }
  const status = await child.status;
  assert.ok(isKilled, `child ended before its ${nth}th "${trigger.source}" line (code ${status.code})`);
  const numbers = (word: string) =>
    text.split("\n").filter((l) => l.startsWith(`${word} `)).map((l) => Number(l.split(" ")[1]));
  return { lastFlushed: Math.max(0, ...numbers("flushed")), lastAdded: Math.max(0, ...numbers("added")) };
}

function storedTotals(dbPath: string): { traffic: number; remotes: number } {
  const db = new DatabaseSync(dbPath);
  try {
    const traffic = db.prepare("SELECT coalesce(sum(up_bytes), 0) AS n FROM traffic").get() as { n: number };
    const remotes = db.prepare("SELECT coalesce(sum(up_bytes), 0) AS n FROM remote_traffic").get() as {
      n: number;
    };
    return { traffic: traffic.n, remotes: remotes.n };
  } finally {
    db.close();
  }
}

Deno.test("TrafficLedger.flush() commits whole batches exactly once when SIGKILL lands during or between flushes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "netledger-once-" });
  try {
    for (let run = 0; run < RUNS; run++) {
      const dbPath = `${dir}/run${run}.db`;
      const isDuringFlush = run % 2 === 0;
      const outcome = await runAndKill(dbPath, isDuringFlush ? /^flushing / : /^flushed /, 1 + (run % 5) * 3);
      const stored = storedTotals(dbPath);
      // Batch i carries i bytes, so k committed batches store k(k+1)/2: solve for k and demand a whole number.
      const k = (Math.sqrt(8 * stored.traffic + 1) - 1) / 2;
      assert.ok(
        Number.isInteger(k),
        `run ${run}: stored ${stored.traffic} bytes is not a whole number of batches`,
      );
      assert.ok(
        k >= outcome.lastFlushed,
        `run ${run}: lost committed batches (${k} < ${outcome.lastFlushed})`,
      );
      assert.ok(k <= outcome.lastAdded, `run ${run}: stored more than was fed (${k} > ${outcome.lastAdded})`);
      assert.equal(stored.remotes, stored.traffic, `run ${run}: per-remote rows disagree with the totals`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
