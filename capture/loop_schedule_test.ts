import assert from "node:assert/strict";
import {
  IDLE_CHECK_MS,
  KERNEL_STATS_MS,
  LINK_POLL_MS,
  LINK_REFRESH_MS,
  LoopSchedule,
  REPORT_AT_PENDING_REMOTES,
  REPORT_INTERVAL_MS,
} from "./loop_schedule.ts";

/** A fake clock's start; every row's times are relative to it. */
const T0 = 1_700_000_000_000;

/** One row: what happened to a schedule (following link events) and what it must answer at some time. */
interface Row {
  readonly name: string;
  readonly arrange: (s: LoopSchedule) => void;
  readonly ask: (s: LoopSchedule) => number | boolean;
  readonly expected: number | boolean;
}

/** A schedule that reported at T0 for request 0 (nothing asked), as after the loop's first pass. */
const afterFirstReport = (s: LoopSchedule) => {
  s.reported(T0, 0);
};
const withCounts = (s: LoopSchedule) => {
  afterFirstReport(s);
  s.blocksRead();
};

const ROWS: readonly Row[] = [
  // Reports
  {
    name: "a new schedule wants the first status at once",
    arrange: () => {},
    ask: (s) => s.isReportDue(T0, 0, 0),
    expected: true,
  },
  {
    name: "a new schedule may not wait in poll",
    arrange: () => {},
    ask: (s) => s.mayWait(0),
    expected: false,
  },
  {
    name: "idle: no report before IDLE_CHECK_MS",
    arrange: afterFirstReport,
    ask: (s) => s.isReportDue(T0 + IDLE_CHECK_MS - 1, 0, 0),
    expected: false,
  },
  {
    name: "idle: the idle check is a report at IDLE_CHECK_MS",
    arrange: afterFirstReport,
    ask: (s) => s.isReportDue(T0 + IDLE_CHECK_MS, 0, 0),
    expected: true,
  },
  {
    name: "counts waiting: no report before 0.9 × REPORT_INTERVAL_MS",
    arrange: withCounts,
    ask: (s) => s.isReportDue(T0 + 0.9 * REPORT_INTERVAL_MS - 1, 0, 0),
    expected: false,
  },
  {
    name: "counts waiting: a block's wake-up from 0.9 × REPORT_INTERVAL_MS carries the report",
    arrange: withCounts,
    ask: (s) => s.isReportDue(T0 + 0.9 * REPORT_INTERVAL_MS, 0, 0),
    expected: true,
  },
  {
    name: "a change of state is reported at once",
    arrange: (s) => {
      afterFirstReport(s);
      s.reportNeeded();
    },
    ask: (s) => s.isReportDue(T0 + 1, 0, 0),
    expected: true,
  },
  {
    name: "a change of state keeps the loop from waiting in poll",
    arrange: (s) => {
      afterFirstReport(s);
      s.reportNeeded();
    },
    ask: (s) => s.mayWait(0),
    expected: false,
  },
  {
    name: "one remote row short of REPORT_AT_PENDING_REMOTES: no report",
    arrange: withCounts,
    ask: (s) => s.isReportDue(T0 + 1, 0, REPORT_AT_PENDING_REMOTES - 1),
    expected: false,
  },
  {
    name: "REPORT_AT_PENDING_REMOTES rows waiting: a report",
    arrange: withCounts,
    ask: (s) => s.isReportDue(T0 + 1, 0, REPORT_AT_PENDING_REMOTES),
    expected: true,
  },
  // Report requests
  { name: "a new request is asked", arrange: afterFirstReport, ask: (s) => s.isAsked(1), expected: true },
  {
    name: "a new request makes a report due at once",
    arrange: afterFirstReport,
    ask: (s) => s.isReportDue(T0 + 1, 1, 0),
    expected: true,
  },
  {
    name: "a new request keeps the loop from waiting in poll",
    arrange: afterFirstReport,
    ask: (s) => s.mayWait(1),
    expected: false,
  },
  {
    name: "a report for request 3 answers it",
    arrange: afterFirstReport,
    ask: (s) => s.reported(T0 + 1, 3),
    expected: true,
  },
  {
    name: "a report for an answered request answers nothing new",
    arrange: (s) => s.reported(T0, 3),
    ask: (s) => s.reported(T0 + 1, 3),
    expected: false,
  },
  {
    name: "an answered request is no longer asked",
    arrange: (s) => s.reported(T0, 3),
    ask: (s) => s.isAsked(3),
    expected: false,
  },
  {
    name: "a request after the answered one is asked",
    arrange: (s) => s.reported(T0, 3),
    ask: (s) => s.isAsked(4),
    expected: true,
  },
  // Poll timeouts and sleeps
  {
    name: "idle: poll until the idle check",
    arrange: afterFirstReport,
    ask: (s) => s.pollTimeoutMs(T0 + 1000),
    expected: IDLE_CHECK_MS - 1000,
  },
  {
    name: "counts waiting: poll until a report interval after the last report",
    arrange: withCounts,
    ask: (s) => s.pollTimeoutMs(T0 + 1000),
    expected: REPORT_INTERVAL_MS - 1000,
  },
  {
    name: "a report overdue: poll returns at once",
    arrange: afterFirstReport,
    ask: (s) => s.pollTimeoutMs(T0 + IDLE_CHECK_MS + 7),
    expected: 0,
  },
  {
    name: "no ring: sleep until the next open attempt when it comes first",
    arrange: (s) => {
      afterFirstReport(s);
      s.openAt(T0 + 1000);
    },
    ask: (s) => s.sleepMs(T0),
    expected: 1000,
  },
  {
    name: "no ring, never to open again: sleep until the idle check",
    arrange: (s) => {
      afterFirstReport(s);
      s.openAt(Infinity);
    },
    ask: (s) => s.sleepMs(T0),
    expected: IDLE_CHECK_MS,
  },
  {
    name: "no ring, an open overdue: sleep at least 1 ms",
    arrange: (s) => {
      afterFirstReport(s);
      s.openAt(T0 - 50);
    },
    ask: (s) => s.sleepMs(T0),
    expected: 1,
  },
  {
    name: "a new schedule opens the ring at once",
    arrange: () => {},
    ask: (s) => s.isOpenDue(T0),
    expected: true,
  },
  {
    name: "an open is not due before its time",
    arrange: (s) => s.openAt(T0 + 1000),
    ask: (s) => s.isOpenDue(T0 + 999),
    expected: false,
  },
  {
    name: "an open is due at its time",
    arrange: (s) => s.openAt(T0 + 1000),
    ask: (s) => s.isOpenDue(T0 + 1000),
    expected: true,
  },
  // Kernel statistics
  {
    name: "blocks read: statistics not due before KERNEL_STATS_MS after the last read",
    arrange: (s) => {
      s.statsRead(T0);
      s.blocksRead();
    },
    ask: (s) => s.areStatsDue(T0 + KERNEL_STATS_MS - 1),
    expected: false,
  },
  {
    name: "blocks read: statistics due KERNEL_STATS_MS after the last read",
    arrange: (s) => {
      s.statsRead(T0);
      s.blocksRead();
    },
    ask: (s) => s.areStatsDue(T0 + KERNEL_STATS_MS),
    expected: true,
  },
  {
    name: "no blocks read: statistics wait for the idle check's report",
    arrange: (s) => s.statsRead(T0),
    ask: (s) => s.areStatsDue(T0 + 10 * KERNEL_STATS_MS),
    expected: false,
  },
  {
    name: "statistics just read: not due again although blocks were read before",
    arrange: (s) => {
      s.blocksRead();
      s.statsRead(T0 + KERNEL_STATS_MS);
    },
    ask: (s) => s.areStatsDue(T0 + KERNEL_STATS_MS),
    expected: false,
  },
  // Link checks
  {
    name: "link re-read: not due before LINK_REFRESH_MS",
    arrange: (s) => s.linkChecked(T0),
    ask: (s) => s.isLinkCheckDue(T0 + LINK_REFRESH_MS - 1),
    expected: false,
  },
  {
    name: "link re-read: due at LINK_REFRESH_MS",
    arrange: (s) => s.linkChecked(T0),
    ask: (s) => s.isLinkCheckDue(T0 + LINK_REFRESH_MS),
    expected: true,
  },
];

for (const row of ROWS) {
  Deno.test(`LoopSchedule: ${row.name}`, () => {
    const schedule = new LoopSchedule(true);
    row.arrange(schedule);
    assert.equal(row.ask(schedule), row.expected);
  });
}

Deno.test("LoopSchedule re-reads a link whose announcements it cannot follow every LINK_POLL_MS", () => {
  const schedule = new LoopSchedule(false);
  schedule.linkChecked(T0);
  assert.equal(schedule.isLinkCheckDue(T0 + LINK_POLL_MS - 1), false);
  assert.equal(schedule.isLinkCheckDue(T0 + LINK_POLL_MS), true);
});

Deno.test("LoopSchedule: a report clears what was due, and counts read after it start a new interval", () => {
  const schedule = new LoopSchedule(true);
  schedule.reportNeeded();
  schedule.blocksRead();
  assert.equal(schedule.reported(T0, 2), true);
  assert.equal(schedule.isReportDue(T0 + 1, 2, 0), false, "nothing due right after a report");
  assert.equal(schedule.mayWait(2), true);
  assert.equal(schedule.pollTimeoutMs(T0), IDLE_CHECK_MS, "the counts went with the report");
  schedule.blocksRead();
  assert.equal(schedule.pollTimeoutMs(T0 + 10), REPORT_INTERVAL_MS - 10);
});
