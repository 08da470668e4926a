/**
 * The capture loop's timetable (capture_loop.ts), apart from its I/O so that it can be tested with a fake
 * clock: when a report to the main thread is due and which report request it answers, how long the loop may
 * block in poll or sleep, when the kernel's statistics are read, when the link is re-read and when a ring
 * is (re-)opened. Pure: the loop tells it what happened (blocks read, a change of state, a report) at its
 * clock's `nowMs`, and asks what to do next; nothing here makes a call or reads a clock.
 *
 * Wake-ups are few because each costs the Worker as much CPU as reading many packets (tests/bench/
 * capture_bench.ts, docs/performance.md): at home rates the kernel retires one block a second
 * (ring.ts RETIRE_BLOCK_MS), kernel statistics ride on those wake-ups every KERNEL_STATS_MS, an idle capture
 * wakes every IDLE_CHECK_MS, and a report request ends the poll at once (the wake fd).
 */
import { DEFAULT_MAX_REMOTES } from "./remote_table.ts";

/**
 * How often counts and state are handed to the main thread unasked while packets arrive. Each report costs
 * both threads a wake-up, which at home-router rates weighs on the capture's CPU per packet, so the main
 * thread asks for a report when it needs the counts (before a save, before an API answer) and this interval
 * only bounds how stale its copy can get (reports on request against short intervals: tests/bench/
 * capture_bench.ts, docs/performance.md).
 */
export const REPORT_INTERVAL_MS = 60_000;
/**
 * While counts wait, a report due within this share of REPORT_INTERVAL_MS rides on the wake-up of a block
 * instead of waking the loop on its own.
 */
const EARLY_REPORT_SHARE = 0.9;
/**
 * How often PACKET_STATISTICS (a getsockopt) is read while packets arrive: drops need traffic, and new drops
 * are reported at once.
 */
export const KERNEL_STATS_MS = 5000;
/**
 * A report is also due when this many per-remote rows wait (a scan or a flood of new remotes), so the table
 * hands them over whole instead of merging the smallest into OTHER_REMOTE_IP at DEFAULT_MAX_REMOTES.
 */
export const REPORT_AT_PENDING_REMOTES = DEFAULT_MAX_REMOTES / 2;
/**
 * How often an idle capture wakes to read kernel statistics. Drops need traffic, which wakes the loop anyway,
 * a deleted or downed interface wakes poll with POLLERR, and a change of the link or its addresses wakes it
 * through LinkEvents.
 */
export const IDLE_CHECK_MS = 5000;
/**
 * How often the interface (if_nametoindex) and its addresses (getifaddrs) are re-read although no change was
 * announced: the 10-minute refresh of issue #3 item 5, which also refreshes the auto /56 LAN prefixes more
 * than hourly.
 */
export const LINK_REFRESH_MS = 10 * 60_000;
/** The same when the kernel's announcements cannot be followed (no rtnetlink socket): polling. */
export const LINK_POLL_MS = IDLE_CHECK_MS;

/** The capture loop's timers and pending work; see the module doc. */
export class LoopSchedule {
  readonly #linkCheckMs: number;
  /** The last report request answered (worker_messages.ts ControlCell.REPORT_REQUEST); 0: none yet. */
  #answered = 0;
  #lastReportMs = -Infinity;
  /** A change of state or new drops wait for a report; true at first, for the first status. */
  #isReportDue = true;
  /** Blocks were read since the last report. */
  #hasUnreported = false;
  /** Blocks were read since PACKET_STATISTICS was last read. */
  #hasUnreadStats = false;
  #nextStatsMs = 0;
  #nextLinkCheckMs = 0;
  #nextOpenMs = 0;

  /** `isFollowingLinkEvents`: the kernel's link announcements are read (else the link is polled). */
  constructor(isFollowingLinkEvents: boolean) {
    this.#linkCheckMs = isFollowingLinkEvents ? LINK_REFRESH_MS : LINK_POLL_MS;
  }

  /** Blocks were read: their counts wait for a report, and the kernel's statistics for a read. */
  blocksRead(): void {
    this.#hasUnreported = true;
    this.#hasUnreadStats = true;
  }

  /** The state changed or the kernel dropped packets: the main thread must know at once. */
  reportNeeded(): void {
    this.#isReportDue = true;
  }

  /** PACKET_STATISTICS was read at `nowMs`. */
  statsRead(nowMs: number): void {
    this.#hasUnreadStats = false;
    this.#nextStatsMs = nowMs + KERNEL_STATS_MS;
  }

  /**
   * A report (posted or not, when nothing changed) was made at `nowMs` for report request `request`, the
   * value read before the blocks it covers. Returns whether it answers a request the last one did not.
   */
  reported(nowMs: number, request: number): boolean {
    const isAnswer = request !== this.#answered;
    this.#answered = request;
    this.#lastReportMs = nowMs;
    this.#isReportDue = false;
    this.#hasUnreported = false;
    return isAnswer;
  }

  /** The interface and its addresses were re-read at `nowMs`. */
  linkChecked(nowMs: number): void {
    this.#nextLinkCheckMs = nowMs + this.#linkCheckMs;
  }

  /** No ring is open: the next attempt to open one is at `atMs` (Infinity: never, the cause is permanent). */
  openAt(atMs: number): void {
    this.#nextOpenMs = atMs;
  }

  /** Whether report request value `request` asks for a report the loop has not answered yet. */
  isAsked(request: number): boolean {
    return request !== this.#answered;
  }

  /**
   * Whether the loop may block in poll, having found no ready block: no report is due at once and nothing is
   * asked (`request`: the report request value just read).
   */
  mayWait(request: number): boolean {
    return !this.#isReportDue && !this.isAsked(request);
  }

  /** How long a poll may block from `nowMs`: until the next report or idle check. */
  pollTimeoutMs(nowMs: number): number {
    return Math.max(0, this.#reportAtMs() - nowMs);
  }

  /** With no ring to poll, how long to sleep from `nowMs` (≥ 1): until the next open attempt or report. */
  sleepMs(nowMs: number): number {
    return Math.max(1, Math.min(this.#reportAtMs(), this.#nextOpenMs) - nowMs);
  }

  /** Whether an attempt to open the ring is due at `nowMs`. */
  isOpenDue(nowMs: number): boolean {
    return nowMs >= this.#nextOpenMs;
  }

  /** Whether PACKET_STATISTICS is due at `nowMs`: blocks were read since, and KERNEL_STATS_MS passed. */
  areStatsDue(nowMs: number): boolean {
    return this.#hasUnreadStats && nowMs >= this.#nextStatsMs;
  }

  /**
   * Whether a report is due at `nowMs`: at once after a change of state or new drops, when `request` (the
   * value read in this pass) is unanswered, when `pendingRemotes` rows wait, and otherwise by the timers.
   */
  isReportDue(nowMs: number, request: number, pendingRemotes: number): boolean {
    return this.#isReportDue || this.isAsked(request) || nowMs >= this.#reportAtMs() ||
      (this.#hasUnreported && nowMs - this.#lastReportMs >= EARLY_REPORT_SHARE * REPORT_INTERVAL_MS) ||
      pendingRemotes >= REPORT_AT_PENDING_REMOTES;
  }

  /** Whether the interface and its addresses are to be re-read at `nowMs` although nothing was announced. */
  isLinkCheckDue(nowMs: number): boolean {
    return nowMs >= this.#nextLinkCheckMs;
  }

  /** When a report is next due: REPORT_INTERVAL_MS after the last with counts waiting, else IDLE_CHECK_MS. */
  #reportAtMs(): number {
    return this.#lastReportMs + (this.#hasUnreported ? REPORT_INTERVAL_MS : IDLE_CHECK_MS);
  }
}
