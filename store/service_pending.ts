/**
 * Unsaved service rows held between flushes, beside PendingDeltas (issue 15): per (bucket, device, host)
 * sums and, per remote address, the host name that last named it. Bounded like the per-remote rows: past
 * `maxRows` rows the lightest are folded into the OTHER_SERVICE row of their (bucket, device), so a device's
 * service rows keep adding up to its traffic. The ledger swaps it at each flush and merges it back when the
 * save fails, as it does PendingDeltas.
 */
import type {
  OTHER_SERVICE as CAPTURE_OTHER_SERVICE,
  RemoteHostName,
  ServiceTraffic,
  TrafficBatch,
  UNKNOWN_SERVICE as CAPTURE_UNKNOWN_SERVICE,
} from "../capture/mod.ts";

/** capture/types.ts's OTHER_SERVICE (store/ may only `import type` from capture/; the type keeps them equal). */
export const OTHER_SERVICE: typeof CAPTURE_OTHER_SERVICE = "(other)";
/** capture/types.ts's UNKNOWN_SERVICE. */
export const UNKNOWN_SERVICE: typeof CAPTURE_UNKNOWN_SERVICE = "(unknown)";

/** Default bound on pending (bucket, device, host) rows. */
export const DEFAULT_MAX_PENDING_SERVICE_ROWS = 50_000;
/** Default bound on pending remote host names (more wait for the next drain's). */
export const DEFAULT_MAX_PENDING_REMOTE_HOSTS = 50_000;

type Entry = { -readonly [K in keyof ServiceTraffic]: ServiceTraffic[K] };

/** See the file comment. */
export class PendingServices {
  readonly #rows = new Map<string, Entry>();
  readonly #remoteHosts = new Map<string, RemoteHostName>();

  constructor(readonly maxRows: number = DEFAULT_MAX_PENDING_SERVICE_ROWS) {}

  get isEmpty(): boolean {
    return this.#rows.size === 0 && this.#remoteHosts.size === 0;
  }

  /** Adds a batch's service rows and remote host names. */
  addBatch(batch: TrafficBatch): void {
    for (const r of batch.services ?? []) this.addRow(r);
    for (const h of batch.remoteHosts ?? []) this.addRemoteHost(h);
  }

  addRow(row: ServiceTraffic): void {
    const key = `${row.bucketStartSec} ${row.deviceKey} ${row.host}`;
    const entry = this.#rows.get(key);
    if (entry) {
      entry.upBytes += row.upBytes;
      entry.downBytes += row.downBytes;
      entry.upPackets += row.upPackets;
      entry.downPackets += row.downPackets;
      return;
    }
    this.#rows.set(key, { ...row });
    if (this.#rows.size > this.maxRows) this.#fold();
  }

  addRemoteHost(h: RemoteHostName): void {
    const seen = this.#remoteHosts.get(h.remoteIp);
    if (seen !== undefined ? seen.lastSeenSec <= h.lastSeenSec : this.#remoteHosts.size < this.maxRows) {
      this.#remoteHosts.set(h.remoteIp, h);
    }
  }

  /** Adds everything of `other` (a failed flush's rows merged back). */
  addAll(other: PendingServices): void {
    for (const r of other.rows()) this.addRow(r);
    for (const h of other.remoteHosts()) this.addRemoteHost(h);
  }

  rows(): ServiceTraffic[] {
    return [...this.#rows.values()];
  }

  remoteHosts(): RemoteHostName[] {
    return [...this.#remoteHosts.values()];
  }

  /** Folds the lighter half of the named rows into OTHER_SERVICE of their (bucket, device). */
  #fold(): void {
    const named = [...this.#rows.entries()].filter(([, r]) =>
      r.host !== OTHER_SERVICE && r.host !== UNKNOWN_SERVICE
    );
    named.sort(([, a], [, b]) => (a.upBytes + a.downBytes) - (b.upBytes + b.downBytes));
    for (const [key, r] of named.slice(0, Math.ceil(named.length / 2))) {
      this.#rows.delete(key);
      this.addRow({ ...r, service: OTHER_SERVICE, host: OTHER_SERVICE });
    }
  }
}
