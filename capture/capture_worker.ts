/**
 * Worker entry of the live capture: runs CaptureLoop off the HTTP event loop. The main thread posts
 * { kind: "start" } once, later { kind: "stop" }; the worker answers with FromWorker messages and ends with
 * { kind: "stopped" } after the last report. Between passes it yields to its own event loop through a
 * MessageChannel (no timer clamping) so "stop" is seen within one pass.
 */
import { CaptureLoop } from "./capture_loop.ts";
import type { FromWorker, ToWorker } from "./worker_messages.ts";

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker): void;
  close(): void;
};

let isStopRequested = false;
let hasStarted = false;

const channel = new MessageChannel();
let resumeLoop: (() => void) | null = null;
channel.port1.onmessage = () => resumeLoop?.();

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    resumeLoop = resolve;
    channel.port2.postMessage(0);
  });
}

async function run(loop: CaptureLoop): Promise<void> {
  while (!isStopRequested) {
    const idleMs = loop.step();
    if (idleMs > 0) await new Promise((resolve) => setTimeout(resolve, idleMs));
    else await yieldToEventLoop();
  }
  loop.finish();
  scope.postMessage({ kind: "stopped" });
  channel.port1.close();
  scope.close();
}

scope.onmessage = (e) => {
  const message = e.data;
  if (message.kind === "start" && !hasStarted) {
    hasStarted = true;
    void run(new CaptureLoop(message.options, (m) => scope.postMessage(m)));
  } else if (message.kind === "stop") {
    isStopRequested = true;
  }
};
