/**
 * The real netledger (main.ts) against the fake sing-box core, stopped with SIGTERM and started again while
 * a connection stays open: the final flush saves the cursors, the second run resumes from them, and the
 * API's per-client totals equal the fake's truth (the 17 GB double count of issue 5 cannot happen).
 */
import assert from "node:assert/strict";
import type { MonitoringClientsJson, MonitoringOverviewJson } from "../web/monitoring_api_types.ts";
import { FakeClash } from "./helpers/fake_clash.ts";
import { childEnv, type MainProcess, startMain } from "./helpers/run_main.ts";

const SECRET = "s3cret";

function start(dbPath: string, fake: FakeClash): Promise<MainProcess> {
  return startMain({
    flags: ["-A"],
    env: childEnv({
      DB_PATH: dbPath,
      TZ: "UTC",
      MONITOR_IFACE: "lo",
      BIND: "127.0.0.1",
      CLASH_API_URL: fake.url,
      CLASH_SECRET: SECRET,
    }),
  });
}

async function getJson<T>(baseUrl: string, path: string): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`);
  assert.equal(response.status, 200, path);
  return await response.json() as T;
}

/** Per-client [up, down] as the API reports them. */
async function clientTotals(baseUrl: string): Promise<Record<string, [number, number]>> {
  const { clients } = await getJson<MonitoringClientsJson>(baseUrl, "/api/monitoring/clients");
  return Object.fromEntries(clients.map((c) => [c.ip, [c.up_bytes, c.down_bytes]]));
}

/** Attempts (one snapshot and one GET each) before giving up on the server catching up. */
const MAX_ATTEMPTS = 500;

/** Pushes snapshots until the server's overview shows `count` active connections while connected. */
async function untilActive(baseUrl: string, fake: FakeClash, count: number): Promise<void> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    // A fresh snapshot per attempt; the server ingests it within milliseconds. Bounded in count.
    fake.pushSnapshot();
    const overview = await getJson<MonitoringOverviewJson>(baseUrl, "/api/monitoring/overview");
    if (overview.status.state === "connected" && overview.active_connections === count) return;
  }
  throw new Error(`netledger never showed ${count} active connections`);
}

Deno.test({
  name:
    "netledger restarted with an open proxy connection resumes from saved cursors and counts nothing twice",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "netledger-clash-restart-" });
    await using fake = FakeClash.start({ secret: SECRET });
    try {
      const dbPath = `${dir}/netledger.db`;
      const first = await start(dbPath, fake);
      try {
        await fake.until(() => fake.subscriberCount === 2);
        const open = fake.open({ sourceIP: "192.168.1.10", host: "long.example.com" });
        fake.transfer(open, 1000, 50_000);
        await untilActive(first.baseUrl, fake, 1);
        assert.deepEqual(await clientTotals(first.baseUrl), { "192.168.1.10": [1000, 50_000] });
      } finally {
        await first.stop("SIGTERM");
      }
      const [open] = fake.truth().listed;
      fake.transfer(open, 7, 70); // moved while netledger was down
      const second = await start(dbPath, fake);
      try {
        await fake.until(() => fake.subscriberCount === 2);
        await untilActive(second.baseUrl, fake, 1);
        assert.deepEqual(await clientTotals(second.baseUrl), { "192.168.1.10": [1007, 50_070] });
      } finally {
        await second.stop("SIGTERM");
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
