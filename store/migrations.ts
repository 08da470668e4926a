/**
 * The schema history of the netledger database, applied in order by `openStore` through
 * `PRAGMA user_version`: migration N runs, in its own transaction together with `user_version = N`, only on
 * a file whose user_version is N - 1.
 *
 * Rules: never edit or reorder a released entry, only append. `version` is the entry's position + 1 (a test
 * checks it). Parts other than traffic keep their SQL in their own file and append an entry here that
 * references it, e.g. `{ version: 2, name: "clash history", sql: CLASH_HISTORY_SQL }` with
 * `import { CLASH_HISTORY_SQL } from "./clash_migrations.ts"`.
 */
import type { Migration } from "./migration.ts";
import { CLASH_HISTORY_SQL } from "./clash_migrations.ts";
import { DEVICES_SQL } from "./device_migrations.ts";
import { IMPORTED_FILES_SQL } from "./imported_files_migrations.ts";
import { HISTORY_SQL, rewriteHistory } from "./history_migrations.ts";
import { SERVICES_SQL } from "./service_migrations.ts";
import { PLANS_SQL } from "./plan_migrations.ts";
import { INTERFACE_TOTALS_SQL } from "./interface_totals_migrations.ts";

/**
 * v1, traffic history. All times are UTC seconds. Rows are sums keyed by the start of the span they cover:
 * a 15-minute bucket (BUCKET_SEC) while fine, a rolled-up span later (store/retention.ts). Every span lies
 * inside one local day of the zone configured when it was made, so local days and months stay exact.
 */
const TRAFFIC_SQL = `
CREATE TABLE traffic (
  bucket_start INTEGER NOT NULL,
  family INTEGER NOT NULL CHECK (family IN (4, 6)),
  up_bytes INTEGER NOT NULL,
  down_bytes INTEGER NOT NULL,
  up_packets INTEGER NOT NULL,
  down_packets INTEGER NOT NULL,
  PRIMARY KEY (bucket_start, family)
) STRICT, WITHOUT ROWID;

CREATE TABLE remote_traffic (
  bucket_start INTEGER NOT NULL,
  remote_ip TEXT NOT NULL,
  up_bytes INTEGER NOT NULL,
  down_bytes INTEGER NOT NULL,
  up_packets INTEGER NOT NULL,
  down_packets INTEGER NOT NULL,
  PRIMARY KEY (bucket_start, remote_ip)
) STRICT, WITHOUT ROWID;

CREATE TABLE bucket_health (
  bucket_start INTEGER PRIMARY KEY,
  malformed_packets INTEGER NOT NULL,
  dropped_packets INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE store_meta (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
`;

/** Every migration, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: "traffic history", sql: TRAFFIC_SQL },
  { version: 2, name: "clash history", sql: CLASH_HISTORY_SQL },
  { version: 3, name: "imported capture files", sql: IMPORTED_FILES_SQL },
  { version: 4, name: "devices", sql: DEVICES_SQL },
  { version: 5, name: "history storage", sql: HISTORY_SQL, rewrite: rewriteHistory },
  { version: 6, name: "services", sql: SERVICES_SQL },
  { version: 7, name: "plans", sql: PLANS_SQL },
  { version: 8, name: "imports", sql: INTERFACE_TOTALS_SQL },
];
