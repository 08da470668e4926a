/**
 * The accounting state machine, driven by snapshots in the wire layout; P<n> in a test name is the pitfall
 * of docs/clash-accounting.md it covers.
 */
import assert from "node:assert/strict";
import { ClashAggregator } from "./aggregator.ts";
import type { ClashResumeState } from "./types.ts";

const URL_A = "http://127.0.0.1:9090";
const T0 = 1_795_000_000;
const START_BEFORE = "2026-11-01T00:00:00Z";
const START_AFTER = new Date((T0 + 10) * 1000).toISOString();

interface Conn {
  id: string;
  up: number;
  down: number;
  src?: string;
  host?: string;
  dst?: string;
  chains?: string[];
  type?: string;
  start?: string;
}

function snapshot(up: number, down: number, conns: Conn[] | null) {
  return {
    connections: conns?.map((c) => ({
      chains: c.chains ?? ["HK-01", "Proxy"],
      download: c.down,
      id: c.id,
      metadata: {
        destinationIP: c.dst ?? "203.0.113.10",
        destinationPort: "443",
        host: c.host ?? "video.example.com",
        network: "tcp",
        sourceIP: c.src ?? "192.168.1.10",
        type: c.type ?? "tun/tun-in",
      },
      rule: "final",
      start: c.start ?? START_AFTER,
      upload: c.up,
    })) ?? null,
    downloadTotal: down,
    uploadTotal: up,
  };
}

function make(resume: ClashResumeState | null = null, log: string[] = []) {
  return new ClashAggregator({ apiUrl: URL_A, processStartSec: T0, resume, log: (l) => log.push(l) });
}

function sums(a: ClashAggregator) {
  const b = a.pending();
  const usage = b.usage.reduce((s, r) => ({ up: s.up + r.upBytes, down: s.down + r.downBytes }), {
    up: 0,
    down: 0,
  });
  const rest = b.unattributed.reduce((s, r) => ({ up: s.up + r.upBytes, down: s.down + r.downBytes }), {
    up: 0,
    down: 0,
  });
  return { usage, rest };
}

Deno.test("ClashAggregator.ingest() credits a new id from 0 and later deltas by id", () => {
  const a = make();
  a.ingest(snapshot(0, 0, []), T0 + 20);
  a.ingest(snapshot(100, 1000, [{ id: "a", up: 100, down: 1000 }]), T0 + 21);
  a.ingest(snapshot(150, 1500, [{ id: "a", up: 150, down: 1500 }]), T0 + 22);
  assert.deepEqual(sums(a), { usage: { up: 150, down: 1500 }, rest: { up: 0, down: 0 } });
  const [row] = a.pending().usage;
  assert.equal(row.clientIp, "192.168.1.10");
  assert.equal(row.resource, "video.example.com");
  assert.equal(row.chain, "Proxy > HK-01");
  assert.equal(row.newConnections, 1);
});

Deno.test("ClashAggregator.ingest() takes connections older than netledger as a baseline (P8)", () => {
  const a = make();
  a.ingest(snapshot(5000, 9000, [{ id: "old", up: 4000, down: 8000, start: START_BEFORE }]), T0 + 20);
  a.ingest(snapshot(5010, 9020, [{ id: "old", up: 4010, down: 8020, start: START_BEFORE }]), T0 + 21);
  assert.deepEqual(sums(a), { usage: { up: 10, down: 20 }, rest: { up: 0, down: 0 } });
});

Deno.test("ClashAggregator.ingest() credits a first-snapshot connection that started after netledger", () => {
  const a = make();
  a.ingest(snapshot(5000, 9000, [{ id: "new", up: 30, down: 40 }]), T0 + 20);
  assert.deepEqual(sums(a), { usage: { up: 30, down: 40 }, rest: { up: 0, down: 0 } });
});

Deno.test("ClashAggregator.ingest() puts bytes of unlisted and closed connections in unattributed (P1)", () => {
  const a = make();
  a.ingest(snapshot(0, 0, [{ id: "a", up: 0, down: 0 }]), T0 + 20);
  // "a" closed after moving 5/50 more; a DNS connection moved 7/70 unlisted.
  a.ingest(snapshot(12, 120, []), T0 + 21);
  assert.deepEqual(sums(a), { usage: { up: 0, down: 0 }, rest: { up: 12, down: 120 } });
});

Deno.test("ClashAggregator.ingest() starts a new epoch when the totals go down (P2)", () => {
  const log: string[] = [];
  const a = make(null, log);
  a.ingest(snapshot(0, 0, []), T0 + 20);
  a.ingest(snapshot(100, 100, [{ id: "a", up: 90, down: 90 }]), T0 + 21);
  a.ingest(snapshot(30, 40, [{ id: "b", up: 20, down: 25 }]), T0 + 22);
  assert.deepEqual(sums(a), { usage: { up: 110, down: 115 }, rest: { up: 20, down: 25 } });
  assert.equal(a.stats().coreRestarts, 1);
  assert.match(log.join("\n"), /restarted/);
});

Deno.test("ClashAggregator.ingest() counts a known id whose counters went down again from 0 (P7)", () => {
  const a = make();
  a.ingest(snapshot(0, 0, []), T0 + 20);
  a.ingest(snapshot(100, 100, [{ id: "a", up: 100, down: 100 }]), T0 + 21);
  a.ingest(snapshot(130, 130, [{ id: "a", up: 30, down: 30 }]), T0 + 22);
  assert.deepEqual(sums(a), { usage: { up: 130, down: 130 }, rest: { up: 0, down: 0 } });
  assert.equal(a.stats().counterResets, 1);
});

Deno.test("ClashAggregator.ingest() carries a negative remainder instead of reducing clients (P10)", () => {
  const a = make();
  a.ingest(snapshot(0, 0, []), T0 + 20);
  a.ingest(snapshot(90, 90, [{ id: "a", up: 100, down: 100 }]), T0 + 21); // counters ahead of totals
  assert.deepEqual(sums(a), { usage: { up: 100, down: 100 }, rest: { up: 0, down: 0 } });
  a.ingest(snapshot(115, 115, [{ id: "a", up: 100, down: 100 }]), T0 + 22);
  assert.deepEqual(sums(a), { usage: { up: 100, down: 100 }, rest: { up: 15, down: 15 } });
});

Deno.test("ClashAggregator.ingest() follows mihomo: null list, Inner skipped, zone and ::ffff: normalised", () => {
  const a = make();
  a.ingest(snapshot(0, 0, null), T0 + 20);
  a.ingest(
    snapshot(30, 30, [
      { id: "inner", up: 500, down: 500, src: "", type: "Inner" },
      { id: "v6", up: 10, down: 10, src: "FE80::1%br-lan", host: "", dst: "2001:db8::5" },
      { id: "mapped", up: 20, down: 20, src: "::ffff:192.168.1.20", host: "", dst: "" },
    ]),
    T0 + 21,
  );
  const rows = a.pending().usage.map((r) => [r.clientIp, r.resource, r.upBytes]).sort();
  assert.deepEqual(rows, [["192.168.1.20", "(unknown)", 20], ["fe80::1", "2001:db8::5", 10]]);
  assert.deepEqual(sums(a).rest, { up: 0, down: 0 });
});

Deno.test("ClashAggregator resumes from committed cursors without counting twice (P8)", () => {
  const a = make();
  a.ingest(snapshot(0, 0, []), T0 + 20);
  a.ingest(snapshot(100, 100, [{ id: "a", up: 100, down: 100 }]), T0 + 21);
  const saved = a.pending().resume!;
  a.commit();
  // netledger restarts: "a" moved 50 more, "c" opened meanwhile with 7.
  const b = make(saved);
  b.ingest(
    snapshot(157, 157, [{ id: "a", up: 150, down: 150, start: START_BEFORE }, { id: "c", up: 7, down: 7 }]),
    T0 + 99,
  );
  assert.deepEqual(sums(b), { usage: { up: 57, down: 57 }, rest: { up: 0, down: 0 } });
});

Deno.test("ClashAggregator ignores resume state saved for another core URL (P7)", () => {
  const other: ClashResumeState = {
    apiUrl: "http://127.0.0.1:9999",
    uploadTotal: 0,
    downloadTotal: 0,
    carryUpBytes: 0,
    carryDownBytes: 0,
    cursors: [{ id: "a", upBytes: 0, downBytes: 0 }],
  };
  const a = make(other);
  a.ingest(snapshot(500, 500, [{ id: "a", up: 100, down: 100, start: START_BEFORE }]), T0 + 20);
  assert.deepEqual(sums(a), { usage: { up: 0, down: 0 }, rest: { up: 0, down: 0 } });
});

Deno.test("ClashAggregator.commit() drops only what pending() returned and keeps the cursors", () => {
  const a = make();
  a.ingest(snapshot(0, 0, []), T0 + 20);
  a.ingest(snapshot(10, 10, [{ id: "a", up: 10, down: 10 }]), T0 + 21);
  a.commit();
  a.ingest(snapshot(15, 15, [{ id: "a", up: 15, down: 15 }]), T0 + 22);
  assert.deepEqual(sums(a), { usage: { up: 5, down: 5 }, rest: { up: 0, down: 0 } });
  assert.equal(a.pending().usage[0].newConnections, 0);
});

Deno.test("ClashAggregator.ingest() rejects a message without totals and skips malformed entries", () => {
  const a = make();
  assert.throws(() => a.ingest({ hello: "clash" }, T0), SyntaxError);
  a.ingest({ uploadTotal: 0, downloadTotal: 0, connections: [{ id: 5 }, null] }, T0 + 20);
  assert.equal(a.stats().malformedConnections, 2);
});

Deno.test("ClashAggregator resumed after a core restart during the downtime counts the new epoch from 0", () => {
  const saved: ClashResumeState = {
    apiUrl: URL_A,
    uploadTotal: 9000,
    downloadTotal: 9000,
    carryUpBytes: 0,
    carryDownBytes: 0,
    cursors: [{ id: "old", upBytes: 8000, downBytes: 8000 }],
  };
  const a = make(saved);
  // New core: totals restarted from 0; "n" started before this netledger run, yet after the core restart.
  a.ingest(snapshot(50, 60, [{ id: "n", up: 40, down: 45, start: START_BEFORE }]), T0 + 20);
  assert.deepEqual(sums(a), { usage: { up: 40, down: 45 }, rest: { up: 10, down: 15 } });
  assert.equal(a.stats().coreRestarts, 1);
});

Deno.test("ClashAggregator counts UUID ids and other ids alike, across churn, resume and live state", () => {
  // Both cores send UUIDs (compared as numbers, id_map.ts); anything else is compared as text.
  const run = (idOf: (i: number) => string) => {
    const a = make();
    a.ingest(snapshot(0, 0, []), T0 + 20);
    let total = 0;
    for (let k = 1; k <= 30; k++) {
      // 40 live connections; every snapshot 4 close and 4 open, each moves k bytes per snapshot.
      const conns = Array.from({ length: 40 }, (_, j) => {
        const i = j + 4 * k;
        return { id: idOf(i), up: k * (i % 7 + 1), down: 2 * k, src: `192.168.1.${i % 3}` };
      });
      total += 40 * k;
      a.ingest(snapshot(total, total, conns), T0 + 20 + k);
    }
    const saved = a.pending().resume!;
    a.commit();
    const b = make(saved);
    const last = Array.from({ length: 40 }, (_, j) => ({ id: idOf(j + 120), up: 999, down: 999 }));
    b.ingest(snapshot(total + 1, total + 1, last), T0 + 99);
    const cursors = saved.cursors.map((c) => [c.upBytes, c.downBytes]).sort((x, y) =>
      x[0] - y[0] || x[1] - y[1]
    );
    const usage = b.pendingUsage().map((r) => [r.clientIp, r.upBytes, r.downBytes]).sort();
    return { cursors, usage, live: b.liveConnections().length };
  };
  const uuids = run((i) => `${i.toString(16).padStart(8, "0")}-5244-4a24-9544-8edd54448d4a`);
  const texts = run((i) => `conn-${i}`);
  assert.deepEqual(uuids, texts);
  assert.equal(uuids.cursors.length, 40);
  assert.equal(uuids.live, 40);
  assert.ok(uuids.usage.length > 0);
});

Deno.test("ClashAggregator hands over the host of each connection at its first sight, old and resumed ones too, Inner and hostless ones not", () => {
  const seen: string[][] = [];
  const withHosts = (resume: ClashResumeState | null) =>
    new ClashAggregator({
      apiUrl: URL_A,
      processStartSec: T0,
      resume,
      log: () => {},
      onConnectionHosts: (hosts) => seen.push(hosts.map((h) => `${h.clientIp} ${h.destinationIp} ${h.host}`)),
    });
  const a = withHosts(null);
  a.ingest(
    snapshot(300, 300, [
      { id: "old", up: 100, down: 100, start: START_BEFORE, src: "::ffff:192.168.1.20" },
      { id: "ip-only", up: 100, down: 100, host: "" },
      { id: "inner", up: 100, down: 100, type: "Inner" },
    ]),
    T0 + 1,
  );
  a.ingest(
    snapshot(500, 500, [{ id: "old", up: 150, down: 150 }, {
      id: "new",
      up: 50,
      down: 50,
      dst: "2001:db8::9",
    }]),
    T0 + 2,
  );
  a.ingest(
    snapshot(600, 600, [{ id: "old", up: 200, down: 200 }, {
      id: "new",
      up: 100,
      down: 100,
      dst: "2001:db8::9",
    }]),
    T0 + 3,
  );
  assert.deepEqual(seen, [
    ["192.168.1.20 203.0.113.10 video.example.com"],
    ["192.168.1.10 2001:db8::9 video.example.com"],
  ]);
  // Resumed cursors have no facts until listed again: their hosts come then, once.
  const saved = a.pending().resume!;
  a.commit();
  seen.length = 0;
  const resumed = withHosts(saved);
  resumed.ingest(snapshot(700, 700, [{ id: "new", up: 150, down: 150, dst: "2001:db8::9" }]), T0 + 4);
  resumed.ingest(snapshot(800, 800, [{ id: "new", up: 200, down: 200, dst: "2001:db8::9" }]), T0 + 5);
  assert.deepEqual(seen, [["192.168.1.10 2001:db8::9 video.example.com"]]);
});
