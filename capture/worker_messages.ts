/**
 * Messages between LiveCapture (main thread) and capture_worker.ts. Plain records only: they cross the
 * Worker boundary by structuredClone.
 */
import type { LocalAddresses } from "./local_addresses.ts";
import type { CaptureStatus, TrafficBatch } from "./types.ts";

/**
 * How many seconds the shared per-second rates trail the clock: packets of a second may sit up to
 * RETIRE_BLOCK_MS (1 s) in a block before the worker reads them, so only seconds this old are complete.
 */
export const RATE_LAG_SEC = 3;

/** What the worker needs to capture. */
export interface CaptureWorkerOptions {
  readonly iface: string;
  readonly ringBytes: number;
  readonly excludeIpv6Prefixes: readonly string[];
  /** RateWindow.shared() buffer the pipeline adds every counted packet to; null: no live rates. */
  readonly rateBuffer: SharedArrayBuffer | null;
  /**
   * eventfd owned by the main thread, signalled on stop and on a report request so the worker's poll ends at
   * once; the worker reads it empty after every poll.
   */
  readonly wakeFd: number;
  /** SERVICE_NAMES: name remote ends and count per service (TrafficPipeline countsServices). */
  readonly countsServices: boolean;
  /**
   * NameQueue.create() buffer of host names from the main thread (the Clash core's, name_queue.ts), read
   * between passes; null without countsServices.
   */
  readonly nameQueue: SharedArrayBuffer | null;
}

/** Int32 cells of the shared control block (`ToWorker.control`). */
export const ControlCell = {
  /** The main thread stores 1 and calls Atomics.notify on it to stop the worker. */
  STOP: 0,
  /**
   * The main thread adds 1 to ask for a report now (LiveCapture.catchUp), then notifies STOP's cell and
   * signals the wake fd; the worker answers with a report whose `answers` is at least the value it read.
   */
  REPORT_REQUEST: 1,
} as const;
export const CONTROL_CELLS = 2;

/**
 * Main thread → worker, posted once. `control` is a SharedArrayBuffer of CONTROL_CELLS int32 (ControlCell):
 * on stop the worker drains the ring, posts a last report and "stopped".
 */
export interface ToWorker {
  readonly kind: "start";
  readonly options: CaptureWorkerOptions;
  readonly control: SharedArrayBuffer;
}

/** Worker → main thread. */
export type FromWorker =
  | { readonly kind: "log"; readonly line: string }
  | { readonly kind: "addresses"; readonly addresses: LocalAddresses }
  | {
    readonly kind: "report";
    readonly status: CaptureStatus;
    /** The REPORT_REQUEST value this report answers (every request up to it); 0 before any request. */
    readonly answers: number;
    /** Null when nothing was counted since the previous report. */
    readonly batch: TrafficBatch | null;
  }
  | { readonly kind: "stopped" };
