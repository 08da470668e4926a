import assert from "node:assert/strict";
import {
  type AlertChannel,
  AlertDispatcher,
  parsePlanList,
  parseThreshold,
  WEBHOOK_SECRET_HEADER,
} from "../plans/mod.ts";
import { oneBucketBatch, tempStore, utcSec } from "./_testing.ts";
import { StoredAlertOutbox } from "./alert_outbox.ts";
import { planAlertHook } from "./plan_alerts.ts";
import { TrafficLedger } from "./traffic_ledger.ts";

const SECRET = "s3cret-value";

/** A webhook receiver on 127.0.0.1 that records each JSON body and the secret header it came with. */
function startReceiver(port = 0, status = 200) {
  const received: { body: Record<string, unknown>; secret: string | null }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, async (request) => {
    received.push({ body: await request.json(), secret: request.headers.get(WEBHOOK_SECRET_HEADER) });
    return new Response("ok", { status });
  });
  return { received, server, url: `http://127.0.0.1:${server.addr.port}/hook`, port: server.addr.port };
}

const plans = parsePlanList("ISP;monthly:1;total;1000B", "2026-12-04").map((p) => ({
  ...p,
  thresholds: [parseThreshold("80%"), parseThreshold("100%")],
}));

Deno.test("planAlertHook() fires each threshold once per period, in the save's transaction, and a real webhook gets each once", async () => {
  await using temp = tempStore({ timeZone: "UTC" });
  const receiver = startReceiver();
  try {
    let now = utcSec("2026-12-04T12:00:00Z");
    const log: string[] = [];
    const channels: AlertChannel[] = [{ kind: "webhook", url: receiver.url, secret: SECRET }];
    const outbox = new StoredAlertOutbox(temp.store);
    const dispatcher = new AlertDispatcher({ outbox, channels, log: (l) => log.push(l), nowSec: () => now });
    const newLedger = () =>
      new TrafficLedger(temp.store, {
        writeHook: planAlertHook({
          envPlans: plans,
          channels: ["webhook"],
          timeZone: "UTC",
          nowSec: () => now,
          log: (l) => log.push(l),
          onQueued: () => {},
        }),
      });
    let ledger = newLedger();
    const save = async (bytes: number) => {
      ledger.add(oneBucketBatch(Math.floor(now / 900) * 900, bytes, 0));
      assert.equal((await ledger.flush()).isSaved, true);
      return await dispatcher.runPass();
    };
    assert.equal(await save(700), 0, "70%: nothing");
    const sent = await save(150);
    assert.equal(sent, 1, "85%: the 80% alert");
    assert.equal(await save(50), 0, "90%: 80% fired already");
    assert.deepEqual(receiver.received.map((r) => [r.body.threshold, r.secret]), [["80%", SECRET]]);
    ledger = newLedger(); // a restart: the fired state is in the database
    assert.equal(await save(10), 0, "91% after a restart: no second 80%");
    assert.equal(await save(100), 1, "101%: the 100% alert");
    now = utcSec("2027-01-02T00:00:00Z");
    assert.equal(await save(900), 1, "a new period: 80% fires again");
    assert.deepEqual(receiver.received.map((r) => [r.body.threshold, r.body.period_start]), [
      ["80%", "2026-12-01"],
      ["100%", "2026-12-01"],
      ["80%", "2027-01-01"],
    ]);
    assert.equal(receiver.received[0].body.used_bytes, 850);
    assert.deepEqual(outbox.log(10).map((d) => d.state), ["sent", "sent", "sent"]);
    assert.ok(log.every((l) => !l.includes(SECRET)), "no secret in the log");
  } finally {
    await receiver.server.shutdown();
  }
});

Deno.test("AlertDispatcher retries a delivery while the receiver is down and sends it once it is up", async () => {
  await using temp = tempStore({ timeZone: "UTC" });
  const down = startReceiver();
  const port = down.port;
  await down.server.shutdown();
  let now = utcSec("2026-12-04T12:00:00Z");
  const outbox = new StoredAlertOutbox(temp.store);
  const channels: AlertChannel[] = [{
    kind: "webhook",
    url: `http://127.0.0.1:${port}/hook`,
    secret: SECRET,
  }];
  const log: string[] = [];
  const dispatcher = new AlertDispatcher({ outbox, channels, log: (l) => log.push(l), nowSec: () => now });
  const ledger = new TrafficLedger(temp.store, {
    writeHook: planAlertHook({
      envPlans: plans,
      channels: ["webhook"],
      timeZone: "UTC",
      nowSec: () => now,
      log: () => {},
      onQueued: () => {},
    }),
  });
  ledger.add(oneBucketBatch(Math.floor(now / 900) * 900, 850, 0));
  await ledger.flush();
  assert.equal(await dispatcher.runPass(), 0, "the receiver is down");
  const [failed] = outbox.log(1);
  assert.equal(failed.state, "queued");
  assert.equal(failed.attempts, 1);
  assert.match(failed.lastError ?? "", /^connection failed/);
  assert.ok(
    !failed.lastError!.includes(SECRET) && !failed.lastError!.includes("127.0.0.1"),
    failed.lastError!,
  );
  const up = startReceiver(port);
  try {
    assert.equal(await dispatcher.runPass(), 0, "not due before its retry time");
    now += 60; // the receiver was down for a minute
    assert.equal(await dispatcher.runPass(), 1);
    assert.equal(up.received.length, 1);
    assert.equal(outbox.log(1)[0].state, "sent");
    assert.equal(outbox.log(1)[0].attempts, 2);
    assert.equal(await dispatcher.runPass(), 0, "sent once");
  } finally {
    await up.server.shutdown();
  }
});

Deno.test("AlertDispatcher times a slow receiver out and keeps the delivery queued", async () => {
  await using temp = tempStore({ timeZone: "UTC" });
  const release = Promise.withResolvers<void>();
  const slow = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async () => {
    await release.promise;
    return new Response("late");
  });
  try {
    const now = utcSec("2026-12-04T12:00:00Z");
    const outbox = new StoredAlertOutbox(temp.store);
    outbox.queue(["webhook"], {
      plan_id: "isp",
      plan_name: "ISP",
      threshold: "80%",
      period_start: "2026-12-01",
      period_end: "2026-12-31",
      used_bytes: 1,
      quota_bytes: 1,
      percent: 100,
      forecast_bytes: 1,
      quota_reached_on: null,
      is_test: false,
      title: "t",
      text: "t",
    }, now);
    const dispatcher = new AlertDispatcher({
      outbox,
      channels: [{ kind: "webhook", url: `http://127.0.0.1:${slow.addr.port}/`, secret: null }],
      log: () => {},
      nowSec: () => now,
      timeoutMs: 200,
    });
    assert.equal(await dispatcher.runPass(), 0);
    assert.equal(outbox.log(1)[0].state, "queued");
    assert.equal(outbox.log(1)[0].lastError, "timeout after 0.2 s");
  } finally {
    release.resolve();
    await slow.shutdown();
  }
});
