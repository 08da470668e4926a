/**
 * TPACKET_V3 receive ring of one AF_PACKET socket (packet(7), Documentation/networking/packet_mmap.rst).
 *
 * The kernel writes frames into blocks of a shared mapping; a block is ours once its status has
 * TP_STATUS_USER, and goes back to the kernel when we write TP_STATUS_KERNEL. Frames are read in place through
 * one DataView over the whole mapping (no copy, no allocation per packet), and no syscall is made per packet:
 * one poll per idle period, one status write per block.
 *
 * A classic BPF program (capture/snap_filter.ts) caps every copied frame at snapBytes (128 by default:
 * Ethernet 14 + QinQ 8 + PPPoE 8 + IPv6 40 = 70, with room to spare), except the few packet classes read past
 * their headers (DHCP requests, for device names), which it hands over whole. Only headers are counted; tp_len
 * still carries the original length. For 1,500-byte frames that cuts the bytes copied per packet from ~1,500 to 128 (-91%) and
 * the ring slot from ~1,600 to ~224 bytes, so the same RING_MB absorbs ~7 times more packets during a stall.
 *
 * Deno runs only on little-endian hosts (x86-64, aarch64), so host-order kernel fields are read as
 * little-endian.
 */
import * as libc from "../ffi/mod.ts";
import {
  AF_PACKET,
  ETH_P_ALL,
  PACKET_RX_RING,
  PACKET_STATISTICS,
  PACKET_VERSION,
  POLLFD,
  POLLIN,
  SO_ATTACH_FILTER,
  SO_ERROR,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_FILTER,
  SOCK_FPROG,
  SOCK_RAW,
  SOCKADDR_LL,
  SOL_PACKET,
  SOL_SOCKET,
  TP_STATUS_KERNEL,
  TP_STATUS_USER,
  TPACKET3_HDR,
  TPACKET_BLOCK_DESC,
  TPACKET_REQ3,
  TPACKET_STATS_V3,
  TPACKET_V3,
} from "../ffi/mod.ts";
import type { LinkInfo } from "./link_info.ts";
import { encodeBpfProgram, type FullFrameClass, snapFilter } from "./snap_filter.ts";
import type { FrameCallback } from "./types.ts";

/** Receives every frame of the ring; TrafficPipeline satisfies it. Must not throw and must not keep `view`. */
export interface FrameSink {
  readonly countFrame: FrameCallback;
}

/** What the kernel reported since the previous read (PACKET_STATISTICS resets on every read). */
export interface KernelStats {
  /** Packets that reached the socket, including the dropped ones. */
  readonly packets: number;
  /** Packets dropped because the ring was full. */
  readonly drops: number;
  /** Times the ring froze with every block owned by user space. */
  readonly queueFreezes: number;
}

/** How to open a ring. */
export interface RingOptions {
  readonly link: LinkInfo;
  readonly ifindex: number;
  /** Total ring size; rounded down to whole blocks (see ringBlockBytes), at least 64 KiB × MIN_BLOCKS. */
  readonly ringBytes: number;
  /** Bytes kept per frame by the BPF snap filter. */
  readonly snapBytes?: number;
  /** Packets kept whole by the snap filter; default snap_filter.ts FULL_FRAME_CLASSES. */
  readonly fullFrameClasses?: readonly FullFrameClass[];
  /** Time after which the kernel hands over a partly filled block (tp_retire_blk_tov). */
  readonly retireBlockMs?: number;
  /**
   * Other fds that end wait() early when readable (the stop eventfd, the link events socket); the Ring polls
   * them but neither reads nor closes them.
   */
  readonly watchFds?: readonly number[];
}

/** Fewest blocks in a ring: the kernel fills the others while the reader holds one. */
const MIN_BLOCKS = 8;
/** Largest block: 2^10 pages, the largest the kernel can hand out contiguous (bigger ones come from vmalloc). */
const MAX_BLOCK_BYTES = 4 * 1024 * 1024;

/**
 * Block size for a ring of `ringBytes`: a power of two (a multiple of the page size, as packet_set_ring
 * requires), an eighth of the ring, between 64 KiB and 4 MiB. The reader wakes about once per block, and a
 * wake-up (cold caches) costs as much CPU as reading many packets, so blocks are as large as a ring of
 * MIN_BLOCKS allows: 4 MiB blocks took less CPU per packet than 1 MiB blocks (tests/bench/capture_bench.ts,
 * docs/performance.md).
 */
export function ringBlockBytes(ringBytes: number): number {
  let size = 64 * 1024;
  while (size < MAX_BLOCK_BYTES && size * 2 * MIN_BLOCKS <= ringBytes) size *= 2;
  return size;
}
/**
 * Default tp_retire_blk_tov: the longest a packet waits in a partly filled block. Under steady traffic the
 * kernel hands over a block at least this often, so it also sets the reader's wake-ups per second at home
 * rates, where a wake-up costs as much as reading many packets. 1,000 ms as tcpdump, which took less CPU per
 * packet than 500 ms (tests/bench/capture_bench.ts, docs/performance.md).
 */
export const RETIRE_BLOCK_MS = 1000;
/** Default bytes kept per frame. */
export const SNAP_BYTES = 128;
const FRAME_BYTES = 2048;

/** One AF_PACKET socket with its mapped TPACKET_V3 ring. Owns the fd and the mapping; close() releases both. */
export class Ring {
  readonly ifindex: number;
  readonly link: LinkInfo;
  readonly blockCount: number;
  readonly blockBytes: number;
  #fd: number;
  #mapping: libc.SharedMapping | null = null;
  #view = new DataView(new ArrayBuffer(0));
  #nextBlock = 0;
  #framesRead = 0;
  // Buffers whose address the kernel reads or writes during a call, or that another struct points to
  // (sock_fprog.filter): fields, so they live as long as the socket (docs/development.md "FFI").
  readonly #pollFds: Uint8Array;
  /** Views made once: wait() runs on every wake-up and readStats() on every report. */
  readonly #pollView: DataView;
  readonly #stats = new Uint8Array(TPACKET_STATS_V3.size);
  readonly #statsView = new DataView(this.#stats.buffer);
  readonly #optionLength = new Uint32Array(1);
  readonly #filter: Uint8Array;
  readonly #filterProgram = new Uint8Array(SOCK_FPROG.size);
  readonly #request = new Uint8Array(TPACKET_REQ3.size);
  readonly #address = new Uint8Array(SOCKADDR_LL.size);

  /** Opens, configures, maps and binds the socket. Throws SyscallError (EPERM: the CAP_NET_RAW message). */
  static open(options: RingOptions): Ring {
    return new Ring(options);
  }

  private constructor(options: RingOptions) {
    this.link = options.link;
    this.ifindex = options.ifindex;
    this.blockBytes = ringBlockBytes(options.ringBytes);
    this.blockCount = Math.max(MIN_BLOCKS, Math.floor(options.ringBytes / this.blockBytes));
    const socketType = options.link.socketType === "raw" ? SOCK_RAW : SOCK_DGRAM;
    this.#filter = encodeBpfProgram(
      snapFilter({
        socketType: options.link.socketType,
        snapBytes: options.snapBytes ?? SNAP_BYTES,
        fullFrameClasses: options.fullFrameClasses,
      }),
    );
    // Protocol 0: the socket receives nothing until bind() names the interface, so no frame of another
    // interface slips in while the ring is set up.
    this.#fd = libc.socket(AF_PACKET, socketType | SOCK_CLOEXEC, 0);
    try {
      this.#setInt(PACKET_VERSION, TPACKET_V3, "PACKET_VERSION");
      this.#attachSnapFilter();
      this.#requestRing(options.retireBlockMs ?? RETIRE_BLOCK_MS);
      this.#mapping = libc.mmapShared(this.#fd, this.blockCount * this.blockBytes);
      this.#view = new DataView(this.#mapping.bytes);
      this.#bind();
    } catch (e) {
      this.close();
      throw e;
    }
    const fds = [this.#fd, ...options.watchFds ?? []];
    this.#pollFds = new Uint8Array(POLLFD.size * fds.length);
    this.#pollView = new DataView(this.#pollFds.buffer);
    fds.forEach((fd, i) => {
      this.#pollView.setInt32(i * POLLFD.size + POLLFD.fd, fd, true);
      this.#pollView.setInt16(i * POLLFD.size + POLLFD.events, POLLIN, true);
    });
  }

  #setInt(option: number, value: number, name: string): void {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setInt32(0, value, true);
    libc.setsockopt(this.#fd, SOL_PACKET, option, bytes, name);
  }

  #attachSnapFilter(): void {
    const program = new DataView(this.#filterProgram.buffer);
    program.setUint16(SOCK_FPROG.length, this.#filter.length / SOCK_FILTER.size, true);
    program.setBigUint64(SOCK_FPROG.filter, libc.addressOf(this.#filter), true);
    libc.setsockopt(this.#fd, SOL_SOCKET, SO_ATTACH_FILTER, this.#filterProgram, "SO_ATTACH_FILTER");
  }

  #requestRing(retireBlockMs: number): void {
    const r = new DataView(this.#request.buffer);
    r.setUint32(TPACKET_REQ3.blockSize, this.blockBytes, true);
    r.setUint32(TPACKET_REQ3.blockCount, this.blockCount, true);
    r.setUint32(TPACKET_REQ3.frameSize, FRAME_BYTES, true);
    r.setUint32(TPACKET_REQ3.frameCount, (this.blockBytes / FRAME_BYTES) * this.blockCount, true);
    r.setUint32(TPACKET_REQ3.retireBlockTimeoutMs, retireBlockMs, true);
    libc.setsockopt(this.#fd, SOL_PACKET, PACKET_RX_RING, this.#request, "PACKET_RX_RING");
  }

  #bind(): void {
    const a = new DataView(this.#address.buffer);
    a.setUint16(SOCKADDR_LL.family, AF_PACKET, true);
    a.setUint16(SOCKADDR_LL.protocol, ETH_P_ALL, false);
    a.setInt32(SOCKADDR_LL.ifindex, this.ifindex, true);
    libc.bind(this.#fd, this.#address);
  }

  /**
   * Feeds every frame of up to `maxBlocks` ready blocks to `sink`, in kernel order, handing each block back
   * right after. Returns the number of blocks read (0: none was ready).
   */
  readBlocks(sink: FrameSink, maxBlocks: number): number {
    const view = this.#view;
    const linkType = this.link.linkType;
    const blockBytes = this.blockBytes;
    let blocks = 0;
    for (; blocks < maxBlocks && this.#mapping !== null; blocks++) {
      const block = this.#nextBlock * blockBytes;
      if ((view.getUint32(block + TPACKET_BLOCK_DESC.blockStatus, true) & TP_STATUS_USER) === 0) break;
      const count = view.getUint32(block + TPACKET_BLOCK_DESC.packetCount, true);
      let frame = block + view.getUint32(block + TPACKET_BLOCK_DESC.offsetToFirstPacket, true);
      // Hot loop: four header reads and one call per frame, nothing allocated.
      for (let i = 0; i < count; i++) {
        sink.countFrame(
          view,
          frame + view.getUint16(frame + TPACKET3_HDR.macOffset, true),
          view.getUint32(frame + TPACKET3_HDR.snapLength, true),
          view.getUint32(frame + TPACKET3_HDR.length, true),
          linkType,
          view.getUint32(frame + TPACKET3_HDR.sec, true),
        );
        frame += view.getUint32(frame + TPACKET3_HDR.nextOffset, true);
      }
      this.#framesRead += count;
      // Every read of this block happened above in program order; the kernel reuses it only after this store.
      view.setUint32(block + TPACKET_BLOCK_DESC.blockStatus, TP_STATUS_KERNEL, true);
      this.#nextBlock = (this.#nextBlock + 1) % this.blockCount;
    }
    return blocks;
  }

  /** Frames fed to a sink since the ring was opened. */
  get framesRead(): number {
    return this.#framesRead;
  }

  /** True when the next block is ours already (no need to poll). */
  get hasReadyBlock(): boolean {
    if (this.#mapping === null) return false;
    const block = this.#nextBlock * this.blockBytes;
    return (this.#view.getUint32(block + TPACKET_BLOCK_DESC.blockStatus, true) & TP_STATUS_USER) !== 0;
  }

  /**
   * Blocks the thread up to timeoutMs for a ready block, a socket error or a readable watched fd; returns the
   * socket's poll revents (0: timeout or woken).
   */
  wait(timeoutMs: number): number {
    if (libc.poll(this.#pollFds, timeoutMs) === 0) return 0;
    return this.#pollView.getUint16(POLLFD.revents, true);
  }

  /** Reads and clears the pending socket error (ENETDOWN when the interface went down); 0 when none. */
  takeSocketError(): number {
    libc.getsockopt(
      this.#fd,
      SOL_SOCKET,
      SO_ERROR,
      this.#stats.subarray(0, 4),
      this.#optionLength,
      "SO_ERROR",
    );
    return this.#statsView.getInt32(0, true);
  }

  /** Kernel counters since the previous call (reading resets them). */
  readStats(): KernelStats {
    libc.getsockopt(
      this.#fd,
      SOL_PACKET,
      PACKET_STATISTICS,
      this.#stats,
      this.#optionLength,
      "PACKET_STATISTICS",
    );
    const s = this.#statsView;
    return {
      packets: s.getUint32(TPACKET_STATS_V3.packets, true),
      drops: s.getUint32(TPACKET_STATS_V3.drops, true),
      queueFreezes: s.getUint32(TPACKET_STATS_V3.queueFreezes, true),
    };
  }

  /** Unmaps the ring, then closes the socket. Idempotent; throws the first SyscallError after trying both. */
  close(): void {
    let failure: unknown = null;
    const mapping = this.#mapping;
    this.#mapping = null;
    this.#view = new DataView(new ArrayBuffer(0));
    if (mapping !== null) {
      try {
        libc.munmap(mapping);
      } catch (e) {
        failure = e;
      }
    }
    if (this.#fd >= 0) {
      const fd = this.#fd;
      this.#fd = -1;
      try {
        libc.close(fd);
      } catch (e) {
        failure ??= e;
      }
    }
    if (failure !== null) throw failure;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
