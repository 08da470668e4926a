import assert from "node:assert/strict";
import { openStore, schemaVersion, StoreError } from "./db.ts";
import { MIGRATIONS } from "./migrations.ts";
import { tempStore } from "./_testing.ts";

function schemaOf(path: string): string[] {
  using store = openStore(path, { log: () => {} });
  const rows = store.db.prepare(
    "SELECT type, name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
  ).all() as { type: string; name: string; sql: string | null }[];
  return rows.map((r) => `${r.type} ${r.name}: ${r.sql}`);
}

Deno.test("MIGRATIONS numbers each entry by its position", () => {
  assert.ok(MIGRATIONS.length >= 1);
  MIGRATIONS.forEach((m, i) => assert.equal(m.version, i + 1, `migration "${m.name}"`));
});

Deno.test("openStore() migrates an empty file to the latest version with every table", async () => {
  await using temp = tempStore();
  assert.equal(schemaVersion(temp.store.db), MIGRATIONS.length);
  const mode = temp.store.db.prepare("PRAGMA journal_mode").get() as { journal_mode: string };
  assert.equal(mode.journal_mode, "wal");
  const tables = temp.store.db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all()
    .map((r) => (r as { name: string }).name);
  for (const table of ["traffic", "remote_traffic", "bucket_health", "store_meta"]) {
    assert.ok(tables.includes(table), `table ${table}`);
  }
});

Deno.test("openStore() migrates a file of every earlier version to the same schema, keeping its rows", async () => {
  await using fresh = tempStore();
  fresh.store.close();
  const expected = schemaOf(fresh.path);
  for (let version = 1; version < MIGRATIONS.length + 1; version++) {
    await using old = tempStore({ migrations: MIGRATIONS.slice(0, version) });
    assert.equal(schemaVersion(old.store.db), version);
    old.store.db.exec(
      "INSERT INTO traffic (bucket_start, family, up_bytes, down_bytes, up_packets, down_packets) VALUES (900, 4, 7, 8, 1, 1)",
    );
    old.store.close();
    using migrated = openStore(old.path, { log: () => {} });
    assert.equal(schemaVersion(migrated.db), MIGRATIONS.length, `from version ${version}`);
    assert.deepEqual({ ...migrated.db.prepare("SELECT up_bytes, down_bytes FROM traffic").get() }, {
      up_bytes: 7,
      down_bytes: 8,
    });
    migrated.close();
    assert.deepEqual(schemaOf(old.path), expected, `schema after migrating from version ${version}`);
  }
});

Deno.test("openStore() refuses a file written by a newer netledger and leaves it unchanged", async () => {
  await using temp = tempStore();
  temp.store.db.exec(`PRAGMA user_version = ${MIGRATIONS.length + 1}`);
  temp.store.close();
  assert.throws(() => openStore(temp.path, { log: () => {} }), (e) => {
    assert.ok(e instanceof StoreError);
    assert.equal(e.kind, "unsupported");
    assert.match(e.message, /schema version/);
    return true;
  });
  using reopened = openStore(temp.path, {
    log: () => {},
    migrations: [...MIGRATIONS, ...MIGRATIONS.slice(0, 1)],
  });
  assert.equal(schemaVersion(reopened.db), MIGRATIONS.length + 1);
});
