/**
 * v4, devices (issue 14): the dictionary of local devices and their history, keyed by compact integer ids
 * so the per-bucket rows stay small (issue 17: a busy year must fit its size budget).
 *
 * - `devices` maps a device's key (its MAC "aa:bb:cc:dd:ee:ff", or its IP on links without MACs) to an
 *   integer id. Id 0 is the exact `other` device: traffic no device can be named for (broadcast,
 *   multicast and all-zero MACs, the overflow of the capture's bounded table, and all traffic counted before
 *   this version). `flags`: 1 locally administered (randomised) MAC, 2 probably a router (IPv4 addresses
 *   from several subnets behind one MAC). `name` and `name_source` ("user", later "dhcp", "ethers", …) hold
 *   a person's word for it.
 * - `device_addresses`: every local IP seen behind a device, first and last seen (UTC seconds).
 * - `device_traffic`: up/down bytes and packets per bucket and device. For every bucket, its rows add up
 *   to the bucket's rows of `traffic` over both families; the INSERT below makes that hold for the history
 *   kept before devices were counted, by giving it all to `other`.
 */
export const DEVICES_SQL = `
CREATE TABLE devices (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  mac TEXT,
  flags INTEGER NOT NULL DEFAULT 0,
  first_seen INTEGER,
  last_seen INTEGER,
  name TEXT,
  name_source TEXT
) STRICT;

INSERT INTO devices (id, key) VALUES (0, 'other');

CREATE TABLE device_addresses (
  device_id INTEGER NOT NULL,
  ip TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  PRIMARY KEY (device_id, ip)
) STRICT, WITHOUT ROWID;

CREATE TABLE device_traffic (
  bucket_start INTEGER NOT NULL,
  device_id INTEGER NOT NULL,
  up_bytes INTEGER NOT NULL,
  down_bytes INTEGER NOT NULL,
  up_packets INTEGER NOT NULL,
  down_packets INTEGER NOT NULL,
  PRIMARY KEY (bucket_start, device_id)
) STRICT, WITHOUT ROWID;

INSERT INTO device_traffic (bucket_start, device_id, up_bytes, down_bytes, up_packets, down_packets)
SELECT bucket_start, 0, sum(up_bytes), sum(down_bytes), sum(up_packets), sum(down_packets)
FROM traffic GROUP BY bucket_start;
`;
