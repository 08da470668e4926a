/**
 * `--import-vnstat FILE --interface NAME`: reads one interface's history from a vnStat 2.x database
 * (docs/imports.md) into the imported interface totals (store/interface_totals.ts), kept apart from counted
 * traffic because vnStat counts everything the interface carried, LAN included. For each period it takes the
 * finest data vnStat kept: 5-minute rows where they explain their hour exactly, else the hour, else the day,
 * else the month. One transaction: all or nothing.
 */
import { DatabaseSync } from "node:sqlite";
import { type InterfaceTotalSpan, saveInterfaceTotals, type Store } from "./store/mod.ts";

/** The file cannot be imported; nothing was changed. */
export class VnstatImportError extends Error {
  constructor(readonly path: string, reason: string, options?: ErrorOptions) {
    super(`Cannot import "${path}": ${reason}`, options);
    this.name = "VnstatImportError";
  }
}

/** What an import added, for the closing line. */
export interface VnstatImportSummary {
  readonly insertedSpans: number;
  readonly skippedSpans: number;
  /** Local months ("YYYY-MM") of the spans added, oldest first. */
  readonly months: readonly string[];
  readonly rxBytes: number;
  readonly txBytes: number;
}

/** The vnStat tables read, finest first, with the length of their periods. */
const LEVELS = [
  { table: "fiveminute", period: "fiveminute" },
  { table: "hour", period: "hour" },
  { table: "day", period: "day" },
  { table: "month", period: "month" },
] as const;
type Period = typeof LEVELS[number]["period"];

const DATE_REGEXP = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2})(?::(\d{2}))?)?$/;
/** More than 100 Gbit/s over a whole span is no real count but a damaged row. */
const MAX_BYTES_PER_SEC = 100e9 / 8;

/** One vnStat row: the local period it names, mapped to the real spans it covers (two on a repeated hour). */
interface SourceRow {
  readonly startSec: number;
  readonly endSec: number;
  readonly rxBytes: number;
  readonly txBytes: number;
  readonly spans: readonly InterfaceTotalSpan[];
}

/**
 * Imports interface `name` of vnStat database `path` into `store`. Throws VnstatImportError naming the file and
 * the reason (not SQLite, not vnStat, another schema version, no such interface, a bad, negative, absurd or
 * repeated row); a StoreError when the save fails. Either way nothing is added.
 */
export function importVnstat(
  store: Store,
  options: { readonly path: string; readonly interfaceName: string; readonly timeZone: string },
): VnstatImportSummary {
  const { path, timeZone } = options;
  const levels = readLevels(path, options.interfaceName);
  let kept: SourceRow[] = [];
  LEVELS.forEach((level, i) => {
    const rows = levels[i].map((r) => sourceRow(path, level.table, level.period, r, timeZone));
    kept = i === 0 ? rows : finest(kept, rows);
  });
  const spans = kept.flatMap((r) => r.spans).sort((a, b) => a.spanStartSec - b.spanStartSec);
  const { inserted, skippedSpans } = saveInterfaceTotals(store, options.interfaceName, spans);
  let rxBytes = 0;
  let txBytes = 0;
  const months = new Set<string>();
  for (const span of inserted) {
    rxBytes += span.rxBytes;
    txBytes += span.txBytes;
    const local = Temporal.Instant.fromEpochMilliseconds(span.spanStartSec * 1000).toZonedDateTimeISO(
      timeZone,
    );
    months.add(local.toPlainDate().toString().slice(0, 7));
  }
  return { insertedSpans: inserted.length, skippedSpans, months: [...months].sort(), rxBytes, txBytes };
}

/**
 * Rows of the finer level where they add up exactly to the coarser row around them (vnStat dropped none of
 * them), else the coarser row; finer rows outside every coarser row stay.
 */
function finest(finer: readonly SourceRow[], coarser: readonly SourceRow[]): SourceRow[] {
  const out: SourceRow[] = [];
  const used = new Set<SourceRow>();
  for (const c of coarser) {
    const inside = finer.filter((f) => f.startSec >= c.startSec && f.startSec < c.endSec);
    for (const f of inside) used.add(f);
    const rx = inside.reduce((s, f) => s + f.rxBytes, 0);
    const tx = inside.reduce((s, f) => s + f.txBytes, 0);
    if (inside.length > 0 && rx === c.rxBytes && tx === c.txBytes) out.push(...inside);
    else out.push(c);
  }
  for (const f of finer) if (!used.has(f)) out.push(f);
  return out;
}

interface RawRow {
  readonly date: unknown;
  readonly rx: unknown;
  readonly tx: unknown;
}

/** The rows of each level for the interface, after checking that the file is a vnStat 2.x database. */
function readLevels(path: string, interfaceName: string): RawRow[][] {
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path, { readOnly: true });
  } catch (e) {
    throw new VnstatImportError(path, `cannot open it as SQLite (${(e as Error).message})`, { cause: e });
  }
  try {
    const columnsOf = (table: string) => {
      try {
        return (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
      } catch (e) {
        throw new VnstatImportError(path, `not an SQLite database (${(e as Error).message})`, { cause: e });
      }
    };
    if (columnsOf("interface").length === 0 || columnsOf("info").length === 0) {
      throw new VnstatImportError(path, "it has no interface and info tables: not a vnStat 2.x database");
    }
    const version = db.prepare("SELECT value FROM info WHERE name = 'dbversion'").get() as
      | { value: string }
      | undefined;
    if (version?.value !== "1") {
      throw new VnstatImportError(
        path,
        `its vnStat database version is ${version ? `"${version.value}"` : "missing"}; this import reads ` +
          `version "1" (vnStat 2.x)`,
      );
    }
    for (const { table } of LEVELS) {
      const columns = columnsOf(table);
      const missing = ["interface", "date", "rx", "tx"].filter((c) => !columns.includes(c));
      if (missing.length > 0) {
        throw new VnstatImportError(
          path,
          `its table "${table}" has no column ${missing.map((c) => `"${c}"`).join(", ")}: a vnStat ` +
            `version this import does not know`,
        );
      }
    }
    const iface = db.prepare("SELECT id FROM interface WHERE name = ?").get(interfaceName) as
      | { id: number }
      | undefined;
    if (iface === undefined) {
      const names = (db.prepare("SELECT name FROM interface ORDER BY name").all() as { name: string }[])
        .map((r) => `"${r.name}"`);
      throw new VnstatImportError(
        path,
        `it has no interface "${interfaceName}" (it has ${
          names.join(", ") || "none"
        }): give one with --interface`,
      );
    }
    return LEVELS.map(({ table }) =>
      db.prepare(`SELECT date, rx, tx FROM ${table} WHERE interface = ? ORDER BY date`).all(
        iface.id,
      ) as unknown as RawRow[]
    );
  } finally {
    db.close();
  }
}

function sourceRow(path: string, table: string, period: Period, raw: RawRow, timeZone: string): SourceRow {
  const date = String(raw.date);
  const match = typeof raw.date === "string" ? DATE_REGEXP.exec(raw.date) : null;
  const fail = (reason: string) => new VnstatImportError(path, `row "${date}" of table "${table}" ${reason}`);
  if (match === null) throw fail("has no date vnStat writes");
  let wall: Temporal.PlainDateTime;
  try {
    wall = Temporal.PlainDateTime.from({
      year: Number(match[1]),
      month: Number(match[2]),
      day: Number(match[3]),
      hour: Number(match[4] ?? 0),
      minute: Number(match[5] ?? 0),
    }, { overflow: "reject" });
  } catch (e) {
    throw new VnstatImportError(path, `row "${date}" of table "${table}" is no real date`, { cause: e });
  }
  const [startSec, endSec, repeatedSec] = realSpan(wall, period, timeZone);
  const lengthSec = endSec - startSec;
  const values = [raw.rx, raw.tx];
  for (const value of values) {
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
      throw fail(`has a byte count of ${String(value)}`);
    }
    if (value > MAX_BYTES_PER_SEC * lengthSec) throw fail(`has ${value} bytes: more than 100 Gbit/s`);
  }
  const rxBytes = raw.rx as number;
  const txBytes = raw.tx as number;
  if (repeatedSec === null) {
    return {
      startSec,
      endSec,
      rxBytes,
      txBytes,
      spans: [{ spanStartSec: startSec, spanSec: lengthSec, rxBytes, txBytes }],
    };
  }
  // A local time that happened twice (autumn DST): both real spans get half, the odd byte to the first.
  const half = (bytes: number) => Math.floor(bytes / 2);
  const spanSec = lengthSec;
  return {
    startSec,
    endSec: repeatedSec + spanSec,
    rxBytes,
    txBytes,
    spans: [
      { spanStartSec: startSec, spanSec, rxBytes: rxBytes - half(rxBytes), txBytes: txBytes - half(txBytes) },
      { spanStartSec: repeatedSec, spanSec, rxBytes: half(rxBytes), txBytes: half(txBytes) },
    ],
  };
}

/**
 * The UTC start and end of a local period, and for a 5-minute or hour period that happened twice the start of
 * its second occurrence (else null). A time in the spring gap lands after the gap.
 */
function realSpan(
  wall: Temporal.PlainDateTime,
  period: Period,
  timeZone: string,
): [number, number, number | null] {
  const sec = (z: Temporal.ZonedDateTime) => z.epochMilliseconds / 1000;
  if (period === "day" || period === "month") {
    const day = period === "day" ? wall.toPlainDate() : wall.toPlainDate().with({ day: 1 });
    const next = period === "day" ? day.add({ days: 1 }) : day.add({ months: 1 });
    return [sec(day.toZonedDateTime({ timeZone })), sec(next.toZonedDateTime({ timeZone })), null];
  }
  const lengthSec = period === "hour" ? 3600 : 300;
  const first = wall.toZonedDateTime(timeZone, { disambiguation: "earlier" });
  const second = wall.toZonedDateTime(timeZone, { disambiguation: "later" });
  const isRepeated = sec(second) !== sec(first) && first.toPlainDateTime().equals(wall);
  if (isRepeated) return [sec(first), sec(first) + lengthSec, sec(second)];
  return [sec(second), sec(second) + lengthSec, null];
}
