/**
 * The real program on a real interface (issue #3 item 8): main.ts captures inside one namespace of a veth pair
 * while known frames are injected from the other; its API must show exactly the known bytes and packets with
 * zero kernel drops. Without CAP_NET_RAW it must keep serving and say why it does not count.
 */
import assert from "node:assert/strict";
import { injectInNetns } from "./helpers/inject_frames.ts";
import { CASES, expectedTotals, frames } from "./helpers/live_cases.ts";
import { apiInNetns, startNetledgerInNetns } from "./helpers/netledger_rig.ts";
import { createVethPair } from "./helpers/netns.ts";
import { childEnv, ROOT_DIR } from "./helpers/run_main.ts";

const IS_ROOT = Deno.uid() === 0;
const ROUNDS = 200;
/** Longest wait for the program to start or for the Worker's next batch (about one second). */
const WAIT_MS = 60_000;

interface CaptureJson {
  readonly state: string;
  readonly message: string | null;
  readonly kernel_drops: number;
  readonly malformed_packets: number;
  readonly counted_packets: number;
}

/** The sum of the samples of one metric whose labels contain `label`. */
function metricSum(text: string, name: string, label: string): number {
  return text.split("\n")
    .filter((line) => line.startsWith(`${name}{`) && line.includes(label))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

async function metricsInNetns(ns: string): Promise<string> {
  const script = 'const r = await fetch("http://127.0.0.1:8080/metrics"); console.log(await r.text());';
  const out = await new Deno.Command("ip", {
    args: ["netns", "exec", ns, Deno.execPath(), "eval", "--quiet", script],
    stdout: "piped",
  }).output();
  return new TextDecoder().decode(out.stdout);
}

async function waitForCapture(ns: string, isDone: (c: CaptureJson) => boolean): Promise<CaptureJson> {
  let capture: CaptureJson | null = null;
  for (const deadline = Date.now() + WAIT_MS; Date.now() < deadline;) {
    capture = ((await apiInNetns(ns, "/api/debug/capture")) as { capture: CaptureJson }).capture;
    if (isDone(capture)) return capture;
  }
  throw new Error(`capture never reached the expected state: ${JSON.stringify(capture)}`);
}

Deno.test({
  name: "main.ts counts injected frames exactly, as /api/query, /metrics and /api/health show, with no drops",
  ignore: !IS_ROOT,
  sanitizeResources: false,
  async fn() {
    await using pair = await createVethPair();
    const dir = await Deno.makeTempDir({ prefix: "netledger-live-" });
    const netledger = await startNetledgerInNetns(pair.captureNs, `${dir}/netledger.db`);
    try {
      const expected = expectedTotals(CASES, ROUNDS);
      await injectInNetns(pair.peerNs, pair.peerIface, frames(ROUNDS));
      const capture = await waitForCapture(
        pair.captureNs,
        (c) => c.counted_packets >= expected.upPackets + expected.downPackets,
      );
      assert.equal(capture.counted_packets, expected.upPackets + expected.downPackets);
      assert.equal(capture.malformed_packets, expected.malformedPackets);
      assert.equal(capture.kernel_drops, 0);

      const today = new Date().toISOString().slice(0, 10); // the rig runs with TZ=UTC
      const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
      const query = await apiInNetns(pair.captureNs, `/api/query?start=${yesterday}&end=${today}`) as {
        summary: { up_bytes: number; down_bytes: number };
      };
      assert.equal(query.summary.up_bytes, expected.upBytes);
      assert.equal(query.summary.down_bytes, expected.downBytes);

      const metrics = await metricsInNetns(pair.captureNs);
      assert.equal(
        metricSum(metrics, "netledger_public_packets_total", 'direction="upload"'),
        expected.upPackets,
      );
      assert.equal(
        metricSum(metrics, "netledger_public_packets_total", 'direction="download"'),
        expected.downPackets,
      );
      const health = await apiInNetns(pair.captureNs, "/api/health") as { status: string };
      assert.equal(health.status, "ok");
    } finally {
      netledger.kill("SIGTERM");
      const status = await netledger.exited;
      await Deno.remove(dir, { recursive: true });
      assert.equal(status.code, 0, netledger.lines().join("\n"));
    }
  },
});

Deno.test({
  name: "main.ts without CAP_NET_RAW keeps serving and /api/health names the missing capability and its fix",
  ignore: !IS_ROOT,
  sanitizeResources: false,
  async fn() {
    await using pair = await createVethPair();
    const dir = await Deno.makeTempDir({ prefix: "netledger-noraw-" });
    const deno = `'${Deno.execPath()}' run -A main.ts`;
    const child = new Deno.Command("ip", {
      args: ["netns", "exec", pair.captureNs, "capsh", "--drop=cap_net_raw", "--", "-c", `exec ${deno}`],
      cwd: ROOT_DIR,
      clearEnv: true,
      env: childEnv({
        DB_PATH: `${dir}/netledger.db`,
        MONITOR_IFACE: pair.captureIface,
        BIND: "127.0.0.1",
        WEB_PORT: "8080",
        TZ: "UTC",
      }),
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const output = child.output();
    try {
      type HealthJson = { status: string; problems: string[]; capture: CaptureJson };
      let health: HealthJson | undefined;
      for (const deadline = Date.now() + WAIT_MS; Date.now() < deadline && health === undefined;) {
        health = await apiInNetns(pair.captureNs, "/api/health").then(
          (h) => h as HealthJson,
          () => undefined,
        );
      }
      if (health === undefined) throw new Error("netledger never answered /api/health");
      assert.equal(health.status, "degraded");
      assert.equal(health.capture.state, "no_permission");
      assert.match(health.capture.message ?? "", /netledger needs CAP_NET_RAW: run as root/);
      assert.ok(health.problems.some((p) => p.includes("CAP_NET_RAW")));
      const summary = await apiInNetns(pair.captureNs, "/api/summary") as { today: { total_bytes: number } };
      assert.equal(summary.today.total_bytes, 0);
    } finally {
      child.kill("SIGTERM");
      const { code, stdout, stderr } = await output;
      await Deno.remove(dir, { recursive: true });
      const log = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
      assert.equal(code, 0, log);
      assert.equal(log.split("\n").filter((l) => l.includes("needs CAP_NET_RAW")).length, 1, log);
    }
  },
});
