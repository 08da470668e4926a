/**
 * The shipped Prometheus rules and Grafana dashboard against what netledger really exports (issue 16 item 5):
 * `promtool test rules` on packaging/prometheus/, `promtool check metrics` on /metrics with plans set up,
 * and every metric a dashboard query names must be one /metrics writes. promtool comes with Debian's
 * `prometheus` package, which .ci/run installs.
 */
import assert from "node:assert/strict";
import { ClashMonitor } from "../clash/mod.ts";
import { parsePlanList } from "../plans/mod.ts";
import { ClashLedger, ClashStore, openStore, PlanBook, TrafficLedger } from "../store/mod.ts";
import { buildMetricsSnapshot, renderMetrics } from "../web/api/mod.ts";
import { ROOT_DIR } from "./helpers/run_main.ts";

const hasPromtool = await Deno.stat("/usr/bin/promtool").then(() => true, () => false);
const skipWhy = "promtool is missing: apt-get install prometheus (Debian) to run this test";

/** /metrics of a temp database with two plans and some traffic, rendered by the real snapshot code. */
async function metricsWithPlans(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "nl-prom-" });
  const store = openStore(`${dir}/netledger.db`, { log: () => {}, timeZone: "UTC" });
  try {
    const nowSec = Date.parse("2026-12-20T12:00:00Z") / 1000;
    const ledger = new TrafficLedger(store);
    ledger.add({
      traffic: [{
        bucketStartSec: nowSec - 900,
        family: 4,
        upBytes: 5e9,
        downBytes: 7e9,
        upPackets: 9,
        downPackets: 9,
      }],
      remotes: [],
      health: [],
    });
    const monitor = new ClashMonitor({
      apiUrl: null,
      secret: "",
      persistence: new ClashStore(store),
      log: () => {},
    });
    const plans = parsePlanList(
      "ISP;monthly:15;total;1.2TB|Hotspot;every:30:2026-01-07;download;none",
      "2026-12-20",
    );
    return renderMetrics(buildMetricsSnapshot({
      version: "test",
      ledger,
      capture: null,
      clash: { monitor, ledger: new ClashLedger(store, monitor) },
      timeZone: "UTC",
      nowSec,
      topN: 5,
      plans: new PlanBook(store, plans),
    }));
  } finally {
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

async function promtool(args: string[], stdin?: string): Promise<{ code: number; output: string }> {
  const child = new Deno.Command("/usr/bin/promtool", {
    args,
    cwd: `${ROOT_DIR}/packaging/prometheus`,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const { code, stdout, stderr } = await child.output();
  return { code, output: new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr) };
}

Deno.test({
  name: "packaging/prometheus/netledger-rules.yml passes its promtool unit tests",
  ignore: !hasPromtool,
  fn: async () => {
    const { code, output } = await promtool(["test", "rules", "netledger-rules.test.yml"]);
    assert.equal(code, 0, output);
    assert.match(output, /SUCCESS/);
  },
});

Deno.test({
  name: "/metrics with plans passes promtool check metrics and has every series the rules use",
  ignore: !hasPromtool,
  fn: async () => {
    const text = await metricsWithPlans();
    assert.match(text, /^netledger_plan_used_bytes\{plan="isp"\} 12000000000$/m);
    assert.match(text, /^netledger_plan_quota_bytes\{plan="isp"\} 1200000000000$/m);
    assert.doesNotMatch(
      text,
      /netledger_plan_quota_bytes\{plan="hotspot"\}/,
      "no quota series without a cap",
    );
    const { code, output } = await promtool(["check", "metrics"], text);
    assert.equal(code, 0, output);
    const rules = await Deno.readTextFile(`${ROOT_DIR}/packaging/prometheus/netledger-rules.yml`);
    for (const name of new Set(rules.match(/netledger_[a-z_]+/g))) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, "m"), `the rules use ${name}`);
    }
  },
});

if (!hasPromtool) console.warn(`plans_prometheus_test: ${skipWhy}`);

Deno.test("packaging/grafana/netledger.json is valid JSON and every query names a metric netledger exports", async () => {
  const dashboard = JSON.parse(await Deno.readTextFile(`${ROOT_DIR}/packaging/grafana/netledger.json`));
  const exprs: string[] = dashboard.panels.flatMap((p: { targets: { expr: string }[] }) =>
    p.targets.map((t) => t.expr)
  );
  exprs.push(
    ...dashboard.templating.list.filter((v: { type: string }) => v.type === "query").map((
      v: { query: string },
    ) => v.query),
  );
  assert.ok(exprs.length >= 10);
  // Families /metrics writes when everything is configured (the Clash ones only with CLASH_API_URL).
  const metricsSource = await Deno.readTextFile(`${ROOT_DIR}/web/api/metrics.ts`);
  const exported = new Set(metricsSource.match(/"netledger_[a-z_]+"/g)!.map((n) => n.slice(1, -1)));
  for (const expr of exprs) {
    const names = expr.match(/netledger_[a-z_]+/g) ?? [];
    assert.ok(names.length > 0, `a query without a netledger metric: ${expr}`);
    for (const name of names) assert.ok(exported.has(name), `${name} in "${expr}" is not exported`);
  }
  for (
    const name of [
      "netledger_plan_used_bytes",
      "netledger_plan_forecast_bytes",
      "netledger_public_bytes_total",
    ]
  ) {
    assert.ok(exprs.some((e) => e.includes(name)), `the dashboard shows ${name}`);
  }
});
