/**
 * Names the remote end of counted packets and counts them per (bucket, device, host name) (issue 15 items 1
 * and 3). TrafficPipeline calls it for each counted packet after its device was counted:
 *
 * - sniffIpv4/sniffIpv6 read the names a packet may carry (sniff/): a DNS answer (UDP or TCP from port 53)
 *   names its addresses for the device that received it; a TLS ClientHello's SNI, an HTTP/1.x Host or a
 *   QUIC Initial's SNI names the remote address the device sent it to. The QUIC Initial is decrypted
 *   asynchronously (WebCrypto): its name names the later packets of the flow, once the decryption has
 *   finished.
 * - rowOf looks the packet's (device, remote address) up in the NameCache and finds the ServiceTable row of
 *   its name; credit adds packets to it. Unnamed packets are not added: the unknown bytes of a (bucket,
 *   device) are its device row minus its named rows, taken at drain (nameRows).
 *
 * The pipeline calls rowOf once per remote row (bucket, remote, device) and keeps the answer in the remote
 * table with the NameCache stamp of its (device, remote address), again only when the stamp changed; the
 * remote table credits the row's packets to it when it drains or drops the row (remote_table.ts). So a
 * packet costs a stamp read, with no probe and no add (tests/bench/parse_bench.ts, names on vs off). Only
 * packets that pass mayCarryName in the counting path reach sniffIpv4/6, so most cost a few reads.
 * DNS answers between two local addresses (a resolver on the LAN) are read too (sniffLocal): they never count
 * as traffic, but they name what the device does next. Nothing of a packet is trusted: the parsers return
 * null on anything odd and the packet stays counted, unnamed.
 */
import {
  ANSWER_WORDS_PER_ADDRESS,
  answerName,
  answerWords,
  cleanHostName,
  isQuicInitial,
  readClientHelloSni,
  readDnsAnswerWords,
  readHttpHost,
  readQuicInitialSni,
  serviceOf,
} from "../sniff/mod.ts";
import { isMappedV4 } from "./classify.ts";
import { formatIpv4, formatIpv6 } from "./ip_prefix.ts";
import { DEFAULT_MAX_NAME_ENTRIES, FLOW_IDLE_SEC, NameCache } from "./name_cache.ts";
import { DeviceKind } from "./device_kind.ts";
import { DEFAULT_MAX_SERVICE_ROWS, type ServiceRow, ServiceTable } from "./service_table.ts";
import type { ServiceCredit } from "./remote_table.ts";
import {
  BUCKET_SEC,
  type DeviceTraffic,
  OTHER_DEVICE_KEY,
  OTHER_SERVICE,
  type RemoteHostName,
  type ServiceTraffic,
  UNKNOWN_SERVICE,
} from "./types.ts";

/** How TrafficPipeline's device table took the packet. */
export const DeviceCount = {
  /** Devices are not counted: every byte belongs to OTHER_DEVICE_KEY. */
  OFF: 0,
  /** Counted under its device (or in OTHER_DEVICE_KEY for a group or zero MAC). */
  COUNTED: 1,
  /** Not counted under its device (the device table was full): left to OTHER_SERVICE. */
  OVERFLOW: 2,
} as const;

/** rowOf() of a packet with no name: its bytes are its (bucket, device)'s remainder at drain. */
export const UNNAMED_ROW = -2;
/** rowOf() of a packet counted in the device `other` because the device table was full. */
export const DEVICE_OVERFLOW_ROW = -3;

/** QUIC Initials being decrypted at once; more wait for the next Initial of their flow (it is resent). */
export const MAX_QUIC_IN_FLIGHT = 64;
/**
 * QUIC Initials decrypted per second of packet time, after a burst of MAX_QUIC_IN_FLIGHT. A new connection's
 * keys take about ten WebCrypto calls, 0.1–0.3 ms of the counting thread's CPU (docs/performance.md), so
 * without a budget a flood of Initials would starve the counting; a home opens far fewer QUIC connections a
 * second. Initials past it leave their flows unnamed, counted.
 */
export const MAX_QUIC_DECRYPTS_PER_SEC = 100;

const PROTO_TCP = 6;
const PROTO_UDP = 17;
const DNS_PORT = 53;
/** The content type of a TLS handshake record, which a ClientHello opens (RFC 8446 §5.1). */
const TLS_HANDSHAKE = 0x16;
/** A TCP header, or a UDP header with a DNS header. */
const MIN_NAME_SEGMENT_BYTES = 20;
/** The first four bytes of an HTTP/1.x request that carries a Host worth reading, big-endian. */
const methodWord = (m: string) =>
  (m.charCodeAt(0) << 24 | m.charCodeAt(1) << 16 | m.charCodeAt(2) << 8 | m.charCodeAt(3)) | 0;
const HTTP_METHOD_WORDS = ["GET ", "POST", "HEAD", "PUT ", "DELE", "OPTI", "PATC", "CONN"].map(methodWord);

/**
 * Whether `word` starts an HTTP/1.x request: a scan of eight integers, where a Set lookup hashed every TCP
 * payload a device sends (TLS records included).
 */
function isHttpMethod(word: number): boolean {
  for (let i = 0; i < HTTP_METHOD_WORDS.length; i++) if (HTTP_METHOD_WORDS[i] === word) return true;
  return false;
}

/**
 * Whether a packet may carry a name: the quick test before sniffIpv4/6's exact ones, from its IP protocol
 * (IPv6: the first next header; names travel in plain TCP and UDP), its transport header at `l4` (as
 * parseFrame found them), the captured bytes up to `frameEnd`, and the first payload byte (`isUpload` when a
 * device sent it): DNS from port 53 to a device; from a device, a UDP long header (QUIC) or a TCP payload
 * that starts like a TLS handshake record or an HTTP/1.x method (C, D, G, H, O, P). Nearly every packet fails
 * it after two or three reads. Small, so that V8 inlines it into the per-packet path, where the call to the
 * sniffer cost more than the tests (tests/bench/parse_bench.ts, names on vs off). It bounds by the captured
 * frame and skips the fragment and header-length checks, which sniffIpv4/6 make again by the IP packet's own
 * bounds: it may pass a packet they then refuse, never refuse one they would read.
 */
export function mayCarryName(
  view: DataView,
  protocol: number,
  l4: number,
  frameEnd: number,
  isUpload: boolean,
): boolean {
  // No UDP DNS message, QUIC packet or TCP payload fits in fewer bytes.
  if (l4 + MIN_NAME_SEGMENT_BYTES >= frameEnd) return false;
  if (!isUpload) return view.getUint16(l4) === DNS_PORT;
  if (protocol === PROTO_UDP) return (view.getUint8(l4 + 8) & 0xc0) === 0xc0;
  if (protocol !== PROTO_TCP) return false;
  const start = l4 + (view.getUint8(l4 + 12) >> 4) * 4;
  if (start >= frameEnd) return false;
  const first = view.getUint8(start);
  return first === TLS_HANDSHAKE || (first >= 0x43 && first <= 0x50);
}

/** Options of a ServiceCounter. */
export interface ServiceCounterOptions {
  readonly maxRows?: number;
  readonly maxNames?: number;
}

/** What drain() hands to the batch. */
export interface ServiceDrain {
  readonly services: ServiceTraffic[];
  readonly remoteHosts: RemoteHostName[];
}

/** See the file comment; one per pipeline, not shared between threads. */
export class ServiceCounter implements ServiceCredit {
  readonly #cache: NameCache;
  readonly #table: ServiceTable;
  /** Buckets in which a row was counted in the device `other` because the device table was full. */
  #deviceOverflowBuckets = new Set<number>();
  /** The device of the current packet (see setDevice). */
  #dk = 0;
  #d0 = 0;
  #d1 = 0;
  #d2 = 0;
  #d3 = 0;
  #quicInFlight = 0;
  /** Decryptions the budget allows now (MAX_QUIC_DECRYPTS_PER_SEC), as of packet time #quicBudgetSec. */
  #quicBudget = MAX_QUIC_IN_FLIGHT;
  #quicBudgetSec = 0;
  #drainedSec = 0;
  /** Names taken from packets since start, in a typed array for the reason of TrafficPipeline's totals. */
  readonly #namesLearnt = new Float64Array(1);
  /** The bytes under the last DataView given (#bytesOf). */
  #viewBytes: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
  #viewOfBytes: DataView | null = null;
  /** Registrable domains of recent host names: the PSL lookup costs microseconds, and names repeat. */
  readonly #services = new Map<string, string>();

  constructor(options: ServiceCounterOptions = {}) {
    this.#cache = new NameCache(options.maxNames ?? DEFAULT_MAX_NAME_ENTRIES);
    this.#table = new ServiceTable(options.maxRows ?? DEFAULT_MAX_SERVICE_ROWS);
  }

  /** QUIC Initials whose decryption has not finished: a synchronous caller must let the event loop run. */
  get quicInFlight(): number {
    return this.#quicInFlight;
  }

  /** Names taken from packets since start (cumulative). */
  get namesLearnt(): number {
    return this.#namesLearnt[0];
  }

  /**
   * Sets the device of the next packet, as TrafficPipeline read it (device_kind.ts: a MAC, a local address,
   * or none). A call, not five more arguments to each of the calls below.
   */
  setDevice(kind: number, d0: number, d1: number, d2: number, d3: number): void {
    this.#dk = kind;
    this.#d0 = d0;
    this.#d1 = d1;
    this.#d2 = d2;
    this.#d3 = d3;
  }

  /**
   * Reads the names an IPv4 packet of the device set last may carry (IP header at `ipOffset`, captured bytes
   * up to `frameEnd`): `remote` is its remote address word. Call it before rowOf(), which may then find the
   * packet's own name, and only for a packet that passed mayCarryName.
   */
  sniffIpv4(
    view: DataView,
    ipOffset: number,
    frameEnd: number,
    isUpload: boolean,
    remote: number,
    ts: number,
  ): void {
    const word = view.getUint32(ipOffset);
    // Only a first fragment (offset 0) holds the transport header.
    if ((view.getUint16(ipOffset + 6) & 0x1fff) !== 0) return;
    const totalLen = word & 0xffff;
    const ipEnd = totalLen === 0 ? frameEnd : Math.min(frameEnd, ipOffset + totalLen);
    const l4 = ipOffset + ((word >>> 24) & 15) * 4;
    this.#sniffTransport(view, view.getUint8(ipOffset + 9), l4, ipEnd, isUpload, 4, remote, 0, 0, 0, ts);
  }

  /** sniffIpv4 for IPv6: `rf` 4 for an IPv4-mapped remote address (in r0), else 6. */
  sniffIpv6(
    view: DataView,
    ipOffset: number,
    frameEnd: number,
    isUpload: boolean,
    rf: number,
    r0: number,
    r1: number,
    r2: number,
    r3: number,
    ts: number,
  ): void {
    // Extension headers are not walked: names travel in plain TCP and UDP.
    const payloadLen = view.getUint16(ipOffset + 4);
    const ipEnd = payloadLen === 0 ? frameEnd : Math.min(frameEnd, ipOffset + 40 + payloadLen);
    this.#sniffTransport(
      view,
      view.getUint8(ipOffset + 6),
      ipOffset + 40,
      ipEnd,
      isUpload,
      rf,
      r0,
      r1,
      r2,
      r3,
      ts,
    );
  }

  /**
   * The NameCache stamp slot of rowOf()'s lookup for the device set last and the remote address (family
   * `rf`, words r0..r3): see rowOf().
   */
  nameStampSlot(rf: number, r0: number, r1: number, r2: number, r3: number): number {
    return this.#cache.stampSlotOf(this.#dk, this.#d0, this.#d1, this.#d2, this.#d3, rf, r0, r1, r2, r3);
  }

  /** The NameCache stamp of slot `stampSlot`: see rowOf(). */
  nameStamp(stampSlot: number): number {
    return this.#cache.stampAt(stampSlot);
  }

  /**
   * The row for the packets between the device set last and the remote address (family `rf`, words
   * r0..r3) in bucket number `bucket`, at `timestampSec`, as `deviceCount` (DeviceCount) says the device
   * table took them: a ServiceTable row, -1 when that table is full, UNNAMED_ROW or DEVICE_OVERFLOW_ROW.
   * The answer holds for the rest of the bucket while nameStamp(nameStampSlot(the address)) is the one read
   * before this call: the caller keeps it, and credits the packets to it (credit()).
   */
  rowOf(
    rf: number,
    r0: number,
    r1: number,
    r2: number,
    r3: number,
    bucket: number,
    timestampSec: number,
    deviceCount: number,
  ): number {
    const dk = this.#dk;
    const hostId = this.#cache.lookup(
      dk,
      this.#d0,
      this.#d1,
      this.#d2,
      this.#d3,
      rf,
      r0,
      r1,
      r2,
      r3,
      timestampSec,
      (bucket + 1) * BUCKET_SEC,
    );
    // Counted in the device `other` (the device table was full): its remainder there is `other` too.
    if (deviceCount === DeviceCount.OVERFLOW && dk !== DeviceKind.NONE) {
      this.#deviceOverflowBuckets.add(bucket * BUCKET_SEC);
      return DEVICE_OVERFLOW_ROW;
    }
    if (hostId === 0) return UNNAMED_ROW;
    if (deviceCount === DeviceCount.OFF || dk === DeviceKind.NONE) {
      return this.#table.rowOf(bucket, DeviceKind.NONE, 0, 0, 0, 0, hostId);
    }
    return this.#table.rowOf(bucket, dk, this.#d0, this.#d1, this.#d2, this.#d3, hostId);
  }

  /**
   * Adds packets to `row` (from rowOf(); rows below -1 hold no named packets), for the remote table (see
   * ServiceCredit). Counts may be negative (remote_table.ts rebindServiceRow).
   */
  credit(row: number, upBytes: number, downBytes: number, upPackets: number, downPackets: number): void {
    if (row >= -1) this.#table.add(row, upBytes, downBytes, upPackets, downPackets);
  }

  /**
   * A host name learnt apart from the packet being counted (the Clash core's `metadata.host` of a connection
   * it opened, name_queue.ts; a QUIC Initial's SNI once decrypted): names the later packets between the
   * device (kind `dk`, words d0..d3; DeviceKind.NONE: the box-wide entry only) and the remote address
   * (family `rf`, words r0..r3) for the life of their flows, as a ClientHello's SNI does. An invalid name is
   * ignored.
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
    raw: string,
    nowSec: number,
  ): void {
    const host = cleanHostName(raw);
    if (host === null) return;
    this.#namesLearnt[0]++;
    this.#cache.learn(dk, d0, d1, d2, d3, rf, r0, r1, r2, r3, host, nowSec, FLOW_IDLE_SEC);
  }

  /**
   * A packet between two local addresses (not traffic), to the device set last: only a DNS answer from
   * port 53 is read, as from a resolver on the LAN.
   */
  sniffLocalIpv4(view: DataView, ipOffset: number, frameEnd: number, ts: number): void {
    this.sniffIpv4(view, ipOffset, frameEnd, false, 0, ts);
  }

  /** sniffLocalIpv4 for IPv6. */
  sniffLocalIpv6(view: DataView, ipOffset: number, frameEnd: number, ts: number): void {
    this.sniffIpv6(view, ipOffset, frameEnd, false, 6, 0, 0, 0, 0, ts);
  }

  /**
   * The rows since the last drain, named, with the exact OTHER_SERVICE remainder of each of `devices` (the
   * batch's device rows, OTHER_DEVICE_KEY included): per (bucket, device) the rows add up to the device's.
   * Also the host names that named packets since the last drain, per remote address. Then forgets the names
   * expired at `newestSec`, the time of the newest packet counted so far. The remote table must have
   * credited its rows first (RemoteTable.drain).
   */
  drain(devices: readonly DeviceTraffic[], newestSec: number): ServiceDrain {
    const { rows, fullBucketStarts } = this.#table.drain();
    if (this.#services.size > MAX_SERVICE_MEMO) this.#services.clear();
    const otherBuckets = { full: fullBucketStarts, deviceOverflow: this.#deviceOverflowBuckets };
    const services = nameRows(rows, devices, otherBuckets, (id) => this.#cache.hostName(id), this.#services);
    this.#deviceOverflowBuckets = new Set();
    const latest = new Map<string, RemoteHostName>();
    this.#cache.forEachUsed(this.#drainedSec, (rf, r0, r1, r2, r3, host, lastSeenSec) => {
      const remoteIp = rf === 4 ? formatIpv4(r0) : formatIpv6(r0, r1, r2, r3);
      const seen = latest.get(remoteIp);
      if (seen === undefined || seen.lastSeenSec < lastSeenSec) {
        latest.set(remoteIp, {
          remoteIp,
          host,
          service: serviceOfHost(host, this.#services),
          lastSeenSec: Math.floor(lastSeenSec),
        });
      }
    });
    this.#drainedSec = newestSec;
    this.#cache.sweep(newestSec);
    return { services, remoteHosts: [...latest.values()] };
  }

  /**
   * Hands the payload to the one parser its ports and first bytes call for; most packets stop at a test.
   * Kept to those tests, with the parsing in the methods it calls, so that V8 inlines it into the per-packet
   * path (tests/bench/parse_bench.ts, names on vs off).
   */
  #sniffTransport(
    view: DataView,
    protocol: number,
    l4: number,
    end: number,
    isUpload: boolean,
    rf: number,
    r0: number,
    r1: number,
    r2: number,
    r3: number,
    ts: number,
  ): void {
    if (protocol === PROTO_UDP) {
      if (l4 + 8 >= end) return;
      if (!isUpload) {
        if (view.getUint16(l4) === DNS_PORT) this.#learnDns(view, l4 + 8, end, false, ts);
      } else if ((view.getUint8(l4 + 8) & 0xc0) === 0xc0) {
        // A long header (first two bits set) is the cheap test before the parser's own.
        this.#sniffQuic(view, l4 + 8, end, rf, r0, r1, r2, r3, ts);
      }
      return;
    }
    if (protocol !== PROTO_TCP || l4 + 20 > end) return;
    const start = l4 + (view.getUint8(l4 + 12) >> 4) * 4;
    if (start < l4 + 20 || start >= end) return;
    if (!isUpload) {
      if (view.getUint16(l4) === DNS_PORT) this.#learnDns(view, start, end, true, ts);
    } else this.#sniffTcpUpload(view, start, end, rf, r0, r1, r2, r3, ts);
  }

  /** The first payload bytes of a TCP segment a device sent: a TLS ClientHello, or an HTTP/1.x request. */
  #sniffTcpUpload(
    view: DataView,
    start: number,
    end: number,
    rf: number,
    r0: number,
    r1: number,
    r2: number,
    r3: number,
    ts: number,
  ): void {
    if (view.getUint8(start) === TLS_HANDSHAKE) {
      this.#learnFlow(readClientHelloSni(this.#bytesOf(view), start, end), rf, r0, r1, r2, r3, ts);
    } else if (start + 4 <= end && isHttpMethod(view.getInt32(start))) {
      this.#learnFlow(readHttpHost(payloadOf(view, start, end)), rf, r0, r1, r2, r3, ts);
    }
  }

  /** A UDP payload from a device that starts like a QUIC long header. */
  #sniffQuic(
    view: DataView,
    start: number,
    end: number,
    rf: number,
    r0: number,
    r1: number,
    r2: number,
    r3: number,
    ts: number,
  ): void {
    if (this.#quicInFlight >= MAX_QUIC_IN_FLIGHT) return;
    const payload = payloadOf(view, start, end);
    if (isQuicInitial(payload) && this.#takeQuicBudget(ts)) {
      this.#decryptQuic(payload.slice(), rf, r0, r1, r2, r3, ts);
    }
  }

  /**
   * The bytes of `view` as a Uint8Array, at the same offsets, made once per DataView: the capture ring and
   * the pcap reader count from one view, and a view per packet costs more than a parse
   * (tests/bench/parse_bench.ts, names on). HTTP and QUIC, rarer, still take a view of their payload.
   */
  #bytesOf(view: DataView): Uint8Array<ArrayBufferLike> {
    if (view !== this.#viewOfBytes) {
      this.#viewBytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
      this.#viewOfBytes = view;
    }
    return this.#viewBytes;
  }

  /** Whether the decryption budget allows one more at packet time `ts` (a token bucket over packet time). */
  #takeQuicBudget(ts: number): boolean {
    if (ts > this.#quicBudgetSec) {
      const refill = (ts - this.#quicBudgetSec) * MAX_QUIC_DECRYPTS_PER_SEC;
      this.#quicBudget = Math.min(MAX_QUIC_IN_FLIGHT, this.#quicBudget + refill);
      this.#quicBudgetSec = ts;
    }
    if (this.#quicBudget < 1) return false;
    this.#quicBudget--;
    return true;
  }

  /** The DNS message in `view` from `start` to `end`, a TCP one with its length prefix. */
  #learnDns(view: DataView, start: number, end: number, tcp: boolean, ts: number): void {
    const count = readDnsAnswerWords(this.#bytesOf(view), start, end, tcp);
    const w = answerWords;
    for (let i = 0; i < count * ANSWER_WORDS_PER_ADDRESS; i += ANSWER_WORDS_PER_ADDRESS) {
      // An IPv4-mapped answer names the IPv4 host, as the remote table keys it.
      if (w[i] === 4) this.#learn(4, w[i + 1], 0, 0, 0, answerName, ts, w[i + 5]);
      else if (isMappedV4(w[i + 1], w[i + 2], w[i + 3])) {
        this.#learn(4, w[i + 4], 0, 0, 0, answerName, ts, w[i + 5]);
      } else this.#learn(6, w[i + 1], w[i + 2], w[i + 3], w[i + 4], answerName, ts, w[i + 5]);
    }
  }

  /** `host` from a sniff/ parser, which returns only clean names (cleanHostName), or null. */
  #learnFlow(
    host: string | null,
    rf: number,
    r0: number,
    r1: number,
    r2: number,
    r3: number,
    ts: number,
  ): void {
    if (host !== null) this.#learn(rf, r0, r1, r2, r3, host, ts, FLOW_IDLE_SEC);
  }

  #learn(
    rf: number,
    r0: number,
    r1: number,
    r2: number,
    r3: number,
    host: string,
    ts: number,
    ttl: number,
  ): void {
    this.#namesLearnt[0]++;
    this.#cache.learn(this.#dk, this.#d0, this.#d1, this.#d2, this.#d3, rf, r0, r1, r2, r3, host, ts, ttl);
  }

  /** Decrypts off the counting path; the name it finds names the flow's later packets. */
  #decryptQuic(
    payload: Uint8Array,
    rf: number,
    r0: number,
    r1: number,
    r2: number,
    r3: number,
    ts: number,
  ): void {
    const dk = this.#dk, d0 = this.#d0, d1 = this.#d1, d2 = this.#d2, d3 = this.#d3;
    this.#quicInFlight++;
    readQuicInitialSni(payload).then((host) => {
      // Decrypted after the packet: its device is the one captured above, as for a name from outside.
      if (host !== null) this.learnHost(dk, d0, d1, d2, d3, rf, r0, r1, r2, r3, host, ts);
    }, () => {
      // readQuicInitialSni returns null on bad input; a rejection is a WebCrypto failure: the flow stays unnamed.
    }).finally(() => this.#quicInFlight--);
  }
}

/** Host names whose registrable domain is remembered between drains. */
const MAX_SERVICE_MEMO = 65_536;

function serviceOfHost(host: string, memo: Map<string, string>): string {
  let service = memo.get(host);
  if (service === undefined) {
    service = serviceOf(host);
    memo.set(host, service);
  }
  return service;
}

function payloadOf(view: DataView, start: number, end: number): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset + start, end - start);
}

/**
 * Names the drained rows (registrable domain and host) and adds, per device row, its exact remainder: the
 * unknown bytes (UNKNOWN_SERVICE), or OTHER_SERVICE where named packets may be in it too: in a bucket where
 * the service table was full, and in the device `other` of a bucket where the device table was full. A
 * (bucket, device) whose rows would exceed its device row (impossible while the pipeline counts both from
 * the same packets) is reported as one OTHER_SERVICE row, so the sums stay exact anyway.
 */
function nameRows(
  rows: readonly ServiceRow[],
  devices: readonly DeviceTraffic[],
  otherBuckets: { readonly full: ReadonlySet<number>; readonly deviceOverflow: ReadonlySet<number> },
  hostName: (id: number) => string | null,
  services: Map<string, string>,
): ServiceTraffic[] {
  const byDevice = new Map<string, ServiceRow[]>();
  for (const r of rows) {
    const key = `${r.bucketStartSec} ${r.deviceKey}`;
    const list = byDevice.get(key);
    if (list) list.push(r);
    else byDevice.set(key, [r]);
  }
  const out: ServiceTraffic[] = [];
  for (const d of devices) {
    const list = byDevice.get(`${d.bucketStartSec} ${d.deviceKey}`) ?? [];
    let upBytes = d.upBytes, downBytes = d.downBytes, upPackets = d.upPackets, downPackets = d.downPackets;
    for (const r of list) {
      upBytes -= r.upBytes;
      downBytes -= r.downBytes;
      upPackets -= r.upPackets;
      downPackets -= r.downPackets;
    }
    const { bucketStartSec, deviceKey } = d;
    if (upBytes < 0 || downBytes < 0 || upPackets < 0 || downPackets < 0) {
      out.push({ ...d, service: OTHER_SERVICE, host: OTHER_SERVICE });
      continue;
    }
    for (const r of list) {
      const host = r.hostId === 0 ? null : hostName(r.hostId);
      const service = host === null ? UNKNOWN_SERVICE : serviceOfHost(host, services);
      out.push({
        bucketStartSec,
        deviceKey,
        service,
        host: host ?? UNKNOWN_SERVICE,
        upBytes: r.upBytes,
        downBytes: r.downBytes,
        upPackets: r.upPackets,
        downPackets: r.downPackets,
      });
    }
    if (upPackets + downPackets > 0) {
      const isOther = otherBuckets.full.has(bucketStartSec) ||
        (deviceKey === OTHER_DEVICE_KEY && otherBuckets.deviceOverflow.has(bucketStartSec));
      const remainder = isOther ? OTHER_SERVICE : UNKNOWN_SERVICE;
      out.push({
        bucketStartSec,
        deviceKey,
        service: remainder,
        host: remainder,
        upBytes,
        downBytes,
        upPackets,
        downPackets,
      });
    }
  }
  return out;
}
