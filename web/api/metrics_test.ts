import assert from "node:assert/strict";
import { escapeLabelValue, MAX_CLIENT_SERIES, type MetricsSnapshot, renderMetrics } from "./metrics.ts";

const PROMTOOL = "/usr/bin/promtool";
const hasPromtool = await Deno.stat(PROMTOOL).then(() => true, (e) => {
  if (!(e instanceof Deno.errors.NotFound)) throw e;
  console.warn(
    `Skipping the promtool checks: ${PROMTOOL} is missing (install Debian's "prometheus" package)`,
  );
  return false;
});

/** 60 remotes in the window, top 20 shown; a Clash client whose name needs every escape. */
function busySnapshot(): MetricsSnapshot {
  const rows = Array.from({ length: 60 }, (_, i) => ({
    remoteIp: i % 2 === 0 ? `198.51.100.${i}` : `2001:db8::${i.toString(16)}`,
    upBytes: 1000 * (i + 1),
    downBytes: 5000 * (i + 1),
  }));
  return {
    version: "0.1.0",
    isCaptureRunning: true,
    traffic: [
      { family: 4, upBytes: 10_000_000, downBytes: 90_000_000, upPackets: 20_000, downPackets: 70_000 },
      { family: 6, upBytes: 3_000_000, downBytes: 7_000_000, upPackets: 4_000, downPackets: 6_000 },
    ],
    malformedPackets: 3,
    droppedPackets: 0,
    topRemotes: {
      windowStartSec: 1_767_222_000,
      totalUpBytes: rows.reduce((s, r) => s + r.upBytes, 0) + 777,
      totalDownBytes: rows.reduce((s, r) => s + r.downBytes, 0) + 888,
      rows: [...rows, { remoteIp: "other", upBytes: 777, downBytes: 888 }],
      limit: 20,
    },
    devices: {
      rows: [
        { key: "3c:22:fb:00:00:07", name: 'Anna\'s "phone"', upBytes: 4_000_000, downBytes: 50_000_000 },
        { key: "02:00:00:00:00:02", name: null, upBytes: 1_000_000, downBytes: 2_000_000 },
        { key: "192.0.2.10", name: null, upBytes: 10, downBytes: 20 },
      ],
      limit: 2,
    },
    services: {
      rows: [
        { name: "googlevideo.com", upBytes: 1_000_000, downBytes: 60_000_000 },
        { name: "example.com", upBytes: 2_000_000, downBytes: 3_000_000 },
        { name: "bücher.example", upBytes: 5, downBytes: 6 },
      ],
      limit: 2,
    },
    clash: {
      isCoreReachable: true,
      activeConnections: 42,
      clients: [
        {
          clientIp: "192.168.1.20",
          name: 'Anna\'s "TV"\\living\nroom',
          upBytes: 500,
          downBytes: 9000,
          activeConnections: 7,
        },
        { clientIp: "fd00::20", name: null, upBytes: 100, downBytes: 200, activeConnections: 1 },
      ],
      unattributedUpBytes: 12,
      unattributedDownBytes: 34,
    },
  };
}

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** A small reader of the text format (enough for what renderMetrics writes), to check values round-trip. */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-z_:][a-z0-9_:]*)(?:\{(.*)\})? (\S+)$/i.exec(line);
    assert.ok(match, `unreadable line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, raw] of (match[2] ?? "").matchAll(/([a-z_][a-z0-9_]*)="((?:[^"\\]|\\.)*)"/gi)) {
      labels[key] = raw.replace(/\\(.)/g, (_, ch) => (ch === "n" ? "\n" : ch));
    }
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

async function promtoolCheck(text: string): Promise<{ code: number; output: string }> {
  const child = new Deno.Command(PROMTOOL, {
    args: ["check", "metrics"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  })
    .spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  return { code, output: new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr) };
}

Deno.test({
  name: "renderMetrics() output passes promtool check metrics with no lint finding",
  ignore: !hasPromtool,
  async fn() {
    for (const snapshot of [busySnapshot(), { ...busySnapshot(), clash: null }]) {
      const result = await promtoolCheck(renderMetrics(snapshot));
      assert.equal(result.output, "");
      assert.equal(result.code, 0);
    }
  },
});

Deno.test({
  name: "promtool check metrics rejects a counter without _total (the check above can fail)",
  ignore: !hasPromtool,
  async fn() {
    const bad = "# HELP netledger_bytes Bytes.\n# TYPE netledger_bytes counter\nnetledger_bytes 1\n";
    const result = await promtoolCheck(bad);
    assert.notEqual(result.code, 0);
    assert.match(result.output, /_total/);
  },
});

Deno.test("renderMetrics() shows bytes and packets by direction and family, malformed and dropped", () => {
  const samples = parseExposition(renderMetrics(busySnapshot()));
  const value = (name: string, labels: Record<string, string> = {}) =>
    samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      ?.value;
  assert.equal(value("netledger_public_bytes_total", { direction: "upload", family: "ipv4" }), 10_000_000);
  assert.equal(value("netledger_public_bytes_total", { direction: "download", family: "ipv6" }), 7_000_000);
  assert.equal(value("netledger_public_packets_total", { direction: "download", family: "ipv4" }), 70_000);
  assert.equal(value("netledger_malformed_packets_total"), 3);
  assert.equal(value("netledger_dropped_packets_total"), 0);
  assert.equal(value("netledger_capture_up"), 1);
  assert.equal(value("netledger_build_info", { version: "0.1.0" }), 1);
});

Deno.test("renderMetrics() exposes the top N remotes plus an exact other series that sums to the window total", () => {
  const snapshot = busySnapshot();
  const remotes = parseExposition(renderMetrics(snapshot)).filter((s) => s.name === "netledger_remote_bytes");
  const ips = new Set(remotes.map((s) => s.labels.remote_ip));
  assert.equal(ips.size, snapshot.topRemotes.limit + 1);
  assert.ok(ips.has("other"));
  assert.ok(ips.has("2001:db8::3b"), "the heaviest remote (index 59) is shown");
  assert.ok(!ips.has("198.51.100.0"), "the lightest remote is folded into other");
  for (const direction of ["upload", "download"]) {
    const total = remotes.filter((s) => s.labels.direction === direction).reduce(
      (sum, s) => sum + s.value,
      0,
    );
    assert.equal(
      total,
      direction === "upload" ? snapshot.topRemotes.totalUpBytes : snapshot.topRemotes.totalDownBytes,
    );
  }
});

Deno.test("renderMetrics() with METRICS_TOP_N=0 exposes only the other series", () => {
  const snapshot = busySnapshot();
  const text = renderMetrics({ ...snapshot, topRemotes: { ...snapshot.topRemotes, limit: 0 } });
  const remotes = parseExposition(text).filter((s) => s.name === "netledger_remote_bytes");
  assert.deepEqual(remotes.map((s) => s.labels.remote_ip), ["other", "other"]);
  assert.equal(remotes[0].value, snapshot.topRemotes.totalUpBytes);
});

Deno.test("renderMetrics() shows per-client Clash series with escaped names, and none when Clash is off", () => {
  const samples = parseExposition(renderMetrics(busySnapshot()));
  const info = samples.find((s) => s.name === "netledger_clash_client_info");
  assert.equal(info?.labels.name, 'Anna\'s "TV"\\living\nroom');
  assert.equal(info?.labels.client_ip, "192.168.1.20");
  const bytes = samples.filter((s) => s.name === "netledger_clash_client_bytes_total");
  assert.equal(bytes.length, 4);
  assert.equal(
    samples.find((s) => s.name === "netledger_clash_client_connections" && s.labels.client_ip === "fd00::20")
      ?.value,
    1,
  );
  assert.equal(samples.find((s) => s.name === "netledger_clash_core_up")?.value, 1);
  const off = parseExposition(renderMetrics({ ...busySnapshot(), clash: null }));
  assert.equal(off.filter((s) => s.name.startsWith("netledger_clash_")).length, 0);
});

Deno.test("renderMetrics() bounds Clash clients at MAX_CLIENT_SERIES and sums the rest into other", () => {
  const snapshot = busySnapshot();
  const clients = Array.from({ length: MAX_CLIENT_SERIES + 30 }, (_, i) => ({
    clientIp: `10.0.${i >> 8}.${i & 255}`,
    name: null,
    upBytes: i + 1,
    downBytes: 2 * (i + 1),
    activeConnections: 1,
  }));
  const text = renderMetrics({ ...snapshot, clash: { ...snapshot.clash!, clients } });
  const series = parseExposition(text).filter((s) => s.name === "netledger_clash_client_connections");
  assert.equal(series.length, MAX_CLIENT_SERIES + 1);
  assert.equal(series.at(-1)?.labels.client_ip, "other");
  assert.equal(series.at(-1)?.value, 30);
  const upTotal = parseExposition(text)
    .filter((s) => s.name === "netledger_clash_client_bytes_total" && s.labels.direction === "upload")
    .reduce((sum, s) => sum + s.value, 0);
  assert.equal(upTotal, clients.reduce((sum, c) => sum + c.upBytes, 0));
});

Deno.test("escapeLabelValue() escapes backslash, quote and line feed only", () => {
  assert.equal(escapeLabelValue('a\\b"c\nd é'), 'a\\\\b\\"c\\nd é');
});

Deno.test("renderMetrics() shows the top METRICS_TOP_N devices plus other, summing to the public total", () => {
  const snapshot = busySnapshot();
  const devices = parseExposition(renderMetrics(snapshot)).filter((s) =>
    s.name === "netledger_device_bytes_total"
  );
  assert.deepEqual(
    devices.filter((s) => s.labels.direction === "upload").map((s) => [s.labels.device, s.labels.name]),
    [
      ["3c:22:fb:00:00:07", 'Anna\'s "phone"'],
      ["02:00:00:00:00:02", ""],
      ["other", ""],
    ],
  );
  for (const [direction, total] of [["upload", 13_000_000], ["download", 97_000_000]] as const) {
    const sum = devices.filter((s) => s.labels.direction === direction).reduce((n, s) => n + s.value, 0);
    assert.equal(sum, total, direction);
  }
});

Deno.test('renderMetrics() shows the top METRICS_TOP_N services and service="other"; the series sum to the total', () => {
  const text = renderMetrics(busySnapshot());
  const series = [
    ...text.matchAll(/^netledger_service_bytes_total\{service="([^"]*)",direction="(\w+)"\} (\d+)$/gm),
  ];
  assert.deepEqual([...new Set(series.map((m) => m[1]))], ["googlevideo.com", "example.com", "other"]);
  const upload = series.filter((m) => m[2] === "upload").reduce((n, m) => n + Number(m[3]), 0);
  const download = series.filter((m) => m[2] === "download").reduce((n, m) => n + Number(m[3]), 0);
  assert.deepEqual([upload, download], [13_000_000, 97_000_000]);
});
