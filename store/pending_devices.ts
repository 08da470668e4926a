/**
 * Unsaved per-device sums and addresses held between flushes, beside PendingDeltas' traffic. Bounded like
 * the per-remote rows: past `maxRows` (bucket, device) rows the lightest are folded into the
 * OTHER_DEVICE_KEY row of their bucket, so every byte stays counted exactly once; past `maxAddresses` new
 * addresses are not kept (addresses carry no counts, and the capture bounds them per drain already).
 */
import type {
  DeviceAddress,
  DeviceRemoteTraffic,
  DeviceTraffic,
  OTHER_DEVICE_KEY as CAPTURE_OTHER_DEVICE_KEY,
} from "../capture/mod.ts";

/**
 * capture/types.ts's OTHER_DEVICE_KEY: store/ may only `import type` from capture/, and the type annotation
 * makes the type check fail if the two ever differ.
 */
export const OTHER_DEVICE_KEY: typeof CAPTURE_OTHER_DEVICE_KEY = "other";

/** Default bound on pending (bucket, device) rows: 4,096 devices over a dozen buckets. */
export const DEFAULT_MAX_PENDING_DEVICE_ROWS = 50_000;
/** Default bound on pending (device, address) pairs. */
export const DEFAULT_MAX_PENDING_ADDRESSES = 50_000;

interface DeviceEntry {
  readonly bucketStartSec: number;
  readonly deviceKey: string;
  upBytes: number;
  downBytes: number;
  upPackets: number;
  downPackets: number;
}

interface DeviceRemoteEntry {
  readonly bucketStartSec: number;
  readonly deviceKey: string;
  readonly remoteIp: string;
  upBytes: number;
  downBytes: number;
  upPackets: number;
  downPackets: number;
}

/** The device's remainder row in a DeviceRemoteTraffic: capture/types.ts's OTHER_REMOTE_IP. */
const OTHER_REMOTE = "other";

interface AddressEntry {
  readonly deviceKey: string;
  readonly ip: string;
  firstSeenSec: number;
  lastSeenSec: number;
}

/** Mutable per-device sums keyed by (bucket, device key), and addresses keyed by (device key, ip). */
export class PendingDevices {
  readonly #rows = new Map<string, DeviceEntry>();
  readonly #addresses = new Map<string, AddressEntry>();
  readonly #remotes = new Map<string, DeviceRemoteEntry>();

  constructor(
    readonly maxRows: number = DEFAULT_MAX_PENDING_DEVICE_ROWS,
    readonly maxAddresses: number = DEFAULT_MAX_PENDING_ADDRESSES,
  ) {}

  get isEmpty(): boolean {
    return this.#rows.size === 0 && this.#addresses.size === 0 && this.#remotes.size === 0;
  }

  /** Adds one device's traffic in one bucket; may fold the lightest rows to stay within the bound. */
  addRow(row: DeviceTraffic): void {
    const key = `${row.bucketStartSec} ${row.deviceKey}`;
    const entry = this.#rows.get(key);
    if (entry) {
      addSums(entry, row);
      return;
    }
    this.#rows.set(key, { ...row });
    if (this.#rows.size > this.maxRows) this.#foldLightest();
  }

  /**
   * Adds one device's traffic with one remote in one bucket. Past `maxRows` rows the lightest named remotes
   * are folded into their (bucket, device) remainder row, so each device's rows keep adding up to its total.
   */
  addRemoteRow(row: DeviceRemoteTraffic): void {
    const key = `${row.bucketStartSec} ${row.deviceKey} ${row.remoteIp}`;
    const entry = this.#remotes.get(key);
    if (entry) {
      addSums(entry, row);
      return;
    }
    this.#remotes.set(key, { ...row });
    if (this.#remotes.size > this.maxRows) this.#foldLightestRemotes();
  }

  /** Widens the first and last seen of one address of a device (a new pair is dropped past the bound). */
  addAddress(address: DeviceAddress): void {
    const key = `${address.deviceKey} ${address.ip}`;
    const entry = this.#addresses.get(key);
    if (entry) {
      entry.firstSeenSec = Math.min(entry.firstSeenSec, address.firstSeenSec);
      entry.lastSeenSec = Math.max(entry.lastSeenSec, address.lastSeenSec);
    } else if (this.#addresses.size < this.maxAddresses) {
      this.#addresses.set(key, { ...address });
    }
  }

  /** Adds everything `other` holds. */
  addAll(other: PendingDevices): void {
    for (const row of other.#rows.values()) this.addRow(row);
    for (const address of other.#addresses.values()) this.addAddress(address);
    for (const row of other.#remotes.values()) this.addRemoteRow(row);
  }

  /** Copies of the pending rows, one per bucket and device. */
  rows(): readonly DeviceTraffic[] {
    return [...this.#rows.values()].map((r) => ({ ...r }));
  }

  /** Copies of the pending device-remote rows, one per bucket, device and remote. */
  remoteRows(): readonly DeviceRemoteTraffic[] {
    return [...this.#remotes.values()].map((r) => ({ ...r }));
  }

  /** Copies of the pending addresses, one per device and address. */
  addresses(): readonly DeviceAddress[] {
    return [...this.#addresses.values()].map((a) => ({ ...a }));
  }

  #foldLightestRemotes(): void {
    foldLightestRemotes(this.#remotes, this.maxRows);
  }

  /** Folds the lightest quarter of the named devices' rows into their bucket's OTHER_DEVICE_KEY row. */
  #foldLightest(): void {
    const named = [...this.#rows.values()].filter((e) => e.deviceKey !== OTHER_DEVICE_KEY);
    named.sort((a, b) => (a.upBytes + a.downBytes) - (b.upBytes + b.downBytes));
    const foldCount = Math.max(0, named.length - Math.floor(this.maxRows * 3 / 4));
    for (const entry of named.slice(0, foldCount)) {
      this.#rows.delete(`${entry.bucketStartSec} ${entry.deviceKey}`);
      const otherKey = `${entry.bucketStartSec} ${OTHER_DEVICE_KEY}`;
      const other = this.#rows.get(otherKey);
      if (other) addSums(other, entry);
      else this.#rows.set(otherKey, { ...entry, deviceKey: OTHER_DEVICE_KEY });
    }
  }
}

/** Folds the lightest quarter of the named device-remote rows of `rows` into their remainder rows. */
function foldLightestRemotes(rows: Map<string, DeviceRemoteEntry>, maxRows: number): void {
  const named = [...rows.values()].filter((e) => e.remoteIp !== OTHER_REMOTE);
  named.sort((a, b) => (a.upBytes + a.downBytes) - (b.upBytes + b.downBytes));
  const foldCount = Math.max(0, named.length - Math.floor(maxRows * 3 / 4));
  for (const entry of named.slice(0, foldCount)) {
    rows.delete(`${entry.bucketStartSec} ${entry.deviceKey} ${entry.remoteIp}`);
    const otherKey = `${entry.bucketStartSec} ${entry.deviceKey} ${OTHER_REMOTE}`;
    const other = rows.get(otherKey);
    if (other) addSums(other, entry);
    else rows.set(otherKey, { ...entry, remoteIp: OTHER_REMOTE });
  }
}

function addSums(into: DeviceEntry, row: Omit<DeviceTraffic, "bucketStartSec" | "deviceKey">): void {
  into.upBytes += row.upBytes;
  into.downBytes += row.downBytes;
  into.upPackets += row.upPackets;
  into.downPackets += row.downPackets;
}
