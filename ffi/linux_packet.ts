/**
 * Constants and struct layouts of the Linux AF_PACKET TPACKET_V3 interface (x86-64 and arm64 share them: no
 * pointer-sized field except sock_fprog.filter). Each value cites the header that defines it; layout_test.ts
 * compiles those headers with gcc and checks every size and offset here.
 */

/** linux/socket.h, asm-generic/socket.h, linux/if_ether.h. */
export const AF_PACKET = 17;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;
/** asm-generic/fcntl.h O_CLOEXEC and O_NONBLOCK, accepted by socket(2) in `type`. */
export const SOCK_CLOEXEC = 0o2000000;
export const SOCK_NONBLOCK = 0o4000;
export const SOL_SOCKET = 1;
export const SO_ERROR = 4;
export const SO_ATTACH_FILTER = 26;
/** linux/socket.h SOL_PACKET. */
export const SOL_PACKET = 263;
/** linux/if_ether.h ETH_P_ALL: every protocol, in network byte order inside sockaddr_ll. */
export const ETH_P_ALL = 0x0003;

/** linux/if_packet.h socket options. */
export const PACKET_RX_RING = 5;
export const PACKET_STATISTICS = 6;
export const PACKET_VERSION = 10;
/** linux/if_packet.h enum tpacket_versions: V1 = 0, V2 = 1, V3 = 2. */
export const TPACKET_V3 = 2;

/** linux/if_packet.h block_status / tp_status bits. */
export const TP_STATUS_KERNEL = 0;
export const TP_STATUS_USER = 1 << 0;
export const TP_STATUS_VLAN_VALID = 1 << 4;

/** asm-generic/poll.h. */
export const POLLIN = 0x001;
export const POLLERR = 0x008;
export const POLLHUP = 0x010;
export const POLLNVAL = 0x020;
/** struct pollfd { int fd; short events; short revents; } */
export const POLLFD = { size: 8, fd: 0, events: 4, revents: 6 } as const;

/** linux/if_arp.h hardware types read from /sys/class/net/IFACE/type. */
export const ARPHRD_ETHER = 1;
export const ARPHRD_PPP = 512;
export const ARPHRD_RAWIP = 519;
export const ARPHRD_TUNNEL = 768;
export const ARPHRD_TUNNEL6 = 769;
export const ARPHRD_LOOPBACK = 772;
export const ARPHRD_SIT = 776;
export const ARPHRD_IPGRE = 778;
export const ARPHRD_IP6GRE = 823;
export const ARPHRD_NONE = 0xfffe;

/** linux/if_packet.h struct tpacket_req3 (PACKET_RX_RING argument for TPACKET_V3). */
export const TPACKET_REQ3 = {
  size: 28,
  blockSize: 0,
  blockCount: 4,
  frameSize: 8,
  frameCount: 12,
  retireBlockTimeoutMs: 16,
  privateBytes: 20,
  featureRequestWord: 24,
} as const;

/** linux/if_packet.h struct tpacket_block_desc with its union member struct tpacket_hdr_v1 at offset 8. */
export const TPACKET_BLOCK_DESC = {
  size: 48,
  version: 0,
  offsetToPrivate: 4,
  blockStatus: 8,
  packetCount: 12,
  offsetToFirstPacket: 16,
  blockBytes: 20,
  sequenceNumber: 24,
} as const;

/** linux/if_packet.h struct tpacket3_hdr, hv1 = struct tpacket_hdr_variant1 at offset 28. */
export const TPACKET3_HDR = {
  size: 48,
  nextOffset: 0,
  sec: 4,
  nsec: 8,
  snapLength: 12,
  length: 16,
  status: 20,
  macOffset: 24,
  netOffset: 26,
  rxHash: 28,
  vlanTci: 32,
  vlanTpid: 36,
} as const;

/** linux/if_packet.h struct tpacket_stats_v3 (PACKET_STATISTICS for TPACKET_V3; reading resets it). */
export const TPACKET_STATS_V3 = { size: 12, packets: 0, drops: 4, queueFreezes: 8 } as const;

/** linux/if_packet.h struct sockaddr_ll. sll_protocol is big-endian. */
export const SOCKADDR_LL = {
  size: 20,
  family: 0,
  protocol: 2,
  ifindex: 4,
  hardwareType: 8,
  packetType: 10,
  addressLength: 11,
  address: 12,
} as const;

/** linux/filter.h struct sock_filter { __u16 code; __u8 jt; __u8 jf; __u32 k; }. */
export const SOCK_FILTER = { size: 8, code: 0, jumpTrue: 2, jumpFalse: 3, k: 4 } as const;
/** linux/filter.h struct sock_fprog { unsigned short len; struct sock_filter *filter; } on LP64. */
export const SOCK_FPROG = { size: 16, length: 0, filter: 8 } as const;
/**
 * linux/bpf_common.h classic BPF opcodes (class | size | mode, or class | operation | source) that the snap
 * filter uses (capture/snap_filter.ts).
 */
export const BPF_OP = {
  /** A = the frame's length. */
  LD_W_LEN: 0x80,
  /** A = the big-endian u16 at k. */
  LD_H_ABS: 0x28,
  /** A = the byte at k. */
  LD_B_ABS: 0x30,
  /** A = the big-endian u16 at X + k. */
  LD_H_IND: 0x48,
  /** A = the byte at X + k. */
  LD_B_IND: 0x50,
  /** X = 4 × (the byte at k & 0xf): an IPv4 header's length. */
  LDX_B_MSH: 0xb1,
  /** A &= k. */
  AND_K: 0x54,
  /** A >>= k. */
  RSH_K: 0x74,
  /** A += X. */
  ADD_X: 0x0c,
  /** X = A. */
  TAX: 0x07,
  /** Skip k instructions. */
  JA: 0x05,
  /** Skip jt instructions when A === k, else jf. */
  JEQ_K: 0x15,
  /** Skip jt instructions when A > k (unsigned), else jf. */
  JGT_K: 0x25,
  /** Skip jt instructions when A & k, else jf. */
  JSET_K: 0x45,
  /** Return k: the number of bytes to keep (0 drops the frame). */
  RET_K: 0x06,
} as const;
