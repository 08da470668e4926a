/*
 * MAC-flood injector for tests/bench/mac_flood_bench.ts (issue 14 item 2): sends four template frames
 * round-robin out of IFACE through one AF_PACKET socket with sendmmsg(2), giving every packet another
 * local device MAC (the source MAC of an upload, the destination MAC of a download), paced to RATE
 * packets/s for SECONDS, stopping at MAX_PACKETS. Only the MAC bytes change, so the IP packets (and their
 * checksums) stay the templates'.
 *
 * The MAC of packet n is the low 48 bits of splitmix64's finalizer of SEED ^ n, with the group bit cleared
 * (a unicast MAC, which names a device) and the locally administered bit set (a randomised MAC, as a flood
 * from a broken NIC or an attacker would carry). FILE holds the templates as tests/helpers/inject_frames.ts
 * encodeFrames() writes them (4-byte little-endian length before each frame), in this order: IPv4 upload,
 * IPv4 download, IPv6 upload, IPv6 download; untagged Ethernet.
 * Prints "sent <packets>" and "ip_bytes <bytes>" on stdout.
 *
 * usage: mac_flood_injector IFACE FILE RATE SECONDS MAX_PACKETS SEED
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

static double now_sec(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* splitmix64's finalizer: a bijection of 64-bit values, so the MACs look random but repeat with the seed. */
static uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static int load_templates(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) { perror("fopen"); return -1; }
  for (int t = 0; t < TEMPLATES; t++) {
    uint32_t len;
    if (fread(&len, 4, 1, f) != 1 || len < ETH_HEADER || len > MAX_FRAME ||
        fread(templates[t], 1, len, f) != len) {
      fprintf(stderr, "template %d missing, shorter than %d or longer than %d bytes\n", t, ETH_HEADER, MAX_FRAME);
      fclose(f);
      return -1;
    }
    template_len[t] = len;
  }
  fclose(f);
  return 0;
}

/* Copies template n % 4 into `frame` with the device MAC of packet n. */
static unsigned build_packet(unsigned char *frame, uint64_t n, uint64_t seed) {
  unsigned t = n % TEMPLATES;
  memcpy(frame, templates[t], template_len[t]);
  uint64_t mac = mix64(seed ^ n);
  unsigned char *device = frame + (t % 2 == 0 ? 6 : 0); /* upload: source MAC; download: destination */
  for (int i = 0; i < 6; i++) device[i] = mac >> (40 - 8 * i);
  device[0] = (device[0] & 0xfe) | 0x02;
  return template_len[t];
}

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: %s IFACE FILE RATE SECONDS MAX_PACKETS SEED\n", argv[0]);
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
  if (rate <= 0) { fprintf(stderr, "RATE must be positive\n"); return 2; }

  int fd = socket(AF_PACKET, SOCK_RAW, 0);
  if (fd < 0) { perror("socket"); return 1; }
  int one = 1;
  setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);
  struct sockaddr_ll addr = { .sll_family = AF_PACKET, .sll_ifindex = ifindex };
  static unsigned char frames[BATCH][MAX_FRAME];
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  unsigned long long total = 0, ip_bytes = 0;
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
    for (int i = 0; i < n; i++) ip_bytes += iov[i].iov_len - ETH_HEADER;
    total += n;
  }
  close(fd);
  printf("sent %llu\nip_bytes %llu\n", total, ip_bytes);
  return 0;
}
