/**
 * The capture Worker's loop: owns the Ring and the TrafficPipeline, re-opens the ring when the interface
 * comes back, reads PACKET_STATISTICS while packets arrive, and reports to the main thread when asked
 * (LiveCapture.catchUp: before a save and before the API reads), on a change of state or new kernel drops,
 * when many remote rows wait, and otherwise rarely; loop_schedule.ts decides when. The live per-second rates
 * need no report: the pipeline adds each packet to a RateWindow in memory shared with the main thread.
 * The interface and its addresses are re-read when the kernel announces a change (LinkEvents, in the ring's
 * poll set) and every LINK_REFRESH_MS; where the announcements cannot be followed, every LINK_POLL_MS.
 * step() blocks in poll for up to REPORT_INTERVAL_MS, so it runs only inside the Worker, never on the HTTP
 * loop.
 * The pipeline outlives every ring, so nothing counted is lost when the interface goes away.
 *
 * Every system call, the clock and the messages go through CaptureLoopPorts: capture_worker.ts passes the
 * real ones, capture_loop_test.ts a fake ring, link and clock.
 */
import { Errno, errnoText, POLLERR, POLLHUP, POLLNVAL, SyscallError } from "../ffi/mod.ts";
import { DEFAULT_MAX_DEVICES, DEVICE_IDLE_SEC } from "./device_table.ts";
import { InterfaceWatch } from "./interface_watch.ts";
import type { LinkEvents } from "./link_events.ts";
import type { LinkInfo } from "./link_info.ts";
import { linkTypeName } from "./link_type.ts";
import { NameQueue, type NameRecordVisitor } from "./name_queue.ts";
import { LINK_POLL_MS, LoopSchedule } from "./loop_schedule.ts";
import { RateWindow } from "./rate_window.ts";
import { type KernelStats, RETIRE_BLOCK_MS, type Ring, type RingOptions, SNAP_BYTES } from "./ring.ts";
import { fullFrameClassesFor } from "./snap_filter.ts";
import { TrafficPipeline } from "./traffic_pipeline.ts";
import type { CaptureState, CaptureStatus, TrafficBatch } from "./types.ts";
import type { CaptureWorkerOptions, FromWorker } from "./worker_messages.ts";

/** What the loop uses of a Ring: Ring.open's result in production, a fake in tests. */
export type CaptureRing = Pick<
  Ring,
  | "ifindex"
  | "blockCount"
  | "blockBytes"
  | "framesRead"
  | "readBlocks"
  | "wait"
  | "takeSocketError"
  | "readStats"
  | "close"
>;

/** What the loop uses of LinkEvents: its fd joins the ring's poll set. */
export type LinkEventSource = Pick<LinkEvents, "fd" | "drain" | "close">;

/** What the kernel says about interfaces (link_info.ts, if_nametoindex, getifaddrs, rtnetlink). */
export interface LinkProbe {
  /** readLinkInfo(): the capture parameters of `iface`, null when no interface has that name. */
  readonly info: (iface: string) => LinkInfo | null;
  /** if_nametoindex(): 0 when no interface has that name. */
  readonly index: (iface: string) => number;
  /** isInterfaceUp(): whether `iface` exists and is administratively up. */
  readonly isUp: (iface: string) => boolean;
  /** Deno.networkInterfaces(): every address of every interface, for InterfaceWatch. */
  readonly interfaces: () => readonly Deno.NetworkInterfaceInfo[];
  /** LinkEvents.open(): the kernel's announcements of link and address changes; throws when refused. */
  readonly openEvents: () => LinkEventSource;
}

/** Everything the loop reads or does outside its own memory; see the module doc. */
export interface CaptureLoopPorts {
  /** Posts a message to the main thread. */
  readonly post: (message: FromWorker) => void;
  /** Reads the main thread's report request counter (worker_messages.ts ControlCell.REPORT_REQUEST). */
  readonly reportRequest: () => number;
  /** The clock, in ms (Date.now). */
  readonly now: () => number;
  /** Blocks the thread for `ms` without an event loop (finish() waits for a partly filled block). */
  readonly sleep: (ms: number) => void;
  /** Ring.open(). */
  readonly openRing: (options: RingOptions) => CaptureRing;
  readonly link: LinkProbe;
  /** Reads the wake fd (CaptureWorkerOptions.wakeFd) empty after a poll it may have ended. */
  readonly drainWake: () => void;
}

/** Blocks read per pass before the loop checks its timers and the stop flag. */
const BLOCKS_PER_PASS = 16;
/** How often a missing interface is looked for, and a failed open retried. */
const REOPEN_INTERVAL_MS = 1000;
const RETRY_FAILED_MS = 10_000;
/** How long finish() sleeps between reads while the kernel still holds counted frames in a block. */
const FINISH_POLL_MS = 20;
/**
 * While QUIC Initials are being decrypted, a poll blocks at most this long, so that the Worker soon gives the
 * event loop the turns that deliver their names: an idle poll would hold them until the next block retires or
 * the idle check, and the flow's next connections would stay unnamed meanwhile (tests/services_live_test.ts).
 */
const NAME_WORK_POLL_MS = 10;

/** How often, at most, the loop says that new devices went to `other` because its device table was full. */
const DEVICE_OVERFLOW_LOG_MS = 3_600_000;

/** Runs the ring for one interface; see the module doc. */
export class CaptureLoop {
  readonly #options: CaptureWorkerOptions;
  readonly #ports: CaptureLoopPorts;
  readonly #schedule: LoopSchedule;
  readonly #pipeline: TrafficPipeline;
  readonly #watch: InterfaceWatch;
  /** Null when the rtnetlink socket could not be opened: the link is then polled every LINK_POLL_MS. */
  #events: LinkEventSource | null;
  #ring: CaptureRing | null = null;
  #link: LinkInfo | null = null;
  #state: CaptureState = "starting";
  #message: string | null = null;
  #kernel = { packets: 0, drops: 0, queueFreezes: 0 };
  /** Packets the kernel put into the current ring (not dropped), from PACKET_STATISTICS since it opened. */
  #ringDelivered = 0;
  #opens = 0;
  #lastBatchSec: number | null = null;
  #lastPostedStatus = "";
  /** The device table's overflow count at the last line about it, and when that line was logged. */
  #loggedDeviceOverflow = 0;
  #deviceOverflowLoggedMs = -Infinity;
  /** Host names from the main thread (worker_messages.ts nameQueue), or null. */
  readonly #names: NameQueue | null;
  /** Hands one queued name to the pipeline; made once, as take() calls it per record. */
  readonly #learnHost: NameRecordVisitor;

  /** See TrafficPipeline.pendingNameWork. */
  get pendingNameWork(): number {
    return this.#pipeline.pendingNameWork;
  }

  constructor(options: CaptureWorkerOptions, ports: CaptureLoopPorts) {
    this.#options = options;
    this.#ports = ports;
    this.#pipeline = new TrafficPipeline({
      countsServices: options.countsServices,
      rateWindow: options.rateBuffer === null ? undefined : RateWindow.over(options.rateBuffer),
    });
    const log = (line: string) => ports.post({ kind: "log", line });
    this.#watch = new InterfaceWatch({
      iface: options.iface,
      excludeIpv6Prefixes: options.excludeIpv6Prefixes,
      log,
      listInterfaces: ports.link.interfaces,
    });
    try {
      this.#events = ports.link.openEvents();
    } catch (e) {
      this.#events = null;
      log(
        `Cannot follow link and address changes from the kernel (${(e as Error).message}): ` +
          `re-reading "${options.iface}" and its addresses every ${LINK_POLL_MS / 1000} s instead`,
      );
    }
    this.#schedule = new LoopSchedule(this.#events !== null);
    this.#names = options.nameQueue === null ? null : new NameQueue(options.nameQueue);
    this.#learnHost = (dk, d0, d1, d2, d3, rf, r0, r1, r2, r3, host) =>
      this.#pipeline.learnHost(
        dk,
        d0,
        d1,
        d2,
        d3,
        rf,
        r0,
        r1,
        r2,
        r3,
        host,
        Math.floor(this.#ports.now() / 1000),
      );
  }

  /**
   * One pass: opens the ring when due, reads ready blocks or blocks in poll (see loop_schedule.ts for how
   * long), reports when due or asked. Returns how long the caller should sleep when there is no ring to poll
   * (0: call again at once).
   */
  step(): number {
    const schedule = this.#schedule;
    if (this.#ring === null && schedule.isOpenDue(this.#ports.now())) this.#open(this.#ports.now());
    const ring = this.#ring;
    if (ring !== null) {
      if (ring.readBlocks(this.#pipeline, BLOCKS_PER_PASS) > 0) {
        schedule.blocksRead();
      } else if (schedule.mayWait(this.#ports.reportRequest())) {
        const timeoutMs = schedule.pollTimeoutMs(this.#ports.now());
        const revents = ring.wait(
          this.#pipeline.pendingNameWork > 0 ? Math.min(timeoutMs, NAME_WORK_POLL_MS) : timeoutMs,
        );
        // A request or stop made it readable; the request is read from shared memory below.
        this.#ports.drainWake();
        if ((revents & (POLLERR | POLLHUP | POLLNVAL)) !== 0) this.#onSocketError();
        this.#followLinkEvents();
      }
    }
    // Read once, then every ready block: the answer to it must cover every block the kernel handed over
    // before it was made, also beyond this pass (a large RING_MB).
    const request = this.#ports.reportRequest();
    // After the request is read: a name queued before catchUp() names the packets of every later report.
    this.#names?.take(this.#learnHost);
    if (
      schedule.isAsked(request) && this.#ring !== null &&
      this.#ring.readBlocks(this.#pipeline, this.#ring.blockCount) > 0
    ) {
      schedule.blocksRead();
    }
    const nowMs = this.#ports.now();
    if (schedule.areStatsDue(nowMs)) this.#readKernelStats();
    if (schedule.isReportDue(nowMs, request, this.#pipeline.pendingRemotes)) {
      this.#report(nowMs, false, request);
    }
    if (this.#ring !== null) return 0;
    return schedule.sleepMs(this.#ports.now());
  }

  /**
   * Reads what is left in the ring, closes it and posts the final report. Frames the kernel already counted
   * may sit in a partly filled block until it retires it (RETIRE_BLOCK_MS), so this reads until every packet
   * in PACKET_STATISTICS was read or dropped, within 2 × RETIRE_BLOCK_MS. Call once, after the last step().
   */
  finish(): void {
    const ring = this.#ring;
    if (ring !== null) {
      const deadline = this.#ports.now() + 2 * RETIRE_BLOCK_MS;
      for (let pass = 0; pass < 10_000 && this.#ports.now() < deadline; pass++) {
        while (ring.readBlocks(this.#pipeline, BLOCKS_PER_PASS) > 0) this.#schedule.blocksRead();
        this.#readKernelStats();
        if (this.#ringDelivered <= ring.framesRead) break;
        // Not ring.wait(): the stop signal keeps the wake fd readable, so poll would return at once.
        this.#ports.sleep(FINISH_POLL_MS);
      }
      this.#closeRing();
    }
    this.#events?.close();
    this.#events = null;
    this.#setState("stopped", null);
    this.#report(this.#ports.now(), true, this.#ports.reportRequest());
  }

  #open(nowMs: number): void {
    const iface = this.#options.iface;
    const link = this.#ports.link;
    try {
      const info = link.info(iface);
      const ifindex = info === null ? 0 : link.index(iface);
      if (info === null || ifindex === 0) {
        this.#setState("waiting_for_interface", `Cannot find interface "${iface}": waiting for it to appear`);
        this.#schedule.openAt(nowMs + REOPEN_INTERVAL_MS);
        return;
      }
      const wakeFd = this.#options.wakeFd;
      this.#ring = this.#ports.openRing({
        link: info,
        ifindex,
        ringBytes: this.#options.ringBytes,
        fullFrameClasses: fullFrameClassesFor(this.#options.countsServices),
        watchFds: this.#events === null ? [wakeFd] : [wakeFd, this.#events.fd],
      });
      this.#link = info;
      this.#ringDelivered = 0;
      this.#opens++;
      this.#log(
        `${this.#opens === 1 ? "Capturing" : "Re-opened capture"} on "${iface}" (ifindex ${ifindex}, ` +
          `${info.socketType} socket, ${linkTypeName(info.linkType)}, ring ${
            (this.#ring.blockCount * this.#ring.blockBytes) / 2 ** 20
          } MiB, ` +
          `${SNAP_BYTES}-byte snap)`,
      );
      this.#checkAddresses();
      this.#schedule.linkChecked(nowMs);
      const isUp = link.isUp(iface);
      this.#setState(isUp ? "capturing" : "interface_down", isUp ? null : `Interface "${iface}" is down`);
    } catch (e) {
      if (e instanceof SyscallError && e.call === "socket" && e.isPermissionDenied) {
        this.#schedule.openAt(Infinity);
        this.#setState("no_permission", e.message);
      } else if (e instanceof SyntaxError) {
        this.#schedule.openAt(Infinity);
        this.#setState("failed", e.message);
      } else {
        this.#schedule.openAt(nowMs + RETRY_FAILED_MS);
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

  /** Closes the ring when the interface was deleted or replaced; notices when a down link came back up. */
  #checkInterface(): void {
    const ring = this.#ring;
    if (ring === null) return;
    const iface = this.#options.iface;
    const ifindex = this.#ports.link.index(iface);
    if (ifindex !== ring.ifindex) {
      this.#closeRing();
      this.#schedule.openAt(this.#ports.now());
      const what = ifindex === 0 ? "disappeared" : `was replaced (ifindex ${ring.ifindex} → ${ifindex})`;
      this.#setState("waiting_for_interface", `Interface "${iface}" ${what}: waiting to re-open it`);
    } else if (this.#state === "interface_down" && this.#ports.link.isUp(iface)) {
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
    const nowMs = this.#ports.now();
    this.#schedule.statsRead(nowMs);
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
      this.#pipeline.addDrops(nowMs / 1000, s.drops);
      this.#schedule.reportNeeded();
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
      this.#checkLink(this.#ports.now());
    }
  }

  /** Re-reads the interface and, while the ring is open, its addresses. */
  #checkLink(nowMs: number): void {
    this.#schedule.linkChecked(nowMs);
    this.#checkInterface();
    if (this.#ring !== null) this.#checkAddresses();
  }

  #checkAddresses(): void {
    const next = this.#watch.refresh();
    if (next === null) return;
    this.#pipeline.setLocalAddresses(next);
    this.#ports.post({ kind: "addresses", addresses: next });
  }

  /** Posts counts and status; `request` is the REPORT_REQUEST value it answers (the last answered: none). */
  #report(nowMs: number, isFinal: boolean, request: number): void {
    const isAnswer = this.#schedule.reported(nowMs, request);
    this.#readKernelStats();
    // Announcements arrive while blocks keep the loop from waiting too: read them here as well.
    this.#followLinkEvents();
    if (isFinal || this.#schedule.isLinkCheckDue(nowMs)) this.#checkLink(nowMs);
    this.#logDeviceOverflow(nowMs);
    const drained = this.#pipeline.drain();
    const hasRows = drained.traffic.length + drained.remotes.length + drained.health.length > 0;
    const batch: TrafficBatch | null = hasRows ? drained : null;
    if (batch !== null) this.#lastBatchSec = Math.floor(nowMs / 1000);
    const status = this.#status();
    const statusText = JSON.stringify(status);
    if (batch === null && statusText === this.#lastPostedStatus && !isFinal && !isAnswer) return;
    this.#lastPostedStatus = statusText;
    this.#ports.post({ kind: "report", status, batch, answers: request });
  }

  /** A full device table is exact (the packets count in `other`) but never silent: one line an hour at most. */
  #logDeviceOverflow(nowMs: number): void {
    const overflow = this.#pipeline.stats().deviceOverflowPackets;
    if (
      overflow === this.#loggedDeviceOverflow || nowMs - this.#deviceOverflowLoggedMs < DEVICE_OVERFLOW_LOG_MS
    ) {
      return;
    }
    this.#log(
      `Device table full (${DEFAULT_MAX_DEVICES} devices seen within ${DEVICE_IDLE_SEC / 3600} h): ` +
        `${overflow - this.#loggedDeviceOverflow} packets of newer devices were counted in "other" ` +
        `(a flood of random MACs?); the devices already known keep their own counts`,
    );
    this.#loggedDeviceOverflow = overflow;
    this.#deviceOverflowLoggedMs = nowMs;
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
    this.#schedule.reportNeeded();
  }

  #log(line: string): void {
    this.#ports.post({ kind: "log", line });
  }
}
