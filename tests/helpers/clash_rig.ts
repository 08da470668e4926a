/**
 * A ClashMonitor wired to a FakeClash and a real SQLite file in a temp dir, with event waits instead of
 * sleeps: `until(predicate)` re-checks after every monitor event, `snapshot()` pushes one snapshot and
 * resolves when the monitor has ingested it.
 */
import { ClashMonitor, normalizeClientIp } from "../../clash/mod.ts";
import { ClashStore, openStore, type Store } from "../../store/mod.ts";
import { FakeClash, type FakeClashOptions, type FakeTruth } from "./fake_clash.ts";
import { Notifier } from "./notifier.ts";

/** Options of a rig: the fake core's and the monitor's secrets, and a DB path to reuse across "restarts". */
export interface RigOptions extends FakeClashOptions {
  readonly monitorSecret?: string;
  readonly dbPath?: string;
  readonly fake?: FakeClash;
}

/** See the module doc. Dispose with `await using`. */
export class ClashRig {
  readonly #events = new Notifier();
  #snapshots = 0;

  private constructor(
    readonly log: string[],
    readonly fake: FakeClash,
    readonly store: Store,
    readonly clashStore: ClashStore,
    readonly monitor: ClashMonitor,
    readonly dbPath: string,
    readonly ownsFake: boolean,
  ) {}

  /** Starts (or reuses) a fake core, opens the DB and starts a monitor. */
  static start(options: RigOptions): ClashRig {
    const fake = options.fake ?? FakeClash.start(options);
    const dbPath = options.dbPath ?? `${Deno.makeTempDirSync({ prefix: "nl-clash-" })}/netledger.db`;
    const log: string[] = [];
    const store = openStore(dbPath, { log: (l) => log.push(l) });
    const clashStore = new ClashStore(store);
    let rig: ClashRig | null = null;
    const monitor = new ClashMonitor({
      apiUrl: fake.url,
      secret: options.monitorSecret ?? options.secret,
      persistence: clashStore,
      log: (l) => log.push(l),
      backoff: { minMs: 5, maxMs: 40 },
      onEvent: (e) => {
        if (e.kind === "snapshot") rig!.#snapshots++;
        rig!.#events.notify();
      },
    });
    rig = new ClashRig(log, fake, store, clashStore, monitor, dbPath, options.fake === undefined);
    monitor.start();
    return rig;
  }

  /**
   * Resolves once `predicate()` holds, re-checked after every monitor event. Rejects after WAIT_LIMIT_MS so
   * a broken monitor fails the test instead of hanging it (a bound, not a timing assert).
   */
  until(predicate: () => boolean): Promise<void> {
    return this.#events.until(
      predicate,
      () => `Monitor never reached the awaited state; status ${JSON.stringify(this.monitor.status())}`,
    );
  }

  /** Waits until connected with the first snapshot ingested. */
  async connected(): Promise<void> {
    await this.until(() => this.monitor.status().state === "connected" && this.#snapshots > 0);
    await this.fake.until(() => this.fake.subscriberCount === 2);
  }

  /** Pushes one snapshot from the fake and waits until the monitor has ingested it. */
  async snapshot(): Promise<void> {
    const before = this.#snapshots;
    if (this.fake.pushSnapshot() === 0) throw new Error("No /connections subscriber to push a snapshot to");
    await this.until(() => this.#snapshots > before);
  }

  /** Number of snapshots ingested so far. */
  get snapshots(): number {
    return this.#snapshots;
  }

  /** Stops the monitor (without flushing) and closes the DB and, if it owns it, the fake. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.monitor.stop();
    this.store.close();
    if (this.ownsFake) await this.fake.close();
  }
}

/** Sums by key of what the fake says was listed: `${client}|${resource}|${chain}` → [up, down]. */
export function truthBy(truth: FakeTruth, keyOf: (k: TruthKey) => string): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (const c of truth.listed) {
    if (c.type === "Inner") continue;
    const key = keyOf({
      client: normalizeClientIp(c.sourceIP),
      resource: c.host || c.destinationIP || "(unknown)",
      chain: [...c.chains].reverse().join(" > "),
    });
    const sum = out.get(key) ?? [0, 0];
    sum[0] += c.sentUpload!;
    sum[1] += c.sentDownload!;
    out.set(key, sum);
  }
  return out;
}

/** Attribution of one connection as the aggregator must store it. */
export interface TruthKey {
  readonly client: string;
  readonly resource: string;
  readonly chain: string;
}

/** Stored sums by key from a SQL query returning (k, up, down) rows. */
export function storedBy(store: Store, sql: string): Map<string, [number, number]> {
  const rows = store.db.prepare(sql).all() as { k: string; up: number; down: number }[];
  return new Map(rows.filter((r) => r.up + r.down > 0).map((r) => [r.k, [r.up, r.down]]));
}
