import assert from "node:assert/strict";
import {
  clientKey,
  type ConnectionFilter,
  type LiveConnection,
  readSnapshot,
  viewConnections,
} from "./live_connections.ts";

const NO_FILTER: ConnectionFilter = { client: "", host: "", chain: "", network: "", search: "" };

function entry(id: string, fields: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}) {
  return {
    chains: ["HK-01", "Proxy"],
    download: 0,
    id,
    metadata: {
      destinationIP: "203.0.113.9",
      destinationPort: "443",
      host: "",
      network: "tcp",
      sourceIP: "192.168.1.10",
      type: "tun/tun-in",
      ...metadata,
    },
    rule: "final",
    start: "2026-11-23T10:00:00.123456789+08:00",
    upload: 0,
    ...fields,
  };
}

function snapshot(connections: unknown): string {
  return JSON.stringify({ connections, downloadTotal: 0, memory: 0, uploadTotal: 0 });
}

Deno.test("readSnapshot() reads a sing-box entry as the server names clients, resources and chains", () => {
  const rows = readSnapshot(
    snapshot([
      entry("a", { upload: 10, download: 20 }, {
        host: "video.example.com",
        sourceIP: "::FFFF:192.168.1.10",
      }),
    ]),
    new Map(),
    1,
  );
  assert.deepEqual(rows, [{
    id: "a",
    client: "192.168.1.10",
    host: "video.example.com",
    destination: "video.example.com:443",
    chain: "Proxy > HK-01",
    rule: "final",
    network: "tcp",
    startSec: Date.UTC(2026, 10, 23, 2) / 1000,
    upBytes: 10,
    downBytes: 20,
    upBps: 0,
    downBps: 0,
  }]);
});

Deno.test("readSnapshot() gives each connection its speed since the previous snapshot", () => {
  const first = readSnapshot(snapshot([entry("a", { upload: 100, download: 1000 })]), new Map(), 1)!;
  const previous = new Map(first.map((c) => [c.id, c]));
  const [a, b] = readSnapshot(
    snapshot([entry("a", { upload: 300, download: 5000 }), entry("b", { upload: 7 })]),
    previous,
    2,
  )!;
  assert.deepEqual([a.upBps, a.downBps], [100, 2000]);
  assert.deepEqual([b.upBps, b.downBps], [0, 0], "first sight");
});

Deno.test("readSnapshot() skips what the server does not count and refuses what is no snapshot", () => {
  const rows = readSnapshot(
    snapshot([
      entry("inner", {}, { type: "Inner" }),
      entry("no-source", {}, { sourceIP: "" }),
      entry("", {}),
      { id: "no-metadata" },
      null,
      entry("kept", { chains: [], start: "garbage" }, { destinationIP: "", destinationPort: "0" }),
    ]),
    new Map(),
    1,
  )!;
  assert.deepEqual(
    rows.map((c) => [c.id, c.destination, c.chain, c.startSec]),
    [["kept", "(unknown)", "(none)", null]],
  );
  assert.deepEqual(readSnapshot(snapshot(null), new Map(), 1), [], "mihomo's empty list");
  assert.equal(readSnapshot("{", new Map(), 1), null);
  assert.equal(readSnapshot('{"up":1,"down":2}', new Map(), 1), null);
});

Deno.test("clientKey() drops an IPv6 zone and unwraps IPv4-mapped addresses", () => {
  assert.equal(clientKey("FD00::20%br-lan"), "fd00::20");
  assert.equal(clientKey("::ffff:192.168.1.10"), "192.168.1.10");
  assert.equal(clientKey("::ffff:c0a8:10a"), "::ffff:c0a8:10a", "Go never writes a mapped address in hex");
  assert.equal(clientKey("10.0.0.2"), "10.0.0.2");
});

function row(id: string, fields: Partial<LiveConnection>): LiveConnection {
  return {
    id,
    client: "192.168.1.10",
    host: "a.example.com",
    destination: "a.example.com:443",
    chain: "direct",
    rule: "final",
    network: "tcp",
    startSec: 1000,
    upBytes: 0,
    downBytes: 0,
    upBps: 0,
    downBps: 0,
    ...fields,
  };
}

Deno.test("viewConnections() filters by client, host, chain, network and search, and sorts with stable ties", () => {
  const rows = [
    row("1", { downBps: 50, startSec: 900 }),
    row("2", { client: "fd00::20", host: "b.example.org", destination: "b.example.org:53", network: "udp" }),
    row("3", { downBps: 50, chain: "Proxy > HK-01", startSec: null }),
    row("4", { downBps: 900, rule: "geosite-netflix => route(Proxy)", startSec: 990 }),
  ];
  const view = (filter: Partial<ConnectionFilter>, key = "down_speed" as const, isDescending = true) =>
    viewConnections(rows, {
      filter: { ...NO_FILTER, ...filter },
      key,
      isDescending,
      limit: 10,
      names: new Map([["fd00::20", "Kitchen tablet"]]),
    }).rows.map((c) => c.id);
  assert.deepEqual(view({}), ["4", "1", "3", "2"]);
  assert.deepEqual(view({}, "down_speed", false), ["2", "1", "3", "4"]);
  assert.deepEqual(
    viewConnections(rows, {
      filter: NO_FILTER,
      key: "duration",
      isDescending: true,
      limit: 10,
      names: new Map(),
    }).rows.map((c) => c.id),
    ["1", "4", "2", "3"],
  );
  assert.deepEqual(view({ client: "fd00::20" }), ["2"]);
  assert.deepEqual(view({ network: "udp" }), ["2"]);
  assert.deepEqual(view({ chain: "Proxy > HK-01" }), ["3"]);
  assert.deepEqual(view({ host: "B.EXAMPLE" }), ["2"]);
  assert.deepEqual(view({ search: "kitchen" }), ["2"], "by the client's name");
  assert.deepEqual(view({ search: "netflix" }), ["4"], "by the rule");
});

Deno.test("viewConnections() puts the heavier of equal speeds first, so a first snapshot draws the busiest", () => {
  // Every speed is 0 in a first snapshot: the ids alone would pick which 2 of 4 are drawn.
  const rows = [
    row("a", { upBytes: 10 }),
    row("b", { downBytes: 3_000_000 }),
    row("c", {}),
    row("d", { upBytes: 2_000, downBytes: 20_000 }),
  ];
  const view = viewConnections(rows, {
    filter: NO_FILTER,
    key: "down_speed",
    isDescending: true,
    limit: 2,
    names: new Map(),
  });
  assert.deepEqual(view.rows.map((c) => c.id), ["b", "d"]);
  assert.equal(view.matching, 4);
});

Deno.test("viewConnections() draws at most `limit` rows and counts every match", () => {
  const rows = Array.from({ length: 10_000 }, (_, i) => row(String(i), { downBps: i }));
  const view = viewConnections(rows, {
    filter: NO_FILTER,
    key: "down_speed",
    isDescending: true,
    limit: 200,
    names: new Map(),
  });
  assert.equal(view.rows.length, 200);
  assert.equal(view.matching, 10_000);
  assert.equal(view.rows[0].id, "9999");
});
