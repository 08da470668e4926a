/**
 * `main.ts --import-vnstat` (issue 17 item 5) on a database that Debian's vnStat made itself: `vnstatd
 * --initdb`, `vnstat --add`, then the daemon counting real traffic on the loopback of a network namespace made
 * here. The imported interface totals must equal the kernel's counters, once, apart from counted traffic;
 * copies changed the way vnStat's own expiry or another version would change them test the coarser levels and
 * bad input. Needs root (namespaces) and the vnstat package.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { run, runInNetns } from "./helpers/netns.ts";
import { childEnv, followOutput, ROOT_DIR, startMain } from "./helpers/run_main.ts";
import type { DaysJson, QueryJson } from "../web/api_types.ts";

const hasVnstat = (() => {
  try {
    Deno.statSync("/usr/sbin/vnstatd");
    return Deno.uid() === 0;
  } catch {
    return false; // no vnstat package: the test is skipped, as the warning says
  }
})();
if (!hasVnstat) console.warn("Skipping the vnStat import tests: they need root and Debian's vnstat package");

const NS = `nlvn${Deno.pid}`;
/** Bytes the traffic client sends over the namespace's loopback. */
const SEND_BYTES = 8 * 1024 * 1024;

/** A vnStat database of the namespace's `lo`, filled by vnstatd over real traffic; returns lo's kernel counters. */
async function makeVnstatDb(dir: string): Promise<{ rx: number; tx: number }> {
  const conf = `${dir}/vnstat.conf`;
  await Deno.writeTextFile(conf, `DatabaseDir "${dir}"\nUseLogging 0\nUpdateInterval 2\nPollInterval 2\n`);
  const env = { TZ: "UTC", PATH: Deno.env.get("PATH") ?? "/usr/sbin:/usr/bin" };
  const vn = (cmd: string, args: string[]) =>
    new Deno.Command(cmd, { args: [...args, "--config", conf], env, clearEnv: true }).output();
  assert.equal((await vn("vnstatd", ["--initdb"])).code, 0);
  assert.equal((await vn("vnstat", ["--add", "-i", "lo"])).code, 0);
  await run(["ip", "netns", "add", NS]);
  await runInNetns(NS, ["ip", "link", "set", "lo", "up"]);
  const daemon = new Deno.Command("ip", {
    args: ["netns", "exec", NS, "vnstatd", "-n", "--config", conf],
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = followOutput(daemon);
  let hasExited = false;
  output.exited.then(() => hasExited = true);
  try {
    await output.waitForLine(/Monitoring \(1\): lo/);
    const client = `${dir}/send.ts`;
    await Deno.writeTextFile(
      client,
      `const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
const read = (async () => { const c = await l.accept(); for await (const _ of c.readable); })();
const c = await Deno.connect({ hostname: "127.0.0.1", port: (l.addr as Deno.NetAddr).port });
const w = c.writable.getWriter();
await w.write(new Uint8Array(${SEND_BYTES}));
await w.close(); await read; l.close();`,
    );
    await runInNetns(NS, [Deno.execPath(), "run", "-A", client]);
    const counter = async (name: string) =>
      Number(await runInNetns(NS, ["cat", `/sys/class/net/lo/statistics/${name}`]));
    const counters = { rx: await counter("rx_bytes"), tx: await counter("tx_bytes") };
    // vnstatd reads the counters every UpdateInterval and writes its cache to the file on SIGHUP: ask until the
    // file holds every byte the kernel counted (nothing else uses this loopback), for at most 60 s.
    for (let attempt = 0; storedRx(`${dir}/vnstat.db`) !== counters.rx; attempt++) {
      assert.ok(attempt < 120, `vnstatd did not store the ${counters.rx} bytes of lo within 60 s`);
      daemon.kill("SIGHUP");
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    daemon.kill("SIGTERM");
    await output.exited;
    return counters;
  } finally {
    if (!hasExited) {
      daemon.kill("SIGKILL");
      await output.exited;
    }
    await run(["ip", "netns", "delete", NS]);
  }
}

/** lo's received bytes in the vnStat file so far. */
function storedRx(path: string): number {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const row = db.prepare("SELECT rxtotal FROM interface WHERE name = 'lo'").get() as { rxtotal: number };
    return row.rxtotal;
  } finally {
    db.close();
  }
}

async function importVnstat(
  dbPath: string,
  path: string,
  iface = "lo",
): Promise<{ code: number; output: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts", "--import-vnstat", path, "--interface", iface],
    cwd: ROOT_DIR,
    env: childEnv({ DB_PATH: dbPath, TZ: "UTC", BIND: "127.0.0.1" }),
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: out.code, output: decoder.decode(out.stdout) + decoder.decode(out.stderr) };
}

function storedTotals(dbPath: string): { spans: number; rx: number; tx: number; spanSecs: number[] } {
  const db = new DatabaseSync(dbPath, { readOnly: true });
  try {
    const rows = db.prepare(
      "SELECT span_sec, rx_bytes, tx_bytes FROM interface_totals WHERE interface = 'lo'",
    )
      .all() as { span_sec: number; rx_bytes: number; tx_bytes: number }[];
    return {
      spans: rows.length,
      rx: rows.reduce((s, r) => s + r.rx_bytes, 0),
      tx: rows.reduce((s, r) => s + r.tx_bytes, 0),
      spanSecs: [...new Set(rows.map((r) => r.span_sec))],
    };
  } finally {
    db.close();
  }
}

/** The API serves the totals beside counted traffic, marked as imported, and counts none of them. */
async function assertServedApart(dbPath: string, counters: { rx: number; tx: number }): Promise<void> {
  const server = await startMain({
    flags: ["-A"],
    env: childEnv({ DB_PATH: dbPath, TZ: "UTC", BIND: "127.0.0.1", MONITOR_IFACE: "lo" }),
  });
  try {
    // Yesterday and today: the daemon may have counted on either side of a midnight.
    const day = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const query =
      await (await fetch(`${server.baseUrl}/api/query?start=${yesterday}&end=${day}&granularity=hour`))
        .json() as QueryJson;
    assert.equal(query.summary.total_bytes, 0);
    assert.equal(query.interface_totals?.source, "imported_interface_totals");
    assert.deepEqual(query.interface_totals?.interfaces, ["lo"]);
    const sum = (key: "up_bytes" | "down_bytes") =>
      query.interface_totals!.series.reduce((s, p) => s + p[key], 0);
    assert.deepEqual([sum("down_bytes"), sum("up_bytes")], [counters.rx, counters.tx]);
    const days = await (await fetch(`${server.baseUrl}/api/history/30days`)).json() as DaysJson;
    assert.equal(
      days.interface_totals?.series.reduce((s, p) => s + p.total_bytes, 0),
      counters.rx + counters.tx,
    );
    assert.equal(days.days.reduce((s, p) => s + p.total_bytes, 0), 0);
  } finally {
    await server.stop();
  }
}

/** A copy of the vnStat file changed by `sql`. */
function changedCopy(from: string, to: string, sql: string): string {
  Deno.copyFileSync(from, to);
  const db = new DatabaseSync(to);
  db.exec(sql);
  db.close();
  return to;
}

Deno.test({
  name: "main.ts --import-vnstat stores a real vnStat database's finest totals once, bad files not at all",
  ignore: !hasVnstat,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "netledger-vnstat-" });
    try {
      const counters = await makeVnstatDb(dir);
      assert.ok(counters.rx >= SEND_BYTES, `lo received ${counters.rx} bytes`);
      const vnstatDb = `${dir}/vnstat.db`;
      const dbPath = `${dir}/netledger.db`;

      const first = await importVnstat(dbPath, vnstatDb);
      assert.equal(first.code, 0, first.output);
      assert.match(first.output, new RegExp(`${counters.rx} bytes received and ${counters.tx} sent`));
      assert.deepEqual(storedTotals(dbPath), {
        spans: storedTotals(dbPath).spans,
        ...counters,
        spanSecs: [300],
      });
      await assertServedApart(dbPath, counters);
      const again = await importVnstat(dbPath, vnstatDb);
      assert.equal(again.code, 0, again.output);
      assert.match(
        again.output,
        /: 0 spans covering no months.*[1-9]\d* spans were imported before and skipped/,
      );
      assert.equal(storedTotals(dbPath).rx, counters.rx);

      // vnStat expires 5-minute rows first: then the hour rows carry the same bytes.
      const hoursOnly = changedCopy(vnstatDb, `${dir}/hours.db`, "DELETE FROM fiveminute");
      const hoursDb = `${dir}/netledger-hours.db`;
      assert.equal((await importVnstat(hoursDb, hoursOnly)).code, 0);
      assert.deepEqual(storedTotals(hoursDb), {
        spans: storedTotals(hoursDb).spans,
        ...counters,
        spanSecs: [3600],
      });

      const badDb = `${dir}/netledger-bad.db`;
      const cases: [string, string, RegExp][] = [
        [
          "not SQLite",
          (Deno.writeTextFileSync(`${dir}/text.db`, "rx;tx\n".repeat(1000)), `${dir}/text.db`),
          /not an SQLite database/,
        ],
        [
          "another program's SQLite",
          changedCopy(vnstatDb, `${dir}/other.db`, "DROP TABLE info"),
          /no interface and info tables: not a vnStat 2\.x database/,
        ],
        [
          "another vnStat version",
          changedCopy(vnstatDb, `${dir}/v2.db`, "UPDATE info SET value = '2' WHERE name = 'dbversion'"),
          /vnStat database version is "2"; this import reads version "1"/,
        ],
        [
          "other columns",
          changedCopy(vnstatDb, `${dir}/columns.db`, "ALTER TABLE hour RENAME COLUMN rx TO rx_bytes"),
          /table "hour" has no column "rx"/,
        ],
        [
          "a negative count",
          changedCopy(vnstatDb, `${dir}/negative.db`, "UPDATE day SET tx = -5"),
          /of table "day" has a byte count of -5/,
        ],
        [
          "an absurd count",
          changedCopy(vnstatDb, `${dir}/absurd.db`, "UPDATE fiveminute SET rx = 9000000000000000"),
          /of table "fiveminute" has 9000000000000000 bytes: more than 100 Gbit\/s/,
        ],
      ];
      for (const [name, path, reason] of cases) {
        const { code, output } = await importVnstat(badDb, path);
        assert.equal(code, 1, `${name}: ${output}`);
        assert.ok(output.includes(`Cannot import "${path}": `), `${name}: ${output}`);
        assert.match(output, reason, name);
        assert.match(output, /nothing was imported/, name);
      }
      const noIface = await importVnstat(badDb, vnstatDb, "eth9");
      assert.equal(noIface.code, 1);
      assert.match(noIface.output, /no interface "eth9" \(it has "lo"\)/);
      assert.equal(storedTotals(badDb).spans, 0);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
