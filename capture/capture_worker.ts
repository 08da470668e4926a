/**
 * Worker entry of the live capture: runs CaptureLoop off the HTTP event loop. The main thread posts
 * { kind: "start" } once with a shared control block (worker_messages.ts ControlCell): it sets STOP to stop
 * and counts REPORT_REQUEST up to ask for a report now. The loop is synchronous:
 * it never needs its own event loop, because it only sends messages and reads the flag between passes, so no
 * time goes to timers or message dispatch (a setTimeout wake-up costs ~0.7 ms of CPU on the 2-core bench VM).
 * It ends with { kind: "stopped" } after the last report.
 */
import { CaptureLoop } from "./capture_loop.ts";
import { ControlCell, type FromWorker, type ToWorker } from "./worker_messages.ts";

/** After this many failing passes in a row (a minute), the loop gives up and ends with its last report. */
const MAX_CONSECUTIVE_FAILURES = 60;

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker): void;
  close(): void;
};

scope.onmessage = (e) => {
  const message = e.data;
  scope.onmessage = null;
  const control = new Int32Array(message.control);
  const loop = new CaptureLoop(
    message.options,
    (m) => scope.postMessage(m),
    () => Atomics.load(control, ControlCell.REPORT_REQUEST),
  );
  // Bounded by the stop flag; each pass blocks at most REPORT_INTERVAL_MS (stop and catchUp() end it).
  let failures = 0;
  while (Atomics.load(control, ControlCell.STOP) === 0 && failures < MAX_CONSECUTIVE_FAILURES) {
    let idleMs: number;
    try {
      idleMs = loop.step();
      failures = 0;
    } catch (e) {
      // Unexpected: log it and keep the pipeline (and what it counted) alive for the next pass.
      failures++;
      scope.postMessage({
        kind: "log",
        line: `Capture loop error (${failures} in a row): ${(e as Error).stack ?? e}`,
      });
      idleMs = 1000;
    }
    // Without a ring to poll, sleep on the stop cell: stop() and catchUp() wake it with Atomics.notify.
    if (idleMs > 0) Atomics.wait(control, ControlCell.STOP, 0, idleMs);
  }
  loop.finish();
  scope.postMessage({ kind: "stopped" });
  scope.close();
};
