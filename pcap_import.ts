/**
 * `--pcap FILE`: imports a pcap or pcapng file through the very pipeline live capture uses, stamping each
 * packet with its capture time, into the ledger. The caller flushes and closes the store.
 */
import { createHash } from "node:crypto";
import {
  type FrameCallback,
  readCaptureFile,
  resolveLocalAddresses,
  TrafficPipeline,
} from "./capture/mod.ts";
import { findImportedFile, type ImportedFile, type TrafficLedger } from "./store/mod.ts";

/** The file's bytes were imported before: importing them again would count them twice. */
export class AlreadyImportedError extends Error {
  constructor(readonly path: string, readonly earlier: ImportedFile) {
    const when = new Date(earlier.importedSec * 1000).toISOString();
    const shortSha = earlier.sha256.slice(0, 12);
    super(
      `Cannot import "${path}": the same file (sha256 ${shortSha}…) was imported at ${when} ` +
        `from "${earlier.path}" and its traffic is already counted`,
    );
    this.name = "AlreadyImportedError";
  }
}

/** What an import counted, for the closing line. */
export interface ImportSummary {
  readonly frames: number;
  readonly countedPackets: number;
  readonly ignoredPackets: number;
  readonly malformedPackets: number;
  readonly upBytes: number;
  readonly downBytes: number;
}

/** The slice of Config an import needs. */
export interface PcapImportOptions {
  readonly path: string;
  readonly localIps: readonly string[];
  readonly excludeIpv6Prefixes: readonly string[];
  /** Called with the fraction read, 0..1, at most a few times a second. */
  readonly onProgress?: (fraction: number) => void;
}

/** Drain into the ledger every this many frames, so a huge file keeps the pipeline's tables small. */
const DRAIN_EVERY_FRAMES = 1_000_000;
/** ...and sooner when timestamps jump around, since every open bucket holds a row. */
const DRAIN_AT_BUCKETS = 10_000;
/**
 * ...and before the device table reaches its bound of rows (capture/device_table.ts), so the length of a
 * file never moves a device's traffic into the `other` device.
 */
const DRAIN_AT_DEVICE_ROWS = 8_192;

/**
 * Reads `options.path` into `ledger` and marks the file as imported in the ledger's next flush (the caller
 * flushes). Throws AlreadyImportedError, before reading, when the same bytes were imported before; SyntaxError
 * for a garbled file after adding what was read before the damage (the marker still goes with it, so the
 * readable part is never counted twice); SyntaxError for a bad LOCAL_IPS or EXCLUDE_IPV6_PREFIX entry.
 */
export async function importPcap(ledger: TrafficLedger, options: PcapImportOptions): Promise<ImportSummary> {
  const sha256 = await fileSha256(options.path);
  const earlier = findImportedFile(ledger.store, sha256);
  if (earlier !== null) throw new AlreadyImportedError(options.path, earlier);
  const pipeline = new TrafficPipeline({
    localAddresses: resolveLocalAddresses(options.localIps, options.excludeIpv6Prefixes),
  });
  let framesSinceDrain = 0;
  let lastProgressMs = 0;
  const onFrame: FrameCallback = (view, offset, capturedLen, originalLen, linkType, timestampSec) => {
    pipeline.countFrame(view, offset, capturedLen, originalLen, linkType, timestampSec);
    if (
      ++framesSinceDrain === DRAIN_EVERY_FRAMES || pipeline.pendingBuckets > DRAIN_AT_BUCKETS ||
      pipeline.pendingDeviceRows > DRAIN_AT_DEVICE_ROWS
    ) {
      ledger.add(pipeline.drain());
      framesSinceDrain = 0;
    }
  };
  const onProgress = options.onProgress;
  let frames = 0;
  try {
    const summary = await readCaptureFile(options.path, onFrame, {
      onProgress: onProgress && ((bytesRead, totalBytes) => {
        const nowMs = performance.now();
        if (nowMs - lastProgressMs < 200 && bytesRead < totalBytes) return;
        lastProgressMs = nowMs;
        onProgress(totalBytes === 0 ? 1 : bytesRead / totalBytes);
      }),
    });
    frames = summary.frames;
  } finally {
    ledger.add(pipeline.drain());
    ledger.recordImport({
      sha256,
      path: options.path,
      importedSec: Math.floor(Date.now() / 1000),
      frames: pipeline.stats().seenPackets,
    });
  }
  const stats = pipeline.stats();
  return {
    frames,
    countedPackets: stats.countedPackets,
    ignoredPackets: stats.ignoredPackets,
    malformedPackets: stats.malformedPackets,
    upBytes: stats.upBytes,
    downBytes: stats.downBytes,
  };
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  const file = await Deno.open(path, { read: true });
  // Reading `readable` to its end closes the file.
  for await (const chunk of file.readable) hash.update(chunk);
  return hash.digest("hex");
}
