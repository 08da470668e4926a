/**
 * A burst of expensive reads against the real app (issue 12, finding 4): 64 concurrent all-time
 * /api/top_ips. Before, each started its own Worker: 160 of them took the process from 294 to 850 MB and
 * /api/health to 9.1 s. Now the store's reader pool runs READ_WORKERS of them, queues MAX_QUEUED_READS and
 * refuses the rest at once with 503 and Retry-After; every answer given is exact (unsaved deltas included,
 * across a save made mid-burst), the capture path still saves, and /api/health answers during the burst.
 * How fast it answers is a wall-clock figure, measured by tests/bench/health_latency_bench.ts, not asserted
 * here.
 *
 * Memory is bounded by the Workers: the test counts those the pool starts (this isolate's own), where the
 * process's RSS would also hold the test files that run beside it in parallel.
 */
import assert from "node:assert/strict";
import { MAX_QUEUED_READS, READ_RETRY_AFTER_SEC, READ_WORKERS, topRemotes } from "../store/mod.ts";
import type { TopIpsJson } from "../web/api_types.ts";
import { remoteRows, serveApp } from "./helpers/served_app.ts";

const REMOTE_ROWS = 200_000;
const BURST = 64;
const MAX_LOADED_HEALTH_SAMPLES = 2_000;
/** Between two health requests, as a prober would pause (tests/bench/health_latency_bench.ts asks every 10 ms). */
const HEALTH_PAUSE_MS = 10;

/** One /api/health answer, which must be 200. */
async function askHealth(baseUrl: string): Promise<void> {
  const response = await fetch(`${baseUrl}/api/health`);
  await response.body?.cancel();
  assert.equal(response.status, 200);
}

/** Counts the read pool's Workers as they start (they run until the store closes). */
function countReadWorkers(): { readonly started: () => number; restore(): void } {
  const RealWorker = globalThis.Worker;
  let started = 0;
  globalThis.Worker = class extends RealWorker {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      if (String(url).endsWith("/store/read_worker.ts")) started++;
    }
  };
  return { started: () => started, restore: () => globalThis.Worker = RealWorker };
}

Deno.test("64 concurrent all-time /api/top_ips: two Workers, 503 with Retry-After over the queue, exact answers, health and saves unaffected", async () => {
  const workers = countReadWorkers();
  try {
    await using served = await serveApp(remoteRows(REMOTE_ROWS));
    const { baseUrl, ledger } = served;
    // Unsaved bytes: one new remote that enters the top only with them, and more for a stored one.
    const bucketStartSec = 900 * 1000;
    for (const [remoteIp, upBytes] of [["198.51.100.7", 5_000_000], ["2001:db8::3", 1_000_000]] as const) {
      ledger.add({
        traffic: [],
        remotes: [{ bucketStartSec, remoteIp, upBytes, downBytes: 7, upPackets: 1, downPackets: 1 }],
        health: [],
      });
    }
    const top = topRemotes(ledger, { limit: 20 });
    const expected: TopIpsJson["top_ips"] = top.remotes.map((r) => ({
      ip: r.remoteIp,
      bytes: r.upBytes + r.downBytes,
      up_bytes: r.upBytes,
      down_bytes: r.downBytes,
      bytes_fmt: "",
    }));
    assert.equal(expected[0].ip, "198.51.100.7");

    // Warm-up: the first answers compile the routes, the first read starts the pool's Workers.
    await askHealth(baseUrl);
    await (await fetch(`${baseUrl}/api/top_ips?limit=20`)).body?.cancel();

    let isBurstDone = false;
    const burst = Promise.all(
      Array.from({ length: BURST }, () => fetch(`${baseUrl}/api/top_ips?limit=20`)),
    ).finally(() => isBurstDone = true);
    let healthAnswers = 0;
    let saved = null;
    while (!isBurstDone && healthAnswers < MAX_LOADED_HEALTH_SAMPLES) {
      await askHealth(baseUrl);
      healthAnswers++;
      await new Promise((resolve) => setTimeout(resolve, HEALTH_PAUSE_MS));
      // The capture path's save, in the middle of the burst: it commits, and the unsaved bytes it moves to
      // the database must count once in every answer, whether given before or after it.
      if (healthAnswers === 1) saved = await ledger.flush();
    }
    const responses = await burst;

    assert.equal(saved?.isSaved, true, "a save during the burst commits");
    assert.ok(healthAnswers >= 1, "health answered during the burst");
    let answered = 0;
    let refused = 0;
    for (const response of responses) {
      if (response.status === 503) {
        refused++;
        assert.equal(response.headers.get("retry-after"), String(READ_RETRY_AFTER_SEC));
        assert.match((await response.json()).error, /^Cannot read top remotes now: .* retry in \d+ s$/);
        continue;
      }
      assert.equal(response.status, 200);
      answered++;
      const body = await response.json() as TopIpsJson;
      assert.deepEqual(body.top_ips.map((r) => ({ ...r, bytes_fmt: "" })), expected);
      assert.equal(body.other_bytes, top.other.upBytes + top.other.downBytes);
    }
    assert.ok(refused > 0, "some requests over the queue limit are refused");
    assert.ok(answered >= READ_WORKERS + MAX_QUEUED_READS, `${answered} answered: those running and queued`);
    assert.equal(workers.started(), READ_WORKERS, "memory stays bounded: no Worker per request");
  } finally {
    workers.restore();
  }
});
