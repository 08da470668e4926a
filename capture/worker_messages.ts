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
  /** eventfd owned by the main thread, signalled on stop so a poll of up to IDLE_CHECK_MS ends at once. */
  readonly wakeFd: number;
}

/**
 * Main thread → worker, posted once. `stopFlag` is a 4-byte SharedArrayBuffer: the main thread stores 1 in
 * it and calls Atomics.notify to stop; the worker then drains the ring, posts a last report and "stopped".
 */
export interface ToWorker {
  readonly kind: "start";
  readonly options: CaptureWorkerOptions;
  readonly stopFlag: SharedArrayBuffer;
}

/** Worker → main thread. */
export type FromWorker =
  | { readonly kind: "log"; readonly line: string }
  | { readonly kind: "addresses"; readonly addresses: LocalAddresses }
  | {
    readonly kind: "report";
    readonly status: CaptureStatus;
    /** Null when nothing was counted since the previous report. */
    readonly batch: TrafficBatch | null;
  }
  | { readonly kind: "stopped" };
