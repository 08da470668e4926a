/*
 * Remote-address churn injector for tests/bench/soak_bench.ts (issue #6 item 9): sends four template
 * frames round-robin out of IFACE through one AF_PACKET socket with sendmmsg(2), rewriting the remote
 * address of every packet, paced to RATE packets/s for SECONDS, stopping at MAX_PACKETS. Only
 * documentation addresses: IPv4 remotes cycle through 198.51.100.3-254, 203.0.113.3-254 and 192.0.2.3-254
 * (.1 and .2 are the veth ends), IPv6 remotes are 2001:db8:ff:ff::/64 with low 64 bits from a bijective
 * mix of a counter, so no IPv6 remote repeats within a run.
 *
 * FILE holds the templates as tests/helpers/inject_frames.ts encodeFrames() writes them (4-byte
 * little-endian length before each frame), in this order: IPv4 upload (remote = destination), IPv4
 * download (remote = source), IPv6 upload, IPv6 download; Ethernet, no VLAN tag, UDP. IP and UDP
 * checksums are recomputed so the capture namespace's kernel sees valid packets.
 * REMOTES > 0 cycles through only that many remotes per family instead (the no-churn baseline).
 * Prints "sent <packets>", "ip_bytes <bytes>" and "ipv6_remotes <distinct>" on stdout.
 *
 * usage: churn_injector IFACE FILE RATE SECONDS MAX_PACKETS SEED REMOTES
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 32
#define TEMPLATES 4
#define MAX_FRAME 1514
#define ETH_HEADER 14
/* Hard bounds whatever the arguments say: 20 minutes and 200 million packets. */
#define MAX_SECONDS 1200.0
#define PACKET_LIMIT 200000000ULL

static unsigned char templates[TEMPLATES][MAX_FRAME];
static unsigned template_len[TEMPLATES];

static uint64_t remotes_per_family; /* 0: no limit */

static const unsigned char V4_RANGES[3][3] = { { 198, 51, 100 }, { 203, 0, 113 }, { 192, 0, 2 } };

static double now_sec(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* splitmix64's finalizer: a bijection of 64-bit values, so distinct counters give distinct addresses. */
static uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* RFC 1071 sum of `len` bytes added to `sum`, not yet folded. */
static uint32_t sum_bytes(const unsigned char *p, unsigned len, uint32_t sum) {
  for (unsigned i = 0; i + 1 < len; i += 2) sum += (uint32_t)(p[i] << 8 | p[i + 1]);
  if (len & 1) sum += (uint32_t)(p[len - 1] << 8);
  return sum;
}

static uint16_t fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

static void put16(unsigned char *p, uint16_t v) {
  p[0] = v >> 8;
  p[1] = v & 0xff;
}

/* IPv4: new header checksum; the UDP checksum is optional over IPv4 (RFC 768), so it is cleared. */
static void fix_ipv4(unsigned char *ip) {
  put16(ip + 10, 0);
  put16(ip + 10, fold(sum_bytes(ip, 20, 0)));
  put16(ip + 20 + 6, 0);
}

/* IPv6: the UDP checksum is mandatory (RFC 8200 section 8.1): pseudo header + UDP header and payload. */
static void fix_ipv6(unsigned char *ip, unsigned ip_len) {
  unsigned udp_len = ip_len - 40;
  unsigned char *udp = ip + 40;
  put16(udp + 6, 0);
  uint32_t sum = sum_bytes(ip + 8, 32, 0);
  sum += udp_len + 17;
  uint16_t c = fold(sum_bytes(udp, udp_len, sum));
  put16(udp + 6, c == 0 ? 0xffff : c);
}

static int load_templates(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) { perror("fopen"); return -1; }
  for (int t = 0; t < TEMPLATES; t++) {
    uint32_t len;
    if (fread(&len, 4, 1, f) != 1 || len > MAX_FRAME || fread(templates[t], 1, len, f) != len) {
      fprintf(stderr, "template %d missing or longer than %d bytes\n", t, MAX_FRAME);
      fclose(f);
      return -1;
    }
    template_len[t] = len;
    unsigned ether_type = templates[t][12] << 8 | templates[t][13];
    unsigned want = t < 2 ? 0x0800 : 0x86dd;
    unsigned min_len = ETH_HEADER + (t < 2 ? 20 : 40) + 8;
    if (ether_type != want || len < min_len || templates[t][ETH_HEADER + (t < 2 ? 9 : 6)] != 17) {
      fprintf(stderr, "template %d is not an untagged %s UDP frame\n", t, t < 2 ? "IPv4" : "IPv6");
      fclose(f);
      return -1;
    }
  }
  fclose(f);
  return 0;
}

/* Copies template n % 4 into `frame` with the remote address of packet n. */
static unsigned build_packet(unsigned char *frame, uint64_t n, uint64_t seed) {
  unsigned t = n % TEMPLATES;
  uint64_t k = n / TEMPLATES * 2 + (t & 1); /* per family: counts packets of that family */
  if (remotes_per_family > 0) k %= remotes_per_family;
  memcpy(frame, templates[t], template_len[t]);
  unsigned char *ip = frame + ETH_HEADER;
  if (t < 2) {
    unsigned char *remote = ip + (t == 0 ? 16 : 12);
    memcpy(remote, V4_RANGES[k % 3], 3);
    remote[3] = 3 + (k / 3) % 252;
    fix_ipv4(ip);
  } else {
    unsigned char *remote = ip + (t == 2 ? 24 : 8);
    static const unsigned char prefix[8] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0xff, 0x00, 0xff };
    uint64_t low = mix64(seed ^ k);
    memcpy(remote, prefix, 8);
    for (int i = 0; i < 8; i++) remote[8 + i] = low >> (56 - 8 * i);
    fix_ipv6(ip, template_len[t] - ETH_HEADER);
  }
  return template_len[t];
}

int main(int argc, char **argv) {
  if (argc != 8) {
    fprintf(stderr, "usage: %s IFACE FILE RATE SECONDS MAX_PACKETS SEED REMOTES\n", argv[0]);
    return 2;
  }
  int ifindex = if_nametoindex(argv[1]);
  if (ifindex == 0) { perror("if_nametoindex"); return 1; }
  if (load_templates(argv[2]) != 0) return 1;
  double rate = atof(argv[3]);
  double seconds = atof(argv[4]);
  if (seconds > MAX_SECONDS) seconds = MAX_SECONDS;
  unsigned long long max_packets = strtoull(argv[5], NULL, 10);
  if (max_packets > PACKET_LIMIT) max_packets = PACKET_LIMIT;
  uint64_t seed = strtoull(argv[6], NULL, 10);
  remotes_per_family = strtoull(argv[7], NULL, 10);
  if (rate <= 0) { fprintf(stderr, "RATE must be positive\n"); return 2; }

  int fd = socket(AF_PACKET, SOCK_RAW, 0);
  if (fd < 0) { perror("socket"); return 1; }
  int one = 1;
  setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);
  struct sockaddr_ll addr = { .sll_family = AF_PACKET, .sll_ifindex = ifindex };
  static unsigned char frames[BATCH][MAX_FRAME];
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  unsigned long long total = 0, ip_bytes = 0, ipv6_packets = 0;
  double start = now_sec();
  for (;;) {
    double elapsed = now_sec() - start;
    if (elapsed >= seconds || total >= max_packets) break;
    double due = elapsed * rate;
    if ((double)total >= due) {
      double wait = ((double)total + BATCH - due) / rate;
      if (wait > 0.0002) {
        struct timespec ts = { 0, (long)(wait * 1e9 / 2) };
        nanosleep(&ts, NULL);
      }
      continue;
    }
    unsigned count = BATCH;
    if (max_packets - total < count) count = (unsigned)(max_packets - total);
    for (unsigned i = 0; i < count; i++) {
      iov[i].iov_base = frames[i];
      iov[i].iov_len = build_packet(frames[i], total + i, seed);
      memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
      msgs[i].msg_hdr.msg_name = &addr;
      msgs[i].msg_hdr.msg_namelen = sizeof addr;
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int n = sendmmsg(fd, msgs, count, 0);
    if (n < 0) {
      if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) continue;
      fprintf(stderr, "send failed: %s\n", strerror(errno));
      close(fd);
      return 1;
    }
    /* Frames are rebuilt from `total` on the next round, so unsent ones are sent again unchanged. */
    for (int i = 0; i < n; i++) {
      ip_bytes += iov[i].iov_len - ETH_HEADER;
      if ((total + i) % TEMPLATES >= 2) ipv6_packets++;
    }
    total += n;
  }
  close(fd);
  unsigned long long ipv6_remotes = ipv6_packets;
  if (remotes_per_family > 0 && ipv6_remotes > remotes_per_family) ipv6_remotes = remotes_per_family;
  printf("sent %llu\nip_bytes %llu\nipv6_remotes %llu\n", total, ip_bytes, ipv6_remotes);
  return 0;
}
