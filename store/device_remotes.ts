/**
 * A device's heaviest remote addresses over a range (issue 14 item 3), from `device_remote_days` and
 * `device_remote_months` (docs/history-storage.md "Per-device remotes") plus the ledger's unsaved rows. The
 * remotes plus `other` equal the device's traffic over the same whole local days, byte for byte: these tables
 * have no 15-minute tier, so a day counts when it starts in the range.
 */
import type { TrafficLedger } from "./traffic_ledger.ts";
import type { TopRemotes } from "./top_remotes.ts";
import { planSpans } from "./history_spans.ts";
import { sealedMonthsUntil } from "./history_rollup.ts";
import { OTHER_REMOTE_IP } from "./pending_deltas.ts";

const WHAT = "a device's top remotes";

/** Options of deviceTopRemotes. */
export interface DeviceTopRemotesOptions {
  readonly deviceId: number;
  /** The device's key, for its unsaved rows. */
  readonly deviceKey: string;
  readonly fromSec: number;
  readonly toSec: number;
  readonly limit: number;
}

/** The `limit` heaviest remotes of a device in [fromSec, toSec) and the rest as `other`. */
export function deviceTopRemotes(ledger: TrafficLedger, options: DeviceTopRemotesOptions): TopRemotes {
  const { deviceId, fromSec, toSec } = options;
  const store = ledger.store;
  const rows = store.read(WHAT, (db) => {
    const plan = planSpans(fromSec, toSec, store.timeZone, sealedMonthsUntil(db, "device_remote_months"));
    const months = plan.months[0] ?? [toSec, toSec];
    // Everything the months leave is read from the day rows that start in it.
    const days = [[fromSec, months[0]], [months[1], toSec]];
    return db.prepare(
      `WITH r(remote_id, up_bytes, down_bytes) AS (
         SELECT remote_id, up_bytes, down_bytes FROM device_remote_months
         WHERE span_start >= ?1 AND span_start < ?2 AND device_id = ?7
         UNION ALL SELECT remote_id, up_bytes, down_bytes FROM device_remote_days
         WHERE device_id = ?7 AND ((span_start >= ?3 AND span_start < ?4) OR (span_start >= ?5 AND span_start < ?6)))
       SELECT i.ip AS ip, sum(r.up_bytes) AS up, sum(r.down_bytes) AS down
       FROM r JOIN remote_ips i ON i.id = r.remote_id GROUP BY r.remote_id`,
    ).all(months[0], months[1], days[0][0], days[0][1], days[1][0], days[1][1], deviceId) as {
      ip: string;
      up: number;
      down: number;
    }[];
  });
  const totals = new Map(rows.map((r) => [r.ip, { upBytes: r.up, downBytes: r.down }]));
  for (const r of ledger.pendingDeviceRemoteRows()) {
    if (r.deviceKey !== options.deviceKey || r.bucketStartSec < fromSec || r.bucketStartSec >= toSec) {
      continue;
    }
    const t = totals.get(r.remoteIp) ?? { upBytes: 0, downBytes: 0 };
    totals.set(r.remoteIp, { upBytes: t.upBytes + r.upBytes, downBytes: t.downBytes + r.downBytes });
  }
  const other = totals.get(OTHER_REMOTE_IP) ?? { upBytes: 0, downBytes: 0 };
  totals.delete(OTHER_REMOTE_IP);
  const ranked = [...totals].map(([remoteIp, t]) => ({ remoteIp, ...t })).sort((a, b) =>
    (b.upBytes + b.downBytes) - (a.upBytes + a.downBytes) || (a.remoteIp < b.remoteIp ? -1 : 1)
  );
  let { upBytes, downBytes } = other;
  for (const r of ranked.slice(options.limit)) {
    upBytes += r.upBytes;
    downBytes += r.downBytes;
  }
  return { remotes: ranked.slice(0, options.limit), other: { upBytes, downBytes } };
}
