/**
 * Plain records that leave capture/: what the pipeline counted, per UTC bucket, and the live state of a
 * capture. They cross the Worker boundary (structuredClone) and reach store/ as `import type`, so they hold
 * only numbers, strings and arrays of those. Also the one signature every frame source calls (FrameCallback).
 */

/** Length of one history bucket: 15 minutes, so local hours and days are exact in every IANA zone. */
export const BUCKET_SEC = 900;

/** IP family of a counted packet. */
export type IpFamily = 4 | 6;

/** Public bytes and packets of one UTC bucket and one IP family. */
export interface BucketTraffic {
  /** UTC seconds, a multiple of BUCKET_SEC. */
  readonly bucketStartSec: number;
  readonly family: IpFamily;
  readonly upBytes: number;
  readonly downBytes: number;
  readonly upPackets: number;
  readonly downPackets: number;
}

/**
 * Public bytes and packets exchanged with one remote address in one UTC bucket. `remoteIp` is the canonical
 * text form (RFC 5952 for IPv6), or OTHER_REMOTE_IP for the exact remainder of addresses that did not fit
 * in the bounded table.
 */
export interface RemoteTraffic {
  readonly bucketStartSec: number;
  readonly remoteIp: string;
  readonly upBytes: number;
  readonly downBytes: number;
  readonly upPackets: number;
  readonly downPackets: number;
}

/** Key of the row that holds the traffic of remote addresses evicted from a bounded table. */
export const OTHER_REMOTE_IP = "other";

/**
 * Public bytes and packets of one local device in one UTC bucket. `deviceKey` is the device's MAC address
 * ("02:00:5e:10:00:01", lower case) on Ethernet links, its local IP address (canonical text) on links
 * without MAC addresses, or OTHER_DEVICE_KEY for the exact remainder: broadcast, multicast and all-zero
 * MACs, and devices that did not fit in the bounded table (capture/device_table.ts).
 */
export interface DeviceTraffic {
  readonly bucketStartSec: number;
  readonly deviceKey: string;
  readonly upBytes: number;
  readonly downBytes: number;
  readonly upPackets: number;
  readonly downPackets: number;
}

/**
 * Public bytes and packets one local device exchanged with one remote address in one UTC bucket (issue 14
 * item 3). `remoteIp` is OTHER_REMOTE_IP for the device's exact remainder: per (bucket, device), the rows add
 * up to its DeviceTraffic row.
 */
export interface DeviceRemoteTraffic {
  readonly bucketStartSec: number;
  readonly deviceKey: string;
  readonly remoteIp: string;
  readonly upBytes: number;
  readonly downBytes: number;
  readonly upPackets: number;
  readonly downPackets: number;
}

/** One local IP address seen behind a device, with the UTC seconds it was first and last seen. */
export interface DeviceAddress {
  readonly deviceKey: string;
  readonly ip: string;
  readonly firstSeenSec: number;
  readonly lastSeenSec: number;
}

/** Key of the device row that holds the traffic no device can be named for (see DeviceTraffic). */
export const OTHER_DEVICE_KEY = "other";

/**
 * The name a device gave itself in a DHCP request (host name or client FQDN, cleaned), keyed by its MAC
 * (capture/dhcp_names.ts); stored with the source "dhcp", below a name a user gave.
 */
export interface DhcpName {
  readonly deviceKey: string;
  readonly name: string;
}

/**
 * Public bytes and packets of one local device with one service in one UTC bucket (issue 15). `service` is
 * the registrable domain of `host`, the full host name the remote address was named by (DNS answer, TLS or
 * QUIC SNI, HTTP Host). UNKNOWN_SERVICE rows hold the device's bytes no name was seen for; OTHER_SERVICE rows
 * the exact remainder (bounded tables): per (bucket, device), the rows add up to its DeviceTraffic row.
 */
export interface ServiceTraffic {
  readonly bucketStartSec: number;
  readonly deviceKey: string;
  readonly service: string;
  readonly host: string;
  readonly upBytes: number;
  readonly downBytes: number;
  readonly upPackets: number;
  readonly downPackets: number;
}

/** Service and host of the bytes no name was seen for; no host name can be it (not LDH). */
export const UNKNOWN_SERVICE = "(unknown)";
/** Service and host of the exact remainder of the bounded service tables; no host name can be it. */
export const OTHER_SERVICE = "(other)";

/** The host name last seen naming a remote address, and when (UTC seconds), for /api/top_ips. */
export interface RemoteHostName {
  readonly remoteIp: string;
  readonly host: string;
  /** The host's registrable domain. */
  readonly service: string;
  readonly lastSeenSec: number;
}

/** Packet health of one UTC bucket: what was not counted as traffic, and why. */
export interface BucketHealth {
  readonly bucketStartSec: number;
  /** Frames whose headers were truncated or garbled: skipped, never counted as traffic. */
  readonly malformedPackets: number;
  /** Packets the kernel dropped before netledger could read them (PACKET_STATISTICS tp_drops). */
  readonly droppedPackets: number;
}

/**
 * Everything counted since the previous drain. Sums are exact: the per-remote rows of a bucket add up to the
 * bucket's totals over both families, and so do its per-device rows (OTHER_DEVICE_KEY included).
 * `devices` and `deviceAddresses` are absent from batches of a source that knows no devices: the store then
 * counts the whole traffic of the batch as OTHER_DEVICE_KEY.
 */
export interface TrafficBatch {
  readonly traffic: readonly BucketTraffic[];
  readonly remotes: readonly RemoteTraffic[];
  readonly health: readonly BucketHealth[];
  readonly devices?: readonly DeviceTraffic[];
  readonly deviceAddresses?: readonly DeviceAddress[];
  /** Absent from a source that counts no remotes per device: each device's traffic is then its remainder. */
  readonly deviceRemotes?: readonly DeviceRemoteTraffic[];
  /** Names of this batch's devices seen in DHCP requests (at most one per device). */
  readonly dhcpNames?: readonly DhcpName[];
  /** Absent when SERVICE_NAMES=off or from a source that knows no services: all its bytes are unknown. */
  readonly services?: readonly ServiceTraffic[];
  readonly remoteHosts?: readonly RemoteHostName[];
}

/**
 * Where a live capture stands: "capturing" (ring open), "interface_down" (socket kept, the kernel resumes it
 * when the link comes up), "waiting_for_interface" (no such interface yet, or it was deleted: re-opened when
 * it appears), "no_permission" (no CAP_NET_RAW: history keeps being served), "failed" (another error, retried),
 * "stopped".
 */
export type CaptureState =
  | "starting"
  | "capturing"
  | "interface_down"
  | "waiting_for_interface"
  | "no_permission"
  | "failed"
  | "stopped";

/** The live capture's state and cumulative counters since netledger started (for /api/health, /api/debug). */
export interface CaptureStatus {
  readonly state: CaptureState;
  readonly iface: string;
  /** LinkType code handed to the parser (1 Ethernet, 101 raw IP), or null before the first open. */
  readonly linkType: number | null;
  readonly socketType: "raw" | "dgram" | null;
  /** What is wrong and how to fix it, or null while capturing normally. */
  readonly message: string | null;
  /** Packets that reached the capture socket, including dropped ones (PACKET_STATISTICS tp_packets). */
  readonly kernelPackets: number;
  /** Packets the kernel dropped because the ring was full (tp_drops). */
  readonly kernelDrops: number;
  /** Times the ring froze with every block waiting for netledger (tp_freeze_q_cnt). */
  readonly kernelQueueFreezes: number;
  readonly malformedPackets: number;
  /** Packets counted as public upload or download. */
  readonly countedPackets: number;
  /** UTC seconds of the last batch handed over, or null. */
  readonly lastBatchSec: number | null;
  /** Times the ring was opened (1 + re-opens after the interface came back). */
  readonly opens: number;
}

/**
 * Called once per frame, by the ring and by the capture-file reader alike: `capturedLen` bytes at `offset` in `view` (valid only during the call), the
 * frame's length on the wire, its link type (LinkType) and its capture time in whole UTC seconds.
 */
export type FrameCallback = (
  view: DataView,
  offset: number,
  capturedLen: number,
  originalLen: number,
  linkType: number,
  timestampSec: number,
) => void;
