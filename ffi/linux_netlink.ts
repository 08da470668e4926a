/**
 * Constants and struct layouts of rtnetlink (linux/netlink.h, linux/rtnetlink.h): just enough to hear the
 * kernel announce that a link or an address changed. linux_packet_test.ts checks them against the headers.
 */

/** linux/socket.h, linux/netlink.h. */
export const AF_NETLINK = 16;
export const NETLINK_ROUTE = 0;

/** linux/rtnetlink.h multicast groups, as the bit mask of sockaddr_nl.nl_groups. */
export const RTMGRP_LINK = 0x1;
export const RTMGRP_IPV4_IFADDR = 0x10;
export const RTMGRP_IPV6_IFADDR = 0x100;

/** linux/rtnetlink.h message types of those groups. */
export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const RTM_NEWADDR = 20;
export const RTM_DELADDR = 21;

/** linux/netlink.h struct sockaddr_nl { sa_family_t nl_family; unsigned short nl_pad; __u32 nl_pid, nl_groups; } */
export const SOCKADDR_NL = { size: 12, family: 0, pid: 4, groups: 8 } as const;
/** linux/netlink.h struct nlmsghdr; messages in one read are NLMSG_ALIGNTO-aligned. */
export const NLMSGHDR = { size: 16, length: 0, type: 4 } as const;
export const NLMSG_ALIGNTO = 4;
/**
 * Offset of the interface index in the body after the nlmsghdr: struct ifinfomsg's ifi_index (link messages)
 * and struct ifaddrmsg's ifa_index (address messages) both sit there.
 */
export const IFINFOMSG_INDEX = 4;
export const IFADDRMSG_INDEX = 4;

/**
 * The neighbour table (linux/rtnetlink.h, linux/neighbour.h): an RTM_GETNEIGH dump request answers with one
 * RTM_NEWNEIGH message per entry (IP address → link-layer address), then NLMSG_DONE (issue 14 item 5: a proxy
 * client's IP names its device's MAC).
 */
export const RTM_NEWNEIGH = 28;
export const RTM_GETNEIGH = 30;
/** linux/netlink.h nlmsghdr flags and control message types. */
export const NLM_F_REQUEST = 0x1;
export const NLM_F_DUMP = 0x300;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
/** linux/netlink.h struct nlmsghdr's remaining fields (after length and type). */
export const NLMSGHDR_FLAGS = 6;
export const NLMSGHDR_SEQ = 8;
/** linux/neighbour.h struct ndmsg { u8 family, pad1; u16 pad2; s32 ifindex; u16 state; u8 flags, type; }. */
export const NDMSG = { size: 12, family: 0, ifindex: 4, state: 8 } as const;
/** linux/neighbour.h attributes: the IP address and the link-layer address of an entry. */
export const NDA_DST = 1;
export const NDA_LLADDR = 2;
/** linux/neighbour.h entry states that hold no usable link-layer address. */
export const NUD_INCOMPLETE = 0x01;
export const NUD_FAILED = 0x20;
export const NUD_NOARP = 0x40;
/** linux/rtnetlink.h struct rtattr { u16 rta_len, rta_type; }, attributes RTA_ALIGNTO-aligned. */
export const RTATTR = { size: 4, length: 0, type: 2 } as const;
export const RTA_ALIGNTO = 4;
/** linux/socket.h address families of ndmsg.ndm_family. */
export const AF_INET = 2;
export const AF_INET6 = 10;
