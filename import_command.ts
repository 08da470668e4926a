/**
 * `netledger --pcap FILE`, the command: imports the file (pcap_import.ts) with a progress bar on a terminal,
 * saves what was counted and prints the closing line. The caller opens and closes the store.
 */
import { AlreadyImportedError, importPcap, type PcapImportOptions } from "./pcap_import.ts";
import { type Store, TrafficLedger } from "./store/mod.ts";

/** Runs the import of `options.path` into `store`; returns the process exit code (0, or 1 with a message). */
export async function runImport(
  store: Store,
  options: Omit<PcapImportOptions, "onProgress">,
): Promise<number> {
  const ledger = new TrafficLedger(store);
  const isTerminal = Deno.stderr.isTerminal();
  const encoder = new TextEncoder();
  let exitCode = 0;
  let summary;
  try {
    summary = await importPcap(ledger, {
      ...options,
      onProgress: isTerminal ? (fraction) => drawProgress(encoder, fraction) : undefined,
    });
  } catch (e) {
    if (e instanceof AlreadyImportedError) {
      console.error(e.message);
      return 1;
    }
    if (!(e instanceof SyntaxError || e instanceof Deno.errors.NotFound)) throw e;
    if (isTerminal) Deno.stderr.writeSync(encoder.encode("\n"));
    console.error(`Cannot import "${options.path}": ${e.message}`);
    exitCode = 1;
  }
  if (isTerminal && summary) Deno.stderr.writeSync(encoder.encode("\n"));
  const result = await ledger.flush();
  if (!result.isSaved && result.error !== null) {
    console.error(result.error.message);
    return 1;
  }
  if (summary) {
    console.log(
      `Imported "${options.path}": ${summary.frames} packets, ${summary.countedPackets} counted ` +
        `(${summary.upBytes} bytes up, ${summary.downBytes} bytes down), ${summary.ignoredPackets} ignored, ` +
        `${summary.malformedPackets} malformed`,
    );
  }
  return exitCode;
}

function drawProgress(encoder: TextEncoder, fraction: number): void {
  const width = 40;
  const filled = Math.round(fraction * width);
  const bar = "#".repeat(filled) + "-".repeat(width - filled);
  Deno.stderr.writeSync(encoder.encode(`\r[${bar}] ${(fraction * 100).toFixed(1).padStart(5)}%`));
}
