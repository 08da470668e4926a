/**
 * v6, services (issue 15), laid out as docs/history-storage.md describes: dictionaries with integer ids, fact
 * tables keyed (span_start, ids…) WITHOUT ROWID. Times are UTC seconds; a day row's span_start is the local
 * midnight (in the TZ of the flush that wrote it).
 *
 * - `service_names`: registrable domains. Id 0 is the exact remainder `(other)` (bounded tables); id 1
 *   `(unknown)` is reserved for bytes no name was seen for, which are never stored: a query derives them as
 *   the range's total minus the named and `(other)` rows, so they stay exact for history counted before v6
 *   and for sources that name nothing.
 * - `service_hosts`: full host names under a service, for the drill-down; kept SERVICE_RETENTION_DAYS.
 * - `service_traffic`: per 15-minute bucket and service; deleted after RETENTION_REMOTE_DAYS, as remote_traffic
 *   (the flush writes every delta to `service_days` in the same transaction; a month's `service_months`
 *   rows are summed from them when it is sealed).
 * - `service_days`, `service_months`: per local day (month) and service; sealed to their top K with the
 *   remainder in id 0 (history_rollup.ts SEALED_TABLES).
 * - `device_service_days`: per local day, device and service; sealed per device like service_days.
 * - `service_host_days`: per local day, device and host: deleted after SERVICE_RETENTION_DAYS (the
 *   service rows keep the bytes, so names roll up into the registrable domain only). Each row carries its
 *   host's service_id, so a query picks the listed services' hosts without a lookup per row.
 * - `remote_host_days`: per local day and remote address (`remote_ips` id), the host name that last named it
 *   (top remotes' `hostname`); deleted after SERVICE_RETENTION_DAYS.
 */
export const SERVICES_SQL = `
CREATE TABLE service_names (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  last_used INTEGER NOT NULL
) STRICT;
INSERT INTO service_names (id, name, last_used) VALUES (0, '(other)', 0), (1, '(unknown)', 0);

CREATE TABLE service_hosts (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  service_id INTEGER NOT NULL,
  last_used INTEGER NOT NULL
) STRICT;

CREATE TABLE service_traffic (
  bucket_start INTEGER NOT NULL,
  service_id INTEGER NOT NULL,
  up_bytes INTEGER NOT NULL,
  down_bytes INTEGER NOT NULL,
  up_packets INTEGER NOT NULL,
  down_packets INTEGER NOT NULL,
  PRIMARY KEY (bucket_start, service_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE service_days (
  span_start INTEGER NOT NULL,
  service_id INTEGER NOT NULL,
  up_bytes INTEGER NOT NULL,
  down_bytes INTEGER NOT NULL,
  up_packets INTEGER NOT NULL,
  down_packets INTEGER NOT NULL,
  PRIMARY KEY (span_start, service_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE service_months (
  span_start INTEGER NOT NULL,
  service_id INTEGER NOT NULL,
  up_bytes INTEGER NOT NULL,
  down_bytes INTEGER NOT NULL,
  up_packets INTEGER NOT NULL,
  down_packets INTEGER NOT NULL,
  PRIMARY KEY (span_start, service_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE device_service_days (
  span_start INTEGER NOT NULL,
  device_id INTEGER NOT NULL,
  service_id INTEGER NOT NULL,
  up_bytes INTEGER NOT NULL,
  down_bytes INTEGER NOT NULL,
  up_packets INTEGER NOT NULL,
  down_packets INTEGER NOT NULL,
  PRIMARY KEY (span_start, device_id, service_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE service_host_days (
  span_start INTEGER NOT NULL,
  device_id INTEGER NOT NULL,
  host_id INTEGER NOT NULL,
  service_id INTEGER NOT NULL,
  up_bytes INTEGER NOT NULL,
  down_bytes INTEGER NOT NULL,
  PRIMARY KEY (span_start, device_id, host_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE remote_host_days (
  span_start INTEGER NOT NULL,
  remote_id INTEGER NOT NULL,
  host_id INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  PRIMARY KEY (span_start, remote_id)
) STRICT, WITHOUT ROWID;
`;
