/**
 * Schema of the proxy-client history (issue 5), appended to MIGRATIONS in store/migrations.ts. All times are
 * UTC seconds. History rows are sums keyed by the start of the span they cover: a 15-minute bucket while
 * fine, a day span (split at local midnight) once rolled up by store/clash_retention.ts.
 */

/** v2: proxy-client history, unattributed remainder, samples, client names and resume cursors. */
export const CLASH_HISTORY_SQL = `
CREATE TABLE clash_usage (
  bucket_start INTEGER NOT NULL,
  client_ip TEXT NOT NULL,
  resource TEXT NOT NULL,
  chain TEXT NOT NULL,
  rule TEXT NOT NULL,
  up_bytes INTEGER NOT NULL,
  down_bytes INTEGER NOT NULL,
  connections INTEGER NOT NULL,
  PRIMARY KEY (bucket_start, client_ip, resource, chain)
) STRICT, WITHOUT ROWID;
CREATE INDEX clash_usage_by_client ON clash_usage (client_ip, bucket_start);

CREATE TABLE clash_client_usage (
  bucket_start INTEGER NOT NULL,
  client_ip TEXT NOT NULL,
  up_bytes INTEGER NOT NULL,
  down_bytes INTEGER NOT NULL,
  connections INTEGER NOT NULL,
  PRIMARY KEY (bucket_start, client_ip)
) STRICT, WITHOUT ROWID;

CREATE TABLE clash_unattributed (
  bucket_start INTEGER PRIMARY KEY,
  up_bytes INTEGER NOT NULL,
  down_bytes INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE clash_samples (
  ts INTEGER PRIMARY KEY,
  up_bytes INTEGER NOT NULL,
  down_bytes INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE clash_clients (
  client_ip TEXT PRIMARY KEY,
  name TEXT,
  first_seen INTEGER,
  last_seen INTEGER
) STRICT, WITHOUT ROWID;

CREATE TABLE clash_cursors (
  id TEXT PRIMARY KEY,
  up_bytes INTEGER NOT NULL,
  down_bytes INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE clash_resume (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  api_url TEXT NOT NULL,
  upload_total INTEGER NOT NULL,
  download_total INTEGER NOT NULL,
  carry_up_bytes INTEGER NOT NULL,
  carry_down_bytes INTEGER NOT NULL
) STRICT;
`;
