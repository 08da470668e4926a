/**
 * Worker entry of the live capture: runs CaptureLoop off the HTTP event loop, wired to the real ring, link
 * and clock. The main thread posts { kind: "start" } once with a shared control block (worker_messages.ts
 * ControlCell): it sets STOP to stop and counts REPORT_REQUEST up to ask for a report now. The loop is
 * synchronous: it never needs its own event loop, because it only sends messages and reads the flag between
 * passes, so no CPU goes to timers or message dispatch; only while QUIC Initials are being decrypted
 * (SERVICE_NAMES) does it yield to the event loop after a pass, so that their names arrive.
 * It ends with { kind: "stopped" } after the last report.
 */
import { ifNameToIndex, readAvailable } from "../ffi/mod.ts";
import { CaptureLoop, type CaptureLoopPorts, type LinkProbe } from "./capture_loop.ts";
import { LinkEvents } from "./link_events.ts";
import { isInterfaceUp, readLinkInfo } from "./link_info.ts";
import { Ring } from "./ring.ts";
import { ControlCell, type FromWorker, type ToWorker } from "./worker_messages.ts";

/** Event-loop turns given to QUIC decryption after a pass (each is a few µs when nothing is pending). */
const MAX_NAME_WORK_TURNS = 32;
/** After this many failing passes in a row (a minute), the loop gives up and ends with its last report. */
const MAX_CONSECUTIVE_FAILURES = 60;

/** The kernel's view of interfaces, as the loop reads it. */
const SYSTEM_LINK: LinkProbe = {
  info: (iface) => readLinkInfo(iface),
  index: (iface) => ifNameToIndex(iface),
  isUp: (iface) => isInterfaceUp(iface),
  interfaces: () => Deno.networkInterfaces(),
  openEvents: () => LinkEvents.open(),
};

/** A cell nobody notifies: Atomics.wait on it is a plain sleep that needs no event loop. */
const SLEEP_CELL = new Int32Array(new SharedArrayBuffer(4));
/** Room for an eventfd's 8-byte counter. */
const WAKE_COUNTER = new Uint8Array(8);

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker): void;
  close(): void;
};

scope.onmessage = async (e) => {
  const message = e.data;
  scope.onmessage = null;
  const control = new Int32Array(message.control);
  const wakeFd = message.options.wakeFd;
  const ports: CaptureLoopPorts = {
    post: (m) => scope.postMessage(m),
    reportRequest: () => Atomics.load(control, ControlCell.REPORT_REQUEST),
    now: Date.now,
    sleep: (ms) => Atomics.wait(SLEEP_CELL, 0, 0, ms),
    openRing: (options) => Ring.open(options),
    link: SYSTEM_LINK,
    drainWake: () => readAvailable(wakeFd, WAKE_COUNTER),
  };
  const loop = new CaptureLoop(message.options, ports);
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
    // QUIC Initials are decrypted with WebCrypto, whose results arrive only through the event loop.
    // A decryption takes several turns (key derivation, header protection, AEAD): give it them now, bounded;
    // while one is unfinished, step() polls briefly (capture_loop.ts NAME_WORK_POLL_MS), so more come soon.
    for (let turn = 0; turn < MAX_NAME_WORK_TURNS && loop.pendingNameWork > 0; turn++) {
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }
  loop.finish();
  scope.postMessage({ kind: "stopped" });
  scope.close();
};
