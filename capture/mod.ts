/**
 * capture/: frames in, counted public traffic out. Parses link and IP headers, classifies each packet as
 * upload, download or ignored, counts IP-layer bytes per UTC bucket and per remote address, reads pcap and
 * pcapng files, and (live-capture) reads the AF_PACKET ring.
 *
 * Import rule: capture/ imports only ffi/. Other folders import capture/ through this file; store/ may only
 * `import type` from it.
 */
export { BUCKET_SEC, OTHER_REMOTE_IP } from "./types.ts";
export type { BucketHealth, BucketTraffic, IpFamily, RemoteTraffic, TrafficBatch } from "./types.ts";
export { isSupportedLinkType, LinkType, linkTypeName } from "./link_type.ts";
export { MAX_LINK_TRAILER_BYTES, ParsedFrame, parseFrame, ParseOutcome } from "./parse_frame.ts";
export {
  classifyPacket,
  compileLocalMatcher,
  Direction,
  isNeverPublicV4,
  isNeverPublicV6,
} from "./classify.ts";
export type { LocalMatcher } from "./classify.ts";
export { formatIp, formatPrefix, parseIp, parsePrefix, prefixContains } from "./ip_prefix.ts";
export type { IpAddress, IpPrefix } from "./ip_prefix.ts";
export { AUTO_LAN_PREFIX_LENGTH, autoLanPrefixes, resolveLocalAddresses } from "./local_addresses.ts";
export type { LanFilterMode, LocalAddresses } from "./local_addresses.ts";
export { DEFAULT_MAX_REMOTES } from "./remote_table.ts";
export { TrafficPipeline } from "./traffic_pipeline.ts";
export type { PipelineStats, TrafficPipelineOptions } from "./traffic_pipeline.ts";
export { RATE_WINDOW_SEC, RateWindow } from "./rate_window.ts";
export type { RateSample } from "./rate_window.ts";
export { readCaptureFile } from "./pcap_reader.ts";
export type { CaptureFileSummary, FrameCallback, ReadCaptureOptions } from "./pcap_reader.ts";
export { LiveCapture } from "./live_capture.ts";
export { RATE_LAG_SEC } from "./worker_messages.ts";
export type { LiveCaptureOptions } from "./live_capture.ts";
export type { CaptureState, CaptureStatus } from "./types.ts";
export { defaultRouteInterface } from "./interface_watch.ts";
export { disableOffloads } from "./offloads.ts";
