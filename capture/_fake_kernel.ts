/**
 * The fake kernel, main thread and clock around a CaptureLoop, for capture_loop_test.ts: a fake ring that
 * hands out blocks of the frames a test gives it, a fake link (if_nametoindex, sysfs, getifaddrs,
 * rtnetlink; its interface list also for interface_watch_test.ts) and a clock that moves only when the loop
 * waits or sleeps, running the events a test scripted for each millisecond. No root, no network namespace,
 * no real time. Private to capture/'s tests.
 */
import assert from "node:assert/strict";
import { ARPHRD_ETHER, Errno, POLLERR, POLLIN, SyscallError } from "../ffi/mod.ts";
import { CaptureLoop, type CaptureRing, type LinkEventSource } from "./capture_loop.ts";
import { linkInfoFor } from "./link_info.ts";
import type { FrameSink, KernelStats, RingOptions } from "./ring.ts";
import type { CaptureState, CaptureStatus, TrafficBatch } from "./types.ts";
import type { FromWorker } from "./worker_messages.ts";

/** A frame as a test builds it (tests/helpers/frames.ts Frame): captured bytes, wire length, link type. */
export interface FakeFrame {
  readonly bytes: Uint8Array;
  readonly originalLen: number;
  readonly linkType: number;
}

/** The fake clock's start, in ms: a bucket start, so every test's traffic falls in one bucket. */
export const T0 = 1_700_000_100_000;
export const IFACE = "eth0";
const WAKE_FD = 99;
const EVENTS_FD = 98;
export const LOCAL_V4 = "192.168.1.2";
export const LOCAL_V6 = "2001:db8:1:100::2";

/** One block the kernel handed over: its frames and the second they were captured in. */
interface Block {
  readonly frames: readonly FakeFrame[];
  readonly sec: number;
}

/** A ring whose blocks the FakeKernel fills; its methods are those the loop uses (CaptureRing). */
class FakeRing implements CaptureRing {
  readonly ifindex: number;
  readonly blockCount: number;
  readonly blockBytes = 1 << 20;
  framesRead = 0;
  readonly ready: Block[] = [];
  /** PACKET_STATISTICS since the last read. */
  stats = { packets: 0, drops: 0, queueFreezes: 0 };
  socketError = 0;
  isClosed = false;
  readonly #kernel: FakeKernel;

  constructor(kernel: FakeKernel, ifindex: number, blockCount: number) {
    this.#kernel = kernel;
    this.ifindex = ifindex;
    this.blockCount = blockCount;
  }

  readBlocks(sink: FrameSink, maxBlocks: number): number {
    this.#checkOpen();
    let blocks = 0;
    for (; blocks < maxBlocks && this.ready.length > 0; blocks++) {
      const block = this.ready.shift()!;
      for (const f of block.frames) {
        const view = new DataView(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength);
        sink.countFrame(view, 0, f.bytes.length, f.originalLen, f.linkType, block.sec);
      }
      this.framesRead += block.frames.length;
    }
    this.#kernel.interleave?.("read");
    return blocks;
  }

  wait(timeoutMs: number): number {
    this.#checkOpen();
    this.#kernel.waits.push(timeoutMs);
    this.#kernel.advance(timeoutMs, () => this.#revents() !== 0 || this.#kernel.isWatchedFdReadable());
    return this.#revents();
  }

  takeSocketError(): number {
    const errno = this.socketError;
    this.socketError = 0;
    return errno;
  }

  readStats(): KernelStats {
    this.#checkOpen();
    this.#kernel.statsReadsAt.push(this.#kernel.nowMs - T0);
    const stats = this.stats;
    this.stats = { packets: 0, drops: 0, queueFreezes: 0 };
    return stats;
  }

  close(): void {
    this.isClosed = true;
  }

  #revents(): number {
    return (this.ready.length > 0 ? POLLIN : 0) | (this.socketError !== 0 ? POLLERR : 0);
  }

  #checkOpen(): void {
    if (this.isClosed) throw new Error("the loop used a closed ring");
  }
}

/** One message the loop posted, and when. */
interface Posted {
  readonly atMs: number;
  readonly message: FromWorker;
}

/** A report as posted, with its time relative to T0. */
interface PostedReport {
  readonly atMs: number;
  readonly status: CaptureStatus;
  readonly batch: TrafficBatch | null;
  readonly answers: number;
}

/**
 * The kernel, the main thread and the clock around one CaptureLoop. Time moves only in advance(): when the
 * loop polls or sleeps, or when a test says so; scripted events run at their time.
 */
export class FakeKernel {
  nowMs = T0;
  readonly posts: Posted[] = [];
  readonly waits: number[] = [];
  readonly sleeps: number[] = [];
  readonly statsReadsAt: number[] = [];
  readonly rings: FakeRing[] = [];
  /** The REPORT_REQUEST cell; handedAtRequest[n]: frames handed over when request n was made. */
  request = 0;
  readonly handedAtRequest: number[] = [0];
  handedFrames = 0;
  /**
   * Runs right after each readBlocks() and each read of REPORT_REQUEST: what the kernel and the main thread
   * do meanwhile, while the loop runs.
   */
  interleave: ((point: "read" | "request") => void) | null = null;
  isWakeSignalled = false;
  isAnnouncing = false;
  ifindex = 7;
  isUp = true;
  addresses: [string, string][] = [[IFACE, LOCAL_V4], [IFACE, LOCAL_V6]];
  blockCount = 64;
  openError: Error | null = null;
  canFollowLinkEvents = true;
  linkIndexReads = 0;
  readonly #events: { readonly atMs: number; readonly run: () => void }[] = [];

  /** Runs `run` at T0 + `ms`. */
  at(ms: number, run: () => void): void {
    this.#events.push({ atMs: T0 + ms, run });
    this.#events.sort((a, b) => a.atMs - b.atMs);
  }

  /** Runs `run` every `everyMs` from T0 + `fromMs` up to T0 + `toMs`. */
  every(everyMs: number, fromMs: number, toMs: number, run: () => void): void {
    for (let ms = fromMs; ms <= toMs; ms += everyMs) this.at(ms, run);
  }

  /** The open ring (the last one opened). */
  get ring(): FakeRing {
    const ring = this.rings.at(-1);
    if (ring === undefined || ring.isClosed) throw new Error("no ring is open");
    return ring;
  }

  /** The kernel fills a block with `frames` and hands it over; with no ring open, they are not captured. */
  handOver(frames: readonly FakeFrame[]): void {
    const ring = this.rings.at(-1);
    if (ring === undefined || ring.isClosed) return;
    ring.ready.push({ frames, sec: Math.floor(this.nowMs / 1000) });
    ring.stats.packets += frames.length;
    this.handedFrames += frames.length;
  }

  /** The ring was full: the kernel counted `count` packets and dropped them. */
  drop(count: number): void {
    this.ring.stats.packets += count;
    this.ring.stats.drops += count;
  }

  /** The main thread asks for a report (LiveCapture.catchUp): counts up, then signals the wake fd. */
  ask(): void {
    this.request++;
    this.handedAtRequest[this.request] = this.handedFrames;
    this.isWakeSignalled = true;
  }

  isWatchedFdReadable(): boolean {
    return this.isWakeSignalled || (this.canFollowLinkEvents && this.isAnnouncing);
  }

  /**
   * Moves the clock forward by up to `ms`, running the events due on the way, and stops early after an
   * event that made `isWoken` true.
   */
  advance(ms: number, isWoken: () => boolean = () => false): void {
    const endMs = this.nowMs + ms;
    if (isWoken()) return;
    while (this.#events.length > 0 && this.#events[0].atMs <= endMs) {
      const event = this.#events.shift()!;
      this.nowMs = Math.max(this.nowMs, event.atMs);
      event.run();
      if (isWoken()) return;
    }
    this.nowMs = endMs;
  }

  /** A CaptureLoop wired to this kernel. */
  loop(): CaptureLoop {
    const events: LinkEventSource = {
      fd: EVENTS_FD,
      drain: (ifindex) => {
        const isAboutIt = this.isAnnouncing;
        this.isAnnouncing = false;
        return isAboutIt && ifindex > 0;
      },
      close: () => {},
    };
    return new CaptureLoop(
      {
        iface: IFACE,
        ringBytes: 64 << 20,
        excludeIpv6Prefixes: [],
        rateBuffer: null,
        wakeFd: WAKE_FD,
        countsServices: false,
        nameQueue: null,
      },
      {
        post: (message) => this.posts.push({ atMs: this.nowMs, message }),
        reportRequest: () => {
          const value = this.request;
          this.interleave?.("request");
          return value;
        },
        now: () => this.nowMs,
        sleep: (ms) => {
          this.sleeps.push(ms);
          this.advance(ms);
        },
        openRing: (options: RingOptions) => {
          assert.deepEqual(options.watchFds, this.canFollowLinkEvents ? [WAKE_FD, EVENTS_FD] : [WAKE_FD]);
          if (this.openError !== null) throw this.openError;
          const ring = new FakeRing(this, options.ifindex, this.blockCount);
          this.rings.push(ring);
          return ring;
        },
        link: {
          info: (iface) => this.ifindex === 0 ? null : linkInfoFor(iface, ARPHRD_ETHER),
          index: () => {
            this.linkIndexReads++;
            return this.ifindex;
          },
          isUp: () => this.ifindex !== 0 && this.isUp,
          interfaces: () => fakeInterfaces(this.addresses)(),
          openEvents: () => {
            if (!this.canFollowLinkEvents) {
              throw new SyscallError("socket", Errno.EPERM, "Operation not permitted");
            }
            return events;
          },
        },
        drainWake: () => {
          this.isWakeSignalled = false;
        },
      },
    );
  }

  /** Steps `loop` as capture_worker.ts does until the clock reaches T0 + `ms` (bounded in passes). */
  run(loop: CaptureLoop, ms: number): void {
    for (let pass = 0; pass < 100_000 && this.nowMs < T0 + ms; pass++) {
      const idleMs = loop.step();
      if (idleMs > 0) {
        this.sleeps.push(idleMs);
        // Atomics.wait on the stop cell: catchUp() ends it early.
        this.advance(idleMs, () => this.isWakeSignalled);
      }
    }
    assert.ok(this.nowMs >= T0 + ms, `the loop stalled at ${this.nowMs - T0} ms`);
  }

  /** Every report posted, times relative to T0. */
  reports(): PostedReport[] {
    return this.posts.flatMap((p) =>
      p.message.kind === "report" ? [{ atMs: p.atMs - T0, ...p.message } as PostedReport] : []
    );
  }

  logs(): string[] {
    return this.posts.flatMap((p) => p.message.kind === "log" ? [p.message.line] : []);
  }
}

/** Deno.networkInterfaces() as it would list `entries` ([name, address]): IPv6 when the address has a colon. */
export function fakeInterfaces(entries: readonly [string, string][]): () => Deno.NetworkInterfaceInfo[] {
  return () =>
    entries.map(([name, address]) => ({
      name,
      address,
      family: address.includes(":") ? "IPv6" : "IPv4",
      netmask: "",
      scopeid: null,
      cidr: "",
      mac: "00:00:00:00:00:00",
    }));
}

/** Upload packets in the reports' batches, all reports together. */
export function countedIn(reports: readonly PostedReport[]): number {
  return reports.reduce((n, r) => n + (r.batch?.traffic.reduce((m, t) => m + t.upPackets, 0) ?? 0), 0);
}

/** 0, `ms`, 2 × `ms`, …: `count` times. */
export const multiples = (ms: number, count: number) => Array.from({ length: count }, (_, i) => i * ms);
export const timesOf = (reports: readonly PostedReport[]) => reports.map((r) => r.atMs);
export const statesOf = (reports: readonly PostedReport[]) =>
  reports.map((r): CaptureState => r.status.state);
