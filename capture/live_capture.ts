/**
 * LiveCapture: the main thread's handle on the capture Worker (issue #3). The ring, the parser and the
 * counters run in capture_worker.ts, off the HTTP event loop; this class forwards the Worker's batches to
 * onBatch, logs its lines, and keeps the latest CaptureStatus and LocalAddresses for the API. The Worker
 * reports rarely on its own (loop_schedule.ts REPORT_INTERVAL_MS): whoever needs the counts up to now (a
 * save, an API answer) awaits catchUp() first. Missing CAP_NET_RAW is a state ("no_permission"), not an
 * exception: the program keeps serving history.
 *
 * `deno compile` must embed the Worker: `--include capture/capture_worker.ts`.
 */
import { close, eventFd, signalEventFd } from "../ffi/mod.ts";
import { isMappedV4 } from "./classify.ts";
import { DeviceKind, deviceOfKey } from "./device_kind.ts";
import { defaultRouteInterface } from "./interface_watch.ts";
import { type IpAddress, parseIp } from "./ip_prefix.ts";
import type { LocalAddresses } from "./local_addresses.ts";
import { NameQueue } from "./name_queue.ts";
import { disableOffloads } from "./offloads.ts";
import type { RateWindow } from "./rate_window.ts";
import type { CaptureState, CaptureStatus, TrafficBatch } from "./types.ts";
import { CONTROL_CELLS, ControlCell, type FromWorker, type ToWorker } from "./worker_messages.ts";

/** How LiveCapture.start() is configured (the capture slice of Config). */
export interface LiveCaptureOptions {
  /** Interface to capture on; null: the default route's interface, found at start. */
  readonly iface: string | null;
  /** RING_MB in bytes. */
  readonly ringBytes: number;
  /** EXCLUDE_IPV6_PREFIX; non-empty replaces the auto /56 LAN prefixes. */
  readonly excludeIpv6Prefixes: readonly string[];
  /** Run ethtool to turn GRO/LRO/TSO/GSO off on every (re-)open. */
  readonly disableOffloads: boolean;
  /** Receives every non-empty batch, in order, on the main thread; must not throw (errors are logged). */
  readonly onBatch: (batch: TrafficBatch) => void;
  readonly log: (line: string) => void;
  /**
   * Made with RateWindow.shared(): the Worker adds every counted packet to it, for /api/realtime (read
   * seconds at least RATE_LAG_SEC old: those are complete).
   */
  readonly rateWindow?: RateWindow;
  /** SERVICE_NAMES: name remote ends and count per service; default false. */
  readonly countsServices?: boolean;
}

/** Longest wait for the Worker's last report on stop() before it is terminated. */
const STOP_TIMEOUT_MS = 5_000;
/**
 * Longest wait of catchUp() for the Worker's answer. It answers once it has read the blocks ready in the
 * ring, far sooner even when a ring of the default RING_MB is full; longer means it is stuck, and the caller
 * goes on with the counts it has.
 */
const CATCH_UP_TIMEOUT_MS = 1_000;

/** A running live capture; create with LiveCapture.start(), end with stop(). */
export class LiveCapture {
  readonly #options: LiveCaptureOptions;
  #worker: Worker | null = null;
  /** Shared with the Worker: stop flag and report requests (worker_messages.ts ControlCell). */
  readonly #control = new Int32Array(new SharedArrayBuffer(CONTROL_CELLS * 4));
  /** catchUp() calls waiting for a report that answers their request, oldest first. */
  #catchUps: { readonly request: number; readonly resolve: (isAnswered: boolean) => void }[] = [];
  /** eventfd that ends the Worker's poll on stop and catchUp(); owned here, closed after the Worker ended. */
  #wakeFd = -1;
  #status: CaptureStatus;
  #addresses: LocalAddresses = { ips: [], lanPrefixes: [], mode: "auto-gua-/56" };
  #offloadedOpens = 0;
  #onSettled: (() => void) | null = null;
  #onEnded: (() => void) | null = null;
  #hasEnded = false;
  #stopping: Promise<void> | null = null;
  /** Host names for the Worker (learnHost), with countsServices; else null. */
  readonly #nameQueue: NameQueue | null;
  #hasLoggedFullNameQueue = false;

  private constructor(options: LiveCaptureOptions, iface: string) {
    this.#options = options;
    this.#nameQueue = options.countsServices === true ? new NameQueue(NameQueue.create()) : null;
    this.#status = {
      state: "starting",
      iface,
      linkType: null,
      socketType: null,
      message: null,
      kernelPackets: 0,
      kernelDrops: 0,
      kernelQueueFreezes: 0,
      malformedPackets: 0,
      countedPackets: 0,
      lastBatchSec: null,
      opens: 0,
    };
  }

  /**
   * Starts the capture Worker and resolves once it is capturing or knows why it cannot ("no_permission",
   * "waiting_for_interface", "failed"): never rejects for those. Call stop() on the result.
   */
  static async start(options: LiveCaptureOptions): Promise<LiveCapture> {
    let iface = options.iface;
    try {
      iface ??= defaultRouteInterface();
    } catch (e) {
      options.log(`Cannot read the routing table: ${(e as Error).message}`);
    }
    const capture = new LiveCapture(options, iface ?? "");
    if (iface === null) {
      capture.#setFailed("Cannot find the interface of the default route: set MONITOR_IFACE");
      return capture;
    }
    const settled = new Promise<void>((resolve) => capture.#onSettled = resolve);
    try {
      capture.#startWorker(iface);
    } catch (e) {
      capture.#setFailed(`Cannot start the capture worker: ${(e as Error).message}`);
      capture.#markEnded();
    }
    await settled;
    return capture;
  }

  #startWorker(iface: string): void {
    const rateBuffer = this.#options.rateWindow?.buffer ?? null;
    if (rateBuffer !== null && !(rateBuffer instanceof SharedArrayBuffer)) {
      throw new TypeError("the rate window must come from RateWindow.shared()");
    }
    this.#wakeFd = eventFd();
    const worker = new Worker(new URL("./capture_worker.ts", import.meta.url).href, { type: "module" });
    this.#worker = worker;
    worker.onmessage = (e: MessageEvent<FromWorker>) => this.#receive(e.data);
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.#setFailed(`Capture worker failed: ${e.message}`);
      this.#markEnded();
    };
    const start: ToWorker = {
      kind: "start",
      options: {
        iface,
        ringBytes: this.#options.ringBytes,
        excludeIpv6Prefixes: this.#options.excludeIpv6Prefixes,
        rateBuffer,
        wakeFd: this.#wakeFd,
        countsServices: this.#options.countsServices ?? false,
        nameQueue: this.#nameQueue?.buffer ?? null,
      },
      control: this.#control.buffer as SharedArrayBuffer,
    };
    worker.postMessage(start);
  }

  /** The Worker posted "stopped" or died: stop() need not wait for it, nor catchUp() for an answer. */
  #markEnded(): void {
    this.#hasEnded = true;
    this.#onEnded?.();
    this.#answerCatchUps(Infinity, false);
  }

  /**
   * Names the later packets between a device (its key as DeviceTraffic has it, a MAC or an address; null for
   * the box-wide name only) and `remoteIp` `host`, as if the device had sent a ClientHello for it: the Clash
   * core's `metadata.host` (issue 15 item 1). The Worker takes it between passes; a catchUp() after this call
   * answers only once it has. False, and nothing queued, without countsServices or a running Worker, for an
   * address or a host that cannot be one, or when the queue is full (logged once).
   */
  learnHost(deviceKey: string | null, remoteIp: string, host: string): boolean {
    const queue = this.#nameQueue;
    // Without a Worker nothing takes the names: the queue would only fill.
    if (queue === null || this.#worker === null || this.#hasEnded) return false;
    let remote: IpAddress;
    try {
      remote = parseIp(remoteIp);
    } catch {
      return false;
    }
    const device = deviceKey === null ? null : deviceOfKey(deviceKey);
    const [d0, d1, d2, d3] = device?.words ?? [0, 0, 0, 0];
    const [r0, r1, r2, r3] = remote.words;
    // An IPv4-mapped address is the IPv4 host, as the remote table keys it.
    const isQueued = remote.family === 6 && isMappedV4(r0, r1, r2)
      ? queue.offer(device?.kind ?? DeviceKind.NONE, d0, d1, d2, d3, 4, r3, 0, 0, 0, host)
      : queue.offer(device?.kind ?? DeviceKind.NONE, d0, d1, d2, d3, remote.family, r0, r1, r2, r3, host);
    if (!isQueued && queue.isFull && !this.#hasLoggedFullNameQueue) {
      this.#hasLoggedFullNameQueue = true;
      this.#options.log(
        "Host names from the Clash core come faster than the capture takes them: some flows stay unnamed " +
          "(logged once)",
      );
    }
    return isQueued;
  }

  /**
   * Resolves once onBatch has received everything the Worker counted up to now (packets still in a block the
   * kernel has not retired, at most RETIRE_BLOCK_MS old, come later) and status() is as fresh; true then.
   * Never rejects; false at once when no Worker runs, and after CATCH_UP_TIMEOUT_MS without an answer.
   */
  catchUp(): Promise<boolean> {
    if (this.#worker === null || this.#hasEnded) return Promise.resolve(false);
    const request = Atomics.add(this.#control, ControlCell.REPORT_REQUEST, 1) + 1;
    // The Worker sleeps on the stop cell when it has no ring, in poll (the wake fd) when it has one.
    Atomics.notify(this.#control, ControlCell.STOP);
    signalEventFd(this.#wakeFd);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), CATCH_UP_TIMEOUT_MS);
      this.#catchUps.push({
        request,
        resolve: (isAnswered) => {
          clearTimeout(timer);
          resolve(isAnswered);
        },
      });
    });
  }

  /** Resolves the catchUp() calls up to request `answered`; with `isAnswered` false when the Worker ended. */
  #answerCatchUps(answered: number, isAnswered = true): void {
    const waiting = this.#catchUps;
    if (waiting.length === 0) return;
    this.#catchUps = waiting.filter((w) => w.request > answered);
    for (const w of waiting) if (w.request <= answered) w.resolve(isAnswered);
  }

  /** The latest state and cumulative counters. */
  status(): CaptureStatus {
    return this.#status;
  }

  /** The host addresses and LAN prefixes the capture classifies with (for /api/debug/local_ips). */
  localAddresses(): LocalAddresses {
    return this.#addresses;
  }

  /**
   * Stops capturing: the Worker reads what is left in the ring, onBatch receives the last batch, then the
   * Worker ends. Idempotent; never rejects.
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    const worker = this.#worker;
    if (worker !== null) {
      const ended = new Promise<void>((resolve) => {
        this.#onEnded = resolve;
        if (this.#hasEnded) resolve();
      });
      Atomics.store(this.#control, ControlCell.STOP, 1);
      Atomics.notify(this.#control, ControlCell.STOP);
      signalEventFd(this.#wakeFd);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<boolean>((resolve) =>
        timer = setTimeout(() => resolve(true), STOP_TIMEOUT_MS)
      );
      if (await Promise.race([ended.then(() => false), timedOut])) {
        this.#options.log(`Capture worker did not stop within ${STOP_TIMEOUT_MS} ms: terminated it`);
      }
      clearTimeout(timer);
      worker.terminate();
      this.#worker = null;
      this.#answerCatchUps(Infinity, false);
    }
    if (this.#wakeFd >= 0) {
      close(this.#wakeFd);
      this.#wakeFd = -1;
    }
    this.#status = { ...this.#status, state: "stopped" };
  }

  #receive(message: FromWorker): void {
    switch (message.kind) {
      case "log":
        this.#options.log(message.line);
        return;
      case "addresses":
        this.#addresses = message.addresses;
        return;
      case "report":
        this.#report(message.status, message.batch);
        this.#answerCatchUps(message.answers);
        return;
      case "stopped":
        this.#markEnded();
        return;
    }
  }

  #report(status: CaptureStatus, batch: TrafficBatch | null): void {
    this.#status = status;
    if (batch !== null) {
      try {
        this.#options.onBatch(batch);
      } catch (e) {
        this.#options.log(`Cannot hand a capture batch over: ${(e as Error).message}`);
      }
    }
    if (
      this.#options.disableOffloads && status.state === "capturing" && status.opens > this.#offloadedOpens
    ) {
      this.#offloadedOpens = status.opens;
      void disableOffloads(status.iface, this.#options.log);
    }
    if (SETTLED_STATES.has(status.state)) this.#onSettled?.();
  }

  #setFailed(message: string): void {
    this.#status = { ...this.#status, state: "failed", message };
    this.#options.log(message);
    this.#onSettled?.();
  }
}

const SETTLED_STATES: ReadonlySet<CaptureState> = new Set([
  "capturing",
  "interface_down",
  "waiting_for_interface",
  "no_permission",
  "failed",
  "stopped",
]);
