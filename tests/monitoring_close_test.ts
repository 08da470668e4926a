/**
 * DELETE /api/monitoring/connections/:id of the real app over a real HTTP server, the real ClashMonitor and the
 * fake core: a control action on the core, so refused without auth (403) and from another origin, the id
 * checked strictly (400 naming it), a connection the core does not list is 404, and an unreachable core 502.
 */
import assert from "node:assert/strict";
import { createAuth } from "../web/api/mod.ts";
import { serveClashApp } from "./helpers/clash_app.ts";
import { ClashRig } from "./helpers/clash_rig.ts";

const SECRET = "s3cret";
const TOKEN = "api-token-for-tests";
const PASSWORD = "correct horse";
const UNKNOWN_ID = "0f0e0d0c-0b0a-4908-8706-050403020100";

const authOn = () => createAuth({ password: PASSWORD, passwordHash: null, apiToken: TOKEN, log: () => {} });
const authOff = () => createAuth({ password: null, passwordHash: null, apiToken: null, log: () => {} });

/** The app as main.ts builds it, without capture, on a real server; `close(id, headers)` sends the DELETE. */
function serve(rig: ClashRig, auth: ReturnType<typeof createAuth>) {
  const { server, base } = serveClashApp(rig, { auth });
  const close = async (
    id: string,
    headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` },
  ) => {
    const response = await fetch(`${base}/api/monitoring/connections/${id}`, { method: "DELETE", headers });
    const text = await response.text();
    return { status: response.status, error: text === "" ? "" : (JSON.parse(text).error as string) };
  };
  return { server, base, close };
}

async function scenario() {
  const rig = ClashRig.start({ secret: SECRET });
  await rig.connected();
  const video = rig.fake.open({ sourceIP: "192.168.1.10", host: "video.example.com" });
  const dns = rig.fake.open({ sourceIP: "192.168.1.10", host: "dns.example.net", network: "udp" });
  rig.fake.transfer(video, 100, 2000);
  rig.fake.transfer(dns, 10, 20);
  await rig.snapshot();
  return { rig, video, dns };
}

/** Ids the fake core lists in a plain GET /connections (as the core answers any client). */
async function coreIds(rig: ClashRig): Promise<string[]> {
  const response = await fetch(`${rig.fake.url}/connections`, {
    headers: { authorization: `Bearer ${SECRET}` },
  });
  const snapshot = await response.json() as { connections: { id: string }[] };
  return snapshot.connections.map((c) => c.id);
}

const deletes = (rig: ClashRig) => rig.fake.requests.filter((r) => r.startsWith("DELETE"));

Deno.test("DELETE /api/monitoring/connections/:id is refused with 403 while auth is off, and never reaches the core", async () => {
  const { rig, video } = await scenario();
  await using _rig = rig;
  const { server, close } = serve(rig, authOff());
  try {
    const refused = await close(video.id, {});
    assert.equal(refused.status, 403);
    assert.match(refused.error, /authentication is off.*AUTH_PASSWORD/);
    assert.deepEqual(deletes(rig), []);
    assert.ok((await coreIds(rig)).includes(video.id));
  } finally {
    await server.shutdown();
  }
});

Deno.test("DELETE /api/monitoring/connections/:id closes a listed connection on the core behind auth", async () => {
  const { rig, video, dns } = await scenario();
  await using _rig = rig;
  const { server, base, close } = serve(rig, authOn());
  try {
    assert.equal((await close(video.id, {})).status, 401, "no credentials");

    const closed = await close(video.id);
    assert.deepEqual(closed, { status: 204, error: "" });
    assert.deepEqual(deletes(rig), [`DELETE /connections/${video.id}`]);
    assert.deepEqual(await coreIds(rig), [dns.id], "the core no longer lists it");
    await rig.snapshot();
    assert.deepEqual(rig.monitor.liveConnections().map((c) => c.id), [dns.id]);

    const again = await close(video.id);
    assert.equal(again.status, 404, "closed already: the latest snapshot no longer lists it");
    assert.match(again.error, new RegExp(`"${video.id}".*closed already`));

    // A logged-in browser: its session cookie and this page's own Origin.
    const login = await fetch(`${base}/login`, {
      method: "POST",
      body: new URLSearchParams({ password: PASSWORD, next: "/" }),
      redirect: "manual",
    });
    await login.body?.cancel();
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0];
    assert.deepEqual(await close(dns.id, { cookie, origin: base }), { status: 204, error: "" });
  } finally {
    await server.shutdown();
  }
});

Deno.test("DELETE /api/monitoring/connections/:id answers 400 naming id, 403 for another origin, 404 for an unknown id", async () => {
  const { rig, video } = await scenario();
  await using _rig = rig;
  const { server, close } = serve(rig, authOn());
  try {
    for (const id of ["x", video.id.toUpperCase(), `${video.id}0`, encodeURIComponent(`${video.id} `), "1"]) {
      const bad = await close(id);
      assert.equal(bad.status, 400, id);
      assert.match(bad.error, /^Invalid parameter "id"/, id);
    }
    const foreign = await close(video.id, {
      authorization: `Bearer ${TOKEN}`,
      origin: "http://evil.example",
    });
    assert.equal(foreign.status, 403);
    assert.match(foreign.error, /another origin/);
    const unknown = await close(UNKNOWN_ID);
    assert.equal(unknown.status, 404);
    assert.deepEqual(deletes(rig), [], "nothing reached the core");
  } finally {
    await server.shutdown();
  }
});

Deno.test("DELETE /api/monitoring/connections/:id answers 502 naming the core when it is unreachable", async () => {
  const { rig, video } = await scenario();
  await using _rig = rig;
  const { server, close } = serve(rig, authOn());
  try {
    await rig.fake.goAway();
    const down = await close(video.id);
    assert.equal(down.status, 502);
    assert.match(
      down.error,
      new RegExp(`^Cannot reach the Clash API at "${rig.fake.url}" to close connection`),
    );
    assert.doesNotMatch(down.error, new RegExp(SECRET));
  } finally {
    await server.shutdown();
  }
});
