import assert from "node:assert/strict";
import { openStore, StoreError, toStoreError } from "./db.ts";
import { tempStore } from "./_testing.ts";

async function assertRefusedAsCorrupt(path: string): Promise<void> {
  const before = await Deno.readFile(path);
  assert.throws(() => openStore(path, { log: () => {} }), (e) => {
    assert.ok(e instanceof StoreError, String(e));
    assert.equal(e.kind, "corrupt");
    assert.match(e.message, /will not start empty over it/);
    assert.ok(e.message.includes(path));
    return true;
  });
  assert.deepEqual(await Deno.readFile(path), before, "the damaged file is left as it was");
}

Deno.test("openStore() refuses a file that is not a database and leaves it untouched", async () => {
  const dir = await Deno.makeTempDir({ prefix: "netledger-store-" });
  try {
    const path = `${dir}/netledger.db`;
    await Deno.writeTextFile(path, "this is not sqlite ".repeat(500));
    await assertRefusedAsCorrupt(path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openStore() refuses a database whose pages are damaged", async () => {
  await using temp = tempStore();
  const insert = temp.store.db.prepare(
    "INSERT INTO remote_traffic (bucket_start, remote_id, up_bytes, down_bytes, up_packets, down_packets) VALUES (?, ?, 1, 1, 1, 1)",
  );
  for (let i = 0; i < 2000; i++) insert.run(i * 900, i % 250);
  temp.store.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  temp.store.close();
  const bytes = await Deno.readFile(temp.path);
  // Page 3 onwards hold the b-tree pages; overwrite one with garbage as a failing disk would.
  bytes.fill(0xa5, 4096 * 3, 4096 * 3 + 4096);
  await Deno.writeFile(temp.path, bytes);
  await assertRefusedAsCorrupt(temp.path);
});

Deno.test("openStore() creates the missing data directory", async () => {
  const dir = await Deno.makeTempDir({ prefix: "netledger-store-" });
  try {
    using store = openStore(`${dir}/a/b/netledger.db`, { log: () => {} });
    assert.ok((await Deno.stat(`${dir}/a/b/netledger.db`)).isFile);
    store.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("toStoreError() maps SQLite messages to the kinds callers handle", () => {
  const table: [string, string | null][] = [
    ["database is locked", "locked"],
    ["database table is locked", "locked"],
    ["database or disk is full", "full"],
    ["attempt to write a readonly database", "readonly"],
    ["unable to open database file", "readonly"],
    ["database disk image is malformed", "corrupt"],
    ["file is not a database", "corrupt"],
    ["disk I/O error", "io"],
    ["no such table: traffic", null],
  ];
  for (const [message, kind] of table) {
    const error = toStoreError(new Error(message), `save traffic to "x.db"`);
    if (kind === null) {
      assert.ok(!(error instanceof StoreError), message);
      continue;
    }
    assert.ok(error instanceof StoreError, message);
    assert.equal(error.kind, kind, message);
    assert.match(error.message, /^Cannot save traffic to "x\.db": /);
    assert.ok(error.cause instanceof Error);
  }
});

Deno.test("Store.close() is idempotent", async () => {
  await using temp = tempStore();
  temp.store.close();
  temp.store.close();
  assert.equal(temp.store.db.isOpen, false);
});
