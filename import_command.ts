/**
 * The import commands: `netledger --pcap FILE` (pcap_import.ts) with a progress line on a terminal (the share
 * read and the rows written so far), `--import-sentinel FILE` (sentinel_import.ts) and `--import-vnstat FILE
 * --interface NAME` (vnstat_import.ts); each prints its closing line. The caller opens and closes the store.
 */
import {
  AlreadyImportedError,
  importPcap,
  type ImportProgress,
  type PcapImportOptions,
} from "./pcap_import.ts";
import { importSentinel, SentinelImportError } from "./sentinel_import.ts";
import { type Store, StoreError, TrafficLedger } from "./store/mod.ts";
import { importVnstat, VnstatImportError } from "./vnstat_import.ts";

/** Runs the import of `options.path` into `store`; returns the process exit code (0, or 1 with a message). */
export async function runImport(
  store: Store,
  options: Omit<PcapImportOptions, "onProgress"> & { readonly timeZone: string },
): Promise<number> {
  const ledger = new TrafficLedger(store, { timeZone: options.timeZone });
  const isTerminal = Deno.stderr.isTerminal();
  const encoder = new TextEncoder();
  let summary;
  try {
    summary = await importPcap(ledger, {
      ...options,
      onProgress: isTerminal ? (progress) => drawProgress(encoder, progress) : undefined,
    });
  } catch (e) {
    if (isTerminal) Deno.stderr.writeSync(encoder.encode("\n"));
    if (e instanceof AlreadyImportedError) {
      console.error(e.message);
      return 1;
    }
    if (e instanceof StoreError) {
      console.error(`${e.message}; what was saved before is kept, and the next import continues from it`);
      return 1;
    }
    if (!(e instanceof SyntaxError || e instanceof Deno.errors.NotFound)) throw e;
    console.error(`Cannot import "${options.path}": ${e.message}`);
    return 1;
  }
  if (isTerminal) Deno.stderr.writeSync(encoder.encode("\n"));
  if (summary.readError !== null) {
    console.error(`Cannot import all of "${options.path}": ${summary.readError}`);
  }
  const resumed = summary.resumedAfterFrames > 0
    ? ` (continued after the ${summary.resumedAfterFrames} packets an interrupted import saved)`
    : "";
  console.log(
    `Imported "${options.path}"${resumed}: ${summary.frames} packets, ${summary.countedPackets} counted ` +
      `(${summary.upBytes} bytes up, ${summary.downBytes} bytes down), ${summary.ignoredPackets} ignored, ` +
      `${summary.malformedPackets} malformed, ${summary.rowsWritten} rows written`,
  );
  return summary.readError === null ? 0 : 1;
}

function drawProgress(encoder: TextEncoder, progress: ImportProgress): void {
  const width = 40;
  const filled = Math.round(progress.fraction * width);
  const bar = "#".repeat(filled) + "-".repeat(width - filled);
  const percent = (progress.fraction * 100).toFixed(1).padStart(5);
  Deno.stderr.writeSync(encoder.encode(`\r[${bar}] ${percent}%, ${progress.rowsWritten} rows written`));
}

/** Runs `--import-sentinel` of `options.path` into `store`; returns the exit code (0, or 1 with a message). */
export async function runSentinelImport(
  store: Store,
  options: { readonly path: string; readonly timeZone: string },
): Promise<number> {
  console.log(
    `Reading the local hours of "${options.path}" as ${options.timeZone} (the configured TZ; ` +
      `give --tz with the zone NetTraffic-Sentinel ran in if it differs)`,
  );
  let summary;
  try {
    summary = await importSentinel(new TrafficLedger(store), options);
  } catch (e) {
    if (!(e instanceof SentinelImportError || e instanceof StoreError)) throw e;
    console.error(`${e.message}; nothing was imported`);
    return 1;
  }
  const { months } = summary;
  const span = months.length === 0
    ? "no new hours"
    : `${months.length} ${months.length === 1 ? "month" : "months"} (${months[0]} to ${months.at(-1)})`;
  console.log(
    `Imported "${options.path}": ${summary.hoursImported} hours covering ${span}, ${summary.upBytes} bytes up ` +
      `and ${summary.downBytes} bytes down (${summary.upBytes + summary.downBytes} in all); ` +
      `${summary.hoursSkipped} hours were imported before and skipped`,
  );
  return 0;
}

/** Runs `--import-vnstat` of `options.path` into `store`; returns the exit code (0, or 1 with a message). */
export function runVnstatImport(
  store: Store,
  options: { readonly path: string; readonly interfaceName: string; readonly timeZone: string },
): number {
  console.log(
    `Reading the local times of "${options.path}" as ${options.timeZone} (the configured TZ; give --tz ` +
      `with the zone vnStat ran in, or UTC if it ran with UseUTC 1)`,
  );
  let summary;
  try {
    summary = importVnstat(store, options);
  } catch (e) {
    if (!(e instanceof VnstatImportError || e instanceof StoreError)) throw e;
    console.error(`${e.message}; nothing was imported`);
    return 1;
  }
  const { months } = summary;
  const span = months.length === 0
    ? "no months"
    : `${months.length} ${months.length === 1 ? "month" : "months"} (${months[0]} to ${months.at(-1)})`;
  console.log(
    `Imported interface totals of "${options.interfaceName}" from "${options.path}": ${summary.insertedSpans} ` +
      `spans covering ${span}, ${summary.rxBytes} bytes received and ${summary.txBytes} sent (LAN included, ` +
      `kept apart from counted traffic); ${summary.skippedSpans} spans were imported before and skipped`,
  );
  return 0;
}
