import assert from "node:assert/strict";
import * as K from "./linux_packet.ts";
import * as N from "./linux_netlink.ts";
import { Errno } from "./syscall_error.ts";

// Each row: a C expression evaluated by gcc against the kernel headers, and the value linux_packet.ts claims.
const LAYOUT: readonly (readonly [string, number])[] = [
  ["AF_PACKET", K.AF_PACKET],
  ["SOCK_RAW", K.SOCK_RAW],
  ["SOCK_DGRAM", K.SOCK_DGRAM],
  ["SOCK_CLOEXEC", K.SOCK_CLOEXEC],
  ["SOL_PACKET", K.SOL_PACKET],
  ["SOL_SOCKET", K.SOL_SOCKET],
  ["SO_ERROR", K.SO_ERROR],
  ["SO_ATTACH_FILTER", K.SO_ATTACH_FILTER],
  ["ETH_P_ALL", K.ETH_P_ALL],
  ["PACKET_RX_RING", K.PACKET_RX_RING],
  ["PACKET_STATISTICS", K.PACKET_STATISTICS],
  ["PACKET_VERSION", K.PACKET_VERSION],
  ["TPACKET_V3", K.TPACKET_V3],
  ["TP_STATUS_KERNEL", K.TP_STATUS_KERNEL],
  ["TP_STATUS_USER", K.TP_STATUS_USER],
  ["TP_STATUS_VLAN_VALID", K.TP_STATUS_VLAN_VALID],
  ["POLLIN", K.POLLIN],
  ["POLLERR", K.POLLERR],
  ["POLLHUP", K.POLLHUP],
  ["POLLNVAL", K.POLLNVAL],
  ["sizeof(struct pollfd)", K.POLLFD.size],
  ["offsetof(struct pollfd, events)", K.POLLFD.events],
  ["offsetof(struct pollfd, revents)", K.POLLFD.revents],
  ["ARPHRD_ETHER", K.ARPHRD_ETHER],
  ["ARPHRD_PPP", K.ARPHRD_PPP],
  ["ARPHRD_RAWIP", K.ARPHRD_RAWIP],
  ["ARPHRD_TUNNEL", K.ARPHRD_TUNNEL],
  ["ARPHRD_TUNNEL6", K.ARPHRD_TUNNEL6],
  ["ARPHRD_LOOPBACK", K.ARPHRD_LOOPBACK],
  ["ARPHRD_SIT", K.ARPHRD_SIT],
  ["ARPHRD_IPGRE", K.ARPHRD_IPGRE],
  ["ARPHRD_IP6GRE", K.ARPHRD_IP6GRE],
  ["ARPHRD_NONE", K.ARPHRD_NONE],
  ["sizeof(struct tpacket_req3)", K.TPACKET_REQ3.size],
  ["offsetof(struct tpacket_req3, tp_block_nr)", K.TPACKET_REQ3.blockCount],
  ["offsetof(struct tpacket_req3, tp_frame_size)", K.TPACKET_REQ3.frameSize],
  ["offsetof(struct tpacket_req3, tp_frame_nr)", K.TPACKET_REQ3.frameCount],
  ["offsetof(struct tpacket_req3, tp_retire_blk_tov)", K.TPACKET_REQ3.retireBlockTimeoutMs],
  ["offsetof(struct tpacket_req3, tp_sizeof_priv)", K.TPACKET_REQ3.privateBytes],
  ["offsetof(struct tpacket_req3, tp_feature_req_word)", K.TPACKET_REQ3.featureRequestWord],
  ["sizeof(struct tpacket_block_desc)", K.TPACKET_BLOCK_DESC.size],
  ["offsetof(struct tpacket_block_desc, offset_to_priv)", K.TPACKET_BLOCK_DESC.offsetToPrivate],
  ["offsetof(struct tpacket_block_desc, hdr.bh1.block_status)", K.TPACKET_BLOCK_DESC.blockStatus],
  ["offsetof(struct tpacket_block_desc, hdr.bh1.num_pkts)", K.TPACKET_BLOCK_DESC.packetCount],
  [
    "offsetof(struct tpacket_block_desc, hdr.bh1.offset_to_first_pkt)",
    K.TPACKET_BLOCK_DESC.offsetToFirstPacket,
  ],
  ["offsetof(struct tpacket_block_desc, hdr.bh1.blk_len)", K.TPACKET_BLOCK_DESC.blockBytes],
  ["offsetof(struct tpacket_block_desc, hdr.bh1.seq_num)", K.TPACKET_BLOCK_DESC.sequenceNumber],
  ["sizeof(struct tpacket3_hdr)", K.TPACKET3_HDR.size],
  ["offsetof(struct tpacket3_hdr, tp_next_offset)", K.TPACKET3_HDR.nextOffset],
  ["offsetof(struct tpacket3_hdr, tp_sec)", K.TPACKET3_HDR.sec],
  ["offsetof(struct tpacket3_hdr, tp_nsec)", K.TPACKET3_HDR.nsec],
  ["offsetof(struct tpacket3_hdr, tp_snaplen)", K.TPACKET3_HDR.snapLength],
  ["offsetof(struct tpacket3_hdr, tp_len)", K.TPACKET3_HDR.length],
  ["offsetof(struct tpacket3_hdr, tp_status)", K.TPACKET3_HDR.status],
  ["offsetof(struct tpacket3_hdr, tp_mac)", K.TPACKET3_HDR.macOffset],
  ["offsetof(struct tpacket3_hdr, tp_net)", K.TPACKET3_HDR.netOffset],
  ["offsetof(struct tpacket3_hdr, hv1.tp_rxhash)", K.TPACKET3_HDR.rxHash],
  ["offsetof(struct tpacket3_hdr, hv1.tp_vlan_tci)", K.TPACKET3_HDR.vlanTci],
  ["offsetof(struct tpacket3_hdr, hv1.tp_vlan_tpid)", K.TPACKET3_HDR.vlanTpid],
  ["sizeof(struct tpacket_stats_v3)", K.TPACKET_STATS_V3.size],
  ["offsetof(struct tpacket_stats_v3, tp_drops)", K.TPACKET_STATS_V3.drops],
  ["offsetof(struct tpacket_stats_v3, tp_freeze_q_cnt)", K.TPACKET_STATS_V3.queueFreezes],
  ["sizeof(struct sockaddr_ll)", K.SOCKADDR_LL.size],
  ["offsetof(struct sockaddr_ll, sll_protocol)", K.SOCKADDR_LL.protocol],
  ["offsetof(struct sockaddr_ll, sll_ifindex)", K.SOCKADDR_LL.ifindex],
  ["offsetof(struct sockaddr_ll, sll_hatype)", K.SOCKADDR_LL.hardwareType],
  ["offsetof(struct sockaddr_ll, sll_pkttype)", K.SOCKADDR_LL.packetType],
  ["offsetof(struct sockaddr_ll, sll_halen)", K.SOCKADDR_LL.addressLength],
  ["offsetof(struct sockaddr_ll, sll_addr)", K.SOCKADDR_LL.address],
  ["sizeof(struct sock_filter)", K.SOCK_FILTER.size],
  ["offsetof(struct sock_filter, jt)", K.SOCK_FILTER.jumpTrue],
  ["offsetof(struct sock_filter, jf)", K.SOCK_FILTER.jumpFalse],
  ["offsetof(struct sock_filter, k)", K.SOCK_FILTER.k],
  ["sizeof(struct sock_fprog)", K.SOCK_FPROG.size],
  ["offsetof(struct sock_fprog, filter)", K.SOCK_FPROG.filter],
  ["BPF_LD | BPF_W | BPF_LEN", K.BPF_OP.LD_W_LEN],
  ["BPF_LD | BPF_H | BPF_ABS", K.BPF_OP.LD_H_ABS],
  ["BPF_LD | BPF_B | BPF_ABS", K.BPF_OP.LD_B_ABS],
  ["BPF_LD | BPF_H | BPF_IND", K.BPF_OP.LD_H_IND],
  ["BPF_LD | BPF_B | BPF_IND", K.BPF_OP.LD_B_IND],
  ["BPF_LDX | BPF_B | BPF_MSH", K.BPF_OP.LDX_B_MSH],
  ["BPF_ALU | BPF_AND | BPF_K", K.BPF_OP.AND_K],
  ["BPF_ALU | BPF_RSH | BPF_K", K.BPF_OP.RSH_K],
  ["BPF_ALU | BPF_ADD | BPF_X", K.BPF_OP.ADD_X],
  ["BPF_MISC | BPF_TAX", K.BPF_OP.TAX],
  ["BPF_JMP | BPF_JA", K.BPF_OP.JA],
  ["BPF_JMP | BPF_JEQ | BPF_K", K.BPF_OP.JEQ_K],
  ["BPF_JMP | BPF_JGT | BPF_K", K.BPF_OP.JGT_K],
  ["BPF_JMP | BPF_JSET | BPF_K", K.BPF_OP.JSET_K],
  ["BPF_RET | BPF_K", K.BPF_OP.RET_K],
  ["AF_NETLINK", N.AF_NETLINK],
  ["NETLINK_ROUTE", N.NETLINK_ROUTE],
  ["SOCK_NONBLOCK", K.SOCK_NONBLOCK],
  ["RTMGRP_LINK", N.RTMGRP_LINK],
  ["RTMGRP_IPV4_IFADDR", N.RTMGRP_IPV4_IFADDR],
  ["RTMGRP_IPV6_IFADDR", N.RTMGRP_IPV6_IFADDR],
  ["RTM_NEWLINK", N.RTM_NEWLINK],
  ["RTM_DELLINK", N.RTM_DELLINK],
  ["RTM_NEWADDR", N.RTM_NEWADDR],
  ["RTM_DELADDR", N.RTM_DELADDR],
  ["sizeof(struct sockaddr_nl)", N.SOCKADDR_NL.size],
  ["offsetof(struct sockaddr_nl, nl_family)", N.SOCKADDR_NL.family],
  ["offsetof(struct sockaddr_nl, nl_pid)", N.SOCKADDR_NL.pid],
  ["offsetof(struct sockaddr_nl, nl_groups)", N.SOCKADDR_NL.groups],
  ["sizeof(struct nlmsghdr)", N.NLMSGHDR.size],
  ["offsetof(struct nlmsghdr, nlmsg_len)", N.NLMSGHDR.length],
  ["offsetof(struct nlmsghdr, nlmsg_type)", N.NLMSGHDR.type],
  ["NLMSG_ALIGNTO", N.NLMSG_ALIGNTO],
  ["offsetof(struct ifinfomsg, ifi_index)", N.IFINFOMSG_INDEX],
  ["offsetof(struct ifaddrmsg, ifa_index)", N.IFADDRMSG_INDEX],
  ["RTM_NEWNEIGH", N.RTM_NEWNEIGH],
  ["RTM_GETNEIGH", N.RTM_GETNEIGH],
  ["NLM_F_REQUEST", N.NLM_F_REQUEST],
  ["NLM_F_DUMP", N.NLM_F_DUMP],
  ["NLMSG_ERROR", N.NLMSG_ERROR],
  ["NLMSG_DONE", N.NLMSG_DONE],
  ["offsetof(struct nlmsghdr, nlmsg_flags)", N.NLMSGHDR_FLAGS],
  ["offsetof(struct nlmsghdr, nlmsg_seq)", N.NLMSGHDR_SEQ],
  ["sizeof(struct ndmsg)", N.NDMSG.size],
  ["offsetof(struct ndmsg, ndm_family)", N.NDMSG.family],
  ["offsetof(struct ndmsg, ndm_ifindex)", N.NDMSG.ifindex],
  ["offsetof(struct ndmsg, ndm_state)", N.NDMSG.state],
  ["NDA_DST", N.NDA_DST],
  ["NDA_LLADDR", N.NDA_LLADDR],
  ["NUD_INCOMPLETE", N.NUD_INCOMPLETE],
  ["NUD_FAILED", N.NUD_FAILED],
  ["NUD_NOARP", N.NUD_NOARP],
  ["sizeof(struct rtattr)", N.RTATTR.size],
  ["offsetof(struct rtattr, rta_type)", N.RTATTR.type],
  ["RTA_ALIGNTO", N.RTA_ALIGNTO],
  ["AF_INET", N.AF_INET],
  ["AF_INET6", N.AF_INET6],
  ["ENOBUFS", Errno.ENOBUFS],
  ["EAGAIN", Errno.EAGAIN],
];

Deno.test("linux_packet.ts, linux_netlink.ts and Errno match the kernel headers compiled by gcc", async () => {
  const dir = await Deno.makeTempDir({ prefix: "netledger-layout-" });
  try {
    const lines = LAYOUT.map(([expr]) => `  printf("%ld\\n", (long)(${expr}));`).join("\n");
    const source = `#include <stdio.h>
#include <stddef.h>
#include <poll.h>
#include <sys/socket.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include <linux/if_arp.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/neighbour.h>
#include <errno.h>
int main(void) {
${lines}
  return 0;
}
`;
    await Deno.writeTextFile(`${dir}/layout.c`, source);
    const build = await new Deno.Command("gcc", { args: ["-o", `${dir}/layout`, `${dir}/layout.c`] })
      .output();
    assert.equal(build.code, 0, new TextDecoder().decode(build.stderr));
    const run = await new Deno.Command(`${dir}/layout`).output();
    const values = new TextDecoder().decode(run.stdout).trim().split("\n").map(Number);
    const mismatches = LAYOUT.flatMap(([expr, ours], i) =>
      values[i] === ours ? [] : [`${expr}: C ${values[i]}, ours ${ours}`]
    );
    assert.deepEqual(mismatches, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
