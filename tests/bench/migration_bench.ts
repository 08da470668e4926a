/**
 * Migration of a large file from schema v4 to the latest (issue 17 item 2: "in bounded time with a progress
 * line"), run with `deno run -A tests/bench/migration_bench.ts [--rows 5000000]`.
 *
 * Fills a v4 file with `rows` text-keyed per-remote rows (500 remotes per 15-minute bucket, new ones every
 * day) in SQL, then times openStore() migrating it, with the time of each progress line. Baseline, same run,
 * same file: one full scan of the old rows (`SELECT sum(...)`), the least any migration must read.
 */
import { parseArgs } from "node:util";
import { MIGRATIONS, openStore } from "../../store/mod.ts";

const { values } = parseArgs({ args: Deno.args, options: { rows: { type: "string", default: "5000000" } } });
const ROWS = Number(values.rows);
const V4 = MIGRATIONS.findIndex((m) => m.version === 5);

const dir = await Deno.makeTempDir({ prefix: "netledger-migration-bench-" });
try {
  const path = `${dir}/netledger.db`;
  let scanMs: number;
  {
    using old = openStore(path, {
      log: () => {},
      timeZone: "Europe/Berlin",
      migrations: MIGRATIONS.slice(0, V4),
    });
    old.db.exec(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${ROWS - 1})
      INSERT INTO remote_traffic (bucket_start, remote_ip, up_bytes, down_bytes, up_packets, down_packets)
      SELECT 1735686000 + (i / 500) * 900,
        '2001:db8::' || printf('%x', (i % 500) + (i / 500) % 96 * 500 + (i / 48000) * 3000), i % 100000, 7, 1, 1
      FROM n`);
    const started = performance.now();
    old.db.prepare("SELECT sum(up_bytes), sum(down_bytes), count(remote_ip) FROM remote_traffic").get();
    scanMs = performance.now() - started;
  }
  const fileMiB = (await Deno.stat(path)).size / 2 ** 20;
  const lines: string[] = [];
  const started = performance.now();
  const log = (line: string) =>
    lines.push(`  ${((performance.now() - started) / 1000).toFixed(1)} s: ${line}`);
  openStore(path, { log, timeZone: "Europe/Berlin" }).close();
  const migrationMs = performance.now() - started;
  console.log(`v4 file of ${ROWS} per-remote rows, ${fileMiB.toFixed(0)} MiB`);
  console.log(lines.join("\n"));
  console.log(
    `migration: ${(migrationMs / 1000).toFixed(1)} s; one full scan of the old rows: ${
      (scanMs / 1000).toFixed(1)
    } s (${(migrationMs / scanMs).toFixed(1)}×); ${lines.length} log lines`,
  );
  console.log(
    JSON.stringify({ bench: "migration", rows: ROWS, fileMiB, migrationMs, scanMs, logLines: lines.length }),
  );
} finally {
  await Deno.remove(dir, { recursive: true });
}
