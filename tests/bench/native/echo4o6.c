/*
 * The load generator's ceiling: a trivial 4o6 "server" that answers every DHCPV4-QUERY at once
 * with a canned DHCPV4-RESPONSE (an OFFER when the xid says DISCOVER, else an ACK), carrying the
 * query's xid, to the address and port the query came from. Relayed queries get the same
 * unrelayed answer. Native and batched (recvmmsg/sendmmsg) so that the figure it allows is the
 * generator's limit, not its own; echo-server.mjs is its plain-JavaScript twin.
 *
 * Build: gcc -O2 -std=gnu11 -o echo4o6 echo4o6.c
 * Usage: echo4o6 PORT OFFER_HEX ACK_HEX   (binds [::1]:PORT, prints "listening"; SIGTERM ends it)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum { BATCH = 64, MAX_QUERY = 2048, MAX_REPLY = 1024 };
/* xid of the DHCPv4 message: 4 (4o6 header) + 4 (option 87 header) + 4 (op..hops). */
enum { XID_AT = 12 };
/* RELAY-FORW: msg-type, hop-count, link-address, peer-address, then options. */
enum { RELAY_FORW = 12, RELAY_HEADER = 34, OPTION_RELAY_MSG = 9 };

static volatile sig_atomic_t stopping;
static void on_term(int sig) { (void)sig; stopping = 1; }

static size_t from_hex(const char *text, unsigned char *out, size_t room) {
  size_t n = strlen(text) / 2;
  if (n > room) { fprintf(stderr, "echo4o6: canned reply longer than %zu bytes\n", room); exit(2); }
  for (size_t i = 0; i < n; i++) {
    unsigned byte;
    if (sscanf(text + 2 * i, "%2x", &byte) != 1) { fprintf(stderr, "echo4o6: bad hex\n"); exit(2); }
    out[i] = (unsigned char)byte;
  }
  return n;
}

/* Where the DHCPV4-QUERY starts: 0, or inside option 9 of (nested) RELAY-FORW layers; -1 if malformed. */
static long innermost(const unsigned char *q, size_t len) {
  size_t at = 0;
  while (at < len && q[at] == RELAY_FORW) {
    size_t option = at + RELAY_HEADER;
    for (;;) {
      if (option + 4 > len) return -1;
      unsigned code = (unsigned)q[option] << 8 | q[option + 1];
      unsigned length = (unsigned)q[option + 2] << 8 | q[option + 3];
      if (code == OPTION_RELAY_MSG) break;
      option += 4 + length;
    }
    at = option + 4;
  }
  return (long)at;
}

int main(int argc, char **argv) {
  if (argc != 4) { fprintf(stderr, "usage: echo4o6 PORT OFFER_HEX ACK_HEX\n"); return 2; }
  static unsigned char offer[MAX_REPLY], ack[MAX_REPLY];
  size_t offer_len = from_hex(argv[2], offer, sizeof offer), ack_len = from_hex(argv[3], ack, sizeof ack);
  if (offer_len < XID_AT + 4 || ack_len < XID_AT + 4) { fprintf(stderr, "echo4o6: canned reply too short\n"); return 2; }

  int fd = socket(AF_INET6, SOCK_DGRAM, 0);
  if (fd < 0) { perror("echo4o6: socket"); return 2; }
  int size = 8 << 20;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) != 0) setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  struct sockaddr_in6 self = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)atoi(argv[1])) };
  inet_pton(AF_INET6, "::1", &self.sin6_addr);
  if (bind(fd, (struct sockaddr *)&self, sizeof self) != 0) { perror("echo4o6: bind"); return 2; }

  struct sigaction term = { .sa_handler = on_term };
  sigaction(SIGTERM, &term, NULL);
  sigaction(SIGINT, &term, NULL);
  puts("listening");
  fflush(stdout);

  static unsigned char in[BATCH][MAX_QUERY], out[BATCH][MAX_REPLY];
  static struct mmsghdr received[BATCH], replies[BATCH];
  static struct iovec in_iov[BATCH], out_iov[BATCH];
  static struct sockaddr_in6 from[BATCH];
  while (!stopping) {
    for (int i = 0; i < BATCH; i++) {
      in_iov[i] = (struct iovec){ in[i], MAX_QUERY };
      memset(&received[i], 0, sizeof received[i]);
      received[i].msg_hdr.msg_iov = &in_iov[i];
      received[i].msg_hdr.msg_iovlen = 1;
      received[i].msg_hdr.msg_name = &from[i];
      received[i].msg_hdr.msg_namelen = sizeof from[i];
    }
    int n = recvmmsg(fd, received, BATCH, MSG_WAITFORONE, NULL);
    if (n < 0) {
      if (errno == EINTR) continue;
      perror("echo4o6: recvmmsg");
      return 1;
    }
    int count = 0;
    for (int i = 0; i < n; i++) {
      const unsigned char *q = in[i];
      size_t len = received[i].msg_len;
      long at = innermost(q, len);
      if (at < 0 || len < (size_t)at + XID_AT + 4) continue; /* not a query: no answer */
      uint32_t xid = (uint32_t)q[at + XID_AT] << 24 | (uint32_t)q[at + XID_AT + 1] << 16 | (uint32_t)q[at + XID_AT + 2] << 8 | q[at + XID_AT + 3];
      /* The generators' xid: client * 4 + phase, phase 0 being the DISCOVER. */
      const unsigned char *canned = xid % 4 == 0 ? offer : ack;
      size_t canned_len = xid % 4 == 0 ? offer_len : ack_len;
      memcpy(out[count], canned, canned_len);
      memcpy(out[count] + XID_AT, q + at + XID_AT, 4);
      out_iov[count] = (struct iovec){ out[count], canned_len };
      memset(&replies[count], 0, sizeof replies[count]);
      replies[count].msg_hdr.msg_iov = &out_iov[count];
      replies[count].msg_hdr.msg_iovlen = 1;
      replies[count].msg_hdr.msg_name = &from[i];
      replies[count].msg_hdr.msg_namelen = received[i].msg_hdr.msg_namelen;
      count++;
    }
    for (int sent = 0; sent < count;) {
      int r = sendmmsg(fd, replies + sent, (unsigned)(count - sent), 0);
      if (r <= 0) break; /* a full send buffer loses replies; the generator retransmits */
      sent += r;
    }
  }
  close(fd);
  return 0;
}
