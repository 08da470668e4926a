/**
 * Unsaved traffic sums held in memory between flushes. The per-remote table is bounded: past its limit the
 * lightest remotes of the table are folded into the OTHER_REMOTE_IP row of their bucket, so every byte and
 * packet is still counted exactly once while memory stays flat under an address scan. Per-device sums live in
 * a PendingDevices beside them.
 */
import type {
  BucketHealth,
  BucketTraffic,
  IpFamily,
  OTHER_REMOTE_IP as CAPTURE_OTHER_REMOTE_IP,
  RemoteTraffic,
  TrafficBatch,
} from "../capture/mod.ts";
import { OTHER_DEVICE_KEY, PendingDevices } from "./pending_devices.ts";

/**
 * capture/types.ts's OTHER_REMOTE_IP: store/ may only `import type` from capture/, and the type annotation
 * makes the type check fail if the two ever differ.
 */
export const OTHER_REMOTE_IP: typeof CAPTURE_OTHER_REMOTE_IP = "other";

/**
 * Default bound on distinct (bucket, remote) pairs waiting for a flush. About 200 bytes each in V8, so
 * roughly 10 MiB at the limit however many addresses a scan touches within one save interval.
 */
export const DEFAULT_MAX_PENDING_REMOTES = 50_000;

interface Sums {
  upBytes: number;
  downBytes: number;
  upPackets: number;
  downPackets: number;
}

interface TrafficEntry extends Sums {
  readonly bucketStartSec: number;
  readonly family: IpFamily;
}

interface RemoteEntry extends Sums {
  readonly bucketStartSec: number;
  readonly remoteIp: string;
}

interface HealthEntry {
  readonly bucketStartSec: number;
  malformedPackets: number;
  droppedPackets: number;
}

/** Mutable sums of traffic, per-remote and health deltas keyed by bucket; owned by TrafficLedger. */
export class PendingDeltas {
  readonly #traffic = new Map<number, TrafficEntry>();
  readonly #remotes = new Map<string, RemoteEntry>();
  readonly #health = new Map<number, HealthEntry>();
  /** Per-device rows and addresses; a bucket's rows add up to its traffic rows. */
  readonly devices = new PendingDevices();
  /** Device key → the latest name it gave itself in a DHCP request. */
  readonly dhcpNames = new Map<string, string>();

  /** `maxRemotes` bounds the per-remote table (OTHER_REMOTE_IP rows, one per bucket, come on top). */
  constructor(readonly maxRemotes: number = DEFAULT_MAX_PENDING_REMOTES) {}

  /** True when nothing waits to be saved. */
  get isEmpty(): boolean {
    return this.#traffic.size === 0 && this.#remotes.size === 0 && this.#health.size === 0 &&
      this.devices.isEmpty && this.dhcpNames.size === 0;
  }

  /** Number of per-remote rows held, OTHER_REMOTE_IP rows included. */
  get remoteCount(): number {
    return this.#remotes.size;
  }

  /** Adds every row of `batch`; a batch without device rows counts all its traffic as OTHER_DEVICE_KEY. */
  addBatch(batch: TrafficBatch): void {
    for (const row of batch.traffic) this.addTraffic(row);
    for (const row of batch.remotes) this.addRemote(row);
    for (const row of batch.health) this.addHealth(row);
    if (batch.devices === undefined) {
      for (const r of batch.traffic) {
        const { bucketStartSec, upBytes, downBytes, upPackets, downPackets } = r;
        this.devices.addRow({
          bucketStartSec,
          deviceKey: OTHER_DEVICE_KEY,
          upBytes,
          downBytes,
          upPackets,
          downPackets,
        });
      }
    } else {
      for (const row of batch.devices) this.devices.addRow(row);
    }
    for (const address of batch.deviceAddresses ?? []) this.devices.addAddress(address);
    for (const { deviceKey, name } of batch.dhcpNames ?? []) this.dhcpNames.set(deviceKey, name);
    this.#addDeviceRemotes(batch);
  }

  /**
   * The batch's per-device remote rows; from a source that counts no remotes per device, each device's
   * traffic (all of it `other`'s without devices) as its remainder, so device remotes add up to devices.
   */
  #addDeviceRemotes(batch: TrafficBatch): void {
    if (batch.deviceRemotes !== undefined) {
      for (const row of batch.deviceRemotes) this.devices.addRemoteRow(row);
      return;
    }
    const devices = batch.devices ??
      batch.traffic.map(({ bucketStartSec, upBytes, downBytes, upPackets, downPackets }) => ({
        bucketStartSec,
        deviceKey: OTHER_DEVICE_KEY,
        upBytes,
        downBytes,
        upPackets,
        downPackets,
      }));
    for (const r of devices) this.devices.addRemoteRow({ ...r, remoteIp: OTHER_REMOTE_IP });
  }

  /** Adds everything `other` holds (used to put back deltas whose save failed). */
  addAll(other: PendingDeltas): void {
    for (const row of other.#traffic.values()) this.addTraffic(row);
    for (const row of other.#remotes.values()) this.addRemote(row);
    for (const row of other.#health.values()) this.addHealth(row);
    this.devices.addAll(other.devices);
    for (const [deviceKey, name] of other.dhcpNames) this.dhcpNames.set(deviceKey, name);
  }

  /** Adds one bucket's traffic of one family. */
  addTraffic(row: BucketTraffic): void {
    const key = row.bucketStartSec * 8 + row.family;
    const entry = this.#traffic.get(key);
    if (entry) addSums(entry, row);
    else this.#traffic.set(key, { ...copySums(row), bucketStartSec: row.bucketStartSec, family: row.family });
  }

  /** Adds one remote's traffic in one bucket; may fold the lightest remotes to stay within the bound. */
  addRemote(row: RemoteTraffic): void {
    const key = `${row.bucketStartSec} ${row.remoteIp}`;
    const entry = this.#remotes.get(key);
    if (entry) {
      addSums(entry, row);
      return;
    }
    this.#remotes.set(key, { ...copySums(row), bucketStartSec: row.bucketStartSec, remoteIp: row.remoteIp });
    if (this.#remotes.size > this.maxRemotes + this.#otherRowsBound()) this.#foldLightest();
  }

  /** Adds one bucket's malformed and dropped packet counts. */
  addHealth(row: BucketHealth): void {
    const entry = this.#health.get(row.bucketStartSec);
    if (entry) {
      entry.malformedPackets += row.malformedPackets;
      entry.droppedPackets += row.droppedPackets;
    } else {
      this.#health.set(row.bucketStartSec, { ...row });
    }
  }

  /** Copies of the pending rows (one per bucket and family / remote / bucket). */
  trafficRows(): readonly BucketTraffic[] {
    return [...this.#traffic.values()];
  }

  remoteRows(): readonly RemoteTraffic[] {
    return [...this.#remotes.values()];
  }

  healthRows(): readonly BucketHealth[] {
    return [...this.#health.values()];
  }

  // OTHER rows are never folded; allow one per pending traffic bucket so they cannot trigger folding.
  #otherRowsBound(): number {
    return Math.max(1, this.#traffic.size);
  }

  /** Folds the lightest quarter of the named remotes into their bucket's OTHER_REMOTE_IP row. */
  #foldLightest(): void {
    const named = [...this.#remotes.values()].filter((e) => e.remoteIp !== OTHER_REMOTE_IP);
    named.sort((a, b) => (a.upBytes + a.downBytes) - (b.upBytes + b.downBytes));
    // Keep 3/4 of the limit so folding happens once per maxRemotes/4 new addresses, not on every one.
    const foldCount = Math.max(0, named.length - Math.floor(this.maxRemotes * 3 / 4));
    for (const entry of named.slice(0, foldCount)) {
      this.#remotes.delete(`${entry.bucketStartSec} ${entry.remoteIp}`);
      // Straight into the map: going through addRemote could start a nested fold over the same entries.
      const otherKey = `${entry.bucketStartSec} ${OTHER_REMOTE_IP}`;
      const other = this.#remotes.get(otherKey);
      if (other) {
        addSums(other, entry);
      } else {
        this.#remotes.set(otherKey, {
          ...copySums(entry),
          bucketStartSec: entry.bucketStartSec,
          remoteIp: OTHER_REMOTE_IP,
        });
      }
    }
  }
}

function copySums(row: Sums): Sums {
  return {
    upBytes: row.upBytes,
    downBytes: row.downBytes,
    upPackets: row.upPackets,
    downPackets: row.downPackets,
  };
}

function addSums(into: Sums, row: Sums): void {
  into.upBytes += row.upBytes;
  into.downBytes += row.downBytes;
  into.upPackets += row.upPackets;
  into.downPackets += row.downPackets;
}
