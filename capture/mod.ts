/**
 * capture/: frames in, counted public traffic out. Parses link and IP headers, classifies each packet as
 * upload, download or ignored, counts IP-layer bytes per UTC bucket, per remote address and per local device,
 * reads pcap and pcapng files, and (live-capture) reads the AF_PACKET ring.
 *
 * Import rule: capture/ imports only ffi/, sniff/ and names/'s cleanName. Other folders import capture/
 * through this file; store/ may only `import type` from it. It exports only what files outside capture/ import
 * (tests included); capture's own tests import its modules directly.
 */
export { BUCKET_SEC, OTHER_DEVICE_KEY, OTHER_REMOTE_IP, OTHER_SERVICE, UNKNOWN_SERVICE } from "./types.ts";
export type {
  BucketHealth,
  BucketTraffic,
  CaptureStatus,
  DeviceAddress,
  DeviceRemoteTraffic,
  DeviceTraffic,
  FrameCallback,
  IpFamily,
  RemoteHostName,
  RemoteTraffic,
  ServiceTraffic,
  TrafficBatch,
} from "./types.ts";
export { LinkType } from "./link_type.ts";
export { ParsedFrame, parseFrame, ParseOutcome } from "./parse_frame.ts";
export { parseIp, parsePrefix } from "./ip_prefix.ts";
export { resolveLocalAddresses } from "./local_addresses.ts";
export type { LocalAddresses } from "./local_addresses.ts";
export { DEFAULT_MAX_REMOTES } from "./remote_table.ts";
export { DEFAULT_MAX_DEVICES } from "./device_table.ts";
export { TrafficPipeline } from "./traffic_pipeline.ts";
export { deviceOfKey } from "./device_kind.ts";
export { RATE_WINDOW_SEC, RateWindow } from "./rate_window.ts";
export type { RateSample } from "./rate_window.ts";
export { readCaptureFile } from "./pcap_reader.ts";
export { LiveCapture } from "./live_capture.ts";
export { readNeighbours } from "./neighbours.ts";
export { RATE_LAG_SEC } from "./worker_messages.ts";
