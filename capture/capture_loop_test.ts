/**
 * CaptureLoop against a fake kernel: a fake ring that hands out blocks of frames built with
 * tests/helpers/frames.ts, a fake link and a fake clock that moves only when the loop waits or sleeps. No
 * root, no network namespace, no real time: each test scripts what the kernel and the main thread do at
 * which millisecond and checks what the loop posts, and when.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { ARPHRD_ETHER, Errno, POLLERR, POLLIN, SyscallError } from "../ffi/mod.ts";
import { CaptureLoop, type CaptureRing, type LinkEventSource } from "./capture_loop.ts";
import { linkInfoFor } from "./link_info.ts";
import {
  IDLE_CHECK_MS,
  KERNEL_STATS_MS,
  LINK_POLL_MS,
  REPORT_AT_PENDING_REMOTES,
  REPORT_INTERVAL_MS,
} from "./loop_schedule.ts";
import type { FrameSink, KernelStats, RingOptions } from "./ring.ts";
import type { CaptureState, CaptureStatus, TrafficBatch } from "./types.ts";
import type { FromWorker } from "./worker_messages.ts";
import { buildFrame, type Frame, frameView, ipPacket } from "../tests/helpers/frames.ts";

/** The fake clock's start, in ms: a bucket start, so every test's traffic falls in one bucket. */
const T0 = 1_700_000_100_000;
const IFACE = "eth0";
const WAKE_FD = 99;
const EVENTS_FD = 98;
const LOCAL_V4 = "192.168.1.2";
const LOCAL_V6 = "2001:db8:1:100::2";

/** An upload from the host to `remote` with `payloadBytes` after the IP header. */
function upload(remote = "203.0.113.9", payloadBytes = 100): Frame {
  const src = remote.includes(":") ? LOCAL_V6 : LOCAL_V4;
  return buildFrame("ethernet", ipPacket({ src, dst: remote, payloadBytes }));
}

/** One block the kernel handed over: its frames and the second they were captured in. */
interface Block {
  readonly frames: readonly Frame[];
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
        sink.countFrame(frameView(f), 0, f.bytes.length, f.originalLen, f.linkType, block.sec);
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
class FakeKernel {
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
  handOver(frames: readonly Frame[]): void {
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
      { iface: IFACE, ringBytes: 64 << 20, excludeIpv6Prefixes: [], rateBuffer: null, wakeFd: WAKE_FD },
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
          interfaces: () =>
            this.addresses.map(([name, address]) => ({
              name,
              address,
              family: address.includes(":") ? "IPv6" : "IPv4",
              netmask: "",
              scopeid: null,
              cidr: "",
              mac: "00:00:00:00:00:00",
            })),
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

/** Upload packets in the reports' batches, all reports together. */
function countedIn(reports: readonly PostedReport[]): number {
  return reports.reduce((n, r) => n + (r.batch?.traffic.reduce((m, t) => m + t.upPackets, 0) ?? 0), 0);
}

/** 0, `ms`, 2 × `ms`, …: `count` times. */
const multiples = (ms: number, count: number) => Array.from({ length: count }, (_, i) => i * ms);
const timesOf = (reports: readonly PostedReport[]) => reports.map((r) => r.atMs);
const statesOf = (reports: readonly PostedReport[]) => reports.map((r): CaptureState => r.status.state);

// Reports unasked

Deno.test("CaptureLoop reports its first status at once, then, idle, posts nothing and polls every IDLE_CHECK_MS", () => {
  const kernel = new FakeKernel();
  const loop = kernel.loop();
  kernel.run(loop, 6 * IDLE_CHECK_MS);
  const reports = kernel.reports();
  assert.deepEqual(timesOf(reports), [0]);
  assert.equal(reports[0].status.state, "capturing");
  assert.equal(reports[0].batch, null);
  assert.deepEqual(kernel.waits, Array(6).fill(IDLE_CHECK_MS));
  assert.deepEqual(kernel.statsReadsAt, multiples(IDLE_CHECK_MS, 7), "each idle check reads them");
});

Deno.test("CaptureLoop reports counts REPORT_INTERVAL_MS after the last report when no later block wakes it", () => {
  const kernel = new FakeKernel();
  kernel.at(1000, () => kernel.handOver([upload(), upload()]));
  const loop = kernel.loop();
  kernel.run(loop, 2 * REPORT_INTERVAL_MS);
  const reports = kernel.reports();
  assert.deepEqual(timesOf(reports), [0, REPORT_INTERVAL_MS]);
  assert.equal(countedIn(reports), 2);
  assert.deepEqual(kernel.waits.slice(0, 2), [IDLE_CHECK_MS, REPORT_INTERVAL_MS - 1000]);
});

Deno.test("CaptureLoop, while blocks arrive every second, reports 0.9 × REPORT_INTERVAL_MS apart on a block's wake-up", () => {
  const kernel = new FakeKernel();
  kernel.every(1000, 1000, 200_000, () => kernel.handOver([upload()]));
  const loop = kernel.loop();
  kernel.run(loop, 170_000);
  const reports = kernel.reports();
  assert.deepEqual(timesOf(reports), multiples(0.9 * REPORT_INTERVAL_MS, 4));
  // The block whose wake-up carries a report is read in the next pass, with the next report.
  assert.equal(countedIn(reports), 161);
});

Deno.test("CaptureLoop reads kernel statistics every KERNEL_STATS_MS while blocks arrive, not per block", () => {
  const kernel = new FakeKernel();
  kernel.every(1000, 1000, 30_000, () => kernel.handOver([upload()]));
  const loop = kernel.loop();
  kernel.run(loop, 4 * KERNEL_STATS_MS + 500);
  assert.deepEqual(kernel.statsReadsAt, multiples(KERNEL_STATS_MS, 5));
  assert.deepEqual(timesOf(kernel.reports()), [0], "statistics without drops report nothing");
});

Deno.test("CaptureLoop reports new kernel drops at the next statistics read", () => {
  const kernel = new FakeKernel();
  kernel.every(1000, 1000, 30_000, () => kernel.handOver([upload()]));
  kernel.at(3500, () => kernel.drop(3));
  const loop = kernel.loop();
  kernel.run(loop, 20_000);
  const reports = kernel.reports();
  assert.deepEqual(timesOf(reports), [0, KERNEL_STATS_MS]);
  assert.equal(reports[1].status.kernelDrops, 3);
  assert.deepEqual(reports[1].batch?.health.map((h) => h.droppedPackets), [3]);
  assert.equal(countedIn(reports), 4, "and the blocks read before the statistics");
});

Deno.test("CaptureLoop reports a change of state at once: down with the socket error, up when announced", () => {
  const kernel = new FakeKernel();
  kernel.at(7500, () => {
    kernel.isUp = false;
    kernel.ring.socketError = Errno.ENETDOWN;
  });
  kernel.at(12_250, () => {
    kernel.isUp = true;
    kernel.isAnnouncing = true;
  });
  const loop = kernel.loop();
  kernel.run(loop, 30_000);
  const reports = kernel.reports();
  assert.deepEqual(timesOf(reports), [0, 7500, 12_250]);
  assert.deepEqual(statesOf(reports), ["capturing", "interface_down", "capturing"]);
  assert.equal(reports[1].status.message, `Interface "${IFACE}" went down`);
});

Deno.test("CaptureLoop reports when REPORT_AT_PENDING_REMOTES remote rows wait, not one row sooner", () => {
  const remotes = Array.from(
    { length: REPORT_AT_PENDING_REMOTES },
    (_, i) => upload(`2001:db8:ff::${i.toString(16)}`, 8),
  );
  const kernel = new FakeKernel();
  kernel.at(1000, () => kernel.handOver(remotes.slice(0, -1)));
  kernel.at(2000, () => kernel.handOver(remotes.slice(-1)));
  const loop = kernel.loop();
  kernel.run(loop, 1500);
  assert.deepEqual(timesOf(kernel.reports()), [0], "one row short");
  kernel.run(loop, 10_000);
  const reports = kernel.reports();
  assert.deepEqual(timesOf(reports), [0, 2000]);
  assert.equal(reports[1].batch?.remotes.length, REPORT_AT_PENDING_REMOTES);
});

// Report requests

Deno.test("CaptureLoop answers a report request at once: it ends the poll, and the answer carries the counts", () => {
  const kernel = new FakeKernel();
  kernel.at(1000, () => kernel.handOver([upload()]));
  kernel.at(3000, () => kernel.ask());
  const loop = kernel.loop();
  kernel.run(loop, 10_000);
  const reports = kernel.reports();
  assert.deepEqual(timesOf(reports), [0, 3000]);
  assert.deepEqual(reports.map((r) => r.answers), [0, 1]);
  assert.equal(countedIn(reports.slice(1)), 1);
  assert.equal(kernel.isWakeSignalled, false, "the loop read the wake fd empty");
});

Deno.test("CaptureLoop answers a report request after reading every ready block, beyond one pass's worth", () => {
  const kernel = new FakeKernel();
  kernel.at(2000, () => {
    for (let i = 0; i < 40; i++) kernel.handOver([upload(), upload()]);
    kernel.ask();
  });
  const loop = kernel.loop();
  kernel.run(loop, 2000);
  const answer = kernel.reports().find((r) => r.answers === 1);
  assert.ok(answer !== undefined);
  assert.equal(answer.atMs, 2000);
  assert.equal(countedIn(kernel.reports()), 80, "all 40 blocks, not 16");
});

Deno.test("CaptureLoop answers exactly the request value it read in that pass, not one made after its read of the ring", () => {
  const kernel = new FakeKernel();
  kernel.at(1000, () => kernel.handOver([upload()]));
  kernel.at(2000, () => kernel.ask());
  // Once the loop has read request 1, a block arrives and the main thread asks again right after the
  // loop's next read of the ring: request 2 must not be answered without that block.
  let hasReadRequest1 = false;
  kernel.interleave = (point) => {
    if (point === "request") hasReadRequest1 ||= kernel.request === 1;
    else if (hasReadRequest1) {
      kernel.interleave = null;
      kernel.handOver([upload(), upload(), upload()]);
      kernel.ask();
    }
  };
  const loop = kernel.loop();
  kernel.run(loop, 10_000);
  const reports = kernel.reports();
  assert.deepEqual(reports.map((r) => r.answers), [0, 1, 2]);
  assert.deepEqual(reports.map((r) => countedIn([r])), [0, 1, 3]);
});

Deno.test("CaptureLoop answers every request in the pass that reads it, covering every block handed over before it (random interleavings)", () => {
  // Each run scripts up to 60 events at random ms of the first 3 minutes (a block of 1..3 frames, a burst of
  // 20 blocks, beyond one pass; a report request; drops) and up to 20 moments while the loop runs (the n-th
  // read of the ring or of REPORT_REQUEST) at which a block arrives and the main thread asks. The ring holds
  // 24 blocks; a block that finds it full is dropped.
  const timed = fc.record({
    atMs: fc.integer({ min: 1, max: 180_000 }),
    what: fc.constantFrom("block", "burst", "ask", "drop"),
    frames: fc.integer({ min: 1, max: 3 }),
  });
  const midPass = fc.record({
    point: fc.integer({ min: 0, max: 1500 }),
    frames: fc.integer({ min: 1, max: 3 }),
  });
  fc.assert(
    fc.property(
      fc.array(timed, { maxLength: 60 }),
      fc.array(midPass, { maxLength: 20 }),
      (script, moments) => {
        const kernel = new FakeKernel();
        kernel.blockCount = 24;
        let dropped = 0;
        const handOver = (frames: number) => {
          if (kernel.ring.ready.length < kernel.blockCount) {
            kernel.handOver(Array.from({ length: frames }, () => upload()));
          } else {
            kernel.drop(frames);
            dropped += frames;
          }
        };
        for (const e of script) {
          kernel.at(e.atMs, () => {
            if (e.what === "ask") kernel.ask();
            else if (e.what === "drop") {
              kernel.drop(e.frames);
              dropped += e.frames;
            } else for (let i = 0; i < (e.what === "burst" ? 20 : 1); i++) handOver(e.frames);
          });
        }
        const atPoint = new Map(moments.map((m) => [m.point, m.frames]));
        let point = 0;
        kernel.interleave = () => {
          const frames = atPoint.get(point++);
          if (frames === undefined) return;
          handOver(frames);
          kernel.ask();
        };
        const loop = kernel.loop();
        let checked = 0;
        let answered = 0;
        for (let pass = 0; pass < 10_000 && kernel.nowMs < T0 + 200_000; pass++) {
          const askedBefore = kernel.request;
          kernel.run(loop, kernel.nowMs - T0 + 1);
          const reports = kernel.reports();
          for (const r of reports.slice(checked)) {
            assert.ok(
              r.answers >= answered && r.answers <= kernel.request,
              `answers ${r.answers} out of order`,
            );
            answered = r.answers;
            assert.ok(
              r.status.countedPackets >= kernel.handedAtRequest[r.answers],
              `the answer to request ${r.answers} counted ${r.status.countedPackets} frames of the ` +
                `${kernel.handedAtRequest[r.answers]} handed over before it`,
            );
          }
          checked = reports.length;
          assert.ok(answered >= askedBefore, `request ${askedBefore} unanswered after a pass`);
        }
        kernel.interleave = null;
        loop.finish();
        const final = kernel.reports().at(-1)!;
        assert.equal(final.answers, kernel.request);
        assert.equal(final.status.countedPackets, kernel.handedFrames);
        assert.equal(countedIn(kernel.reports()), kernel.handedFrames);
        assert.equal(final.status.kernelDrops, dropped);
      },
    ),
    { numRuns: 150, seed: 12 },
  );
});

// Ring and link

Deno.test("CaptureLoop without its interface sleeps until the next open attempt, then opens the ring", () => {
  const kernel = new FakeKernel();
  kernel.ifindex = 0;
  kernel.at(2500, () => kernel.ifindex = 7);
  const loop = kernel.loop();
  kernel.run(loop, 4000);
  const reports = kernel.reports();
  assert.deepEqual(statesOf(reports), ["waiting_for_interface", "capturing"]);
  assert.deepEqual(timesOf(reports), [0, 3000]);
  assert.deepEqual(kernel.sleeps, [1000, 1000, 1000]);
  assert.equal(kernel.rings.length, 1);
});

Deno.test("CaptureLoop re-opens the ring when the interface is replaced, keeping what it counted", () => {
  const kernel = new FakeKernel();
  kernel.at(1000, () => kernel.handOver([upload()]));
  kernel.at(2000, () => {
    kernel.ifindex = 8;
    kernel.isAnnouncing = true;
  });
  kernel.at(3000, () => kernel.handOver([upload(), upload()]));
  kernel.at(4000, () => kernel.ask());
  const loop = kernel.loop();
  kernel.run(loop, 5000);
  const reports = kernel.reports();
  assert.deepEqual(statesOf(reports), ["capturing", "waiting_for_interface", "capturing", "capturing"]);
  assert.equal(kernel.rings.length, 2);
  assert.equal(kernel.rings[0].isClosed, true);
  assert.equal(reports.at(-1)!.status.opens, 2);
  assert.equal(reports.at(-1)!.status.countedPackets, 3);
});

Deno.test("CaptureLoop that cannot follow link announcements re-reads the link and its addresses every LINK_POLL_MS", () => {
  const kernel = new FakeKernel();
  kernel.canFollowLinkEvents = false;
  kernel.at(6000, () => kernel.addresses.push([IFACE, "192.168.1.3"]));
  const loop = kernel.loop();
  kernel.run(loop, 3 * LINK_POLL_MS);
  assert.match(kernel.logs()[0], /^Cannot follow link and address changes/);
  const addresses = kernel.posts.filter((p) => p.message.kind === "addresses");
  assert.deepEqual(addresses.map((p) => p.atMs - T0), [0, 2 * LINK_POLL_MS]);
});

Deno.test("CaptureLoop without CAP_NET_RAW reports no_permission and does not retry", () => {
  const kernel = new FakeKernel();
  kernel.openError = new SyscallError("socket", Errno.EPERM, "Operation not permitted");
  const loop = kernel.loop();
  kernel.run(loop, 60_000);
  const reports = kernel.reports();
  assert.deepEqual(statesOf(reports), ["no_permission"]);
  assert.deepEqual(kernel.sleeps, Array(12).fill(IDLE_CHECK_MS));
});

Deno.test("CaptureLoop.finish() reads a block the kernel retires after the stop, then posts the final report", () => {
  const kernel = new FakeKernel();
  kernel.at(1000, () => kernel.handOver([upload()]));
  const loop = kernel.loop();
  kernel.run(loop, 1000);
  // Three packets the kernel counted into a block it has not retired yet.
  const ring = kernel.ring;
  ring.stats.packets += 3;
  kernel.at(1500, () => ring.ready.push({ frames: [upload(), upload(), upload()], sec: T0 / 1000 + 1 }));
  loop.finish();
  const final = kernel.reports().at(-1)!;
  assert.equal(final.status.state, "stopped");
  assert.equal(final.status.countedPackets, 4);
  assert.equal(kernel.nowMs, T0 + 1500, "it slept until the block was retired, no longer");
  assert.equal(ring.isClosed, true);
});
