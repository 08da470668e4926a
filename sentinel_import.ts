/**
 * `--import-sentinel FILE`: reads the hourly totals of NetTraffic-Sentinel, the tool netledger replaces (its
 * `traffic_hourly` table; docs/imports.md), into the traffic history. Its `hour_ts` is a local hour without
 * an offset, read in the configured zone (TZ, or `--tz`). Every checked row goes into one save, in the
 * same transaction as the hours it marks (store/imported_hours.ts), so an import is all or nothing, and a
 * second import of the same or a newer copy adds only hours not imported before.
 */
import { DatabaseSync } from "node:sqlite";
import type { BucketTraffic, RemoteTraffic } from "./capture/mod.ts";
import { importedHourStarts, type TrafficLedger } from "./store/mod.ts";

/** The file cannot be imported; nothing was changed. */
export class SentinelImportError extends Error {
  constructor(readonly path: string, reason: string, options?: ErrorOptions) {
    super(`Cannot import "${path}": ${reason}`, options);
    this.name = "SentinelImportError";
  }
}

/** What an import added, for the closing line. */
export interface SentinelImportSummary {
  readonly hoursImported: number;
  /** Hours an earlier import already added: skipped. */
  readonly hoursSkipped: number;
  /** Local months ("YYYY-MM") of the hours imported, oldest first. */
  readonly months: readonly string[];
  readonly upBytes: number;
  readonly downBytes: number;
}

/** The source name of these hours in imported_hours. */
const SOURCE = "sentinel";
const HOUR_TS_REGEXP = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):00:00$/;
/** More than 100 Gbit/s for a whole hour in one direction is no real count but a damaged row. */
const MAX_HOUR_BYTES = 100e9 / 8 * 3600;
const REQUIRED_COLUMNS = ["hour_ts", "up_bytes", "down_bytes"];

interface HourRow {
  readonly hour_ts: unknown;
  readonly up_bytes: unknown;
  readonly down_bytes: unknown;
}

/** One local hour mapped to the instants it covers (two on the autumn DST change), with its bytes. */
interface LandedHour {
  readonly hourTs: string;
  /** UTC seconds of each real hour the local hour covers; multiples of 900. */
  readonly startSecs: readonly number[];
  readonly upBytes: number;
  readonly downBytes: number;
}

/**
 * Imports `path` into `ledger` and saves it (one transaction). Throws SentinelImportError, naming the file
 * and the reason, for a file that is no SQLite database, has no `traffic_hourly` table of the expected
 * columns, or holds a bad, negative, absurd or repeated row; a StoreError when the save fails. Either way
 * nothing is added.
 */
export async function importSentinel(
  ledger: TrafficLedger,
  options: { readonly path: string; readonly timeZone: string },
): Promise<SentinelImportSummary> {
  const { path, timeZone } = options;
  const rows = readHourRows(path);
  const done = importedHourStarts(ledger.store, SOURCE);
  const seen = new Set<string>();
  const landed: LandedHour[] = [];
  let hoursSkipped = 0;
  for (const row of rows) {
    const hour = checkRow(path, row, timeZone);
    if (seen.has(hour.hourTs)) throw new SentinelImportError(path, `hour_ts "${hour.hourTs}" appears twice`);
    seen.add(hour.hourTs);
    if (hour.startSecs.some((s) => done.has(s))) hoursSkipped++;
    else landed.push(hour);
  }
  const traffic: BucketTraffic[] = [];
  const remotes: RemoteTraffic[] = [];
  let upBytes = 0;
  let downBytes = 0;
  for (const hour of landed) {
    upBytes += hour.upBytes;
    downBytes += hour.downBytes;
    hour.startSecs.forEach((bucketStartSec, i) => {
      const share = (bytes: number) => splitEvenly(bytes, hour.startSecs.length)[i];
      const sums = {
        upBytes: share(hour.upBytes),
        downBytes: share(hour.downBytes),
        upPackets: 0,
        downPackets: 0,
      };
      // The old tool split neither families nor remotes: IPv4 and the `other` remote hold its bytes, so that
      // remotes plus other still equal the total (docs/imports.md).
      traffic.push({ bucketStartSec, family: 4, ...sums });
      remotes.push({ bucketStartSec, remoteIp: "other", ...sums });
    });
  }
  if (landed.length > 0) {
    ledger.add({ traffic, remotes, health: [] });
    // A spring hour that never existed shares its instant with the next hour: mark each instant once.
    const hourStartSecs = [...new Set(landed.flatMap((h) => h.startSecs))];
    ledger.recordImport({ kind: "hours", source: SOURCE, hourStartSecs });
    const result = await ledger.flush();
    if (result.error !== null) throw result.error;
  }
  const months = [...new Set(landed.map((h) => h.hourTs.slice(0, 7)))].sort();
  return { hoursImported: landed.length, hoursSkipped, months, upBytes, downBytes };
}

/** Every row of the file's traffic_hourly, after checking it is that tool's table. */
function readHourRows(path: string): HourRow[] {
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path, { readOnly: true });
  } catch (e) {
    throw new SentinelImportError(path, `cannot open it as SQLite (${(e as Error).message})`, { cause: e });
  }
  try {
    let columns: string[];
    try {
      columns = (db.prepare("PRAGMA table_info(traffic_hourly)").all() as { name: string }[]).map((c) =>
        c.name
      );
    } catch (e) {
      throw new SentinelImportError(path, `not an SQLite database (${(e as Error).message})`, { cause: e });
    }
    if (columns.length === 0) {
      throw new SentinelImportError(
        path,
        "it has no traffic_hourly table: not a NetTraffic-Sentinel database",
      );
    }
    const missing = REQUIRED_COLUMNS.filter((c) => !columns.includes(c));
    if (missing.length > 0) {
      throw new SentinelImportError(
        path,
        `its traffic_hourly has no column ${missing.map((c) => `"${c}"`).join(", ")} (it has ` +
          `${columns.join(", ")}): a version of NetTraffic-Sentinel this import does not know`,
      );
    }
    return db.prepare("SELECT hour_ts, up_bytes, down_bytes FROM traffic_hourly ORDER BY hour_ts")
      .all() as unknown as HourRow[];
  } finally {
    db.close();
  }
}

function checkRow(path: string, row: HourRow, timeZone: string): LandedHour {
  const hourTs = String(row.hour_ts);
  const match = typeof row.hour_ts === "string" ? HOUR_TS_REGEXP.exec(row.hour_ts) : null;
  if (match === null) {
    throw new SentinelImportError(path, `hour_ts "${hourTs}" is not a local hour "YYYY-MM-DD HH:00:00"`);
  }
  for (const column of ["up_bytes", "down_bytes"] as const) {
    const value = row[column];
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0 || value > MAX_HOUR_BYTES) {
      throw new SentinelImportError(
        path,
        `hour "${hourTs}" has ${column} ${String(value)}: not a byte count between 0 and ${MAX_HOUR_BYTES}`,
      );
    }
  }
  let wall: Temporal.PlainDateTime;
  try {
    wall = Temporal.PlainDateTime.from({
      year: Number(match[1]),
      month: Number(match[2]),
      day: Number(match[3]),
      hour: Number(match[4]),
    }, { overflow: "reject" });
  } catch (e) {
    throw new SentinelImportError(path, `hour_ts "${hourTs}" is no real date and hour`, { cause: e });
  }
  // "earlier" and "later" differ only on the autumn change, when the local hour happened twice: both real
  // hours get half of its bytes. A spring hour that never existed lands in the hour after the gap.
  const first = wall.toZonedDateTime(timeZone, { disambiguation: "earlier" });
  const earlier = first.epochMilliseconds / 1000;
  const later = wall.toZonedDateTime(timeZone, { disambiguation: "later" }).epochMilliseconds / 1000;
  const isRepeated = later !== earlier && first.toPlainDateTime().equals(wall);
  return {
    hourTs,
    startSecs: isRepeated ? [earlier, later] : [later],
    upBytes: row.up_bytes as number,
    downBytes: row.down_bytes as number,
  };
}

/** `bytes` in `parts` integer shares that add up to it, the remainder on the first. */
function splitEvenly(bytes: number, parts: number): number[] {
  const share = Math.floor(bytes / parts);
  return Array.from({ length: parts }, (_, i) => i === 0 ? bytes - share * (parts - 1) : share);
}
