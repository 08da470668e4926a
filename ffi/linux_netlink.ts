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
