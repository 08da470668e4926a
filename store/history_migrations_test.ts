import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { openStore, schemaVersion } from "./db.ts";
import { MIGRATIONS } from "./migrations.ts";
import { tempStore, utcSec } from "./_testing.ts";

const ZONE = "Asia/Kolkata";
const START = utcSec("2024-10-30T12:00:00Z");

/** The v4 history of 3 days: text-keyed remote rows (and `other`), plus device rows from v4 on. */
function fillOld(db: import("node:sqlite").DatabaseSync, version: number): void {
  const remote = db.prepare(
    "INSERT INTO remote_traffic (bucket_start, remote_ip, up_bytes, down_bytes, up_packets, down_packets) VALUES (?, ?, ?, ?, 1, 2)",
  );
  for (let i = 0; i < 3 * 96; i++) {
    const sec = START + i * 900;
    for (const ip of ["198.51.100.1", `2001:db8::${i % 7}`, "other"]) {
      remote.run(sec, ip, i + 1, 2 * i + ip.length);
    }
  }
  const traffic = db.prepare(
    "INSERT INTO traffic (bucket_start, family, up_bytes, down_bytes, up_packets, down_packets) VALUES (?, 4, ?, ?, 3, 3)",
  );
  for (let i = 0; i < 3 * 96; i++) traffic.run(START + i * 900, 10 * i, 20 * i);
  if (version < 4) return;
  db.exec("INSERT INTO devices (id, key, mac) VALUES (5, '02:00:5e:00:00:05', '02:00:5e:00:00:05')");
  const device = db.prepare(
    "INSERT INTO device_traffic (bucket_start, device_id, up_bytes, down_bytes, up_packets, down_packets) VALUES (?, ?, ?, ?, 1, 1)",
  );
  for (let i = 0; i < 3 * 96; i += 5) device.run(START + i * 900, 5, i, 3 * i);
}

function rows(db: import("node:sqlite").DatabaseSync, sql: string): unknown[] {
  return db.prepare(sql).all().map((r) => ({ ...r }));
}

Deno.test("migration v5 moves every earlier schema's remote and device rows exactly into compact keys and spans", async () => {
  for (let version = 1; version <= 4; version++) {
    await using old = tempStore({ migrations: MIGRATIONS.slice(0, version), timeZone: ZONE });
    fillOld(old.store.db, version);
    const remotesBefore = rows(
      old.store.db,
      "SELECT bucket_start, remote_ip, up_bytes, down_bytes, up_packets, down_packets FROM remote_traffic ORDER BY 1, 2",
    );
    old.store.close();
    using store = openStore(old.path, { log: () => {}, timeZone: ZONE });
    assert.equal(schemaVersion(store.db), MIGRATIONS.length, `from version ${version}`);
    const db = store.db;
    assert.deepEqual(
      rows(
        db,
        `SELECT bucket_start, ip AS remote_ip, up_bytes, down_bytes, up_packets, down_packets
         FROM remote_traffic JOIN remote_ips ON id = remote_id ORDER BY 1, 2`,
      ),
      remotesBefore,
      `15-minute rows from version ${version}`,
    );
    // Day and month rows equal the 15-minute rows summed per local day and month of ZONE.
    const dayOf = (sec: number) =>
      Temporal.Instant.fromEpochMilliseconds(sec * 1000).toZonedDateTimeISO(ZONE).startOfDay()
        .epochMilliseconds /
      1000;
    const expectedDays = new Map<string, number>();
    for (const r of remotesBefore as { bucket_start: number; remote_ip: string; up_bytes: number }[]) {
      const key = `${dayOf(r.bucket_start)} ${r.remote_ip}`;
      expectedDays.set(key, (expectedDays.get(key) ?? 0) + r.up_bytes);
    }
    const days = rows(
      db,
      "SELECT span_start, ip, up_bytes FROM remote_days JOIN remote_ips ON id = remote_id",
    ) as {
      span_start: number;
      ip: string;
      up_bytes: number;
    }[];
    assert.deepEqual(new Map(days.map((d) => [`${d.span_start} ${d.ip}`, d.up_bytes])), expectedDays);
    assert.equal(days.filter((d) => d.ip === "other").length, 4, "id 0 is other, one row per local day");
    const months = rows(db, "SELECT sum(up_bytes) AS up, sum(down_bytes) AS down FROM remote_months");
    assert.deepEqual(
      months,
      rows(db, "SELECT sum(up_bytes) AS up, sum(down_bytes) AS down FROM remote_traffic"),
    );
    // Per local day and device, the device's remotes (all remainder before v5) equal its device_traffic.
    const deviceDays = rows(
      db,
      "SELECT span_start, device_id, remote_id, up_bytes, down_bytes FROM device_remote_days ORDER BY 1, 2",
    ) as { span_start: number; device_id: number; remote_id: number; up_bytes: number; down_bytes: number }[];
    const truth = new Map<string, [number, number]>();
    for (
      const d of rows(db, "SELECT bucket_start, device_id, up_bytes, down_bytes FROM device_traffic") as {
        bucket_start: number;
        device_id: number;
        up_bytes: number;
        down_bytes: number;
      }[]
    ) {
      const key = `${dayOf(d.bucket_start)} ${d.device_id}`;
      const [u, w] = truth.get(key) ?? [0, 0];
      truth.set(key, [u + d.up_bytes, w + d.down_bytes]);
    }
    assert.ok(deviceDays.every((d) => d.remote_id === 0));
    assert.deepEqual(
      new Map(deviceDays.map((d) => [`${d.span_start} ${d.device_id}`, [d.up_bytes, d.down_bytes]])),
      truth,
      `device remainders from version ${version}`,
    );
    assert.ok(truth.size >= 4, `${truth.size} device days`);
  }
});

/** 1.2 M v4 rows (over the progress threshold): 12,000 buckets of 100 addresses each, written in SQL. */
function fillLarge(db: import("node:sqlite").DatabaseSync): void {
  db.exec(`
    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 1199999)
    INSERT INTO remote_traffic (bucket_start, remote_ip, up_bytes, down_bytes, up_packets, down_packets)
    SELECT ${START} + (i / 100) * 900, '2001:db8::' || printf('%x', i % 100 + (i / 100) % 7 * 100), i % 1000, 1, 1, 1
    FROM n`);
}

Deno.test("migration v5 of a large file logs its progress per chunk and keeps every row", async () => {
  await using old = tempStore({ migrations: MIGRATIONS.slice(0, 4), timeZone: ZONE });
  fillLarge(old.store.db);
  const before = rows(old.store.db, "SELECT count(*) AS n, sum(up_bytes) AS up FROM remote_traffic");
  old.store.close();
  const lines: string[] = [];
  using store = openStore(old.path, { log: (line) => lines.push(line), timeZone: ZONE });
  const progress = lines.filter((l) => l.startsWith("Migrating per-remote rows: "));
  assert.equal(
    lines.filter((l) => l === "Migrating 1200000 per-remote rows to compact keys (schema v5)").length,
    1,
  );
  assert.ok(progress.length >= 2, progress.join("\n"));
  assert.equal(progress.at(-1), "Migrating per-remote rows: 100% (1200000 of 1200000)");
  const copied = progress.map((l) => Number(/\((\d+) of/.exec(l)![1]));
  assert.deepEqual(copied, [...copied].sort((a, b) => a - b), "progress only grows");
  assert.ok(lines.includes("Migrating: summing the per-remote rows per local day and month"));
  assert.ok(lines.includes("Migrated 1200000 per-remote rows to compact keys"));
  assert.deepEqual(rows(store.db, "SELECT count(*) AS n, sum(up_bytes) AS up FROM remote_traffic"), before);
  assert.deepEqual(
    rows(store.db, "SELECT sum(up_bytes) AS up FROM remote_days"),
    [{ up: (before[0] as { up: number }).up }],
  );
});

Deno.test("migration v5 killed midway (SIGKILL) leaves the v4 file whole, and the next start migrates it", async () => {
  await using old = tempStore({ migrations: MIGRATIONS.slice(0, 4), timeZone: ZONE });
  fillLarge(old.store.db);
  const before = rows(old.store.db, "SELECT count(*) AS n, sum(up_bytes) AS up FROM remote_traffic");
  old.store.close();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      new URL("./_migration_child.ts", import.meta.url).pathname,
      old.path,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const seen: string[] = [];
  const decoder = new TextDecoder();
  // Killed at its first progress line: the copy is under way, inside the migration's transaction.
  for await (const chunk of child.stdout) {
    seen.push(...decoder.decode(chunk).split("\n").filter((l) => l !== ""));
    if (seen.some((l) => l.startsWith("Migrating per-remote rows: "))) {
      child.kill("SIGKILL");
      break;
    }
  }
  assert.equal((await child.status).signal, "SIGKILL", seen.join("\n"));
  assert.ok(!seen.includes("migrated"), "killed before the migration ended");
  const file = new DatabaseSync(old.path, { readOnly: true });
  assert.deepEqual(rows(file, "PRAGMA user_version"), [{ user_version: 4 }]);
  assert.deepEqual(rows(file, "SELECT count(*) AS n, sum(up_bytes) AS up FROM remote_traffic"), before);
  file.close();
  using store = openStore(old.path, { log: () => {}, timeZone: ZONE });
  assert.equal(schemaVersion(store.db), MIGRATIONS.length);
  assert.deepEqual(rows(store.db, "SELECT count(*) AS n, sum(up_bytes) AS up FROM remote_traffic"), before);
});
