/**
 * The capture Worker's loop: owns the Ring and the TrafficPipeline, re-opens the ring when the interface
 * comes back, reads PACKET_STATISTICS every report, and reports to the main thread about once a second.
 * step() blocks in poll for up to MAX_WAIT_MS, so it runs only inside the Worker, never on the HTTP loop.
 * The pipeline outlives every ring, so nothing counted is lost when the interface goes away.
 */
import { Errno, errnoText, ifNameToIndex, POLLERR, POLLHUP, POLLNVAL, SyscallError } from "../ffi/mod.ts";
import { InterfaceWatch } from "./interface_watch.ts";
import { isInterfaceUp, type LinkInfo, readLinkInfo } from "./link_info.ts";
import { linkTypeName } from "./link_type.ts";
import { type RateSample, RateWindow } from "./rate_window.ts";
import { RETIRE_BLOCK_MS, Ring, SNAP_BYTES } from "./ring.ts";
import { TrafficPipeline } from "./traffic_pipeline.ts";
import type { CaptureState, CaptureStatus, TrafficBatch } from "./types.ts";
import type { CaptureWorkerOptions, FromWorker } from "./worker_messages.ts";

/** How often counts, kernel statistics and state are handed to the main thread. */
export const REPORT_INTERVAL_MS = 1000;
/** Longest blocking poll: bounds how long a "stop" waits. */
const MAX_WAIT_MS = 200;
/** Blocks read per step before the worker yields to its event loop (~18k packets at 128-byte snaps). */
const BLOCKS_PER_PASS = 16;
/** How often a missing interface is looked for, and a failed open retried. */
const REOPEN_INTERVAL_MS = 1000;
const RETRY_FAILED_MS = 10_000;
/** Seconds held back from the rate samples: packets of a second may sit up to RETIRE_BLOCK_MS in a block. */
const RATE_LAG_SEC = 2;

/** Runs the ring for one interface; see the module doc. */
export class CaptureLoop {
  readonly #options: CaptureWorkerOptions;
  readonly #post: (message: FromWorker) => void;
  readonly #now: () => number;
  readonly #rates = new RateWindow(8);
  readonly #pipeline = new TrafficPipeline({ rateWindow: this.#rates });
  readonly #watch: InterfaceWatch;
  #ring: Ring | null = null;
  #link: LinkInfo | null = null;
  #state: CaptureState = "starting";
  #message: string | null = null;
  #kernel = { packets: 0, drops: 0, queueFreezes: 0 };
  #opens = 0;
  #nextOpenMs = 0;
  #nextReportMs = 0;
  #lastRateSec = 0;
  #lastBatchSec: number | null = null;
  #lastPostedStatus = "";

  constructor(options: CaptureWorkerOptions, post: (message: FromWorker) => void, now: () => number = Date.now) {
    this.#options = options;
    this.#post = post;
    this.#now = now;
    this.#lastRateSec = Math.floor(now() / 1000) - RATE_LAG_SEC;
    const log = (line: string) => post({ kind: "log", line });
    this.#watch = new InterfaceWatch({ iface: options.iface, excludeIpv6Prefixes: options.excludeIpv6Prefixes, log });
  }

  /**
   * One pass: opens the ring when due, reads ready blocks or blocks up to MAX_WAIT_MS in poll, reports when
   * due. Returns how long the caller should sleep (without blocking its event loop) before the next pass.
   */
  step(): number {
    const nowMs = this.#now();
    if (this.#ring === null && nowMs >= this.#nextOpenMs) this.#open(nowMs);
    const ring = this.#ring;
    if (ring !== null && ring.readBlocks(this.#pipeline, BLOCKS_PER_PASS) === 0) {
      const revents = ring.wait(Math.max(0, Math.min(MAX_WAIT_MS, this.#nextReportMs - nowMs)));
      if ((revents & (POLLERR | POLLHUP | POLLNVAL)) !== 0) this.#onSocketError();
    }
    if (this.#now() >= this.#nextReportMs) {
      this.#report(this.#now(), false);
      this.#nextReportMs = this.#now() + REPORT_INTERVAL_MS;
    }
    if (this.#ring !== null) return 0;
    return Math.max(1, Math.min(this.#nextReportMs, this.#nextOpenMs) - this.#now());
  }

  /**
   * Reads what is left in the ring (a partly filled block is handed over within RETIRE_BLOCK_MS), closes it
   * and posts the final report. Call once, after the last step().
   */
  finish(): void {
    const ring = this.#ring;
    if (ring !== null) {
      const deadline = this.#now() + 2 * RETIRE_BLOCK_MS;
      for (let pass = 0; pass < 10_000 && this.#now() < deadline; pass++) {
        if (ring.readBlocks(this.#pipeline, BLOCKS_PER_PASS) === 0) ring.wait(Math.max(0, Math.min(50, deadline - this.#now())));
      }
      this.#closeRing();
    }
    this.#setState("stopped", null);
    this.#report(this.#now(), true);
  }

  #open(nowMs: number): void {
    const iface = this.#options.iface;
    try {
      const link = readLinkInfo(iface);
      const ifindex = link === null ? 0 : ifNameToIndex(iface);
      if (link === null || ifindex === 0) {
        this.#setState("waiting_for_interface", `Cannot find interface "${iface}": waiting for it to appear`);
        this.#nextOpenMs = nowMs + REOPEN_INTERVAL_MS;
        return;
      }
      this.#ring = Ring.open({ link, ifindex, ringBytes: this.#options.ringBytes });
      this.#link = link;
      this.#opens++;
      this.#log(
        `${this.#opens === 1 ? "Capturing" : "Re-opened capture"} on "${iface}" (ifindex ${ifindex}, ` +
          `${link.socketType} socket, ${linkTypeName(link.linkType)}, ring ${this.#ring.blockCount / 4} MiB, ` +
          `${SNAP_BYTES}-byte snap)`,
      );
      this.#checkAddresses(nowMs, true);
      const isUp = isInterfaceUp(iface);
      this.#setState(isUp ? "capturing" : "interface_down", isUp ? null : `Interface "${iface}" is down`);
    } catch (e) {
      if (e instanceof SyscallError && e.call === "socket" && e.isPermissionDenied) {
        this.#nextOpenMs = Infinity;
        this.#setState("no_permission", e.message);
      } else if (e instanceof SyntaxError) {
        this.#nextOpenMs = Infinity;
        this.#setState("failed", e.message);
      } else {
        this.#nextOpenMs = nowMs + RETRY_FAILED_MS;
        this.#setState("failed", `Cannot capture on "${iface}": ${(e as Error).message}`);
      }
    }
  }

  #onSocketError(): void {
    const ring = this.#ring!;
    const errno = ring.takeSocketError();
    if (errno !== 0 && this.#state !== "interface_down") {
      const why = errno === Errno.ENETDOWN ? "went down" : `reported an error: ${errnoText(errno)}`;
      this.#setState("interface_down", `Interface "${this.#options.iface}" ${why}`);
    }
    this.#checkInterface();
  }

  /** Closes the ring when the interface was deleted or replaced, and notices when a down link came back up. */
  #checkInterface(): void {
    const ring = this.#ring;
    if (ring === null) return;
    const iface = this.#options.iface;
    const ifindex = ifNameToIndex(iface);
    if (ifindex !== ring.ifindex) {
      this.#closeRing();
      this.#nextOpenMs = this.#now();
      const what = ifindex === 0 ? "disappeared" : `was replaced (ifindex ${ring.ifindex} → ${ifindex})`;
      this.#setState("waiting_for_interface", `Interface "${iface}" ${what}: waiting to re-open it`);
    } else if (this.#state === "interface_down" && isInterfaceUp(iface)) {
      this.#setState("capturing", null);
    }
  }

  #closeRing(): void {
    const ring = this.#ring;
    if (ring === null) return;
    this.#readKernelStats();
    this.#ring = null;
    try {
      ring.close();
    } catch (e) {
      this.#log(`Cannot close the capture of "${this.#options.iface}" cleanly: ${(e as Error).message}`);
    }
  }

  #readKernelStats(): void {
    if (this.#ring === null) return;
    const s = this.#ring.readStats();
    this.#kernel.packets += s.packets;
    this.#kernel.queueFreezes += s.queueFreezes;
    if (s.drops > 0) {
      this.#kernel.drops += s.drops;
      this.#pipeline.addDrops(this.#now() / 1000, s.drops);
      this.#log(
        `Kernel dropped ${s.drops} packets on "${this.#options.iface}" (ring full; ${this.#kernel.drops} since ` +
          `start): these minutes are marked incomplete; a larger RING_MB helps`,
      );
    }
  }

  #checkAddresses(nowMs: number, force: boolean): void {
    const next = this.#watch.check(nowMs, force);
    if (next === null) return;
    this.#pipeline.setLocalAddresses(next);
    this.#post({ kind: "addresses", addresses: next });
  }

  #report(nowMs: number, isFinal: boolean): void {
    this.#readKernelStats();
    this.#checkInterface();
    if (this.#ring !== null) this.#checkAddresses(nowMs, false);
    const drained = this.#pipeline.drain();
    const hasRows = drained.traffic.length + drained.remotes.length + drained.health.length > 0;
    const batch: TrafficBatch | null = hasRows ? drained : null;
    if (batch !== null) this.#lastBatchSec = Math.floor(nowMs / 1000);
    const rates = this.#newRateSamples(isFinal ? Math.floor(nowMs / 1000) + 1 : Math.floor(nowMs / 1000) - RATE_LAG_SEC + 1);
    const status = this.#status();
    const statusText = JSON.stringify(status);
    if (batch === null && rates.length === 0 && statusText === this.#lastPostedStatus && !isFinal) return;
    this.#lastPostedStatus = statusText;
    this.#post({ kind: "report", status, batch, rates });
  }

  /** Per-second samples of the complete seconds before `untilSec` not posted yet, skipping empty ones. */
  #newRateSamples(untilSec: number): RateSample[] {
    const samples: RateSample[] = [];
    const from = Math.max(this.#lastRateSec + 1, untilSec - 8);
    for (const sample of this.#rates.samples(untilSec)) {
      if (sample.ts >= from && (sample.upBytes > 0 || sample.downBytes > 0)) samples.push(sample);
    }
    this.#lastRateSec = Math.max(this.#lastRateSec, untilSec - 1);
    return samples;
  }

  #status(): CaptureStatus {
    const stats = this.#pipeline.stats();
    return {
      state: this.#state,
      iface: this.#options.iface,
      linkType: this.#link?.linkType ?? null,
      socketType: this.#link?.socketType ?? null,
      message: this.#message,
      kernelPackets: this.#kernel.packets,
      kernelDrops: this.#kernel.drops,
      kernelQueueFreezes: this.#kernel.queueFreezes,
      malformedPackets: stats.malformedPackets,
      countedPackets: stats.countedPackets,
      lastBatchSec: this.#lastBatchSec,
      opens: this.#opens,
    };
  }

  #setState(state: CaptureState, message: string | null): void {
    if (state === this.#state && message === this.#message) return;
    this.#state = state;
    this.#message = message;
    this.#log(message ?? `Capture on "${this.#options.iface}": ${state}`);
    this.#nextReportMs = 0;
  }

  #log(line: string): void {
    this.#post({ kind: "log", line });
  }
}
