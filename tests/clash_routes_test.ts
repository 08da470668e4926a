/**
 * The Monitoring API of the real app (createApp, auth off) over a real HTTP server on 127.0.0.1:0, backed by
 * the fake core, the ClashMonitor and a real SQLite file: JSON answers (unsaved deltas included), 400s naming
 * the parameter, names, and the WebSocket relays (one upstream subscription for any number of browsers, no
 * secret in the browser's URL).
 */
import assert from "node:assert/strict";
import type {
  MonitoringClientDetailJson,
  MonitoringClientsJson,
  MonitoringHistoryJson,
  MonitoringOverviewJson,
  MonitoringResourcesJson,
  MonitoringSamplesJson,
} from "../web/monitoring_api_types.ts";
import { serveClashApp } from "./helpers/clash_app.ts";
import { ClashRig } from "./helpers/clash_rig.ts";
import { FakeClash } from "./helpers/fake_clash.ts";

const SECRET = "s3cret";
const ZONE = "Asia/Kolkata";
/** The body limit of PUT …/name that the issue asks for (web/api/name_body.ts MAX_NAME_BODY_BYTES). */
const MAX_NAME_BODY_BYTES = 4096;

/** The app as main.ts builds it, without capture, on a real server. */
function serve(rig: ClashRig) {
  const { server, base } = serveClashApp(rig, { timeZone: ZONE });
  const get = async <T>(path: string): Promise<[number, T]> => {
    const r = await fetch(base + path);
    return [r.status, await r.json() as T];
  };
  return { server, base, get };
}

async function scenario() {
  const rig = ClashRig.start({ secret: SECRET });
  await rig.connected();
  const video = rig.fake.open({
    sourceIP: "192.168.1.10",
    host: "video.example.com",
    chains: ["HK-01", "Proxy"],
  });
  const cdn = rig.fake.open({ sourceIP: "192.168.1.10", host: "", destinationIP: "203.0.113.9" });
  const v6 = rig.fake.open({ sourceIP: "fd00::20", host: "api.example.org", network: "udp" });
  rig.fake.transfer(video, 1000, 50000);
  rig.fake.transfer(cdn, 10, 20);
  rig.fake.transfer(v6, 300, 400);
  rig.fake.hidden(5, 6);
  await rig.snapshot();
  return rig;
}

Deno.test("Monitoring API answers overview, history, clients, detail and resources including unsaved deltas", async () => {
  await using rig = await scenario();
  const { server, get } = serve(rig);
  try {
    const [, overview] = await get<MonitoringOverviewJson>("/api/monitoring/overview");
    assert.equal(overview.status.state, "connected");
    assert.equal(overview.active_connections, 3);
    assert.equal(overview.online_clients, 2);
    assert.deepEqual(overview.today, {
      up_bytes: 1310,
      down_bytes: 50420,
      unattributed_up_bytes: 5,
      unattributed_down_bytes: 6,
    });

    const [, history] = await get<MonitoringHistoryJson>("/api/monitoring/history?granularity=hour");
    assert.equal(history.series.length, 24, "zero-filled local hours of today");
    assert.deepEqual(history.summary, overview.today);

    rig.monitor.flush(); // the same answers from SQLite
    const [, clients] = await get<MonitoringClientsJson>("/api/monitoring/clients");
    assert.deepEqual(
      clients.clients.map((c) => [c.ip, c.up_bytes, c.down_bytes, c.active_connections, c.online]),
      [["192.168.1.10", 1010, 50020, 2, true], ["fd00::20", 300, 400, 1, true]],
    );
    assert.deepEqual(clients.clients[0].chains, ["Proxy > HK-01", "direct"]);

    const [, detail] = await get<MonitoringClientDetailJson>("/api/monitoring/clients/192.168.1.10");
    assert.deepEqual(detail.resources.map((r) => [r.name, r.up_bytes]), [["video.example.com", 1000], [
      "203.0.113.9",
      10,
    ]]);
    assert.deepEqual(detail.chains.map((c) => c.name), ["Proxy > HK-01", "direct"]);
    assert.equal(detail.connections.length, 2);
    assert.equal(detail.history.summary.up_bytes, 1010);

    const [, top] = await get<MonitoringResourcesJson>("/api/monitoring/resources?limit=1");
    assert.deepEqual(top.resources.map((r) => r.name), ["video.example.com"]);
    const [, v6] = await get<MonitoringResourcesJson>("/api/monitoring/resources?client=FD00::20");
    assert.deepEqual(v6.resources.map((r) => [r.name, r.down_bytes]), [["api.example.org", 400]]);
  } finally {
    await server.shutdown();
  }
});

Deno.test("Monitoring API answers 400 naming the bad parameter", async () => {
  await using rig = await scenario();
  const { server, base, get } = serve(rig);
  try {
    const cases: [string, string][] = [
      ["/api/monitoring/history?start=2026-13-01", "start"],
      ["/api/monitoring/history?granularity=week", "granularity"],
      ["/api/monitoring/history?start=2026-02-01&end=2026-01-01", "start"],
      ["/api/monitoring/history?client=nope", "client"],
      ["/api/monitoring/clients/not-an-ip", "ip"],
      ["/api/monitoring/clients/1.2.3.4.5.6", "ip"],
      ["/api/monitoring/clients/256.1.1.1", "ip"],
      ["/api/monitoring/clients/fd00::1::2", "ip"],
      ["/api/monitoring/history?client=1.2.3", "client"],
      ["/api/monitoring/resources?limit=0", "limit"],
      ["/api/monitoring/clients?end=yesterday", "end"],
    ];
    for (const [path, parameter] of cases) {
      const [status, body] = await get<{ error: string }>(path);
      assert.equal(status, 400, path);
      assert.match(body.error, new RegExp(`"${parameter}"`), path);
    }
    const put = (body: string) =>
      fetch(`${base}/api/monitoring/clients/192.168.1.10/name`, { method: "PUT", body });
    const badJson = await put("{");
    assert.equal(badJson.status, 400);
    assert.match((await badJson.json()).error, /"body"/);
    const tooLong = await put(JSON.stringify({ name: "x".repeat(65) }));
    assert.equal(tooLong.status, 400);
    assert.match((await tooLong.json()).error, /"name"/);
  } finally {
    await server.shutdown();
  }
});

Deno.test("Monitoring API PUT /clients/:ip/name names a client, null removes the name", async () => {
  await using rig = await scenario();
  const { server, base, get } = serve(rig);
  try {
    const put = (name: string | null) =>
      fetch(`${base}/api/monitoring/clients/fd00::20/name`, {
        method: "PUT",
        body: JSON.stringify({ name }),
      });
    assert.deepEqual(await (await put("  Living room TV ")).json(), {
      ip: "fd00::20",
      name: "Living room TV",
    });
    let [, clients] = await get<MonitoringClientsJson>("/api/monitoring/clients");
    assert.equal(clients.clients.find((c) => c.ip === "fd00::20")?.name, "Living room TV");
    await (await put(null)).body?.cancel();
    [, clients] = await get<MonitoringClientsJson>("/api/monitoring/clients");
    assert.equal(clients.clients.find((c) => c.ip === "fd00::20")?.name, null);
  } finally {
    await server.shutdown();
  }
});

Deno.test("Monitoring API /samples gives the last minute of /traffic lines, unsaved and then saved ones", async () => {
  await using fake = FakeClash.start({ secret: SECRET });
  const dbPath = `${Deno.makeTempDirSync({ prefix: "nl-samples-" })}/netledger.db`;
  let unsaved: MonitoringSamplesJson;
  {
    await using rig = ClashRig.start({ secret: SECRET, fake, dbPath });
    await rig.connected();
    const a = fake.open({ sourceIP: "192.168.1.10", host: "a.example.com" });
    fake.transfer(a, 64, 128);
    fake.pushTraffic();
    await rig.until(() => rig.monitor.recentSamples().length > 0);
    const { server, get } = serve(rig);
    const [status, body] = await get<MonitoringSamplesJson>("/api/monitoring/samples");
    await server.shutdown();
    assert.equal(status, 200);
    assert.deepEqual(body.samples.map((s) => [s.ts, s.up_bytes, s.down_bytes]), [
      [rig.monitor.latestSample()!.tsSec, 64, 128],
    ]);
    unsaved = body;
    rig.monitor.flush();
  }
  // A netledger restart: the new monitor holds no line yet, the database does.
  await using again = ClashRig.start({ secret: SECRET, fake, dbPath });
  assert.deepEqual(again.monitor.recentSamples(), []);
  const { server, get } = serve(again);
  const [, saved] = await get<MonitoringSamplesJson>("/api/monitoring/samples");
  await server.shutdown();
  assert.deepEqual(saved, unsaved);
});

Deno.test("Monitoring API relays /connections to many browsers over one upstream subscription", async () => {
  await using rig = await scenario();
  const { server, base } = serve(rig);
  const url = `${base.replace("http", "ws")}/api/monitoring/ws/connections`;
  const browsers = [new WebSocket(url), new WebSocket(url)];
  try {
    const first = await Promise.all(
      browsers.map((b) => new Promise<string>((resolve) => b.onmessage = (e) => resolve(e.data as string))),
    );
    for (const text of first) assert.equal(JSON.parse(text).connections.length, 3);
    const next = Promise.all(
      browsers.map((b) => new Promise<string>((resolve) => b.onmessage = (e) => resolve(e.data as string))),
    );
    const extra = rig.fake.open({ sourceIP: "192.168.1.50", host: "b.example.com" });
    rig.fake.transfer(extra, 1, 1);
    rig.fake.pushSnapshot();
    for (const text of await next) assert.equal(JSON.parse(text).connections.length, 4);
    assert.equal(rig.fake.requests.filter((r) => r.startsWith("GET /connections")).length, 1, "one upstream");
    assert.ok(
      rig.fake.requests.every((r) => !r.includes("/api/")),
      "nothing of the browser path reaches the core",
    );
    const relay = await fetch(`${base}/api/monitoring/ws/version`);
    assert.equal(relay.status, 404, "no open relay");
    await relay.body?.cancel();
    const foreign = await fetch(`${base}/api/monitoring/ws/connections`, {
      headers: { origin: "http://evil.example", upgrade: "websocket", connection: "upgrade" },
    });
    assert.equal(foreign.status, 403, "another site's page cannot subscribe");
    await foreign.body?.cancel();
  } finally {
    const closed = browsers.map((b) => new Promise((resolve) => b.onclose = resolve));
    for (const b of browsers) b.close();
    await Promise.all(closed);
    await server.shutdown();
  }
});

Deno.test("Monitoring API PUT /clients/:ip/name refuses a bad IP, a control character and a large body", async () => {
  await using rig = await scenario();
  const { server, base, get } = serve(rig);
  const put = async (ip: string, body: BodyInit): Promise<[number, string]> => {
    const response = await fetch(`${base}/api/monitoring/clients/${ip}/name`, { method: "PUT", body });
    return [response.status, (await response.json()).error];
  };
  try {
    const [ipStatus, ipError] = await put("1.2.3.4.5.6", JSON.stringify({ name: "Six" }));
    assert.equal(ipStatus, 400);
    assert.match(ipError, /^Invalid parameter "ip": got "1.2.3.4.5.6"/);

    for (const name of ["TV\u0000evil", "TV\u001b[31m", "TV\u007f", "TV\u0085"]) {
      const [status, error] = await put("192.168.1.10", JSON.stringify({ name }));
      assert.equal(status, 400, JSON.stringify(name));
      assert.match(error, /^Invalid parameter "name"/, JSON.stringify(name));
    }
    const [, clients] = await get<MonitoringClientsJson>("/api/monitoring/clients");
    assert.equal(clients.clients.find((c) => c.ip === "192.168.1.10")?.name, null, "nothing was stored cut");

    const large = JSON.stringify({ name: "TV", padding: "x".repeat(MAX_NAME_BODY_BYTES) });
    const [sizedStatus, sizedError] = await put("192.168.1.10", large);
    assert.equal(sizedStatus, 413, "with Content-Length");
    assert.match(sizedError, /at most 4096 bytes/);
    // Without Content-Length (chunked), the limit is counted while reading.
    const chunked = new Blob([large]).stream();
    const [streamedStatus] = await put("192.168.1.10", chunked);
    assert.equal(streamedStatus, 413, "chunked");
    const [fitStatus] = await put("192.168.1.10", JSON.stringify({ name: "TV" }).padEnd(MAX_NAME_BODY_BYTES));
    assert.equal(fitStatus, 200, "a body of exactly the limit");
  } finally {
    await server.shutdown();
  }
});
