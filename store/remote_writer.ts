/**
 * Writes pending per-remote and per-device-remote rows inside the ledger's flush transaction
 * (traffic_ledger.ts): each delta goes to its 15-minute row and, in the same transaction, to its local day
 * row (docs/history-storage.md), so both tiers are exact from the first save; a month's rows are made from
 * the day rows when it is sealed (history_rollup.ts). Remote addresses become ids of the `remote_ips`
 * dictionary here (id 0 is OTHER_REMOTE_IP, the exact remainder).
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { DeviceRemoteTraffic, RemoteTraffic } from "../capture/mod.ts";
import { SpanCalendar } from "./history_spans.ts";
import { SealMarks } from "./history_rollup.ts";
import { OTHER_REMOTE_IP } from "./pending_deltas.ts";

/** Id of OTHER_REMOTE_IP in `remote_ips` (history_migrations.ts). */
export const OTHER_REMOTE_ID = 0;

const REMOTE_ID_SQL = `
INSERT INTO remote_ips (ip, last_used) VALUES (?, ?)
ON CONFLICT (ip) DO UPDATE SET last_used = max(last_used, excluded.last_used) RETURNING id`;

/** An additive UPSERT into `table`, keyed by `keys` (the span column first). */
function upsertSql(table: string, keys: readonly string[]): string {
  const columns = [...keys, "up_bytes", "down_bytes", "up_packets", "down_packets"];
  return `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})
ON CONFLICT (${keys.join(", ")}) DO UPDATE SET
  up_bytes = up_bytes + excluded.up_bytes, down_bytes = down_bytes + excluded.down_bytes,
  up_packets = up_packets + excluded.up_packets, down_packets = down_packets + excluded.down_packets`;
}

interface Sums {
  upBytes: number;
  downBytes: number;
  upPackets: number;
  downPackets: number;
}

/** Rows summed per key before writing, so a day row takes one UPSERT per save, not one per bucket. */
class SumsByKey {
  readonly rows = new Map<string, { readonly key: readonly number[]; readonly sums: Sums }>();

  add(key: readonly number[], row: Sums): void {
    const text = key.join(" ");
    const entry = this.rows.get(text);
    if (entry === undefined) {
      const { upBytes, downBytes, upPackets, downPackets } = row;
      this.rows.set(text, { key, sums: { upBytes, downBytes, upPackets, downPackets } });
      return;
    }
    entry.sums.upBytes += row.upBytes;
    entry.sums.downBytes += row.downBytes;
    entry.sums.upPackets += row.upPackets;
    entry.sums.downPackets += row.downPackets;
  }

  /** Writes every row with `statement`; returns the smallest span start written (Infinity if none). */
  write(statement: StatementSync): number {
    let oldest = Infinity;
    for (const { key, sums } of this.rows.values()) {
      statement.run(...key, sums.upBytes, sums.downBytes, sums.upPackets, sums.downPackets);
      oldest = Math.min(oldest, key[0]);
    }
    return oldest;
  }
}

/** The tables a RemoteWriter fills, with the mark of the sealed ones. */
const TABLES = {
  fine: { name: "remote_traffic", keys: ["bucket_start", "remote_id"] },
  days: { name: "remote_days", keys: ["span_start", "remote_id"] },
  deviceDays: { name: "device_remote_days", keys: ["span_start", "device_id", "remote_id"] },
} as const;

/** Prepared statements over one connection; call write() only inside a transaction. */
export class RemoteWriter {
  readonly #calendar: SpanCalendar;
  readonly #remoteId: StatementSync;
  readonly #sealMarks: SealMarks;
  readonly #upserts: Record<keyof typeof TABLES, StatementSync>;

  /** `timeZone`: the zone of the day rows, and of the month marks it lowers (Store.timeZone). */
  constructor(db: DatabaseSync, timeZone: string) {
    this.#calendar = new SpanCalendar(timeZone);
    this.#remoteId = db.prepare(REMOTE_ID_SQL);
    this.#sealMarks = new SealMarks(db, this.#calendar);
    const upsert = (t: { name: string; keys: readonly string[] }) => db.prepare(upsertSql(t.name, t.keys));
    this.#upserts = {
      fine: upsert(TABLES.fine),
      days: upsert(TABLES.days),
      deviceDays: upsert(TABLES.deviceDays),
    };
  }

  /**
   * Writes the remote and device-remote rows (devices named by `deviceIdOf`, which makes their dictionary
   * rows); returns the rows given and the oldest bucket (Infinity if none). Lowers the seal marks of the day
   * tables written behind them and of their month tables, so the next retention pass seals those spans
   * again (and makes those months again).
   */
  write(
    remotes: readonly RemoteTraffic[],
    deviceRemotes: readonly DeviceRemoteTraffic[],
    deviceIdOf: (deviceKey: string) => number,
  ): { readonly rowCount: number; readonly oldestSec: number } {
    const ids = this.#remoteIds([...remotes, ...deviceRemotes]);
    const calendar = this.#calendar;
    const tiers = {
      fine: new SumsByKey(),
      days: new SumsByKey(),
      deviceDays: new SumsByKey(),
    };
    let oldestSec = Infinity;
    for (const r of remotes) {
      const id = ids.get(r.remoteIp)!;
      tiers.fine.add([r.bucketStartSec, id], r);
      tiers.days.add([calendar.dayStartOf(r.bucketStartSec), id], r);
      oldestSec = Math.min(oldestSec, r.bucketStartSec);
    }
    for (const r of deviceRemotes) {
      const id = ids.get(r.remoteIp)!;
      const deviceId = deviceIdOf(r.deviceKey);
      tiers.deviceDays.add([calendar.dayStartOf(r.bucketStartSec), deviceId, id], r);
      oldestSec = Math.min(oldestSec, r.bucketStartSec);
    }
    for (const tier of Object.keys(tiers) as (keyof typeof tiers)[]) {
      const oldestSpan = tiers[tier].write(this.#upserts[tier]);
      if (tier !== "fine" && oldestSpan !== Infinity) {
        this.#sealMarks.lowerBehind(TABLES[tier].name, oldestSpan);
      }
    }
    return { rowCount: remotes.length + deviceRemotes.length, oldestSec };
  }

  /** The dictionary id of every address of `rows`, its `last_used` raised to its newest bucket. */
  #remoteIds(rows: readonly { remoteIp: string; bucketStartSec: number }[]): Map<string, number> {
    const newest = new Map<string, number>();
    for (const r of rows) newest.set(r.remoteIp, Math.max(newest.get(r.remoteIp) ?? 0, r.bucketStartSec));
    const ids = new Map<string, number>();
    for (const [ip, lastUsedSec] of newest) {
      ids.set(
        ip,
        ip === OTHER_REMOTE_IP
          ? OTHER_REMOTE_ID
          : Number((this.#remoteId.get(ip, lastUsedSec) as { id: number | bigint }).id),
      );
    }
    return ids;
  }
}
