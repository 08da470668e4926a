/**
 * End to end: a fake sing-box/mihomo core, the ClashMonitor and a real SQLite file. Each scenario has known
 * truth (what the fake listed); stored per-client, per-resource and per-chain totals must equal it, and
 * clients + unattributed must equal the core's totals.
 */
import assert from "node:assert/strict";
import { ClashRig, storedBy, truthBy } from "./helpers/clash_rig.ts";
import { FakeClash } from "./helpers/fake_clash.ts";
import type { Store } from "../store/mod.ts";

const SECRET = "s3cret/+&=";

function assertTotalsMatchTruth(rig: ClashRig): void {
  const truth = rig.fake.truth();
  assert.deepEqual(
    storedBy(
      rig.store,
      `SELECT client_ip || '|' || resource || '|' || chain AS k, sum(up_bytes) AS up, sum(down_bytes) AS down
       FROM clash_usage GROUP BY k`,
    ),
    truthBy(truth, (k) => `${k.client}|${k.resource}|${k.chain}`),
    "per (client, resource, chain)",
  );
  assert.deepEqual(
    storedBy(
      rig.store,
      "SELECT client_ip AS k, sum(up_bytes) AS up, sum(down_bytes) AS down FROM clash_client_usage GROUP BY k",
    ),
    truthBy(truth, (k) => k.client),
    "per client",
  );
  assert.deepEqual(
    storedBy(
      rig.store,
      "SELECT chain AS k, sum(up_bytes) AS up, sum(down_bytes) AS down FROM clash_usage GROUP BY k",
    ),
    truthBy(truth, (k) => k.chain),
    "per chain",
  );
  const core = truth.epochTotals.reduce((s, e) => [s[0] + e.up, s[1] + e.down], [0, 0]);
  assert.deepEqual(storedGrandTotal(rig.store), core, "clients + unattributed = core totals");
}

function storedGrandTotal(store: Store): number[] {
  const q = (table: string) =>
    store.db.prepare(
      `SELECT coalesce(sum(up_bytes), 0) AS up, coalesce(sum(down_bytes), 0) AS down FROM ${table}`,
    )
      .get() as { up: number; down: number };
  const clients = q("clash_client_usage");
  const rest = q("clash_unattributed");
  return [clients.up + rest.up, clients.down + rest.down];
}

function unattributed(store: Store): number[] {
  const r = store.db.prepare(
    "SELECT coalesce(sum(up_bytes), 0) AS up, coalesce(sum(down_bytes), 0) AS down FROM clash_unattributed",
  ).get() as {
    up: number;
    down: number;
  };
  return [r.up, r.down];
}

Deno.test("ClashMonitor stores exact per-client/resource/chain totals across short connections and a core restart", async () => {
  await using rig = ClashRig.start({ secret: SECRET });
  await rig.connected();
  const { fake } = rig;
  const video = fake.open({
    sourceIP: "192.168.1.10",
    host: "video.example.com",
    destinationIP: "203.0.113.10",
    chains: ["HK-01", "Proxy"],
  });
  const quic = fake.open({
    sourceIP: "fd00::20",
    host: "",
    destinationIP: "2001:db8::5",
    network: "udp",
    chains: ["JP-02", "Auto", "Proxy"],
  });
  const api = fake.open({ sourceIP: "192.168.1.30", host: "api.example.org", destinationIP: "198.51.100.7" });
  fake.transfer(video, 1000, 20000);
  fake.transfer(quic, 300, 400);
  fake.transfer(api, 50, 60);
  await rig.snapshot();

  fake.transfer(video, 500, 9000);
  const blink = fake.open({ sourceIP: "192.168.1.40", host: "blink.example.net" }); // shorter than one interval
  fake.transfer(blink, 11, 22);
  fake.finish(blink);
  fake.hidden(77, 88); // legacy dns outbound: in the totals, never listed
  await rig.snapshot();

  fake.transfer(api, 10, 10); // tail after its last snapshot
  fake.finish(api);
  fake.transfer(quic, 1, 2);
  await rig.snapshot();
  assert.deepEqual(unattributed(rig.store), [0, 0], "nothing saved before flush");
  rig.monitor.flush();
  assert.deepEqual(unattributed(rig.store), [11 + 77 + 10, 22 + 88 + 10]);

  fake.transfer(video, 5, 5); // lost with the old epoch: never listed, never in a sent total
  const before = rig.snapshots;
  fake.restart();
  await rig.until(() => rig.monitor.status().state === "connected" && rig.snapshots > before);
  await fake.until(() => fake.subscriberCount === 2);
  const again = fake.open({
    sourceIP: "192.168.1.10",
    host: "video.example.com",
    chains: ["HK-01", "Proxy"],
  });
  fake.transfer(again, 40, 400);
  await rig.snapshot();
  rig.monitor.flush();

  assertTotalsMatchTruth(rig);
  assert.equal(rig.monitor.stats().coreRestarts, 1);
  const clients = storedBy(rig.store, "SELECT client_ip AS k, 0 AS up, 1 AS down FROM clash_clients");
  assert.deepEqual([...clients.keys()].sort(), ["192.168.1.10", "192.168.1.30", "fd00::20"]);
});

Deno.test("ClashMonitor reports a wrong secret as unauthorized and opens no stream", async () => {
  await using rig = ClashRig.start({ secret: "right", monitorSecret: "wrong" });
  await rig.until(() => rig.monitor.status().state === "unauthorized");
  assert.match(rig.monitor.status().message, /CLASH_SECRET/);
  assert.ok(rig.fake.requests.every((r) => r.startsWith("GET /version")), rig.fake.requests.join(", "));
});

Deno.test("ClashMonitor reports an unreachable core, reconnects when it comes back and never counts twice", async () => {
  await using rig = ClashRig.start({ secret: SECRET });
  await rig.connected();
  const { fake } = rig;
  const a = fake.open({ sourceIP: "192.168.1.10", host: "a.example.com" });
  fake.transfer(a, 100, 1000);
  await rig.snapshot();
  await fake.goAway();
  await rig.until(() => rig.monitor.status().state === "unreachable");
  assert.match(rig.monitor.status().message, /CLASH_API_URL/);
  fake.transfer(a, 1, 10); // moved while the API was away: seen once it is back
  const before = rig.snapshots;
  fake.comeBack();
  await rig.until(() => rig.monitor.status().state === "connected" && rig.snapshots > before);
  rig.monitor.flush();
  assertTotalsMatchTruth(rig);
  assert.equal(rig.monitor.stats().coreRestarts, 0);
});

Deno.test("ClashMonitor after a netledger restart resumes from saved cursors and counts nothing twice (P8)", async () => {
  await using fake = FakeClash.start({ secret: SECRET });
  const dbPath = `${Deno.makeTempDirSync({ prefix: "nl-clash-" })}/netledger.db`;
  const open = fake.open({
    sourceIP: "192.168.1.10",
    host: "long.example.com",
    start: "2026-01-01T00:00:00Z",
  });
  fake.transfer(open, 7000, 70000); // before netledger ever ran: a baseline only
  {
    await using first = ClashRig.start({ secret: SECRET, fake, dbPath });
    await first.connected();
    fake.transfer(open, 100, 1000);
    await first.snapshot();
    first.monitor.flush();
    fake.transfer(open, 20, 200);
    await first.snapshot(); // counted in memory, never committed: the "crash" loses it
  }
  fake.transfer(open, 3, 30);
  const during = fake.open({ sourceIP: "192.168.1.11", host: "new.example.com" });
  fake.transfer(during, 9, 90);
  await using second = ClashRig.start({ secret: SECRET, fake, dbPath });
  await second.connected();
  second.monitor.flush();
  const stored = storedBy(
    second.store,
    "SELECT client_ip AS k, sum(up_bytes) AS up, sum(down_bytes) AS down FROM clash_client_usage GROUP BY k",
  );
  assert.deepEqual(stored, new Map([["192.168.1.10", [123, 1230]], ["192.168.1.11", [9, 90]]]));
  assert.deepEqual(storedGrandTotal(second.store), [132, 1320]);
});

Deno.test("ClashMonitor follows mihomo: null connections, Inner skipped, zoned IPv6 source", async () => {
  await using rig = ClashRig.start({ secret: SECRET, flavor: "mihomo" });
  await rig.connected();
  assert.equal(rig.monitor.status().core, "mihomo");
  const { fake } = rig;
  const inner = fake.open({ sourceIP: "", type: "Inner", host: "dns.example.com" });
  const zoned = fake.open({
    sourceIP: "fe80::1%br-lan",
    type: "Tun",
    host: "",
    destinationIP: "2001:db8::9",
  });
  fake.transfer(inner, 5000, 5000); // listed but not in the totals: must not count
  fake.transfer(zoned, 12, 34);
  await rig.snapshot();
  fake.finish(zoned);
  fake.finish(inner);
  await rig.snapshot(); // connections: null
  rig.monitor.flush();
  assertTotalsMatchTruth(rig);
  assert.deepEqual([
    ...storedBy(rig.store, "SELECT client_ip AS k, 1 AS up, 0 AS down FROM clash_client_usage").keys(),
  ], [
    "fe80::1",
  ]);
});

Deno.test("ClashMonitor stores /traffic lines as per-second samples", async () => {
  await using rig = ClashRig.start({ secret: SECRET });
  await rig.connected();
  const a = rig.fake.open({ sourceIP: "192.168.1.10", host: "a.example.com" });
  rig.fake.transfer(a, 64, 128);
  const before = rig.monitor.recentSamples().length;
  rig.fake.pushTraffic();
  await rig.until(() => rig.monitor.recentSamples().length > before);
  assert.deepEqual(
    rig.monitor.latestSample() &&
      [rig.monitor.latestSample()!.upBytes, rig.monitor.latestSample()!.downBytes],
    [64, 128],
  );
  rig.monitor.flush();
  const row = rig.store.db.prepare("SELECT sum(up_bytes) AS up, sum(down_bytes) AS down FROM clash_samples")
    .get();
  assert.deepEqual({ ...row }, { up: 64, down: 128 });
});

Deno.test("ClashMonitor with no API URL connects nowhere and says how to enable it", async () => {
  const { ClashMonitor } = await import("../clash/mod.ts");
  const monitor = new ClashMonitor({ apiUrl: null, secret: "", persistence: null, log: () => {} });
  monitor.start();
  monitor.flush();
  assert.equal(monitor.status().state, "not_configured");
  assert.match(monitor.status().message, /CLASH_API_URL/);
  await monitor.stop();
});

Deno.test("ClashMonitor calls a service that is not a Clash API incompatible", async () => {
  // CLASH_API_URL pointing at some other web page on the router, e.g. its admin UI.
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response("<html>router admin</html>", { headers: { "content-type": "text/html" } }),
  );
  const { ClashMonitor } = await import("../clash/mod.ts");
  const statuses: string[] = [];
  let reached: () => void;
  const incompatible = new Promise<void>((resolve) => reached = resolve);
  const monitor = new ClashMonitor({
    apiUrl: `http://127.0.0.1:${server.addr.port}`,
    secret: SECRET,
    persistence: null,
    log: () => {},
    onEvent: (e) => {
      if (e.kind !== "status") return;
      statuses.push(e.status.state);
      if (e.status.state === "incompatible") reached();
    },
  });
  try {
    monitor.start();
    await incompatible;
    assert.match(monitor.status().message, /GET \/version with 200/);
    assert.ok(!statuses.includes("connected"));
  } finally {
    await monitor.stop();
    await server.shutdown();
  }
});
