/**
 * The capture Worker's loop: owns the Ring and the TrafficPipeline, re-opens the ring when the interface
 * comes back, reads PACKET_STATISTICS every KERNEL_STATS_MS while packets arrive, and reports to the main
 * thread when asked (LiveCapture.catchUp: before a save and before the API reads), on a change of state or
 * new kernel drops, when many remote rows wait, and otherwise every REPORT_INTERVAL_MS. The live per-second
 * rates need no report: the pipeline adds each packet to a RateWindow in memory shared with the main thread.
 * The interface and its addresses are re-read when the kernel announces a change (LinkEvents, in the ring's
 * poll set) and every LINK_REFRESH_MS; where the announcements cannot be followed, every LINK_POLL_MS.
 * step() blocks in poll for up to REPORT_INTERVAL_MS, so it runs only inside the Worker, never on the HTTP loop.
 * The pipeline outlives every ring, so nothing counted is lost when the interface goes away.
 */
import {
  Errno,
  errnoText,
  ifNameToIndex,
  POLLERR,
  POLLHUP,
  POLLNVAL,
  readAvailable,
  SyscallError,
} from "../ffi/mod.ts";
import { InterfaceWatch } from "./interface_watch.ts";
import { LinkEvents } from "./link_events.ts";
import { isInterfaceUp, type LinkInfo, readLinkInfo } from "./link_info.ts";
import { linkTypeName } from "./link_type.ts";
import { RateWindow } from "./rate_window.ts";
import { type KernelStats, RETIRE_BLOCK_MS, Ring, SNAP_BYTES } from "./ring.ts";
import { DEFAULT_MAX_REMOTES } from "./remote_table.ts";
import { TrafficPipeline } from "./traffic_pipeline.ts";
import type { CaptureState, CaptureStatus, TrafficBatch } from "./types.ts";
import type { CaptureWorkerOptions, FromWorker } from "./worker_messages.ts";

/**
 * How often counts and state are handed to the main thread unasked while packets arrive. Each report costs
 * both threads a wake-up (~0.3 ms of CPU each on the bench VM), which at home-router rates is as much as
 * reading a few thousand packets, so the main thread asks for one when it needs the counts (before a save,
 * before an API answer) and this interval only bounds how stale its copy can get. At 10 kpps, 5-s reports
 * cost 1.29–1.70× tcpdump's CPU and reports on request 0.76–1.06× (alternating runs, 3-s phases).
 */
const REPORT_INTERVAL_MS = 60_000;
/**
 * How often PACKET_STATISTICS is read while packets arrive (a getsockopt, 30–80 µs on the bench VM): drops
 * need traffic, and new drops are reported at once.
 */
const KERNEL_STATS_MS = 5000;
/**
 * A report is also due when this many per-remote rows wait (a scan or a flood of new remotes), so the table
 * hands them over whole instead of merging the smallest into OTHER_REMOTE_IP at DEFAULT_MAX_REMOTES.
 */
const REPORT_AT_PENDING_REMOTES = DEFAULT_MAX_REMOTES / 2;
/**
 * How often an idle capture wakes to read kernel statistics. Drops need traffic, which wakes the loop anyway,
 * a deleted or downed interface wakes poll with POLLERR, and a change of the link or its addresses wakes it
 * through LinkEvents.
 */
const IDLE_CHECK_MS = 5000;
/**
 * How often the interface (if_nametoindex: three syscalls, ~80 µs on the bench VM) and its addresses
 * (getifaddrs) are re-read although no change was announced: the 10-minute refresh of issue #3 item 5, which
 * also refreshes the auto /56 LAN prefixes more than hourly.
 */
const LINK_REFRESH_MS = 10 * 60_000;
/** The same when the kernel's announcements cannot be followed (no rtnetlink socket): polling. */
const LINK_POLL_MS = IDLE_CHECK_MS;
/** Blocks read per pass before the loop checks its timers and the stop flag. */
const BLOCKS_PER_PASS = 16;
/** How often a missing interface is looked for, and a failed open retried. */
const REOPEN_INTERVAL_MS = 1000;
const RETRY_FAILED_MS = 10_000;

/** A cell nobody notifies: Atomics.wait on it is a plain sleep that needs no event loop. */
const SLEEP_CELL = new Int32Array(new SharedArrayBuffer(4));
/** Room for an eventfd's 8-byte counter. */
const WAKE_COUNTER = new Uint8Array(8);

/** Runs the ring for one interface; see the module doc. */
export class CaptureLoop {
  readonly #options: CaptureWorkerOptions;
  readonly #post: (message: FromWorker) => void;
  readonly #now: () => number;
  readonly #reportRequest: () => number;
  /** The last report request answered (see worker_messages.ts ControlCell.REPORT_REQUEST). */
  #answered = 0;
  readonly #pipeline: TrafficPipeline;
  readonly #watch: InterfaceWatch;
  /** Null when the rtnetlink socket could not be opened: the link is then polled every LINK_POLL_MS. */
  #events: LinkEvents | null;
  #ring: Ring | null = null;
  #link: LinkInfo | null = null;
  #state: CaptureState = "starting";
  #message: string | null = null;
  #kernel = { packets: 0, drops: 0, queueFreezes: 0 };
  /** Packets the kernel put into the current ring (not dropped), from PACKET_STATISTICS since it opened. */
  #ringDelivered = 0;
  #opens = 0;
  #nextOpenMs = 0;
  #lastReportMs = -Infinity;
  #nextLinkCheckMs = 0;
  #isReportDue = true;
  #hasUnreported = false;
  /** Blocks were read since PACKET_STATISTICS was last read. */
  #hasUnreadStats = false;
  #nextStatsMs = 0;
  #lastBatchSec: number | null = null;
  #lastPostedStatus = "";

  /** `reportRequest` reads the main thread's request counter (ControlCell.REPORT_REQUEST). */
  constructor(
    options: CaptureWorkerOptions,
    post: (message: FromWorker) => void,
    reportRequest: () => number,
    now: () => number = Date.now,
  ) {
    this.#options = options;
    this.#post = post;
    this.#reportRequest = reportRequest;
    this.#now = now;
    this.#pipeline = new TrafficPipeline({
      rateWindow: options.rateBuffer === null ? undefined : RateWindow.over(options.rateBuffer),
    });
    const log = (line: string) => post({ kind: "log", line });
    this.#watch = new InterfaceWatch({
      iface: options.iface,
      excludeIpv6Prefixes: options.excludeIpv6Prefixes,
      log,
    });
    try {
      this.#events = LinkEvents.open();
    } catch (e) {
      this.#events = null;
      log(
        `Cannot follow link and address changes from the kernel (${(e as Error).message}): ` +
          `re-reading "${options.iface}" and its addresses every ${LINK_POLL_MS / 1000} s instead`,
      );
    }
  }

  /**
   * One pass: opens the ring when due, reads ready blocks or blocks in poll, reports when due or asked.
   * Wake-ups are few because each costs ~0.1 ms of CPU on the 2-core bench VM: at home rates the kernel
   * retires one block a second (RETIRE_BLOCK_MS), kernel statistics ride on those wake-ups every
   * KERNEL_STATS_MS, and with no packets at all the loop wakes every IDLE_CHECK_MS. A report request ends
   * the poll at once (the wake fd).
   * Returns how long the caller should sleep when there is no ring to poll (0: call again at once).
   */
  step(): number {
    if (this.#ring === null && this.#now() >= this.#nextOpenMs) this.#open(this.#now());
    const ring = this.#ring;
    if (ring !== null) {
      if (ring.readBlocks(this.#pipeline, BLOCKS_PER_PASS) > 0) {
        this.#hasUnreported = true;
        this.#hasUnreadStats = true;
      } else if (!this.#isReportDue && this.#reportRequest() === this.#answered) {
        const revents = ring.wait(Math.max(0, this.#reportAtMs() - this.#now()));
        // A request or stop made it readable; the request is read from shared memory below.
        readAvailable(this.#options.wakeFd, WAKE_COUNTER);
        if ((revents & (POLLERR | POLLHUP | POLLNVAL)) !== 0) this.#onSocketError();
        this.#followLinkEvents();
      }
    }
    // Read once: the answer to it must cover every block the kernel handed over before it, also beyond this
    // pass (a large RING_MB).
    const request = this.#reportRequest();
    const isAsked = request !== this.#answered;
    if (isAsked && this.#ring !== null && this.#ring.readBlocks(this.#pipeline, this.#ring.blockCount) > 0) {
      this.#hasUnreported = true;
      this.#hasUnreadStats = true;
    }
    const nowMs = this.#now();
    if (this.#hasUnreadStats && nowMs >= this.#nextStatsMs) this.#readKernelStats();
    const sinceReportMs = nowMs - this.#lastReportMs;
    if (
      this.#isReportDue || isAsked || nowMs >= this.#reportAtMs() ||
      (this.#hasUnreported && sinceReportMs >= 0.9 * REPORT_INTERVAL_MS) ||
      this.#pipeline.pendingRemotes >= REPORT_AT_PENDING_REMOTES
    ) {
      this.#report(nowMs, false, request);
    }
    if (this.#ring !== null) return 0;
    return Math.max(1, Math.min(this.#reportAtMs(), this.#nextOpenMs) - this.#now());
  }

  /** When the next report is due: a report interval after the last one with counts pending, else an idle check. */
  #reportAtMs(): number {
    return this.#lastReportMs + (this.#hasUnreported ? REPORT_INTERVAL_MS : IDLE_CHECK_MS);
  }

  /**
   * Reads what is left in the ring, closes it and posts the final report. Frames the kernel already counted
   * may sit in a partly filled block until it retires it (RETIRE_BLOCK_MS), so this reads until every packet
   * in PACKET_STATISTICS was read or dropped, within 2 × RETIRE_BLOCK_MS. Call once, after the last step().
   */
  finish(): void {
    const ring = this.#ring;
    if (ring !== null) {
      const deadline = this.#now() + 2 * RETIRE_BLOCK_MS;
      for (let pass = 0; pass < 10_000 && this.#now() < deadline; pass++) {
        while (ring.readBlocks(this.#pipeline, BLOCKS_PER_PASS) > 0) this.#hasUnreported = true;
        this.#readKernelStats();
        if (this.#ringDelivered <= ring.framesRead) break;
        // Not ring.wait(): the stop signal keeps the wake fd readable, so poll would return at once.
        Atomics.wait(SLEEP_CELL, 0, 0, 20);
      }
      this.#closeRing();
    }
    this.#events?.close();
    this.#events = null;
    this.#setState("stopped", null);
    this.#report(this.#now(), true, this.#reportRequest());
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
      this.#ring = Ring.open({
        link,
        ifindex,
        ringBytes: this.#options.ringBytes,
        watchFds: this.#events === null ? [this.#options.wakeFd] : [this.#options.wakeFd, this.#events.fd],
      });
      this.#link = link;
      this.#ringDelivered = 0;
      this.#opens++;
      this.#log(
        `${this.#opens === 1 ? "Capturing" : "Re-opened capture"} on "${iface}" (ifindex ${ifindex}, ` +
          `${link.socketType} socket, ${linkTypeName(link.linkType)}, ring ${
            (this.#ring.blockCount * this.#ring.blockBytes) / 2 ** 20
          } MiB, ` +
          `${SNAP_BYTES}-byte snap)`,
      );
      this.#checkAddresses();
      this.#nextLinkCheckMs = nowMs + this.#linkCheckIntervalMs();
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
        const isOutOfMemory = e instanceof SyscallError && e.errno === Errno.ENOMEM;
        const fix = isOutOfMemory ? `: lower RING_MB (now ${this.#options.ringBytes / 2 ** 20})` : "";
        this.#setState("failed", `Cannot capture on "${iface}": ${(e as Error).message}${fix}`);
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
    this.#hasUnreadStats = false;
    this.#nextStatsMs = this.#now() + KERNEL_STATS_MS;
    let s: KernelStats;
    try {
      s = this.#ring.readStats();
    } catch (e) {
      if (!(e instanceof SyscallError)) throw e;
      this.#log(`Cannot read the kernel statistics of "${this.#options.iface}": ${e.message}`);
      return;
    }
    this.#kernel.packets += s.packets;
    this.#ringDelivered += s.packets - s.drops;
    this.#kernel.queueFreezes += s.queueFreezes;
    if (s.drops > 0) {
      this.#kernel.drops += s.drops;
      this.#pipeline.addDrops(this.#now() / 1000, s.drops);
      this.#isReportDue = true;
      this.#log(
        `Kernel dropped ${s.drops} packets on "${this.#options.iface}" (ring full; ${this.#kernel.drops} since ` +
          `start): these minutes are marked incomplete; a larger RING_MB helps`,
      );
    }
  }

  /**
   * Reads what the kernel announced; when a change concerned the ring's interface (or announcements were
   * lost), re-reads the interface and its addresses at once.
   */
  #followLinkEvents(): void {
    const ring = this.#ring;
    if (this.#events !== null && ring !== null && this.#events.drain(ring.ifindex)) {
      this.#checkLink(this.#now());
    }
  }

  #linkCheckIntervalMs(): number {
    return this.#events === null ? LINK_POLL_MS : LINK_REFRESH_MS;
  }

  /** Re-reads the interface and, while the ring is open, its addresses. */
  #checkLink(nowMs: number): void {
    this.#nextLinkCheckMs = nowMs + this.#linkCheckIntervalMs();
    this.#checkInterface();
    if (this.#ring !== null) this.#checkAddresses();
  }

  #checkAddresses(): void {
    const next = this.#watch.refresh();
    if (next === null) return;
    this.#pipeline.setLocalAddresses(next);
    this.#post({ kind: "addresses", addresses: next });
  }

  /** Posts counts and status; `request` is the REPORT_REQUEST value it answers (the last answered: none). */
  #report(nowMs: number, isFinal: boolean, request: number): void {
    const isAnswer = request !== this.#answered;
    this.#answered = request;
    this.#lastReportMs = nowMs;
    this.#isReportDue = false;
    this.#hasUnreported = false;
    this.#readKernelStats();
    // Announcements arrive while blocks keep the loop from waiting too: read them here as well.
    this.#followLinkEvents();
    if (nowMs >= this.#nextLinkCheckMs || isFinal) this.#checkLink(nowMs);
    const drained = this.#pipeline.drain();
    const hasRows = drained.traffic.length + drained.remotes.length + drained.health.length > 0;
    const batch: TrafficBatch | null = hasRows ? drained : null;
    if (batch !== null) this.#lastBatchSec = Math.floor(nowMs / 1000);
    const status = this.#status();
    const statusText = JSON.stringify(status);
    if (batch === null && statusText === this.#lastPostedStatus && !isFinal && !isAnswer) return;
    this.#lastPostedStatus = statusText;
    this.#post({ kind: "report", status, batch, answers: request });
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
    this.#isReportDue = true;
  }

  #log(line: string): void {
    this.#post({ kind: "log", line });
  }
}
