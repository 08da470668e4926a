import assert from "node:assert/strict";
import { MAX_BUFFERED_BYTES, StreamHub } from "./stream_hub.ts";

function subscriber(buffered: () => number) {
  const got: string[] = [];
  return { got, sub: { send: (t: string) => void got.push(t), bufferedBytes: buffered } };
}

Deno.test("StreamHub.publish() skips a subscriber whose socket has not drained, others keep every frame", () => {
  const hub = new StreamHub();
  let slowBuffered = 0;
  const fast = subscriber(() => 0);
  const slow = subscriber(() => slowBuffered);
  hub.subscribe(fast.sub);
  hub.subscribe(slow.sub);
  hub.publish("1");
  slowBuffered = MAX_BUFFERED_BYTES + 1;
  hub.publish("2");
  hub.publish("3");
  slowBuffered = 0;
  hub.publish("4");
  assert.deepEqual(fast.got, ["1", "2", "3", "4"]);
  assert.deepEqual(slow.got, ["1", "4"]);
  assert.equal(hub.skippedFrames, 2);
});

Deno.test("StreamHub.subscribe() sends the latest frame at once and its returned function detaches", () => {
  const hub = new StreamHub();
  hub.publish("old");
  hub.publish("latest");
  const s = subscriber(() => 0);
  const unsubscribe = hub.subscribe(s.sub);
  unsubscribe();
  hub.publish("after");
  assert.deepEqual(s.got, ["latest"]);
  assert.equal(hub.subscriberCount, 0);
  hub.clearLatest();
  const late = subscriber(() => 0);
  hub.subscribe(late.sub);
  assert.deepEqual(late.got, []);
});

Deno.test("StreamHub.publish() drops a subscriber whose socket throws on send", () => {
  const hub = new StreamHub();
  hub.subscribe({
    send: () => {
      throw new DOMException("closed", "InvalidStateError");
    },
    bufferedBytes: () => 0,
  });
  hub.publish("x");
  assert.equal(hub.subscriberCount, 0);
});

Deno.test("StreamHub without replaysLatest sends a new subscriber only the frames after it joined", () => {
  const hub = new StreamHub({ replaysLatest: false });
  hub.publish('{"up":1,"down":2}');
  const s = subscriber(() => 0);
  hub.subscribe(s.sub);
  hub.publish('{"up":3,"down":4}');
  assert.deepEqual(s.got, ['{"up":3,"down":4}']);
});
