/**
 * CaptureLoop against a fake kernel (_fake_kernel.ts): each test scripts what the kernel and the main thread
 * do at which millisecond, with frames built by tests/helpers/frames.ts, and checks what the loop posts, and
 * when. No root, no network namespace, no real time.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { Errno, SyscallError } from "../ffi/mod.ts";
import {
  countedIn,
  FakeKernel,
  IFACE,
  LOCAL_V4,
  LOCAL_V6,
  multiples,
  statesOf,
  T0,
  timesOf,
} from "./_fake_kernel.ts";
import {
  IDLE_CHECK_MS,
  KERNEL_STATS_MS,
  LINK_POLL_MS,
  REPORT_AT_PENDING_REMOTES,
  REPORT_INTERVAL_MS,
} from "./loop_schedule.ts";
import { buildFrame, type Frame, ipPacket } from "../tests/helpers/frames.ts";
import { DEFAULT_MAX_DEVICES } from "./device_table.ts";

/** An upload from the host to `remote` with `payloadBytes` after the IP header. */
function upload(remote = "203.0.113.9", payloadBytes = 100): Frame {
  const src = remote.includes(":") ? LOCAL_V6 : LOCAL_V4;
  return buildFrame("ethernet", ipPacket({ src, dst: remote, payloadBytes }));
}

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

Deno.test("CaptureLoop says once an hour that new devices went to other because the device table was full", () => {
  const kernel = new FakeKernel();
  const packet = ipPacket({ src: LOCAL_V4, dst: "203.0.113.9", payloadBytes: 10 });
  const fromMac = (i: number) =>
    buildFrame("ethernet", packet, {
      src: `02:00:00:${(i >> 16).toString(16).padStart(2, "0")}:${
        (i >> 8 & 255).toString(16).padStart(2, "0")
      }:${(i & 255).toString(16).padStart(2, "0")}`,
      dst: "02:00:00:00:00:01",
    });
  const flood = (first: number, count: number) => Array.from({ length: count }, (_, i) => fromMac(first + i));
  kernel.at(1000, () => kernel.handOver(flood(0, DEFAULT_MAX_DEVICES + 4)));
  kernel.at(REPORT_INTERVAL_MS + 1000, () => kernel.handOver(flood(100_000, 10)));
  const loop = kernel.loop();
  kernel.run(loop, 3 * REPORT_INTERVAL_MS);
  const lines = kernel.logs().filter((l) => l.startsWith("Device table full"));
  assert.equal(lines.length, 1, kernel.logs().join("\n"));
  assert.match(lines[0], /: 4 packets of newer devices were counted in "other"/);
  assert.equal(countedIn(kernel.reports()), DEFAULT_MAX_DEVICES + 14, "every packet still counted");
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
