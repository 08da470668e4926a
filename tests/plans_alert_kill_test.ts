/**
 * Plan alerts of the real program (issue 16 "Show"), as root: main.ts captures in a namespace fed by a frame
 * pump, with PLAN= and a webhook. It is SIGKILLed right after the save that crossed the thresholds, while the
 * webhook receiver is still down; started again with the receiver up, it sends each alert exactly once and
 * fires none again: the fired state and the outbox were committed with the traffic that crossed them.
 */
import assert from "node:assert/strict";
import { startFramePump } from "./helpers/frame_pump.ts";
import { apiInNetns, ROUND, startNetledgerInNetns } from "./helpers/netledger_rig.ts";
import { createVethPair } from "./helpers/netns.ts";
import { followOutput } from "./helpers/run_main.ts";
import type { AlertDeliveriesJson } from "../web/api_types.ts";

const isRoot = Deno.uid() === 0;
const RECEIVER_PORT = 8099;
const ROUND_BYTES = ROUND.totals.upBytes + ROUND.totals.downBytes;
/** A quota that 20 rounds pass by far, so 80%, 100% and the forecast all cross in one save. */
const QUOTA_BYTES = 10 * ROUND_BYTES;

/** A webhook receiver inside namespace `ns` on 127.0.0.1:RECEIVER_PORT; it prints each body as one line. */
function startReceiver(ns: string) {
  const script =
    `Deno.serve({ hostname: "127.0.0.1", port: ${RECEIVER_PORT}, onListen() { console.log("listening"); } }, ` +
    `async (r) => { console.log("body " + JSON.stringify(await r.json())); return new Response("ok"); });`;
  const child = new Deno.Command("ip", {
    args: ["netns", "exec", ns, Deno.execPath(), "eval", "--quiet", script],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = followOutput(child);
  const bodies = () =>
    output.lines().filter((l) => l.startsWith("body ")).map((l) =>
      JSON.parse(l.slice(5)) as Record<string, unknown>
    );
  return { child, output, bodies };
}

Deno.test({
  name: "plan alerts survive a SIGKILL right after crossing: each is sent once, none fires twice",
  ignore: !isRoot,
  async fn() {
    await using pair = await createVethPair();
    await using pump = await startFramePump(pair.peerNs, pair.peerIface, ROUND.frames);
    const dir = await Deno.makeTempDir({ prefix: "nl-alert-kill-" });
    const env = {
      PLAN: `ISP;calendar;total;${QUOTA_BYTES}B`,
      ALERT_WEBHOOK_URL: `http://127.0.0.1:${RECEIVER_PORT}/hook`,
      ALERT_WEBHOOK_SECRET: "kill-test-secret",
    };
    let receiver: ReturnType<typeof startReceiver> | null = null;
    try {
      const first = await startNetledgerInNetns(pair.captureNs, `${dir}/netledger.db`, env);
      try {
        await pump.send(20);
        const crossed = await first.waitForLine(/Alert fired: plan "isp" threshold 80%/, {
          timeoutMs: 30_000,
        });
        // Every alert of a save is logged before that save's "Saved traffic" line (planAlertHook.afterCommit),
        // so the kill waits for it: killed on the 80% line alone, the 100% line could still be unwritten.
        await first.waitForLine(/Saved traffic to/, {
          from: first.lines().indexOf(crossed),
          timeoutMs: 30_000,
        });
      } finally {
        first.kill("SIGKILL");
      }
      await first.exited;
      const fired = first.lines().filter((l) => l.includes("Alert fired")).map((l) =>
        /threshold (\S+)/.exec(l)![1]
      );
      assert.ok(fired.includes("80%") && fired.includes("100%"), first.lines().join("\n"));

      receiver = startReceiver(pair.captureNs);
      await receiver.output.waitForLine(/^listening$/);
      const second = await startNetledgerInNetns(pair.captureNs, `${dir}/netledger.db`, env);
      try {
        // More traffic and saves: the thresholds are still crossed, and must not fire again.
        await pump.send(20);
        const saved = second.lines().length;
        await second.waitForLine(/Saved traffic to/, { from: saved, timeoutMs: 30_000 });
        // One "Sent" line per alert that fired before the kill (the outbox was committed with them).
        let from = 0;
        for (let i = 0; i < fired.length; i++) {
          const line = await second.waitForLine(/Sent webhook alert \d+ /, { from, timeoutMs: 30_000 });
          from = second.lines().indexOf(line, from) + 1;
        }
        const deliveries = await apiInNetns(pair.captureNs, "/api/plans/deliveries") as AlertDeliveriesJson;
        const sentLines = second.lines().filter((l) => l.includes("Sent webhook alert"));
        assert.equal(sentLines.length, fired.length, second.lines().join("\n"));
        assert.deepEqual(deliveries.deliveries.map((d) => d.state), fired.map(() => "sent"));
        assert.deepEqual(second.lines().filter((l) => l.includes("Alert fired")), [], "nothing fires twice");
        assert.ok(second.lines().every((l) => !l.includes("kill-test-secret")), "no secret in the log");
      } finally {
        second.kill("SIGTERM");
        await second.exited;
      }
      const thresholds = receiver.bodies().map((b) => b.threshold as string).sort();
      assert.deepEqual(thresholds, [...fired].sort(), "each alert reached the receiver exactly once");
    } finally {
      if (receiver !== null) {
        receiver.child.kill("SIGTERM");
        await receiver.output.exited;
      }
      await Deno.remove(dir, { recursive: true });
    }
  },
});
