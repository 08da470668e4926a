/**
 * tests/helpers/netns.ts cleans up after a test process that was killed before it disposed its veth pair
 * (SIGKILL, a `timeout`): the next createVethPair() removes the namespaces of creators that are gone.
 */
import assert from "node:assert/strict";
import { removeOrphanedPairs, run } from "./helpers/netns.ts";

/** A PID no process has now: the highest free one below pid_max (bounded by pid_max). */
function deadPid(): number {
  const max = Number(Deno.readTextFileSync("/proc/sys/kernel/pid_max").trim());
  for (let pid = max - 1; pid > 1; pid--) {
    try {
      Deno.statSync(`/proc/${pid}`);
    } catch {
      return pid;
    }
  }
  throw new Error("no free PID");
}

async function namespaces(): Promise<string[]> {
  return (await run(["ip", "netns", "list"])).split("\n").map((l) => l.split(" ")[0]).filter((n) => n !== "");
}

Deno.test("removeOrphanedPairs() deletes the pairs of a creator that is gone and keeps a running one's", async () => {
  const orphans = [`nl${deadPid()}x0a1b2c3c`, `nl${deadPid()}x0a1b2c3p`];
  const mine = `nl${Deno.pid}x9999d4e5f6c`;
  try {
    for (const ns of [...orphans, mine]) await run(["ip", "netns", "add", ns]);
    await removeOrphanedPairs();
    const left = await namespaces();
    assert.deepEqual(orphans.filter((ns) => left.includes(ns)), [], "the dead creator's namespaces are gone");
    assert.ok(left.includes(mine), "a running creator's namespace stays");
  } finally {
    for (const ns of [...orphans, mine]) {
      await new Deno.Command("ip", { args: ["netns", "delete", ns], stdout: "null", stderr: "null" })
        .output();
    }
  }
});
