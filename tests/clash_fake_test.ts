/**
 * The fake core speaks sing-box's wire (docs/clash-accounting.md §1): these checks keep it honest, so the
 * monitor tests prove behaviour against the real protocol rather than against the fake's convenience.
 */
import assert from "node:assert/strict";
import { FakeClash } from "./helpers/fake_clash.ts";

const SECRET = "s3cret";
const AUTH = { Authorization: `Bearer ${SECRET}` };

/** Opens a WebSocket and collects messages until `count` arrived or it closed. */
function collect(url: string, count: number): Promise<{ messages: string[]; isOpened: boolean }> {
  return new Promise((resolve) => {
    const messages: string[] = [];
    let isOpened = false;
    const socket = new WebSocket(url);
    socket.onopen = () => void (isOpened = true);
    socket.onmessage = (e) => {
      messages.push(e.data as string);
      if (messages.length === count) socket.close();
    };
    socket.onerror = () => {};
    socket.onclose = () => resolve({ messages, isOpened });
  });
}

Deno.test('FakeClash answers 401 {"message":"Unauthorized"} to a wrong Bearer and to ?token= on plain HTTP', async () => {
  await using fake = FakeClash.start({ secret: SECRET });
  for (
    const init of [{ headers: { Authorization: "Bearer nope" } }, {
      headers: { Authorization: `bearer ${SECRET}` },
    }]
  ) {
    const r = await fetch(`${fake.url}/version`, init);
    assert.equal(r.status, 401);
    assert.equal(r.headers.get("content-type"), "application/json");
    assert.equal(await r.text(), '{"message":"Unauthorized"}\n');
  }
  const plain = await fetch(`${fake.url}/version?token=${SECRET}`);
  assert.equal(plain.status, 401);
  await plain.body?.cancel();
  const ok = await fetch(`${fake.url}/version`, { headers: AUTH });
  assert.deepEqual(await ok.json(), { meta: true, premium: true, version: "sing-box 1.13.0" });
});

Deno.test("FakeClash routes: 404 text for unknown paths, 405 for a wrong method, 204 for DELETE /connections/{id}", async () => {
  await using fake = FakeClash.start({ secret: SECRET });
  const missing = await fetch(`${fake.url}/nope`, { headers: AUTH });
  assert.deepEqual([missing.status, await missing.text()], [404, "404 page not found\n"]);
  const wrong = await fetch(`${fake.url}/version`, { method: "POST", headers: AUTH });
  assert.deepEqual([wrong.status, await wrong.text()], [405, ""]);
  const del = await fetch(`${fake.url}/connections/not-a-uuid`, { method: "DELETE", headers: AUTH });
  assert.equal(del.status, 204);
  await del.body?.cancel();
});

Deno.test("FakeClash /connections: a sorted-key snapshot with escaped '>' and a stream every ?interval= ms", async () => {
  await using fake = FakeClash.start({ secret: SECRET, isTicking: true });
  fake.open({
    sourceIP: "192.168.1.10",
    host: "a.example.com",
    rule: "rule_set=geosite-cn => route(direct)",
  });
  const snapshot = await (await fetch(`${fake.url}/connections`, { headers: AUTH })).text();
  assert.match(snapshot, /^\{"connections":\[\{"chains":\["direct"\],"download":0,"id":"/);
  assert.match(snapshot, /=\\u003e route/);
  assert.match(snapshot, /"downloadTotal":0,"memory":\d+,"uploadTotal":0\}$/);
  const ws = `${fake.url.replace("http", "ws")}/connections`;
  const { messages } = await collect(`${ws}?interval=20&token=${SECRET}`, 3);
  assert.equal(messages.length, 3);
  for (const m of messages) assert.equal(JSON.parse(m).connections.length, 1);
});

Deno.test("FakeClash /connections WebSocket: a bad ?interval= opens then drops; a bad token fails the handshake", async () => {
  await using fake = FakeClash.start({ secret: SECRET, isTicking: true });
  const ws = `${fake.url.replace("http", "ws")}/connections`;
  const bad = await collect(`${ws}?interval=500ms&token=${SECRET}`, 1);
  assert.deepEqual(bad, { messages: [], isOpened: true });
  const zero = await collect(`${ws}?interval=0&token=${SECRET}`, 2);
  assert.equal(zero.messages.length, 1, "first snapshot, then the socket drops");
  const denied = await collect(`${ws}?token=wrong`, 1);
  assert.deepEqual(denied, { messages: [], isOpened: false });
});

Deno.test("FakeClash /traffic over HTTP sends nothing before the first chunked line", async () => {
  await using fake = FakeClash.start({ secret: SECRET });
  const c = fake.open({ sourceIP: "192.168.1.10" });
  let isResolved = false;
  const pending = fetch(`${fake.url}/traffic`, { headers: AUTH }).then((r) => {
    isResolved = true;
    return r;
  });
  await fake.until(() => fake.subscriberCount === 1);
  assert.equal(isResolved, false, "no status line before the first tick");
  fake.transfer(c, 3, 4);
  fake.pushTraffic();
  const response = await pending;
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  assert.equal((await reader.read()).value, '{"up":3,"down":4}\n');
  await reader.cancel();
});
