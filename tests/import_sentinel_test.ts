/**
 * `main.ts --import-sentinel` (issue 17 item 4) on databases made with NetTraffic-Sentinel's schema: its
 * `traffic_hourly` table and the `traffic_daily` / `traffic_monthly` views its users' scripts read, filled
 * with the tool's own additive write over both DST changes of Europe/Berlin. The served history must equal the
 * views day by day and month by month; bad files are refused with the file and the reason, changing nothing.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { childEnv, ROOT_DIR, startMain } from "./helpers/run_main.ts";

const ZONE = "Europe/Berlin";

/** The replaced tool's schema as docs/imports.md describes it. */
const SENTINEL_SCHEMA = `
PRAGMA journal_mode = WAL;
CREATE TABLE traffic_hourly (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  hour_ts TEXT NOT NULL UNIQUE,
  up_bytes INTEGER NOT NULL DEFAULT 0,
  down_bytes INTEGER NOT NULL DEFAULT 0,
  created_at TEXT,
  updated_at TEXT
);
CREATE VIEW traffic_daily AS
  SELECT substr(hour_ts, 1, 10) AS day, SUM(up_bytes) AS up_bytes, SUM(down_bytes) AS down_bytes,
    SUM(up_bytes + down_bytes) AS total_bytes
  FROM traffic_hourly GROUP BY day;
CREATE VIEW traffic_monthly AS
  SELECT substr(hour_ts, 1, 7) AS month, SUM(up_bytes) AS up_bytes, SUM(down_bytes) AS down_bytes,
    SUM(up_bytes + down_bytes) AS total_bytes
  FROM traffic_hourly GROUP BY month;
`;

/** The tool's write: additive, so a repeated flush adds twice. */
const SENTINEL_WRITE = `
INSERT INTO traffic_hourly (hour_ts, up_bytes, down_bytes, created_at, updated_at)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (hour_ts) DO UPDATE SET up_bytes = up_bytes + excluded.up_bytes,
  down_bytes = down_bytes + excluded.down_bytes, updated_at = excluded.updated_at`;

/** Hours around both 2025 DST changes (no 02:00 on 30 March; 02:00 twice on 26 October), written twice each. */
function sentinelHours(): [string, number, number][] {
  const rows: [string, number, number][] = [];
  for (const day of ["2025-03-29", "2025-03-30", "2025-10-25", "2025-10-26"]) {
    for (let hour = 0; hour < 24; hour++) {
      if (day === "2025-03-30" && hour === 2) continue;
      const hh = String(hour).padStart(2, "0");
      rows.push([`${day} ${hh}:00:00`, 1000 + hour * 7, 5001 + hour * 13]);
    }
  }
  return rows;
}

function makeSentinelDb(path: string, extraSql = ""): void {
  const db = new DatabaseSync(path);
  try {
    db.exec(SENTINEL_SCHEMA + extraSql);
    const write = db.prepare(SENTINEL_WRITE);
    for (const [hourTs, up, down] of sentinelHours()) {
      // Two flushes per hour, as the tool writes: the row holds their sum.
      write.run(hourTs, up - 400, down - 2000, hourTs, hourTs);
      write.run(hourTs, 400, 2000, hourTs, hourTs);
    }
  } finally {
    db.close();
  }
}

async function runImport(
  env: Record<string, string>,
  path: string,
): Promise<{ code: number; output: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts", "--import-sentinel", path],
    cwd: ROOT_DIR,
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: out.code, output: decoder.decode(out.stdout) + decoder.decode(out.stderr) };
}

interface Point {
  hour?: string;
  day?: string;
  month?: string;
  up_bytes: number;
  down_bytes: number;
}

Deno.test("main.ts --import-sentinel lands local hours in their UTC buckets over DST, once, equal to the views", async () => {
  const dir = await Deno.makeTempDir({ prefix: "netledger-sentinel-" });
  const env = childEnv({ DB_PATH: `${dir}/netledger.db`, TZ: ZONE, BIND: "127.0.0.1" });
  try {
    const path = `${dir}/traffic.db`;
    makeSentinelDb(path);
    const first = await runImport(env, path);
    assert.equal(first.code, 0, first.output);
    assert.match(first.output, /as Europe\/Berlin \(the configured TZ/);
    const hours = sentinelHours();
    const up = hours.reduce((s, h) => s + h[1], 0);
    const down = hours.reduce((s, h) => s + h[2], 0);
    assert.match(
      first.output,
      new RegExp(
        `${hours.length} hours covering 2 months \\(2025-03 to 2025-10\\), ${up} bytes up and ${down}`,
      ),
    );
    const again = await runImport(env, path);
    assert.equal(again.code, 0, again.output);
    assert.match(
      again.output,
      new RegExp(`: 0 hours covering no new hours.*${hours.length} hours were imported`),
    );

    const view = new DatabaseSync(path, { readOnly: true });
    const server = await startMain({ flags: ["-A"], env });
    try {
      const get = async (query: string) =>
        (await (await fetch(`${server.baseUrl}/api/query?${query}`)).json() as { series: Point[] }).series;
      const days = await get("start=2025-03-29&end=2025-10-26&granularity=day");
      const viewDays = view.prepare("SELECT day, up_bytes, down_bytes FROM traffic_daily ORDER BY day").all();
      for (const d of viewDays) {
        const served = days.find((p) => p.day === d.day)!;
        assert.deepEqual([served.up_bytes, served.down_bytes], [d.up_bytes, d.down_bytes], String(d.day));
      }
      const months = await get("start=2025-01-01&end=2025-12-31&granularity=month");
      for (const m of view.prepare("SELECT month, up_bytes, down_bytes FROM traffic_monthly").all()) {
        const served = months.find((p) => p.month === m.month)!;
        assert.deepEqual([served.up_bytes, served.down_bytes], [m.up_bytes, m.down_bytes], String(m.month));
      }
      // The repeated 02:00 of 26 October: two real hours, half of the row's bytes each (remainder first).
      const autumn = await get("start=2025-10-26&end=2025-10-26&granularity=hour");
      assert.equal(autumn.length, 25);
      const twice = autumn.filter((p) => p.hour === "2025-10-26 02:00");
      const row = hours.find((h) => h[0] === "2025-10-26 02:00:00")!;
      assert.deepEqual(twice.map((p) => p.up_bytes), [Math.ceil(row[1] / 2), Math.floor(row[1] / 2)]);
      assert.deepEqual(twice.map((p) => p.down_bytes), [Math.ceil(row[2] / 2), Math.floor(row[2] / 2)]);
      const top = await (await fetch(`${server.baseUrl}/api/top_ips`)).json() as { other_bytes: number };
      assert.equal(top.other_bytes, up + down);
    } finally {
      await server.stop();
      view.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("main.ts --import-sentinel refuses bad files with the file and the reason, adding nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "netledger-sentinel-bad-" });
  const env = childEnv({ DB_PATH: `${dir}/netledger.db`, TZ: ZONE, BIND: "127.0.0.1" });
  try {
    const cases: [string, (path: string) => void, RegExp][] = [
      [
        "not SQLite",
        (p) => Deno.writeTextFileSync(p, "hour_ts,up_bytes\n".repeat(500)),
        /not an SQLite database/,
      ],
      ["another program's SQLite", (p) => {
        const db = new DatabaseSync(p);
        db.exec("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)");
        db.close();
      }, /no traffic_hourly table: not a NetTraffic-Sentinel database/],
      ["other columns", (p) => {
        const db = new DatabaseSync(p);
        db.exec("CREATE TABLE traffic_hourly (id INTEGER PRIMARY KEY, ts INTEGER, rx INTEGER, tx INTEGER)");
        db.close();
      }, /no column "hour_ts", "up_bytes", "down_bytes" \(it has id, ts, rx, tx\)/],
      ["a negative count", (p) => makeSentinelDb(p, ""), /hour "2025-10-26 23:00:00" has down_bytes -1/],
      ["an absurd count", (p) => makeSentinelDb(p), /has up_bytes 1e\+300/],
      ["a duplicate hour", (p) => {
        const db = new DatabaseSync(p);
        db.exec("CREATE TABLE traffic_hourly (hour_ts TEXT, up_bytes INTEGER, down_bytes INTEGER)");
        db.exec(
          "INSERT INTO traffic_hourly VALUES ('2025-01-01 10:00:00', 1, 2), ('2025-01-01 10:00:00', 3, 4)",
        );
        db.close();
      }, /hour_ts "2025-01-01 10:00:00" appears twice/],
    ];
    for (const [name, make, reason] of cases) {
      const path = `${dir}/${name.replaceAll(" ", "_")}.db`;
      make(path);
      if (name === "a negative count" || name === "an absurd count") {
        // The damage is in the last row, after hundreds of good ones: still nothing may be added.
        const db = new DatabaseSync(path);
        db.exec(
          name === "a negative count"
            ? "UPDATE traffic_hourly SET down_bytes = -1 WHERE hour_ts = '2025-10-26 23:00:00'"
            : "UPDATE traffic_hourly SET up_bytes = 1e300 WHERE hour_ts = '2025-10-26 23:00:00'",
        );
        db.close();
      }
      const { code, output } = await runImport(env, path);
      assert.equal(code, 1, `${name}: ${output}`);
      assert.match(output, new RegExp(`Cannot import "${path.replaceAll(".", "\\.")}": `), name);
      assert.match(output, reason, name);
      assert.match(output, /nothing was imported/, name);
    }
    const server = await startMain({ flags: ["-A"], env });
    try {
      const range = await (await fetch(`${server.baseUrl}/api/date_range`)).json();
      assert.deepEqual(range, { min: null, max: null });
    } finally {
      await server.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
