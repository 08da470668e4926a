import assert from "node:assert/strict";
import {
  MAX_SESSIONS,
  SESSION_ENDED_CLOSE_CODE,
  SESSION_TTL_SEC,
  type SessionSocket,
  SessionTable,
} from "./auth_sessions.ts";

/** A socket that records the close codes it was sent. */
function fakeSocket(): SessionSocket & { readonly closes: number[] } {
  const closes: number[] = [];
  return { closes, close: (code) => void closes.push(code ?? 0) };
}

Deno.test("SessionTable expires sessions after their lifetime and keeps at most MAX_SESSIONS", () => {
  let nowMs = 0;
  const table = new SessionTable(() => nowMs);
  const first = table.create();
  assert.equal(table.isValid(first), true);
  nowMs += SESSION_TTL_SEC * 1000;
  assert.equal(table.isValid(first), false);
  const ids = Array.from({ length: MAX_SESSIONS + 10 }, () => table.create());
  assert.equal(table.size, MAX_SESSIONS);
  assert.equal(table.isValid(ids[0]), false);
  assert.equal(table.isValid(ids.at(-1)!), true);
});

Deno.test("SessionTable closes the WebSockets of a session when it ends (logout, expiry, eviction), and only those", () => {
  let nowMs = 0;
  const table = new SessionTable(() => nowMs);
  const [a, b] = [table.create(), table.create()];
  const [a1, a2, b1, detached] = [fakeSocket(), fakeSocket(), fakeSocket(), fakeSocket()];
  table.attachSocket(a, a1);
  table.attachSocket(a, a2);
  table.attachSocket(b, b1);
  table.attachSocket(a, detached)();
  table.delete(a);
  assert.deepEqual([a1.closes, a2.closes, b1.closes, detached.closes], [
    [SESSION_ENDED_CLOSE_CODE],
    [SESSION_ENDED_CLOSE_CODE],
    [],
    [],
  ]);
  const late = fakeSocket();
  table.attachSocket(a, late);
  assert.deepEqual(late.closes, [SESSION_ENDED_CLOSE_CODE], "a socket of an ended session is closed at once");

  nowMs += SESSION_TTL_SEC * 1000;
  assert.equal(table.isValid(b), false);
  assert.deepEqual(b1.closes, [SESSION_ENDED_CLOSE_CODE], "expiry");

  const oldest = table.create();
  const evicted = fakeSocket();
  table.attachSocket(oldest, evicted);
  for (let i = 0; i < MAX_SESSIONS; i++) table.create();
  assert.deepEqual(evicted.closes, [SESSION_ENDED_CLOSE_CODE], "eviction of the oldest session");
});
