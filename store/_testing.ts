/** Test helpers of store/ (private to this folder): temp database files and batch builders. */
import { DatabaseSync } from "node:sqlite";
import type { BucketTraffic, RemoteTraffic, TrafficBatch } from "../capture/mod.ts";
import type { ClashUsageRow } from "../clash/mod.ts";
import { openStore, type OpenStoreOptions, type Store } from "./db.ts";

/** A database in a fresh temp directory, removed with the directory on dispose. */
export interface TempStore extends AsyncDisposable {
  readonly store: Store;
  readonly dir: string;
  readonly path: string;
  readonly logLines: string[];
}

/** Opens a store in a new temp directory; `await using` closes it and removes the directory. */
export function tempStore(options: Partial<OpenStoreOptions> = {}): TempStore {
  const dir = Deno.makeTempDirSync({ prefix: "netledger-store-" });
  const path = `${dir}/netledger.db`;
  const logLines: string[] = [];
  const store = openStore(path, { log: (line) => logLines.push(line), ...options });
  return {
    store,
    dir,
    path,
    logLines,
    async [Symbol.asyncDispose]() {
      store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Seconds of `iso` (e.g. "2024-03-10T07:00:00Z"). */
export function utcSec(iso: string): number {
  return Date.parse(iso) / 1000;
}

/** A batch of one IPv4 bucket and, when `remoteIp` is given, its one remote. */
export function oneBucketBatch(
  bucketStartSec: number,
  upBytes: number,
  downBytes: number,
  options: { remoteIp?: string; family?: 4 | 6; droppedPackets?: number } = {},
): TrafficBatch {
  const traffic: BucketTraffic = {
    bucketStartSec,
    family: options.family ?? 4,
    upBytes,
    downBytes,
    upPackets: 1,
    downPackets: 1,
  };
  const remotes: RemoteTraffic[] = options.remoteIp
    ? [{ bucketStartSec, remoteIp: options.remoteIp, upBytes, downBytes, upPackets: 1, downPackets: 1 }]
    : [];
  const health = options.droppedPackets
    ? [{ bucketStartSec, malformedPackets: 0, droppedPackets: options.droppedPackets }]
    : [];
  return { traffic: [traffic], remotes, health };
}

/** Sums of the stored traffic table: [up, down, upPackets, downPackets]. */
export function storedTrafficSums(store: Store): [number, number, number, number] {
  const row = store.db.prepare(
    `SELECT coalesce(sum(up_bytes), 0) AS a, coalesce(sum(down_bytes), 0) AS b,
            coalesce(sum(up_packets), 0) AS c, coalesce(sum(down_packets), 0) AS d FROM traffic`,
  ).get() as { a: number; b: number; c: number; d: number };
  return [row.a, row.b, row.c, row.d];
}

/**
 * Overwrites every page of `table` and of its indexes with garbage under the open `store`, then commits an
 * unrelated change from a second connection, which makes the store drop its page cache: its next read of
 * the table, and every new connection's, fails as on real damage ("database disk image is malformed").
 */
export function damageTable(store: Store, table: string): void {
  store.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  const pages = store.db.prepare(
    "SELECT pageno FROM dbstat WHERE name IN (SELECT name FROM sqlite_schema WHERE tbl_name = ?)",
  ).all(table) as { pageno: number }[];
  const { page_size: pageBytes } = store.db.prepare("PRAGMA page_size").get() as { page_size: number };
  if (pages.length === 0) throw new Error(`No pages of table "${table}" to damage`);
  using file = Deno.openSync(store.path, { write: true });
  for (const { pageno } of pages) {
    file.seekSync((pageno - 1) * pageBytes, Deno.SeekMode.Start);
    file.writeSync(new Uint8Array(pageBytes).fill(0x55));
  }
  const other = new DatabaseSync(store.path);
  try {
    other.exec("INSERT OR REPLACE INTO store_meta (key, value) VALUES ('damage_table_test', 1)");
  } finally {
    other.close();
  }
}

/** A row of proxy usage through chain "Proxy > HK-01" by rule "final", one new connection. */
export function clashUsageRow(
  bucketStartSec: number,
  clientIp: string,
  up: number,
  down: number,
  resource = "a.example.com",
): ClashUsageRow {
  return {
    bucketStartSec,
    clientIp,
    resource,
    chain: "Proxy > HK-01",
    rule: "final",
    upBytes: up,
    downBytes: down,
    newConnections: 1,
  };
}
