/**
 * Runs a LiveCapture inside a network namespace for tests and benchmarks, driven over stdin/stdout:
 *
 *     await using probe = await startCaptureProbe(pair.captureNs, pair.captureIface);
 *     await probe.waitFor((s) => s.status.countedPackets === 10);
 *     const final = await probe.stop();   // totals of every batch onBatch received
 *
 * As a script (`deno run -A capture_probe.ts IFACE`), it prints one JSON event per line: "log",
 * "started", "status" (answer to a "status" line on stdin, once the capture caught up) and "stopped" (answer to "stop", then exits).
 */
import { v8FlagsArg } from "../../packaging/mod.ts";
import { type CaptureStatus, LiveCapture, RateWindow, type TrafficBatch } from "../../capture/mod.ts";
import { endChild } from "./netns.ts";

/** Sums of every batch handed to onBatch. */
export interface BatchTotals {
  upBytes: number;
  downBytes: number;
  upPackets: number;
  downPackets: number;
  malformedPackets: number;
  droppedPackets: number;
  /** Per remote address: [upBytes, downBytes]. */
  remotes: Record<string, [number, number]>;
  /** Per device key (MAC, IP, or "other"): [upBytes, downBytes, upPackets, downPackets]. */
  devices: Record<string, [number, number, number, number]>;
  /** Per "device key service" (with countsServices): [upBytes, downBytes]. */
  services: Record<string, [number, number]>;
  batches: number;
}

/** One line the probe prints. */
export interface ProbeEvent {
  readonly event: "log" | "started" | "status" | "stopped";
  readonly line?: string;
  readonly status: CaptureStatus;
  readonly totals: BatchTotals;
  /** Port of the probe's GET /api/health on 127.0.0.1 (inside the namespace), when it serves one. */
  readonly healthPort?: number;
  /** Sums of the live per-second rates the Worker wrote into the shared RateWindow (last 30 s). */
  readonly rates: { readonly upBytes: number; readonly downBytes: number };
  /** In answer to "status": whether LiveCapture.catchUp() was answered by the Worker before it. */
  readonly caughtUp?: boolean;
  /** In answer to "host": whether LiveCapture.learnHost() queued the name. */
  readonly isQueued?: boolean;
  /** Main-thread event-loop lag since the previous status (lateness of a 20 ms timer), in ms. */
  readonly lag?: { readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number };
}

function emptyTotals(): BatchTotals {
  return {
    upBytes: 0,
    downBytes: 0,
    upPackets: 0,
    downPackets: 0,
    malformedPackets: 0,
    droppedPackets: 0,
    remotes: {},
    devices: {},
    services: {},
    batches: 0,
  };
}

function addBatch(totals: BatchTotals, batch: TrafficBatch): void {
  totals.batches++;
  for (const t of batch.traffic) {
    totals.upBytes += t.upBytes;
    totals.downBytes += t.downBytes;
    totals.upPackets += t.upPackets;
    totals.downPackets += t.downPackets;
  }
  for (const h of batch.health) {
    totals.malformedPackets += h.malformedPackets;
    totals.droppedPackets += h.droppedPackets;
  }
  for (const r of batch.remotes) {
    const row = totals.remotes[r.remoteIp] ??= [0, 0];
    row[0] += r.upBytes;
    row[1] += r.downBytes;
  }
  for (const s of batch.services ?? []) {
    const row = totals.services[`${s.deviceKey} ${s.service}`] ??= [0, 0];
    row[0] += s.upBytes;
    row[1] += s.downBytes;
  }
  for (const d of batch.devices ?? []) {
    const row = totals.devices[d.deviceKey] ??= [0, 0, 0, 0];
    row[0] += d.upBytes;
    row[1] += d.downBytes;
    row[2] += d.upPackets;
    row[3] += d.downPackets;
  }
}

/** A probe process; stop() ends it, disposing kills it if still running. */
export interface CaptureProbe extends AsyncDisposable {
  readonly pid: number;
  /** Every log line so far. */
  readonly logs: readonly string[];
  /** Asks for the current status and totals. */
  status(): Promise<ProbeEvent>;
  /** Asks for the status every 100 ms until `isDone` holds; throws after `timeoutMs` (bounded wait). */
  waitFor(isDone: (e: ProbeEvent) => boolean, timeoutMs?: number): Promise<ProbeEvent>;
  /**
   * LiveCapture.learnHost(deviceKey, remoteIp, host), answered once the Worker has taken the name (a
   * catchUp() after it): later packets are named by it.
   */
  learnHost(deviceKey: string, remoteIp: string, host: string): Promise<ProbeEvent>;
  /** Stops the capture (which delivers the last batch) and returns the final event. */
  stop(): Promise<ProbeEvent>;
  /** The "started" event. */
  readonly started: ProbeEvent;
}

/** How startCaptureProbe() runs the probe. */
export interface ProbeOptions {
  /** Run as root with CAP_NET_RAW dropped from the bounding set (capsh). */
  readonly isWithoutNetRaw?: boolean;
  /** RING_MB; default 32. */
  readonly ringMb?: number;
  /** Busy the probe's main thread this long once a second (a slow SQLite write or a GC pause). */
  readonly stallMsPerSec?: number;
  /** Run a 20 ms timer on the main thread to report event-loop lag (off by default: it costs idle CPU). */
  readonly isMeasuringLag?: boolean;
  /** Serve GET /api/health on 127.0.0.1 inside the namespace (port in the "started" event). */
  readonly isServingHealth?: boolean;
  /** Name remote ends and count per service (SERVICE_NAMES). */
  readonly countsServices?: boolean;
}

/** Starts the probe inside `ns` on `iface`; resolves once LiveCapture.start() has settled. */
export async function startCaptureProbe(
  ns: string,
  iface: string,
  options: ProbeOptions = {},
): Promise<CaptureProbe> {
  const script = new URL(import.meta.url).pathname;
  const deno = [
    Deno.execPath(),
    "run",
    // The V8 flags netledger runs with, so the probe's capture costs what the real program's does;
    // NETLEDGER_V8_FLAGS="--v8-flags=..." overrides them for A/B runs of the benchmark.
    Deno.env.get("NETLEDGER_V8_FLAGS") ?? v8FlagsArg(),
    "-A",
    script,
    iface,
    String(options.ringMb ?? 32),
    String(options.stallMsPerSec ?? 0),
    options.isMeasuringLag ? "lag" : "no-lag",
    options.isServingHealth ? "health" : "no-health",
    options.countsServices ? "services" : "no-services",
  ];
  const quoted = deno.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
  const command = options.isWithoutNetRaw
    ? ["capsh", "--drop=cap_net_raw", "--", "-c", `exec ${quoted}`]
    : deno;
  const child = new Deno.Command("ip", {
    args: ["netns", "exec", ns, ...command],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const logs: string[] = [];
  const writer = child.stdin.getWriter();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  const nextEvent = async (): Promise<ProbeEvent> => {
    for (let reads = 0; reads < 100_000; reads++) {
      const newline = buffered.indexOf("\n");
      if (newline >= 0) {
        const event = JSON.parse(buffered.slice(0, newline)) as ProbeEvent;
        buffered = buffered.slice(newline + 1);
        if (event.event === "log") {
          logs.push(event.line!);
          continue;
        }
        return event;
      }
      const { value, done } = await lines.read();
      if (done) throw new Error(`Capture probe ended early; logs:\n${logs.join("\n")}`);
      buffered += value;
    }
    throw new Error("Capture probe printed too much");
  };
  const ask = async (command: string): Promise<ProbeEvent> => {
    await writer.write(new TextEncoder().encode(`${command}\n`));
    return await nextEvent();
  };
  let isEnded = false;
  const kill = async () => {
    if (isEnded) return;
    isEnded = true;
    await endChild(child, "SIGTERM");
  };
  let started: ProbeEvent;
  try {
    started = await nextEvent();
  } catch (e) {
    await kill();
    throw e;
  }
  return {
    pid: child.pid,
    logs,
    started,
    status: () => ask("status"),
    learnHost: (deviceKey, remoteIp, host) => ask(`host ${deviceKey} ${remoteIp} ${host}`),
    async waitFor(isDone, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (let i = 0; i < 1000; i++) {
        const e = await ask("status");
        if (isDone(e)) return e;
        if (Date.now() > deadline) {
          throw new Error(
            `Condition not met within ${timeoutMs} ms: ${JSON.stringify(e)}\nlogs:\n${logs.join("\n")}`,
          );
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error("waitFor polled too often");
    },
    async stop() {
      const e = await ask("stop");
      await writer.close();
      await child.status;
      isEnded = true;
      return e;
    },
    [Symbol.asyncDispose]: kill,
  };
}

/** Lateness samples of a 20 ms main-thread timer, for event-loop lag percentiles. */
function watchLag(isOn: boolean): () => { p50Ms: number; p99Ms: number; maxMs: number } | undefined {
  if (!isOn) return () => undefined;
  let samples: number[] = [];
  let due = performance.now() + 20;
  setInterval(() => {
    const now = performance.now();
    if (samples.length < 100_000) samples.push(Math.max(0, now - due));
    due = now + 20;
  }, 20);
  return () => {
    const sorted = samples.sort((a, b) => a - b);
    samples = [];
    const at = (q: number) =>
      sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    return { p50Ms: at(0.5), p99Ms: at(0.99), maxMs: sorted.at(-1) ?? 0 };
  };
}

if (import.meta.main) {
  const [iface, ringMb, stallMs, lagMode, healthMode, servicesMode] = Deno.args;
  const totals = emptyTotals();
  const lag = watchLag(lagMode === "lag");
  if (Number(stallMs) > 0) {
    setInterval(() => {
      const end = performance.now() + Number(stallMs);
      while (performance.now() < end) {
        // Busy on purpose: a stalled main thread, as during a slow SQLite write.
      }
    }, 1000);
  }
  const rateWindow = RateWindow.shared();
  const rates = () => {
    // Every second in the window, the current one included: the sums are compared once traffic stopped.
    const samples = rateWindow.samples(Date.now() / 1000 + 1);
    return {
      upBytes: samples.reduce((sum, s) => sum + s.upBytes, 0),
      downBytes: samples.reduce((sum, s) => sum + s.downBytes, 0),
    };
  };
  const print = (event: string, extra: Record<string, unknown> = {}) =>
    console.log(
      JSON.stringify({ event, ...extra, status: capture?.status(), totals, rates: rates(), lag: lag() }),
    );
  let capture: LiveCapture | null = null;
  capture = await LiveCapture.start({
    iface,
    ringBytes: Number(ringMb) * 1024 * 1024,
    excludeIpv6Prefixes: [],
    disableOffloads: false,
    onBatch: (batch) => addBatch(totals, batch),
    log: (line) => console.log(JSON.stringify({ event: "log", line, totals })),
    rateWindow,
    countsServices: servicesMode === "services",
  });
  let healthPort: number | undefined;
  if (healthMode === "health") {
    // Like main.ts's /api/health: a JSON answer built from status() on the thread that receives the batches,
    // after the Worker handed over its counts.
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      async () => {
        await capture?.catchUp();
        return Response.json({ status: "ok", capture: capture?.status() });
      },
    );
    healthPort = server.addr.port;
  }
  print("started", { healthPort });
  const reader = Deno.stdin.readable.pipeThrough(new TextDecoderStream()).getReader();
  let pending = "";
  for (let reads = 0; reads < 1_000_000; reads++) {
    const { value, done } = await reader.read();
    if (done) break;
    pending += value;
    let newline: number;
    while ((newline = pending.indexOf("\n")) >= 0) {
      const command = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (command === "status") print("status", { caughtUp: await capture.catchUp() });
      // "host DEVICE_KEY REMOTE_IP HOST": LiveCapture.learnHost, then a status once the Worker has taken it.
      if (command.startsWith("host ")) {
        const [, deviceKey, remoteIp, host] = command.split(" ");
        const isQueued = capture.learnHost(deviceKey, remoteIp, host);
        print("status", { caughtUp: await capture.catchUp(), isQueued });
      }
      if (command === "stop") {
        await capture.stop();
        print("stopped");
        Deno.exit(0);
      }
    }
  }
  await capture.stop();
}
