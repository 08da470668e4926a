/**
 * The counting pipeline: frame → parseFrame → classifyPacket → per-bucket and per-remote counters →
 * TrafficBatch. Live capture and pcap import feed the same instance type, so their numbers agree.
 * countFrame() runs per packet: no allocation, closure or throw; strings are built only in drain().
 */
import { compileLocalMatcher, isMappedV4, isNearV4, isNearV6, type LocalMatcher } from "./classify.ts";
import { DeviceTable } from "./device_table.ts";
import { DhcpNames } from "./dhcp_names.ts";
import { LinkType } from "./link_type.ts";
import type { LocalAddresses } from "./local_addresses.ts";
import { ParsedFrame, parseFrame, ParseOutcome } from "./parse_frame.ts";
import type { RateWindow } from "./rate_window.ts";
import { DeviceKind } from "./device_kind.ts";
import { DEFAULT_MAX_REMOTES, NO_DEVICE_ROW, RemoteTable } from "./remote_table.ts";
import { deviceRemotesOf } from "./device_remotes.ts";
import { DeviceCount, mayCarryName, ServiceCounter } from "./service_counter.ts";
import {
  BUCKET_SEC,
  type BucketHealth,
  type BucketTraffic,
  type DeviceTraffic,
  OTHER_DEVICE_KEY,
  OTHER_REMOTE_IP,
  type TrafficBatch,
} from "./types.ts";

/** Cumulative counts since the pipeline was created (drain() does not reset them). */
export interface PipelineStats {
  /** Frames passed to countFrame(): seen = counted + ignored + malformed. */
  readonly seenPackets: number;
  /** Frames counted as upload or download. */
  readonly countedPackets: number;
  /** Well-formed frames that are not public traffic: non-IP, unsupported link, LAN-only, transit. */
  readonly ignoredPackets: number;
  /** Frames with truncated or garbled headers (or an invalid timestamp). */
  readonly malformedPackets: number;
  /** Kernel drops reported through addDrops(). */
  readonly droppedPackets: number;
  readonly upBytes: number;
  readonly downBytes: number;
  /** Per-remote rows held now (at most maxRemotes). */
  readonly remoteRows: number;
  /** Times the remote table was full and folded its lighter half into OTHER_REMOTE_IP. */
  readonly remoteCompactions: number;
  /**
   * Counted packets left to the OTHER_DEVICE_KEY remainder because the device table was full, as of the last
   * drain (or remote-table compaction): the remote rows hand their counts to the device table then.
   */
  readonly deviceOverflowPackets: number;
}

/** Options of a TrafficPipeline. */
export interface TrafficPipelineOptions {
  /** Host addresses and LAN prefixes; default none (only never-public addresses are near). */
  readonly localAddresses?: LocalAddresses;
  /** Bound on per-remote rows between drains (see remote_table.ts); default 65,536. */
  readonly maxRemotes?: number;
  /** Bound on devices (see device_table.ts); default 4,096. */
  readonly maxDevices?: number;
  /** Bound on (bucket, device, host) rows between drains (see service_table.ts); default 16,384. */
  readonly maxServiceRows?: number;
  /** Receives the bytes of every counted packet, per second, for /api/realtime. */
  readonly rateWindow?: RateWindow;
  /**
   * Whether to count per device (device_table.ts); default true. Off only to measure its cost
   * (tests/bench/parse_bench.ts): then every byte goes to OTHER_DEVICE_KEY.
   */
  readonly countsDevices?: boolean;
  /**
   * Whether to name remote ends and count per service (service_counter.ts, issue 15); default false, the
   * program passes SERVICE_NAMES. Off: batches carry no service rows, and no payload byte is read.
   */
  readonly countsServices?: boolean;
}

/** Timestamps beyond this (year 36812) are garbage, not time. */
const MAX_TIMESTAMP_SEC = 2 ** 40;
/** Per bucket: v4 up/down bytes, v4 up/down packets, the same for v6, malformed, dropped. */
const FIELDS = 10;
const MALFORMED_FIELD = 8;
const DROPPED_FIELD = 9;
/** The I/G bit of a MAC's first octet, in its high 16 bits: broadcast and multicast name no device. */
const GROUP_MAC_BIT = 0x0100;
const NO_LOCAL_ADDRESSES: LocalAddresses = { ips: [], lanPrefixes: [], mode: "auto-gua-/56" };
/** The cumulative counts of stats(), by index in TrafficPipeline's `#totals`. */
const SEEN = 0;
const COUNTED = 1;
const IGNORED = 2;
const MALFORMED = 3;
const DROPPED = 4;
const UP_BYTES = 5;
const DOWN_BYTES = 6;

/** Counts frames into UTC buckets of BUCKET_SEC and bounded per-remote rows until drained. */
export class TrafficPipeline {
  readonly #parsed = new ParsedFrame();
  readonly #remotes: RemoteTable;
  readonly #devices: DeviceTable | null;
  readonly #dhcpNames: DhcpNames | null;
  readonly #services: ServiceCounter | null;
  readonly #rateWindow: RateWindow | null;
  #local: LocalAddresses = NO_LOCAL_ADDRESSES;
  #matcher: LocalMatcher;
  readonly #bucketSlots = new Map<number, number>();
  #bucketStarts = new Float64Array(16);
  #buckets = new Float64Array(16 * FIELDS);
  #bucketCount = 0;
  /** The bucket of the last packet: number, [start, end) in UTC seconds, and its slot. */
  #lastBucket = 0;
  #lastStartSec = 0;
  #lastEndSec = 0;
  #lastSlot = 0;
  /** End in the view of the frame being counted: the service counter reads payloads up to it. */
  #frameEnd = 0;
  /** The newest counted packet's time (UTC seconds): the service counter forgets names by it. */
  #newestSec = 0;
  /**
   * The cumulative counts (SEEN..DOWN_BYTES), in a typed array rather than fields: a field holding small
   * integers changes representation when it passes 2^30 (a gigabyte of traffic), and V8 then throws away the
   * compiled per-packet code of every method that reads the object, mid-capture (`--trace-generalization`,
   * tests/bench/parse_bench.ts).
   */
  readonly #totals = new Float64Array(7);
  /** The device of the packet being counted (see #setDevice): its kind (device_kind.ts) and four words. */
  #dk: number = DeviceKind.NONE;
  #d0 = 0;
  #d1 = 0;
  #d2 = 0;
  #d3 = 0;

  constructor(options: TrafficPipelineOptions = {}) {
    this.#services = options.countsServices === true
      ? new ServiceCounter({ maxRows: options.maxServiceRows })
      : null;
    this.#devices = options.countsDevices === false ? null : new DeviceTable(options.maxDevices);
    this.#remotes = new RemoteTable(options.maxRemotes ?? DEFAULT_MAX_REMOTES, this.#services, this.#devices);
    this.#dhcpNames = options.countsDevices === false ? null : new DhcpNames();
    this.#rateWindow = options.rateWindow ?? null;
    this.#matcher = compileLocalMatcher(NO_LOCAL_ADDRESSES);
    if (options.localAddresses) this.setLocalAddresses(options.localAddresses);
  }

  /**
   * Names the device's later packets to a remote address from outside the packets (ServiceCounter.learnHost;
   * the device and address as device_kind.ts and the remote table key them). Without countsServices, nothing.
   */
  learnHost(
    dk: number,
    d0: number,
    d1: number,
    d2: number,
    d3: number,
    rf: number,
    r0: number,
    r1: number,
    r2: number,
    r3: number,
    host: string,
    nowSec: number,
  ): void {
    this.#services?.learnHost(dk, d0, d1, d2, d3, rf, r0, r1, r2, r3, host, nowSec);
  }

  /** Replaces the host addresses and LAN prefixes; throws SyntaxError naming a bad address or prefix. */
  setLocalAddresses(local: LocalAddresses): void {
    this.#matcher = compileLocalMatcher(local);
    this.#local = local;
  }

  /**
   * Buckets holding undrained counts. Cheap enough to read per frame: an importer of a file whose
   * timestamps jump about should drain when this grows (each bucket costs about 150 bytes until drained).
   */
  get pendingBuckets(): number {
    return this.#bucketCount;
  }

  /** Per-remote rows holding undrained counts (at most maxRemotes; beyond, the smallest are merged). */
  get pendingRemotes(): number {
    return this.#remotes.size;
  }

  /** Per-device rows holding undrained counts (at most DEFAULT_MAX_DEVICE_ROWS; beyond, the remainder). */
  get pendingDeviceRows(): number {
    return this.#devices?.size ?? 0;
  }

  /**
   * QUIC Initials being decrypted (WebCrypto): a synchronous caller (the capture Worker's loop) must let its
   * event loop run while this is above 0, or their names never arrive.
   */
  get pendingNameWork(): number {
    return this.#services?.quicInFlight ?? 0;
  }

  /** The addresses and prefixes in use (for /api/debug/local_ips). */
  localAddresses(): LocalAddresses {
    return this.#local;
  }

  /**
   * Counts one frame of `linkType` at `offset` in `view` (see parseFrame for the lengths), stamped with
   * `timestampSec` (UTC seconds, may be fractional). Never throws and allocates nothing.
   */
  countFrame(
    view: DataView,
    offset: number,
    capturedLen: number,
    originalLen: number,
    linkType: number,
    timestampSec: number,
  ): void {
    this.#totals[SEEN]++;
    if (!(timestampSec >= 0 && timestampSec < MAX_TIMESTAMP_SEC)) {
      this.#totals[MALFORMED]++;
      return;
    }
    const p = this.#parsed;
    const outcome = parseFrame(view, offset, capturedLen, originalLen, linkType, p);
    this.#frameEnd = offset + capturedLen;
    // Where the MACs are, for the device of the packet: Ethernet only (see device_table.ts for SLL).
    const macOffset = linkType === LinkType.ETHERNET ? offset : -1;
    if (outcome === ParseOutcome.IPV4) {
      this.#countIpv4(
        view,
        macOffset,
        view.getInt32(p.srcOffset),
        view.getInt32(p.dstOffset),
        p.ipBytes,
        timestampSec,
      );
      // DHCP requests name their device (issue 14 item 4), whether or not they count as public traffic.
      this.#dhcpNames?.observeIpv4(view, p.ipOffset, p.protocol, p.transportOffset, offset + capturedLen);
    } else if (outcome === ParseOutcome.IPV6) {
      this.#countIpv6(view, macOffset, p.srcOffset, p.ipBytes, timestampSec);
    } else if (outcome === ParseOutcome.MALFORMED) {
      this.#totals[MALFORMED]++;
      this.#buckets[this.#slotFor(timestampSec) * FIELDS + MALFORMED_FIELD]++;
    } else {
      this.#totals[IGNORED]++;
    }
  }

  /** Records `count` packets the kernel dropped, in the bucket of `timestampSec`. */
  addDrops(timestampSec: number, count: number): void {
    if (!(count > 0) || !(timestampSec >= 0 && timestampSec < MAX_TIMESTAMP_SEC)) return;
    this.#totals[DROPPED] += count;
    this.#buckets[this.#slotFor(timestampSec) * FIELDS + DROPPED_FIELD] += count;
  }

  /**
   * Everything counted since the last drain, sorted by bucket, then resets the counters. Per-remote rows
   * of a bucket (with the OTHER_REMOTE_IP remainder) add up exactly to its traffic over both families, and
   * so do its per-device rows (with the OTHER_DEVICE_KEY remainder).
   */
  drain(): TrafficBatch {
    const traffic: BucketTraffic[] = [];
    const health: BucketHealth[] = [];
    const { remotes, deviceRemotes: deviceRemoteRows } = this.#remotes.drain();
    const { traffic: devices, addresses: deviceAddresses } = this.#devices?.drain() ??
      { traffic: [], addresses: [] };
    const remainders = new Map<number, [number, number, number, number]>();
    for (let slot = 0; slot < this.#bucketCount; slot++) {
      const bucketStartSec = this.#bucketStarts[slot];
      const b = this.#buckets.subarray(slot * FIELDS, slot * FIELDS + FIELDS);
      for (const [family, base] of [[4, 0], [6, 4]] as const) {
        if (b[base + 2] + b[base + 3] === 0) continue;
        traffic.push({
          bucketStartSec,
          family,
          upBytes: b[base],
          downBytes: b[base + 1],
          upPackets: b[base + 2],
          downPackets: b[base + 3],
        });
      }
      if (b[MALFORMED_FIELD] + b[DROPPED_FIELD] > 0) {
        health.push({
          bucketStartSec,
          malformedPackets: b[MALFORMED_FIELD],
          droppedPackets: b[DROPPED_FIELD],
        });
      }
      remainders.set(bucketStartSec, [b[0] + b[4], b[1] + b[5], b[2] + b[6], b[3] + b[7]]);
    }
    for (const [start, { upBytes, downBytes, upPackets, downPackets }] of remainderOf(remainders, remotes)) {
      remotes.push({
        bucketStartSec: start,
        remoteIp: OTHER_REMOTE_IP,
        upBytes,
        downBytes,
        upPackets,
        downPackets,
      });
    }
    for (
      const [start, { upBytes, downBytes, upPackets, downPackets }] of remainderOf(remainders, devices)
    ) {
      devices.push({
        bucketStartSec: start,
        deviceKey: OTHER_DEVICE_KEY,
        upBytes,
        downBytes,
        upPackets,
        downPackets,
      });
    }
    const named = this.#services?.drain(devices, this.#newestSec);
    this.#resetBuckets();
    const byBucket = (a: { bucketStartSec: number }, b: { bucketStartSec: number }) =>
      a.bucketStartSec - b.bucketStartSec;
    traffic.sort((a, b) => byBucket(a, b) || a.family - b.family);
    health.sort(byBucket);
    remotes.sort((a, b) =>
      byBucket(a, b) || (b.upBytes + b.downBytes) - (a.upBytes + a.downBytes) ||
      (a.remoteIp < b.remoteIp ? -1 : a.remoteIp > b.remoteIp ? 1 : 0)
    );
    devices.sort((a, b) =>
      byBucket(a, b) || (b.upBytes + b.downBytes) - (a.upBytes + a.downBytes) ||
      (a.deviceKey < b.deviceKey ? -1 : a.deviceKey > b.deviceKey ? 1 : 0)
    );
    const dhcpNames = this.#dhcpNames?.drain(devices.map((d) => d.deviceKey)) ?? [];
    const deviceRemotes = deviceRemotesOf(deviceRemoteRows, devices);
    if (named === undefined) {
      return { traffic, remotes, health, devices, deviceAddresses, dhcpNames, deviceRemotes };
    }
    named.services.sort((a, b) =>
      byBucket(a, b) || (a.deviceKey < b.deviceKey ? -1 : a.deviceKey > b.deviceKey ? 1 : 0) ||
      (b.upBytes + b.downBytes) - (a.upBytes + a.downBytes) ||
      (a.host < b.host ? -1 : a.host > b.host ? 1 : 0)
    );
    return {
      traffic,
      remotes,
      health,
      devices,
      deviceAddresses,
      dhcpNames,
      deviceRemotes,
      services: named.services,
      remoteHosts: named.remoteHosts,
    };
  }

  /** Cumulative counts (see PipelineStats). */
  stats(): PipelineStats {
    return {
      seenPackets: this.#totals[SEEN],
      countedPackets: this.#totals[COUNTED],
      ignoredPackets: this.#totals[IGNORED],
      malformedPackets: this.#totals[MALFORMED],
      droppedPackets: this.#totals[DROPPED],
      upBytes: this.#totals[UP_BYTES],
      downBytes: this.#totals[DOWN_BYTES],
      remoteRows: this.#remotes.size,
      remoteCompactions: this.#remotes.compactions,
      deviceOverflowPackets: this.#devices?.overflowPackets ?? 0,
    };
  }

  /**
   * Classifies and counts an IPv4 packet from its address words (each read from the frame once, for the
   * classifier and the remote key alike). One small method per family lets V8 inline the IPv4 path, the
   * classifier included, into countFrame() (checked with --trace-turbo-inlining).
   */
  #countIpv4(
    view: DataView,
    macOffset: number,
    src: number,
    dst: number,
    bytes: number,
    timestampSec: number,
  ): void {
    const isUpload = isNearV4(src, this.#matcher);
    const services = this.#services;
    if (isUpload === isNearV4(dst, this.#matcher)) {
      this.#totals[IGNORED]++;
      // Between two local addresses: a LAN resolver's answer still names what its asker does next.
      if (isUpload && services !== null && this.#mayCarryName(view, false)) {
        this.#setDevice(view, macOffset, false, DeviceKind.IPV4, dst, 0, 0, 0);
        this.#handDevice(services);
        services.sniffLocalIpv4(view, this.#parsed.ipOffset, this.#frameEnd, timestampSec);
      }
      return;
    }
    const bucket = this.#countBucket(timestampSec, 0, isUpload, bytes);
    const local = isUpload ? src : dst;
    const remote = isUpload ? dst : src;
    this.#setDevice(view, macOffset, isUpload, DeviceKind.IPV4, local, 0, 0, 0);
    const dk = this.#dk;
    const isMac = dk === DeviceKind.MAC;
    // An IPv4 device's words are (local, 0); a MAC's are (high, low), then its local address.
    const slot = this.#remotes.add(
      bucket,
      4,
      remote,
      0,
      0,
      0,
      dk,
      isMac ? 4 : 0,
      this.#d0,
      this.#d1,
      isMac ? local : 0,
      0,
      0,
      0,
      isUpload,
      bytes,
    );
    if (dk !== DeviceKind.NONE && this.#devices !== null) {
      this.#linkDevice(slot, bucket, 4, local, 0, 0, 0, timestampSec);
    }
    if (services === null) return;
    if (this.#mayCarryName(view, isUpload)) {
      this.#handDevice(services);
      services.sniffIpv4(view, this.#parsed.ipOffset, this.#frameEnd, isUpload, remote, timestampSec);
    }
    this.#keepServiceRow(slot, 4, remote, 0, 0, 0, bucket, timestampSec, isUpload, bytes);
  }

  /** Classifies and counts an IPv6 packet whose source address starts at `srcOffset` (see #countIpv4). */
  #countIpv6(
    view: DataView,
    macOffset: number,
    srcOffset: number,
    bytes: number,
    timestampSec: number,
  ): void {
    const s0 = view.getInt32(srcOffset);
    const s1 = view.getInt32(srcOffset + 4);
    const s2 = view.getInt32(srcOffset + 8);
    const s3 = view.getInt32(srcOffset + 12);
    const d0 = view.getInt32(srcOffset + 16);
    const d1 = view.getInt32(srcOffset + 20);
    const d2 = view.getInt32(srcOffset + 24);
    const d3 = view.getInt32(srcOffset + 28);
    const isUpload = isNearV6(s0, s1, s2, s3, this.#matcher);
    const services = this.#services;
    if (isUpload === isNearV6(d0, d1, d2, d3, this.#matcher)) {
      this.#totals[IGNORED]++;
      if (isUpload && services !== null && this.#mayCarryName(view, false)) {
        this.#setDevice(view, macOffset, false, DeviceKind.IPV6, d0, d1, d2, d3);
        this.#handDevice(services);
        services.sniffLocalIpv6(view, this.#parsed.ipOffset, this.#frameEnd, timestampSec);
      }
      return;
    }
    const bucket = this.#countBucket(timestampSec, 4, isUpload, bytes);
    const w0 = isUpload ? d0 : s0;
    const w1 = isUpload ? d1 : s1;
    const w2 = isUpload ? d2 : s2;
    const w3 = isUpload ? d3 : s3;
    const l0 = isUpload ? s0 : d0;
    const l1 = isUpload ? s1 : d1;
    const l2 = isUpload ? s2 : d2;
    const l3 = isUpload ? s3 : d3;
    // ::ffff:a.b.c.d is the IPv4 host a.b.c.d, as the classifier treats it, at either end.
    const localMapped = isMappedV4(l0, l1, l2);
    const lf = localMapped ? 4 : 6;
    const m0 = localMapped ? l3 : l0;
    const m1 = localMapped ? 0 : l1;
    const m2 = localMapped ? 0 : l2;
    const m3 = localMapped ? 0 : l3;
    this.#setDevice(
      view,
      macOffset,
      isUpload,
      localMapped ? DeviceKind.IPV4 : DeviceKind.IPV6,
      m0,
      m1,
      m2,
      m3,
    );
    const dk = this.#dk;
    const isMac = dk === DeviceKind.MAC;
    const remoteMapped = isMappedV4(w0, w1, w2);
    const rf = remoteMapped ? 4 : 6;
    const r0 = remoteMapped ? w3 : w0;
    const r1 = remoteMapped ? 0 : w1;
    const r2 = remoteMapped ? 0 : w2;
    const r3 = remoteMapped ? 0 : w3;
    const slot = this.#remotes.add(
      bucket,
      rf,
      r0,
      r1,
      r2,
      r3,
      dk,
      isMac ? lf : 0,
      this.#d0,
      this.#d1,
      isMac ? m0 : this.#d2,
      isMac ? m1 : this.#d3,
      isMac ? m2 : 0,
      isMac ? m3 : 0,
      isUpload,
      bytes,
    );
    if (dk !== DeviceKind.NONE && this.#devices !== null) {
      this.#linkDevice(slot, bucket, lf, m0, m1, m2, m3, timestampSec);
    }
    if (services === null) return;
    if (this.#mayCarryName(view, isUpload)) {
      this.#handDevice(services);
      const p = this.#parsed;
      services.sniffIpv6(view, p.ipOffset, this.#frameEnd, isUpload, rf, r0, r1, r2, r3, timestampSec);
    }
    this.#keepServiceRow(slot, rf, r0, r1, r2, r3, bucket, timestampSec, isUpload, bytes);
  }

  /**
   * Links the remote row at `slot` to the device table's row of the packet's device (set by #setDevice, not
   * DeviceKind.NONE) and local address of family `family`, words l0..l3 (-1 when the device table's bounds
   * leave the packet to the remainder), and marks the packet's second in it. The link is found once per
   * remote row between two drains: the remote table credits the row's counts to it whole
   * (tests/bench/parse_bench.ts, devices on vs off).
   */
  #linkDevice(
    slot: number,
    bucket: number,
    family: number,
    l0: number,
    l1: number,
    l2: number,
    l3: number,
    timestampSec: number,
  ): void {
    const remotes = this.#remotes;
    if (remotes.deviceRowAt(slot) === NO_DEVICE_ROW) {
      this.#findDeviceRow(slot, bucket, family, l0, l1, l2, l3, timestampSec);
    }
    remotes.markSeen(slot, Math.floor(timestampSec - this.#lastStartSec));
  }

  /** #linkDevice's lookup, for a new remote row: apart, so the check inlines. */
  #findDeviceRow(
    slot: number,
    bucket: number,
    family: number,
    l0: number,
    l1: number,
    l2: number,
    l3: number,
    timestampSec: number,
  ): void {
    // The device table takes the MAC, or 0 and 0 for a device known by its address.
    const isMac = this.#dk === DeviceKind.MAC;
    const found = this.#devices!.rowOf(
      bucket,
      isMac ? this.#d0 : 0,
      isMac ? this.#d1 : 0,
      family,
      l0,
      l1,
      l2,
      l3,
      timestampSec,
    );
    this.#remotes.setDeviceRow(slot, found);
  }

  /**
   * Keeps the service row (ServiceCounter.rowOf) of the remote row at `slot` (the packet's device, set by
   * #setDevice, and its remote address of family `rf`, words r0..r3) current for its packet just
   * added (`isUpload`, `bytes`): found when the row is new and again only when the name stamp it was found
   * under changed (a name was learnt for the address). The remote table credits the row's packets to it,
   * so most packets cost a stamp read, no probe and no add (tests/bench/parse_bench.ts, names on vs off).
   */
  #keepServiceRow(
    slot: number,
    rf: number,
    r0: number,
    r1: number,
    r2: number,
    r3: number,
    bucket: number,
    timestampSec: number,
    isUpload: boolean,
    bytes: number,
  ): void {
    const remotes = this.#remotes;
    if (remotes.nameStampAt(slot) === this.#services!.nameStamp(remotes.nameStampSlotAt(slot))) return;
    this.#findServiceRow(slot, rf, r0, r1, r2, r3, bucket, timestampSec, isUpload, bytes);
  }

  /** #keepServiceRow's lookup, when the row has none or its stamp changed: apart, so the check inlines. */
  #findServiceRow(
    slot: number,
    rf: number,
    r0: number,
    r1: number,
    r2: number,
    r3: number,
    bucket: number,
    timestampSec: number,
    isUpload: boolean,
    bytes: number,
  ): void {
    const services = this.#services!;
    this.#handDevice(services);
    const stampSlot = services.nameStampSlot(rf, r0, r1, r2, r3);
    const stamp = services.nameStamp(stampSlot);
    // How the device table took the row's packets (#linkDevice linked it before).
    const deviceCount = this.#devices === null
      ? DeviceCount.OFF
      : this.#dk === DeviceKind.NONE || this.#remotes.deviceRowAt(slot) >= 0
      ? DeviceCount.COUNTED
      : DeviceCount.OVERFLOW;
    const row = services.rowOf(rf, r0, r1, r2, r3, bucket, timestampSec, deviceCount);
    this.#remotes.rebindServiceRow(slot, row, stampSlot, stamp, isUpload, bytes);
  }

  /** mayCarryName() of the frame being counted (`isUpload` when its device sent it), as parseFrame found it. */
  #mayCarryName(view: DataView, isUpload: boolean): boolean {
    const p = this.#parsed;
    return mayCarryName(view, p.protocol, p.transportOffset, this.#frameEnd, isUpload);
  }

  /**
   * Gives the service counter the packet's device (#setDevice), before it reads the packet's names or looks
   * its row's name up: only then, so that most packets skip it.
   */
  #handDevice(services: ServiceCounter): void {
    services.setDevice(this.#dk, this.#d0, this.#d1, this.#d2, this.#d3);
  }

  /**
   * Sets the device of the packet's local end (#dk and #d0..#d3, as remote_table.ts keys it), read once per
   * packet for the remote, device and service tables alike: on Ethernet with devices counted, its MAC
   * (DeviceKind.MAC, or DeviceKind.NONE for a group or all-zero MAC); else `ipKind` (DeviceKind.IPV4 or
   * DeviceKind.IPV6) with the local address words l0..l3.
   */
  #setDevice(
    view: DataView,
    macOffset: number,
    isUpload: boolean,
    ipKind: number,
    l0: number,
    l1: number,
    l2: number,
    l3: number,
  ): void {
    if (macOffset >= 0 && this.#devices !== null) {
      const at = isUpload ? macOffset + 6 : macOffset;
      const high = view.getUint16(at);
      const low = view.getInt32(at + 2);
      const isNone = (high & GROUP_MAC_BIT) !== 0 || (high === 0 && low === 0);
      this.#dk = isNone ? DeviceKind.NONE : DeviceKind.MAC;
      this.#d0 = isNone ? 0 : high;
      this.#d1 = isNone ? 0 : low;
      this.#d2 = 0;
      this.#d3 = 0;
      return;
    }
    this.#dk = ipKind;
    this.#d0 = l0;
    this.#d1 = l1;
    this.#d2 = l2;
    this.#d3 = l3;
  }

  /**
   * Adds a counted packet to its bucket (`familyField`: 0 for IPv4, 4 for IPv6), the totals and the rate
   * window; returns the bucket number for the remote row.
   */
  #countBucket(timestampSec: number, familyField: number, isUpload: boolean, bytes: number): number {
    const field = this.#slotFor(timestampSec) * FIELDS + familyField + (isUpload ? 0 : 1);
    this.#buckets[field] += bytes;
    this.#buckets[field + 2] += 1;
    this.#totals[COUNTED]++;
    if (timestampSec > this.#newestSec) this.#newestSec = timestampSec;
    this.#totals[isUpload ? UP_BYTES : DOWN_BYTES] += bytes;
    this.#rateWindow?.add(timestampSec, isUpload ? bytes : 0, isUpload ? 0 : bytes);
    return this.#lastBucket;
  }

  /** Index of the bucket holding `timestampSec`; the last one is cached since packets arrive in time order. */
  #slotFor(timestampSec: number): number {
    if (timestampSec >= this.#lastStartSec && timestampSec < this.#lastEndSec) return this.#lastSlot;
    const bucket = Math.floor(timestampSec / BUCKET_SEC);
    const bucketStartSec = bucket * BUCKET_SEC;
    let slot = this.#bucketSlots.get(bucketStartSec);
    if (slot === undefined) {
      slot = this.#bucketCount++;
      if (slot === this.#bucketStarts.length) this.#growBuckets();
      this.#bucketStarts[slot] = bucketStartSec;
      this.#bucketSlots.set(bucketStartSec, slot);
    }
    this.#lastBucket = bucket;
    this.#lastStartSec = bucketStartSec;
    this.#lastEndSec = bucketStartSec + BUCKET_SEC;
    this.#lastSlot = slot;
    return slot;
  }

  #growBuckets(): void {
    const starts = new Float64Array(this.#bucketStarts.length * 2);
    starts.set(this.#bucketStarts);
    const buckets = new Float64Array(this.#buckets.length * 2);
    buckets.set(this.#buckets);
    this.#bucketStarts = starts;
    this.#buckets = buckets;
  }

  #resetBuckets(): void {
    this.#buckets.fill(0, 0, this.#bucketCount * FIELDS);
    this.#bucketSlots.clear();
    this.#bucketCount = 0;
    this.#lastStartSec = 0;
    this.#lastEndSec = 0;
  }
}

/**
 * For each bucket of `totals` (up bytes, down bytes, up packets, down packets, over both families), what
 * `rows` of that bucket leave over: the exact remainder row. Buckets with nothing left are skipped.
 */
function remainderOf(
  totals: ReadonlyMap<number, readonly number[]>,
  rows: readonly {
    bucketStartSec: number;
    upBytes: number;
    downBytes: number;
    upPackets: number;
    downPackets: number;
  }[],
): Map<number, Omit<DeviceTraffic, "bucketStartSec" | "deviceKey">> {
  const left = new Map([...totals].map(([start, [upBytes, downBytes, upPackets, downPackets]]) => [
    start,
    { upBytes, downBytes, upPackets, downPackets },
  ]));
  for (const row of rows) {
    const r = left.get(row.bucketStartSec)!;
    r.upBytes -= row.upBytes;
    r.downBytes -= row.downBytes;
    r.upPackets -= row.upPackets;
    r.downPackets -= row.downPackets;
  }
  for (const [start, r] of left) if (r.upPackets + r.downPackets === 0) left.delete(start);
  return left;
}
