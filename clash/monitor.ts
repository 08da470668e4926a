/**
 * ClashMonitor: the one owner of the Clash API connection. It probes the core, holds one upstream WebSocket
 * per stream (`/connections` for the aggregator, `/traffic` for samples), fans both out to browsers through
 * StreamHubs, reconnects with capped backoff, and hands exact deltas to a ClashPersistence on `flush()`.
 * P<n> tags name the pitfalls of docs/clash-accounting.md.
 */
import { type AggregatorOptions, ClashAggregator } from "./aggregator.ts";
import { closeConnection, type CloseResult } from "./close_connection.ts";
import { probeCore, type ProbeResult } from "./probe.ts";
import { redactUrl } from "./redact_url.ts";
import { StreamHub } from "./stream_hub.ts";
import type {
  ClashLiveClient,
  ClashLiveConnection,
  ClashPendingBatch,
  ClashResumeState,
  ClashSample,
  ClashStatus,
  ClashUnattributedRow,
  ClashUsageRow,
} from "./types.ts";

/** Where the monitor's history goes; store/clash_store.ts implements it. */
export interface ClashPersistence {
  /** The resume state committed by the previous run, or null. */
  loadResume(): ClashResumeState | null;
  /** Writes the whole batch in one transaction; throws (and writes nothing) on failure. */
  saveBatch(batch: ClashPendingBatch): void;
}

/** Something the monitor did; tests wait on these instead of sleeping. */
export type ClashEvent =
  | { readonly kind: "status"; readonly status: ClashStatus }
  | { readonly kind: "snapshot" }
  | { readonly kind: "sample" };

/** Options of a ClashMonitor; `apiUrl` null means Clash is not configured and nothing connects. */
export interface ClashMonitorOptions {
  readonly apiUrl: string | null;
  readonly secret: string;
  readonly persistence: ClashPersistence | null;
  readonly log: (line: string) => void;
  /** `?interval=` of the `/connections` stream in whole milliseconds (P12); never below 1000 by default. */
  readonly connectionsIntervalMs?: number;
  /** Reconnect backoff: doubles from `minMs` up to `maxMs`. */
  readonly backoff?: { readonly minMs: number; readonly maxMs: number };
  readonly nowMs?: () => number;
  readonly onEvent?: (event: ClashEvent) => void;
  /** See AggregatorOptions.onConnectionHosts. */
  readonly onConnectionHosts?: AggregatorOptions["onConnectionHosts"];
}

/** Seconds since its last bytes during which a client counts as online (P5: last-byte time, not presence). */
export const ONLINE_WINDOW_SEC = 60;
/** Samples kept in memory for the overview's current rate. */
const RECENT_SAMPLES = 60;
/** Bound on unsaved samples while the disk fails: the newest two hours are kept. */
const MAX_PENDING_SAMPLES = 7200;
/** Sessions in a row that end before the first snapshot, after which a core that probes fine is incompatible. */
const MAX_EMPTY_SESSIONS = 3;

/** See the module doc. `start()` once, `stop()` then `flush()` at shutdown. */
export class ClashMonitor {
  /**
   * Fan-out of the core's `/traffic` lines to browsers. A line is one second's bytes: a browser starts from
   * the stored seconds (/api/monitoring/samples), so a replayed line would count its second twice.
   */
  readonly trafficHub = new StreamHub({ replaysLatest: false });
  /** Fan-out of the core's `/connections` snapshots to browsers. */
  readonly connectionsHub = new StreamHub();
  readonly #options: ClashMonitorOptions;
  readonly #nowMs: () => number;
  #aggregator: ClashAggregator | null = null;
  #status: ClashStatus;
  #samples = new Map<number, { upBytes: number; downBytes: number }>();
  #recent: ClashSample[] = [];
  #sockets = new Set<WebSocket>();
  #stopped = false;
  #wake: (() => void) | null = null;
  #loop: Promise<void> | null = null;
  #latestSnapshot: string | null = null;
  #isIngestScheduled = false;
  #malformedSnapshots = 0;

  constructor(options: ClashMonitorOptions) {
    this.#options = options;
    this.#nowMs = options.nowMs ?? Date.now;
    // The one source of "not configured": the API, /api/health and /metrics read it from here.
    this.#status = options.apiUrl === null
      ? this.#makeStatus(
        "not_configured",
        "Proxy-client monitoring is off: set CLASH_API_URL (and CLASH_SECRET) to the core's external_controller",
      )
      : this.#makeStatus(
        "connecting",
        `Connecting to the Clash API at "${redactUrl(options.apiUrl)}"`,
      );
  }

  /** Loads the resume state and starts connecting; does nothing when Clash is not configured. Call once. */
  start(): void {
    const { apiUrl, persistence } = this.#options;
    if (apiUrl === null || this.#loop !== null) return;
    this.#aggregator = new ClashAggregator({
      // The resume state names the core it belongs to; stored in the database (and its backups) without
      // the URL's credentials.
      apiUrl: redactUrl(apiUrl),
      processStartSec: Math.floor(this.#nowMs() / 1000),
      resume: persistence?.loadResume() ?? null,
      log: this.#options.log,
      onConnectionHosts: this.#options.onConnectionHosts,
    });
    this.#loop = this.#run(apiUrl);
  }

  /** The current connection state. */
  status(): ClashStatus {
    return this.#status;
  }

  /** False without CLASH_API_URL: the status stays `not_configured`, nothing connects, nothing is counted. */
  get isConfigured(): boolean {
    return this.#status.state !== "not_configured";
  }

  /**
   * Saves everything counted since the last flush in one transaction of the persistence. Deltas leave memory
   * only after the commit; on failure they stay for the next flush and the error is thrown.
   */
  flush(): void {
    const aggregator = this.#aggregator;
    const persistence = this.#options.persistence;
    if (aggregator === null || persistence === null) return;
    const batch = aggregator.pending();
    const samples = [...this.#samples].map(([tsSec, s]) => ({ tsSec, ...s }));
    // Synchronous from here to the clear: no snapshot can be ingested between save and commit.
    persistence.saveBatch({ ...batch, samples });
    aggregator.commit();
    this.#samples.clear();
  }

  /** Closes the upstream sockets and stops reconnecting. Idempotent; call `flush()` afterwards. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    for (const socket of this.#sockets) socket.close();
    await this.#loop;
    if (this.#latestSnapshot !== null) this.#ingestLatest();
  }

  /** The newest `/traffic` sample, or null before the first. */
  latestSample(): ClashSample | null {
    return this.#recent.at(-1) ?? null;
  }

  /** The last minute of `/traffic` samples, oldest first. */
  recentSamples(): readonly ClashSample[] {
    return this.#recent;
  }

  /** Connections listed by the latest snapshot. */
  liveConnections(): ClashLiveConnection[] {
    return this.#aggregator?.liveConnections() ?? [];
  }

  /**
   * Asks the core to close live connection `id`: a control action, which web/api allows only behind auth.
   * "not_found" unless the latest snapshot lists it, since both cores answer 204 for any id.
   */
  closeConnection(id: string): Promise<CloseResult> {
    const apiUrl = this.#options.apiUrl;
    if (apiUrl === null) return Promise.resolve({ kind: "failed", message: this.#status.message });
    if (!this.liveConnections().some((c) => c.id === id)) {
      return Promise.resolve({
        kind: "not_found",
        message: `No live connection "${id}" in the core's latest list: it may have closed already`,
      });
    }
    return closeConnection(apiUrl, this.#options.secret, id);
  }

  /** Clients with live connections, from the latest snapshot. */
  liveClients(): ClashLiveClient[] {
    return this.#aggregator?.liveClients() ?? [];
  }

  /** Usage counted but not yet flushed, for queries that must include the last minutes. */
  pendingUsage(): readonly ClashUsageRow[] {
    return this.#aggregator?.pendingUsage() ?? [];
  }

  /** Unattributed bytes counted but not yet flushed. */
  pendingUnattributed(): readonly ClashUnattributedRow[] {
    return this.#aggregator?.pendingUnattributed() ?? [];
  }

  /** Counters for logs and /metrics. */
  stats() {
    return {
      ...this.#aggregator?.stats(),
      malformedSnapshots: this.#malformedSnapshots,
      browserSubscribers: this.trafficHub.subscriberCount + this.connectionsHub.subscriberCount,
      skippedBrowserFrames: this.trafficHub.skippedFrames + this.connectionsHub.skippedFrames,
    };
  }

  async #run(apiUrl: string): Promise<void> {
    const { minMs, maxMs } = this.#options.backoff ?? { minMs: 1000, maxMs: 60_000 };
    let delayMs = minMs;
    let emptySessions = 0;
    while (!this.#stopped) {
      const probe = await probeCore(apiUrl, this.#options.secret);
      if (this.#stopped) break;
      if (probe.state === "connected" && emptySessions >= MAX_EMPTY_SESSIONS) {
        this.#setStatus(
          "incompatible",
          `Clash API at "${redactUrl(apiUrl)}" answers /version but closes the /connections WebSocket ` +
            "before any snapshot: netledger needs sing-box 1.11.7+ or mihomo",
          probe,
        );
      } else {
        this.#setStatus(probe.state, probe.message, probe);
      }
      if (probe.state === "connected") {
        const messages = await this.#streamSession(apiUrl);
        if (messages > 0) {
          delayMs = minMs;
          emptySessions = 0;
        } else {
          emptySessions++;
        }
        if (this.#stopped) break;
        this.trafficHub.clearLatest();
        this.connectionsHub.clearLatest();
        this.#setStatus(
          "connecting",
          `Lost the Clash API streams at "${redactUrl(apiUrl)}": reconnecting`,
          probe,
        );
      }
      await this.#sleep(delayMs);
      delayMs = Math.min(maxMs, delayMs * 2);
    }
  }

  /** Runs both upstream streams until either ends; resolves with the number of messages received. */
  #streamSession(apiUrl: string): Promise<number> {
    const base = apiUrl.replace(/^http/, "ws");
    const token = this.#options.secret === "" ? "" : `&token=${encodeURIComponent(this.#options.secret)}`;
    const interval = this.#options.connectionsIntervalMs ?? 1000;
    let messages = 0;
    return new Promise((resolve) => {
      const sockets = [
        this.#open(`${base}/connections?interval=${interval}${token}`, (text) => {
          messages++;
          this.connectionsHub.publish(text);
          this.#scheduleIngest(text);
        }),
        this.#open(`${base}/traffic?${token.slice(1)}`, (text) => {
          messages++;
          this.trafficHub.publish(text);
          this.#addSample(text);
        }),
      ];
      let isDone = false;
      const end = () => {
        if (isDone) return;
        isDone = true;
        for (const s of sockets) s.close();
        resolve(messages);
      };
      for (const s of sockets) s.addEventListener("close", end);
    });
  }

  #open(url: string, onText: (text: string) => void): WebSocket {
    const socket = new WebSocket(url);
    this.#sockets.add(socket);
    socket.addEventListener("message", (e) => {
      if (typeof e.data === "string") onText(e.data);
    });
    socket.addEventListener("close", () => this.#sockets.delete(socket));
    // An error is always followed by close, which ends the session; the probe then names the cause.
    socket.addEventListener("error", () => {});
    return socket;
  }

  /** P9: only the newest snapshot is parsed when they arrive faster than they are processed. */
  #scheduleIngest(text: string): void {
    this.#latestSnapshot = text;
    if (this.#isIngestScheduled) return;
    this.#isIngestScheduled = true;
    setTimeout(() => this.#ingestLatest(), 0);
  }

  #ingestLatest(): void {
    this.#isIngestScheduled = false;
    const text = this.#latestSnapshot;
    this.#latestSnapshot = null;
    if (text === null || this.#aggregator === null) return;
    try {
      this.#aggregator.ingest(JSON.parse(text), Math.floor(this.#nowMs() / 1000));
    } catch (e) {
      if (!(e instanceof SyntaxError)) throw e;
      if (this.#malformedSnapshots++ === 0) {
        this.#options.log(`Skipping malformed Clash snapshot: ${e.message}`);
      }
      return;
    }
    this.#options.onEvent?.({ kind: "snapshot" });
  }

  #addSample(text: string): void {
    let line: { up?: unknown; down?: unknown };
    try {
      line = JSON.parse(text);
    } catch (e) {
      if (!(e instanceof SyntaxError)) throw e;
      this.#malformedSnapshots++;
      return;
    }
    const up = line?.up;
    const down = line?.down;
    if (typeof up !== "number" || typeof down !== "number" || up < 0 || down < 0) {
      this.#malformedSnapshots++;
      return;
    }
    const tsSec = Math.floor(this.#nowMs() / 1000);
    const pending = this.#samples.get(tsSec);
    if (pending) {
      pending.upBytes += up;
      pending.downBytes += down;
    } else {
      if (this.#samples.size >= MAX_PENDING_SAMPLES) this.#samples.delete(this.#samples.keys().next().value!);
      this.#samples.set(tsSec, { upBytes: up, downBytes: down });
    }
    this.#recent.push({ tsSec, upBytes: up, downBytes: down });
    if (this.#recent.length > RECENT_SAMPLES) this.#recent = this.#recent.slice(-RECENT_SAMPLES);
    this.#options.onEvent?.({ kind: "sample" });
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      this.#wake = done;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  #setStatus(state: ClashStatus["state"], message: string, probe?: ProbeResult): void {
    if (state === this.#status.state && message === this.#status.message) return;
    if (state !== this.#status.state) this.#options.log(`Clash API: ${state}: ${message}`);
    this.#status = this.#makeStatus(state, message, probe);
    this.#options.onEvent?.({ kind: "status", status: this.#status });
  }

  #makeStatus(state: ClashStatus["state"], message: string, probe?: ProbeResult): ClashStatus {
    return {
      state,
      message,
      core: probe?.core ?? null,
      version: probe?.version ?? null,
      sinceSec: state === this.#status?.state ? this.#status.sinceSec : Math.floor(this.#nowMs() / 1000),
    };
  }
}
