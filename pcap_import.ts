/**
 * `--pcap FILE`: imports a pcap or pcapng file through the very pipeline live capture uses, stamping each
 * packet with its capture time, into the ledger. It saves as it reads, each save committing the file's
 * marker (store/imported_files.ts) with the frames counted so far, so the size of a file never folds a
 * remote into `other` and an interrupted import continues where its last save ended.
 */
import { createHash } from "node:crypto";
import {
  DEFAULT_MAX_REMOTES,
  type FrameCallback,
  readCaptureFile,
  resolveLocalAddresses,
  type TrafficBatch,
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
  /** Frames in the file (up to a garbled part). */
  readonly frames: number;
  /** Frames an earlier, interrupted import of the same file had already counted and saved; skipped now. */
  readonly resumedAfterFrames: number;
  readonly countedPackets: number;
  readonly ignoredPackets: number;
  readonly malformedPackets: number;
  readonly upBytes: number;
  readonly downBytes: number;
  /** Rows the saves wrote (traffic, remotes, health, devices). */
  readonly rowsWritten: number;
  /** Why the file could not be read to its end (its readable part is counted and marked), or null. */
  readonly readError: string | null;
}

/** Where an import stands, for the progress line. */
export interface ImportProgress {
  /** Fraction of the file read, 0..1. */
  readonly fraction: number;
  readonly rowsWritten: number;
}

/** The slice of Config an import needs. */
export interface PcapImportOptions {
  readonly path: string;
  readonly localIps: readonly string[];
  readonly excludeIpv6Prefixes: readonly string[];
  /** SERVICE_NAMES: name remote ends and count per service; default false. */
  readonly countsServices?: boolean;
  /** Called at most a few times a second while reading, and once at the end. */
  readonly onProgress?: (progress: ImportProgress) => void;
}

/** Drain the pipeline into the ledger when timestamps jump around, since every open bucket holds a row. */
const DRAIN_AT_BUCKETS = 10_000;
/**
 * ...and before the device table reaches its bound of rows (capture/device_table.ts), so the length of a
 * file never moves a device's traffic into the `other` device.
 */
const DRAIN_AT_DEVICE_ROWS = 8_192;
/** ...and at half the remote table's bound, which one frame can grow by one row at most, so it never merges. */
const DRAIN_AT_REMOTES = DEFAULT_MAX_REMOTES / 2;
/**
 * Save at the next chunk when this many remote or device rows went to the ledger since the last save. The
 * ledger folds the lightest remotes (and devices) past 50,000 unsaved rows (store/pending_deltas.ts); one
 * chunk of 1 MiB holds at most about 29,000 frames that can make a row (16 bytes of record header and 20 of
 * IP header at least), so 16,384 + 29,000 stays below it and nothing is ever folded.
 */
const SAVE_AT_ROWS = 16_384;
/** ...and every this many frames, so that an interrupted import loses little work. */
const SAVE_EVERY_FRAMES = 2_000_000;

/**
 * Reads `options.path` into `ledger`, saving as it goes, and returns what it counted. Throws
 * AlreadyImportedError, before reading, when the same bytes were imported to their end before; a StoreError
 * when a save fails (what was saved before stays, and the next run continues from it); SyntaxError for a bad
 * LOCAL_IPS or EXCLUDE_IPV6_PREFIX entry. A garbled file is no throw: its readable part is counted, marked as
 * the whole import, and `readError` says why it stopped.
 */
export async function importPcap(ledger: TrafficLedger, options: PcapImportOptions): Promise<ImportSummary> {
  const { path } = options;
  const sha256 = await fileSha256(path);
  const earlier = findImportedFile(ledger.store, sha256);
  if (earlier?.isComplete) throw new AlreadyImportedError(path, earlier);
  const pipeline = new TrafficPipeline({
    localAddresses: resolveLocalAddresses(options.localIps, options.excludeIpv6Prefixes),
    countsServices: options.countsServices,
  });
  const skipFrames = earlier?.frames ?? 0;
  let savedFrames: number | null = earlier === null ? null : earlier.frames;
  let frameIndex = 0;
  let rowsSinceSave = 0;
  let rowsWritten = 0;
  const drain = () => {
    const batch: TrafficBatch = pipeline.drain();
    rowsSinceSave += Math.max(batch.remotes.length, batch.devices?.length ?? 0);
    ledger.add(batch);
  };
  const onFrame: FrameCallback = (view, offset, capturedLen, originalLen, linkType, timestampSec) => {
    if (frameIndex++ < skipFrames) return;
    pipeline.countFrame(view, offset, capturedLen, originalLen, linkType, timestampSec);
    if (
      pipeline.pendingRemotes >= DRAIN_AT_REMOTES || pipeline.pendingBuckets > DRAIN_AT_BUCKETS ||
      pipeline.pendingDeviceRows > DRAIN_AT_DEVICE_ROWS
    ) drain();
  };
  /** Commits everything counted from the first `frameIndex` frames together with the file's marker. */
  const save = async (isComplete: boolean) => {
    drain();
    ledger.recordImport({
      kind: "capture_file",
      sha256,
      path,
      importedSec: Math.floor(Date.now() / 1000),
      frames: frameIndex,
      isComplete,
      previousFrames: savedFrames,
    });
    const result = await ledger.flush();
    if (result.error !== null) throw result.error;
    rowsWritten += result.rowCount;
    rowsSinceSave = 0;
    savedFrames = frameIndex;
  };
  const onProgress = options.onProgress;
  let lastProgressMs = 0;
  let framesAtSave = skipFrames;
  let frames = 0;
  let readError: string | null = null;
  try {
    const read = await readCaptureFile(path, onFrame, {
      onProgress: async (bytesRead, totalBytes) => {
        if (rowsSinceSave >= SAVE_AT_ROWS || frameIndex - framesAtSave >= SAVE_EVERY_FRAMES) {
          await save(false);
          framesAtSave = frameIndex;
        }
        const nowMs = performance.now();
        if (onProgress === undefined || (nowMs - lastProgressMs < 200 && bytesRead < totalBytes)) return;
        lastProgressMs = nowMs;
        onProgress({ fraction: totalBytes === 0 ? 1 : bytesRead / totalBytes, rowsWritten });
      },
    });
    frames = read.frames;
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    readError = e.message;
    frames = frameIndex;
  }
  await save(true);
  onProgress?.({ fraction: 1, rowsWritten });
  const stats = pipeline.stats();
  return {
    frames,
    resumedAfterFrames: skipFrames,
    countedPackets: stats.countedPackets,
    ignoredPackets: stats.ignoredPackets,
    malformedPackets: stats.malformedPackets,
    upBytes: stats.upBytes,
    downBytes: stats.downBytes,
    rowsWritten,
    readError,
  };
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  const file = await Deno.open(path, { read: true });
  // Reading `readable` to its end closes the file.
  for await (const chunk of file.readable) hash.update(chunk);
  return hash.digest("hex");
}
