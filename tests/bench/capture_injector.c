/*
 * Frame injector for tests/bench/capture_bench.ts: sends the frames of FILE (4-byte little-endian length
 * before each frame, as tests/helpers/inject_frames.ts encodeFrames() writes) round-robin out of IFACE
 * through AF_PACKET sockets with sendmmsg(2), PACKET_QDISC_BYPASS, paced to RATE packets/s (0: as fast as
 * possible) for SECONDS, on THREADS threads. Bounded in time and in count (MAX_PACKETS). Prints
 * "sent <packets>" and the per-frame counts on stdout.
 *
 * usage: capture_injector IFACE FILE RATE SECONDS THREADS
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 32
#define MAX_FRAMES 64
#define MAX_PACKETS 100000000ULL

static unsigned char *frames[MAX_FRAMES];
static unsigned frame_len[MAX_FRAMES];
static unsigned frame_count;
static int ifindex;
static double rate_per_thread;
static double seconds;

struct result { unsigned long long sent[MAX_FRAMES]; int error; };

static double now_sec(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *send_loop(void *arg) {
  struct result *r = arg;
  int fd = socket(AF_PACKET, SOCK_RAW, 0);
  if (fd < 0) { r->error = errno; return NULL; }
  int one = 1;
  setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);
  struct sockaddr_ll addr = { .sll_family = AF_PACKET, .sll_ifindex = ifindex };
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  unsigned next = 0;
  unsigned long long total = 0;
  double start = now_sec();
  for (;;) {
    double elapsed = now_sec() - start;
    if (elapsed >= seconds || total >= MAX_PACKETS) break;
    if (rate_per_thread > 0) {
      double due = elapsed * rate_per_thread;
      if ((double)total >= due) {
        double wait = ((double)total + BATCH - due) / rate_per_thread;
        if (wait > 0.0002) {
          struct timespec ts = { 0, (long)(wait * 1e9 / 2) };
          nanosleep(&ts, NULL);
        }
        continue;
      }
    }
    unsigned first = next;
    for (int i = 0; i < BATCH; i++) {
      unsigned f = (first + i) % frame_count;
      iov[i].iov_base = frames[f];
      iov[i].iov_len = frame_len[f];
      memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
      msgs[i].msg_hdr.msg_name = &addr;
      msgs[i].msg_hdr.msg_namelen = sizeof addr;
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int n = sendmmsg(fd, msgs, BATCH, 0);
    if (n < 0) {
      if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) continue;
      r->error = errno;
      break;
    }
    for (int i = 0; i < n; i++) r->sent[(first + i) % frame_count]++;
    next = (first + n) % frame_count;
    total += n;
  }
  close(fd);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 6) { fprintf(stderr, "usage: %s IFACE FILE RATE SECONDS THREADS\n", argv[0]); return 2; }
  ifindex = if_nametoindex(argv[1]);
  if (ifindex == 0) { perror("if_nametoindex"); return 1; }
  FILE *f = fopen(argv[2], "rb");
  if (!f) { perror("fopen"); return 1; }
  uint32_t len;
  while (frame_count < MAX_FRAMES && fread(&len, 4, 1, f) == 1) {
    frames[frame_count] = malloc(len);
    if (fread(frames[frame_count], 1, len, f) != len) { fprintf(stderr, "truncated frame file\n"); return 1; }
    frame_len[frame_count++] = len;
  }
  fclose(f);
  if (frame_count == 0) { fprintf(stderr, "no frames\n"); return 1; }
  int threads = atoi(argv[5]);
  if (threads < 1 || threads > 8) threads = 1;
  rate_per_thread = atof(argv[3]) / threads;
  seconds = atof(argv[4]);
  if (seconds > 60) seconds = 60;
  pthread_t tid[8];
  struct result results[8];
  memset(results, 0, sizeof results);
  for (int t = 0; t < threads; t++) pthread_create(&tid[t], NULL, send_loop, &results[t]);
  unsigned long long sent[MAX_FRAMES] = { 0 }, total = 0;
  for (int t = 0; t < threads; t++) {
    pthread_join(tid[t], NULL);
    if (results[t].error) { fprintf(stderr, "send failed: %s\n", strerror(results[t].error)); return 1; }
    for (unsigned i = 0; i < frame_count; i++) sent[i] += results[t].sent[i];
  }
  for (unsigned i = 0; i < frame_count; i++) total += sent[i];
  printf("sent %llu\n", total);
  for (unsigned i = 0; i < frame_count; i++) printf("frame %u %llu\n", i, sent[i]);
  return 0;
}
