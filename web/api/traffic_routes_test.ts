import assert from "node:assert/strict";
import { Hono } from "hono";
import { openStore, TrafficLedger } from "../../store/mod.ts";
import { RATE_LAG_SEC, RATE_WINDOW_SEC, RateWindow, type TrafficBatch } from "../../capture/mod.ts";
import { errorResponse } from "./error_response.ts";
import { trafficRoutes } from "./traffic_routes.ts";
import type { TopIpsJson } from "../api_types.ts";

const ZONE = "Asia/Kolkata";
/** 2024-06-15 12:00 IST. */
const NOW_SEC = Date.parse("2024-06-15T06:30:00Z") / 1000;

function batch(
  iso: string,
  remoteIp: string,
  upBytes: number,
  downBytes: number,
  droppedPackets = 0,
): TrafficBatch {
  const bucketStartSec = Date.parse(iso) / 1000;
  const counts = { upBytes, downBytes, upPackets: 1, downPackets: 1 };
  return {
    traffic: [{ bucketStartSec, family: remoteIp.includes(":") ? 6 : 4, ...counts }],
    remotes: [{ bucketStartSec, remoteIp, ...counts }],
    health: droppedPackets > 0 ? [{ bucketStartSec, malformedPackets: 0, droppedPackets }] : [],
  };
}

/** A real server on 127.0.0.1:0 over a temp database with known traffic; disposed in reverse order. */
async function startServer() {
  const dir = await Deno.makeTempDir({ prefix: "netledger-api-" });
  const store = openStore(`${dir}/netledger.db`, { log: () => {} });
  const ledger = new TrafficLedger(store);
  ledger.add(batch("2024-06-15T05:00:00Z", "203.0.113.10", 1000, 5000, 7)); // 10:30 IST today
  ledger.add(batch("2024-06-14T19:00:00Z", "2001:db8::5", 200, 300)); // 00:30 IST today
  ledger.add(batch("2024-06-14T18:15:00Z", "203.0.113.11", 40, 60)); // 23:45 IST yesterday
  ledger.add(batch("2024-01-10T10:00:00Z", "203.0.113.12", 3, 4)); // this year
  await ledger.flush();
  ledger.add(batch("2024-06-15T06:00:00Z", "203.0.113.11", 5000, 0)); // unsaved, 11:30 IST
  // Sized as main.ts sizes it; the running second and the two before it are still written.
  const rates = new RateWindow(RATE_WINDOW_SEC + RATE_LAG_SEC + 1);
  rates.add(NOW_SEC - 5, 10, 20);
  rates.add(NOW_SEC - 3, 30, 40);
  rates.add(NOW_SEC - 1, 1, 1);
  // Mounted with the app's error policy (app.ts), so bad parameters answer as in production.
  const app = new Hono().route(
    "/",
    trafficRoutes({
      ledger,
      timeZone: ZONE,
      // A wall clock like Date.now() / 1000, with a fraction.
      nowSec: () => NOW_SEC + 0.437,
      realtime: rates,
    }),
  ).onError(errorResponse);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, app.fetch);
  const base = `http://127.0.0.1:${server.addr.port}`;
  return {
    base,
    store,
    get: (path: string) => fetch(`${base}${path}`),
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

async function json(response: Response): Promise<unknown> {
  assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
  return await response.json();
}

const amount = (up: number, down: number, upFmt: string, downFmt: string, totalFmt: string) => ({
  up_bytes: up,
  down_bytes: down,
  total_bytes: up + down,
  up_fmt: upFmt,
  down_fmt: downFmt,
  total_fmt: totalFmt,
});

Deno.test("trafficRoutes() answers every bad parameter with 400 naming it", async () => {
  await using server = await startServer();
  const table: [string, string][] = [
    ["/api/query?start=2024-02-30", "start"],
    ["/api/query?start=15.06.2024", "start"],
    ["/api/query?end=2024-13-01", "end"],
    ["/api/query?start=2024-06-15&end=2024-06-01", "start"],
    ["/api/query?start=2024-06-01&end=2024-06-02&granularity=week", "granularity"],
    ["/api/query?start=1970-01-01&end=2024-06-01&granularity=hour", "end"],
    ["/api/query?start=1970-01-01&end=2999-12-31", "end"],
    ["/api/query?start=0001-01-01&end=2024-01-01", "start"],
    ["/api/query?start=2024-06-01&format=xml", "format"],
    ["/api/top_ips?limit=abc", "limit"],
    ["/api/top_ips?limit=0", "limit"],
    ["/api/top_ips?limit=100000", "limit"],
    ["/api/top_ips?limit=-5", "limit"],
    ["/api/top_ips?start=yesterday", "start"],
    ["/api/top_ips?start=2024-06-15&end=2024-06-14", "start"],
    ["/api/top_ips?end=2024-06-31", "end"],
    ["/api/top_ips?start=2024-06-15T10:30&end=2024-06-15T11:00", "start"],
    ["/api/top_ips?start=2024-06-15T11:00&end=2024-06-15T10:00", "start"],
    ["/api/top_ips?start=2024-06-15&end=2024-06-15T25:00", "end"],
    ["/api/top_ips?start=2024-06-15T10:00%2B05:00&end=2024-06-15", "start"],
  ];
  for (const [path, parameter] of table) {
    const response = await server.get(path);
    assert.equal(response.status, 400, path);
    const body = await json(response) as { error: string };
    assert.match(body.error, new RegExp(`^Invalid parameter "${parameter}"`), path);
  }
});

Deno.test("GET /api/summary counts local today, month and year with unsaved deltas", async () => {
  await using server = await startServer();
  assert.deepEqual(await json(await server.get("/api/summary")), {
    today: amount(6200, 5300, "6.05 KB", "5.18 KB", "11.23 KB"),
    month: amount(6240, 5360, "6.09 KB", "5.23 KB", "11.33 KB"),
    year: amount(6243, 5364, "6.10 KB", "5.24 KB", "11.33 KB"),
  });
});

Deno.test("GET /api/query returns a zero-filled series keyed by granularity, as JSON or CSV", async () => {
  await using server = await startServer();
  const days = await json(await server.get("/api/query?start=2024-06-13&end=2024-06-15&granularity=day"));
  assert.deepEqual(days, {
    summary: amount(6240, 5360, "6.09 KB", "5.23 KB", "11.33 KB"),
    series: [
      { day: "2024-06-13", up_bytes: 0, down_bytes: 0, total_bytes: 0, dropped_packets: 0, packets: 0 },
      { day: "2024-06-14", up_bytes: 40, down_bytes: 60, total_bytes: 100, dropped_packets: 0, packets: 2 },
      {
        day: "2024-06-15",
        up_bytes: 6200,
        down_bytes: 5300,
        total_bytes: 11500,
        dropped_packets: 7,
        packets: 6,
      },
    ],
  });
  const hours = await json(
    await server.get("/api/query?start=2024-06-15&end=2024-06-15&granularity=hour"),
  ) as {
    series: { hour: string; total_bytes: number; dropped_packets: number }[];
  };
  assert.equal(hours.series.length, 24);
  assert.deepEqual(hours.series[10], {
    hour: "2024-06-15 10:00",
    hour_ts: "2024-06-15 10:00:00",
    up_bytes: 1000,
    down_bytes: 5000,
    total_bytes: 6000,
    dropped_packets: 7,
    packets: 2,
  });
  const months = await json(
    await server.get("/api/query?start=2024-01-01&end=2024-06-30&granularity=month"),
  ) as {
    series: { month: string; total_bytes: number }[];
  };
  assert.deepEqual(months.series.map((m) => [m.month, m.total_bytes]), [
    ["2024-01", 7],
    ["2024-02", 0],
    ["2024-03", 0],
    ["2024-04", 0],
    ["2024-05", 0],
    ["2024-06", 11600],
  ]);
  const csv = await server.get("/api/query?start=2024-06-14&end=2024-06-15&format=csv");
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get("content-type") ?? "", /^text\/csv/);
  assert.equal(
    await csv.text(),
    "day,up_bytes,down_bytes,total_bytes,dropped_packets\r\n2024-06-14,40,60,100,0\r\n2024-06-15,6200,5300,11500,7\r\n",
  );
});

Deno.test("GET /api/history/* and /api/date_range describe the local calendar", async () => {
  await using server = await startServer();
  const days = await json(await server.get("/api/history/30days")) as {
    days: { day: string; total_bytes: number }[];
  };
  assert.equal(days.days.length, 30);
  assert.deepEqual(days.days.at(-1), {
    day: "2024-06-15",
    up_bytes: 6200,
    down_bytes: 5300,
    total_bytes: 11500,
    dropped_packets: 7,
    packets: 6,
  });
  assert.equal(days.days[0].day, "2024-05-17");
  const months = await json(await server.get("/api/history/12months")) as {
    months: { month: string; total_bytes: number }[];
  };
  assert.deepEqual(months.months.map((m) => m.month), [
    "2023-07",
    "2023-08",
    "2023-09",
    "2023-10",
    "2023-11",
    "2023-12",
    "2024-01",
    "2024-02",
    "2024-03",
    "2024-04",
    "2024-05",
    "2024-06",
  ]);
  assert.equal(months.months[6].total_bytes, 7);
  const today = await json(await server.get("/api/history/today_hours")) as {
    hours: { hour: string; total_bytes: number }[];
  };
  assert.deepEqual(today.hours.map((h) => [h.hour, h.total_bytes]), [
    ["2024-06-15 00:00", 500],
    ["2024-06-15 10:00", 6000],
    ["2024-06-15 11:00", 5000],
  ]);
  assert.deepEqual(await json(await server.get("/api/date_range")), { min: "2024-01-10", max: "2024-06-15" });
});

Deno.test("GET /api/top_ips ranks remotes with up and down, for all time or a local date range", async () => {
  await using server = await startServer();
  assert.deepEqual(await json(await server.get("/api/top_ips?limit=2")), {
    top_ips: [
      { ip: "203.0.113.10", bytes: 6000, bytes_fmt: "5.86 KB", up_bytes: 1000, down_bytes: 5000 },
      { ip: "203.0.113.11", bytes: 5100, bytes_fmt: "4.98 KB", up_bytes: 5040, down_bytes: 60 },
    ],
    other_bytes: 0,
  });
  const yesterday = await json(await server.get("/api/top_ips?start=2024-06-14&end=2024-06-14")) as {
    top_ips: { ip: string; bytes: number }[];
  };
  assert.deepEqual(yesterday.top_ips.map((t) => [t.ip, t.bytes]), [["203.0.113.11", 100]]);
});

Deno.test("GET /api/top_ips narrows to local hours, with or without their UTC offset", async () => {
  await using server = await startServer();
  const ranked = async (search: string) => {
    const body = await json(await server.get(`/api/top_ips?${search}`)) as TopIpsJson;
    return body.top_ips.map((t) => [t.ip, t.up_bytes, t.down_bytes]);
  };
  // 10:00-11:00 IST is 04:30-05:30 UTC: the saved bucket of 05:00 UTC only.
  assert.deepEqual(await ranked("start=2024-06-15T10:00&end=2024-06-15T10:00"), [[
    "203.0.113.10",
    1000,
    5000,
  ]]);
  assert.deepEqual(
    await ranked("start=2024-06-15T10:00%2B05:30&end=2024-06-15T10:00%2B05:30"),
    [["203.0.113.10", 1000, 5000]],
  );
  // The unsaved bucket of 06:00 UTC lies in 11:00 IST.
  assert.deepEqual(await ranked("start=2024-06-15T11:00&end=2024-06-15T11:00"), [["203.0.113.11", 5000, 0]]);
  assert.deepEqual(await ranked("start=2024-06-15T01:00&end=2024-06-15T09:00"), []);
  // An hour of yesterday to the end of today: a date as end means the whole day.
  assert.deepEqual(await ranked("start=2024-06-14T23:00&end=2024-06-15"), [
    ["203.0.113.10", 1000, 5000],
    ["203.0.113.11", 5040, 60],
    ["2001:db8::5", 200, 300],
  ]);
});

Deno.test("GET /api/realtime returns the samples and the last finished second as rates", async () => {
  await using server = await startServer();
  const body = await json(await server.get("/api/realtime")) as Record<string, unknown>;
  const samples = body.samples as { ts: number; up: number; down: number }[];
  assert.equal(samples.length, RATE_WINDOW_SEC);
  // NOW_SEC - 1 is still being written by the capture Worker: the newest sample served is RATE_LAG_SEC old.
  assert.deepEqual(samples.slice(-3), [{ ts: NOW_SEC - 5, up: 10, down: 20 }, {
    ts: NOW_SEC - 4,
    up: 0,
    down: 0,
  }, {
    ts: NOW_SEC - 3,
    up: 30,
    down: 40,
  }]);
  assert.deepEqual(
    [body.current_up_bps, body.current_down_bps, body.current_up_Bps, body.current_down_Bps],
    [240, 320, 30, 40],
  );
});

Deno.test("GET /api/backup streams a database that restores to the same totals, unsaved deltas included", async () => {
  await using server = await startServer();
  const response = await server.get("/api/backup");
  assert.equal(response.status, 200);
  assert.match(
    response.headers.get("content-disposition") ?? "",
    /attachment; filename="netledger-backup-.*\.db"/,
  );
  const bytes = new Uint8Array(await response.arrayBuffer());
  const dir = await Deno.makeTempDir({ prefix: "netledger-restore-" });
  try {
    await Deno.writeFile(`${dir}/netledger.db`, bytes);
    using restored = openStore(`${dir}/netledger.db`, { log: () => {} });
    const ledger = new TrafficLedger(restored);
    const app = trafficRoutes({
      ledger,
      timeZone: ZONE,
      nowSec: () => NOW_SEC,
      realtime: { samples: () => [] },
    });
    const original = await (await server.get("/api/summary")).json();
    assert.deepEqual(await (await app.request("/api/summary")).json(), original);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
