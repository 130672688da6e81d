/*
 * load4o6 — native twin of runLoad (tests/bench/load-generator.ts): DHCPv4-over-DHCPv6
 * (RFC 7341) DORA / renew / release exchanges for N distinct clients, relayed through one
 * RELAY-FORW with option 135 (RFC 8357), against one or several servers.
 *
 * Why: the TypeScript generator tops out near 16k DORA/s against the trivial echo server and
 * takes a whole core doing it; on a 2-core box the server under test needs the other core, so
 * the TS generator cannot measure it. This one sends the same bytes (same client numbering,
 * xids, options and option order) from templates patched per client, batches with
 * recvmmsg/sendmmsg on one non-blocking UDP/IPv6 socket, and uses a fraction of a core.
 *
 * Build:  gcc -O2 -o .tmp/bench/load4o6 tests/bench/native/load4o6.c   (Linux, libc only)
 *         (tests/bench/native-load.ts does this when the binary is missing or stale.)
 * Usage:  load4o6 --target [::1]:PORT [--target ...] [--spread client|split] [--mode MODE]
 *           [--clients N] [--first-client K] [--window W] [--rate R] [--seconds S]
 *           [--retransmit-ms MS] [--retries N] [--held FILE] [--leases-out FILE] [--direct]
 *           [--stats]
 *   MODE: dora (default), dora-dedicated, renew, release, mix.
 *   --held / --leases-out lines: client address psidOffset psidLength psid serverId (decimal;
 *   0 0 0 for the port parameters means "no option 159").
 * Prints one JSON line (the LoadResult fields of runLoad but leases) on stdout; errors go to
 * stderr with exit status 2. --stats adds a CPU-time line on stderr.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_TARGETS 256
#define BATCH 64
#define PKT_MAX 512      /* the largest query we build is about 350 bytes */
#define RECV_MAX 4096
#define BUFFER_BYTES (8 * 1024 * 1024)
#define PACE_NS 1000000ull /* --rate sends on a 1 ms grid */

/* ------------------------------------------------------------------------------------- */
/* Small helpers                                                                          */

static void fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("load4o6: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *xcalloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size);
    if (!p) fail("out of memory");
    return p;
}

static inline void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}
static inline uint32_t get16(const uint8_t *p) { return ((uint32_t)p[0] << 8) | p[1]; }
static inline uint32_t get32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static unsigned long long parse_uint(const char *s, const char *what, unsigned long long max) {
    char *end;
    errno = 0;
    if (!s || !*s || *s == '-') fail("%s: expected a whole number, got \"%s\"", what, s ? s : "");
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > max) fail("%s: \"%s\" is not a whole number in 0..%llu", what, s, max);
    return v;
}

static double parse_positive(const char *s, const char *what) {
    char *end;
    if (!s || !*s) fail("%s: expected a number", what);
    double v = strtod(s, &end);
    if (*end || !(v > 0)) fail("%s: \"%s\" is not a positive number", what, s);
    return v;
}

/* ------------------------------------------------------------------------------------- */
/* Options, state                                                                        */

enum mode { M_DORA, M_DORA_DEDICATED, M_RENEW, M_RELEASE, M_MIX };
static const char *const MODE_NAMES[] = { "dora", "dora-dedicated", "renew", "release", "mix" };

/* Phase of an exchange; the xid's low two bits are the message's phase (0..3). */
enum phase { P_IDLE = 0, P_DISCOVER, P_REQUEST, P_RENEW, P_RELEASE, P_DONE };

struct port_params { uint8_t present, offset, psid_len; uint16_t psid; };

struct lease {
    uint32_t client, address, server_id;
    struct port_params pp;
};

struct exchange {
    uint64_t started, sent_at;   /* ns, monotonic */
    uint32_t seq;                /* bumps with every send; stale timer entries are skipped */
    uint32_t offer_address, offer_server_id;
    struct port_params offer_pp;
    uint8_t phase, tries;
    uint16_t target;
};

/* A query template with the offsets of the per-client fields (-1: absent). */
struct tmpl {
    uint8_t bytes[PKT_MAX];
    int len;
    int peer, xid, ciaddr, chaddr, cid_mac, req_ip, server_id, pp;
};

enum { T_DISCOVER, T_REQUEST, T_REQUEST_PP, T_RENEW, T_RENEW_PP, T_RELEASE, T_RELEASE_PP, T_COUNT };

struct timer_entry { uint32_t index, seq; uint64_t sent_at; };

static struct {
    enum mode mode;
    uint32_t clients_wanted, first_client, window, retries;
    bool window_given, split, relay, stats;
    double seconds, rate;
    uint64_t retransmit_ns;
    const char *held_path, *leases_path;
    struct sockaddr_in6 targets[MAX_TARGETS];
    unsigned target_count;
} opt;

static int fd;
static struct tmpl templates[T_COUNT];

static uint32_t n_clients;        /* length of the client list */
static uint32_t *client_of;       /* index -> client number */
static struct lease *held;        /* index -> lease (only when the run uses held leases) */
static struct exchange *ex;       /* index -> exchange */

/* client (& 0x3fffffff) -> index, open addressing */
static uint32_t *index_keys;
static int32_t *index_vals;
static uint32_t index_mask;

/* slot (address << 16 | psid) -> client, open addressing; for duplicate detection */
static uint64_t *slot_keys;       /* stored as key + 1 so that 0 means empty */
static uint32_t *slot_vals;
static uint64_t slot_mask;

static double *latencies;
static uint32_t latency_count;
static struct lease *acked;
static uint32_t acked_count;

static uint32_t next_index, pending, begun;
static uint64_t completed, naks, timeouts, retransmissions, duplicates, send_errors;

/* FIFO of sends: every exchange waits the same retransmit time, so send order is expiry order. */
static struct timer_entry *tq;
static size_t tq_cap, tq_head, tq_len;

/* ------------------------------------------------------------------------------------- */
/* Arguments                                                                              */

static void add_target(const char *text) {
    if (opt.target_count >= MAX_TARGETS) fail("at most %d targets", MAX_TARGETS);
    char host[128];
    const char *port_text;
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close || close[1] != ':') fail("target \"%s\": expected [ADDRESS]:PORT", text);
        size_t n = (size_t)(close - text - 1);
        if (n >= sizeof host) fail("target \"%s\": address too long", text);
        memcpy(host, text + 1, n);
        host[n] = 0;
        port_text = close + 2;
    } else {
        const char *colon = strrchr(text, ':');
        if (!colon) fail("target \"%s\": expected ADDRESS:PORT", text);
        size_t n = (size_t)(colon - text);
        if (n >= sizeof host) fail("target \"%s\": address too long", text);
        memcpy(host, text, n);
        host[n] = 0;
        port_text = colon + 1;
    }
    struct sockaddr_in6 *sa = &opt.targets[opt.target_count];
    memset(sa, 0, sizeof *sa);
    sa->sin6_family = AF_INET6;
    sa->sin6_port = htons((uint16_t)parse_uint(port_text, "target port", 65535));
    if (ntohs(sa->sin6_port) == 0) fail("target \"%s\": port 0", text);
    struct in_addr v4;
    if (inet_pton(AF_INET6, host, &sa->sin6_addr) == 1) {
        /* ok */
    } else if (inet_pton(AF_INET, host, &v4) == 1) {
        /* IPv4 target: reached through the dual-stack socket as ::ffff:a.b.c.d */
        sa->sin6_addr.s6_addr[10] = 0xff;
        sa->sin6_addr.s6_addr[11] = 0xff;
        memcpy(&sa->sin6_addr.s6_addr[12], &v4, 4);
    } else {
        fail("target \"%s\": \"%s\" is not an IPv6 or IPv4 address", text, host);
    }
    opt.target_count++;
}

static void usage(FILE *to) {
    fputs(
        "usage: load4o6 --target [::1]:PORT [--target ...] [--targets A:P,B:P] [--spread client|split]\n"
        "               [--mode dora|dora-dedicated|renew|release|mix] [--clients N] [--first-client K]\n"
        "               [--window W] [--rate EXCHANGES_PER_S] [--seconds S] [--retransmit-ms MS]\n"
        "               [--retries N] [--held FILE] [--leases-out FILE] [--direct] [--stats]\n",
        to);
}

static void parse_args(int argc, char **argv) {
    opt.mode = M_DORA;
    opt.clients_wanted = 1000;
    opt.window = 64;
    opt.seconds = 60;
    opt.retransmit_ns = 1000000000ull;
    opt.retries = 3;
    opt.relay = true;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            exit(0);
        }
        if (!strcmp(a, "--direct")) { opt.relay = false; continue; }
        if (!strcmp(a, "--stats")) { opt.stats = true; continue; }
        if (i + 1 >= argc) {
            usage(stderr);
            fail("%s needs a value (or is unknown)", a);
        }
        const char *v = argv[++i];
        if (!strcmp(a, "--target")) add_target(v);
        else if (!strcmp(a, "--targets")) {
            char *copy = strdup(v), *save = NULL;
            if (!copy) fail("out of memory");
            for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) add_target(t);
            free(copy);
        } else if (!strcmp(a, "--spread")) {
            if (!strcmp(v, "client")) opt.split = false;
            else if (!strcmp(v, "split")) opt.split = true;
            else fail("--spread takes client or split, not \"%s\"", v);
        } else if (!strcmp(a, "--mode")) {
            unsigned m;
            for (m = 0; m < sizeof MODE_NAMES / sizeof *MODE_NAMES; m++) if (!strcmp(v, MODE_NAMES[m])) break;
            if (m == sizeof MODE_NAMES / sizeof *MODE_NAMES) fail("unknown mode \"%s\" (dora, dora-dedicated, renew, release, mix)", v);
            opt.mode = (enum mode)m;
        } else if (!strcmp(a, "--clients")) opt.clients_wanted = (uint32_t)parse_uint(v, "--clients", 0x3fffffff);
        else if (!strcmp(a, "--first-client")) opt.first_client = (uint32_t)parse_uint(v, "--first-client", 0xffffffffu);
        else if (!strcmp(a, "--window")) {
            opt.window = (uint32_t)parse_uint(v, "--window", 0xffffffffu);
            if (opt.window == 0) fail("--window must be at least 1");
            opt.window_given = true;
        } else if (!strcmp(a, "--rate")) opt.rate = parse_positive(v, "--rate");
        else if (!strcmp(a, "--seconds")) opt.seconds = parse_positive(v, "--seconds");
        else if (!strcmp(a, "--retransmit-ms")) {
            opt.retransmit_ns = parse_uint(v, "--retransmit-ms", 3600000) * 1000000ull;
            if (opt.retransmit_ns == 0) fail("--retransmit-ms must be at least 1");
        } else if (!strcmp(a, "--retries")) opt.retries = (uint32_t)parse_uint(v, "--retries", 250);
        else if (!strcmp(a, "--held")) opt.held_path = v;
        else if (!strcmp(a, "--leases-out")) opt.leases_path = v;
        else {
            usage(stderr);
            fail("unknown option %s", a);
        }
    }
    if (opt.target_count == 0) {
        usage(stderr);
        fail("at least one --target is needed");
    }
    /* With --rate the rate paces the run; the window (if given) still caps what is outstanding. */
    if (opt.rate > 0 && !opt.window_given) opt.window = 0xffffffffu;
}

/* ------------------------------------------------------------------------------------- */
/* Held leases (input) and ACKed leases (output)                                          */

static bool pp_from_fields(struct port_params *pp, unsigned long long offset, unsigned long long len, unsigned long long psid) {
    memset(pp, 0, sizeof *pp);
    if (offset == 0 && len == 0 && psid == 0) return true; /* no option 159 */
    if (offset > 15 || len > 16 || offset + len > 16) return false;
    if (len == 0 ? psid != 0 : psid >= (1ull << len)) return false;
    pp->present = 1;
    pp->offset = (uint8_t)offset;
    pp->psid_len = (uint8_t)len;
    pp->psid = (uint16_t)psid;
    return true;
}

static uint32_t read_held(const char *path, struct lease **out) {
    FILE *f = fopen(path, "r");
    if (!f) fail("cannot open --held %s: %s", path, strerror(errno));
    size_t cap = 1024, n = 0;
    struct lease *list = xcalloc(cap, sizeof *list);
    char line[512];
    unsigned lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *p = line;
        while (*p == ' ' || *p == '\t') p++;
        if (*p == '\n' || *p == '\r' || *p == 0 || *p == '#') continue;
        unsigned long long v[6];
        int used = 0;
        if (sscanf(p, "%llu %llu %llu %llu %llu %llu %n", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &used) != 6 || p[used] != 0)
            fail("%s:%u: expected \"client address psidOffset psidLength psid serverId\"", path, lineno);
        if (v[0] > 0xffffffffull || v[1] > 0xffffffffull || v[5] > 0xffffffffull) fail("%s:%u: value out of range", path, lineno);
        if (n == cap) {
            cap *= 2;
            list = realloc(list, cap * sizeof *list);
            if (!list) fail("out of memory");
        }
        struct lease *l = &list[n];
        l->client = (uint32_t)v[0];
        l->address = (uint32_t)v[1];
        l->server_id = (uint32_t)v[5];
        if (!pp_from_fields(&l->pp, v[2], v[3], v[4])) fail("%s:%u: invalid port parameters", path, lineno);
        n++;
    }
    if (ferror(f)) fail("reading %s: %s", path, strerror(errno));
    fclose(f);
    if (n > 0x3fffffff) fail("%s: too many leases", path);
    *out = list;
    return (uint32_t)n;
}

static void write_leases(const char *path) {
    FILE *f = fopen(path, "w");
    if (!f) fail("cannot write --leases-out %s: %s", path, strerror(errno));
    for (uint32_t i = 0; i < acked_count; i++) {
        const struct lease *l = &acked[i];
        fprintf(f, "%" PRIu32 " %" PRIu32 " %u %u %u %" PRIu32 "\n", l->client, l->address,
                l->pp.present ? l->pp.offset : 0u, l->pp.present ? l->pp.psid_len : 0u, l->pp.present ? l->pp.psid : 0u, l->server_id);
    }
    if (fclose(f) != 0) fail("writing %s: %s", path, strerror(errno));
}

/* ------------------------------------------------------------------------------------- */
/* Hash tables                                                                            */

static inline uint32_t hash32(uint32_t k) { return k * 0x9e3779b1u; }
static inline uint64_t hash64(uint64_t k) {
    k ^= k >> 33; k *= 0xff51afd7ed558ccdull; k ^= k >> 33; k *= 0xc4ceb9fe1a85ec53ull; k ^= k >> 33;
    return k;
}

static void index_init(uint32_t n) {
    uint32_t cap = 16;
    while (cap < 2 * (uint64_t)n) cap *= 2;
    index_keys = xcalloc(cap, sizeof *index_keys);
    index_vals = xcalloc(cap, sizeof *index_vals);
    for (uint32_t i = 0; i < cap; i++) index_vals[i] = -1;
    index_mask = cap - 1;
}

/* Returns false when the key is there already. */
static bool index_put(uint32_t key, int32_t value) {
    for (uint32_t h = hash32(key) & index_mask;; h = (h + 1) & index_mask) {
        if (index_vals[h] < 0) {
            index_keys[h] = key;
            index_vals[h] = value;
            return true;
        }
        if (index_keys[h] == key) return false;
    }
}

static inline int32_t index_get(uint32_t key) {
    for (uint32_t h = hash32(key) & index_mask;; h = (h + 1) & index_mask) {
        if (index_vals[h] < 0) return -1;
        if (index_keys[h] == key) return index_vals[h];
    }
}

static void slots_init(uint32_t n) {
    uint64_t cap = 16;
    while (cap < 2 * (uint64_t)n) cap *= 2;
    slot_keys = xcalloc(cap, sizeof *slot_keys);
    slot_vals = xcalloc(cap, sizeof *slot_vals);
    slot_mask = cap - 1;
}

/* Records that `slot` went to `client`; returns the previous owner or -1. */
static int64_t slot_grant(uint64_t slot, uint32_t client) {
    uint64_t key = slot + 1;
    for (uint64_t h = hash64(slot) & slot_mask;; h = (h + 1) & slot_mask) {
        if (slot_keys[h] == 0) {
            slot_keys[h] = key;
            slot_vals[h] = client;
            return -1;
        }
        if (slot_keys[h] == key) {
            int64_t previous = slot_vals[h];
            slot_vals[h] = client;
            return previous;
        }
    }
}

/* ------------------------------------------------------------------------------------- */
/* Templates                                                                              */

static const uint8_t LINK_ADDRESS[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t PRL_SHARED[] = { 1, 3, 6, 51, 54, 159 };
static const uint8_t PRL_DEDICATED[] = { 1, 3, 6, 51, 54 };

/*
 * Builds the query of one kind for client 0, in runLoad's layout: RELAY-FORW (hop 0,
 * link-address, peer-address) { option 135 (port), option 9 { DHCPV4-QUERY (U flag)
 * { option 87 { BOOTREQUEST, cookie, options in order 53, 55, 50, 54, 159, 61, 255 } } } }.
 */
static void make_template(struct tmpl *t, uint8_t dhcp_type, uint8_t xid_phase, bool unicast, const uint8_t *prl, size_t prl_len,
                          bool with_ciaddr, bool with_req_ip, bool with_server_id, bool with_pp, uint16_t reply_port) {
    uint8_t *b = t->bytes;
    int at = 0;
    int option9 = -1;
    memset(t, 0, sizeof *t);
    t->peer = t->ciaddr = t->req_ip = t->server_id = t->pp = -1;
    if (opt.relay) {
        b[0] = 12;                         /* RELAY-FORW */
        b[1] = 0;                          /* hop-count */
        memcpy(b + 2, LINK_ADDRESS, 16);
        static const uint8_t peer[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
        memcpy(b + 18, peer, 16);
        t->peer = 18 + 4;                  /* 2001:db8:<client>::1 */
        at = 34;
        put16(b + at, 135);                /* OPTION_RELAY_PORT */
        put16(b + at + 2, 2);
        put16(b + at + 4, reply_port);
        at += 6;
        option9 = at;
        put16(b + at, 9);                  /* OPTION_RELAY_MSG, length patched below */
        at += 4;
    }
    int inner = at;
    b[at] = 20;                            /* DHCPV4-QUERY */
    b[at + 1] = unicast ? 0x80 : 0;        /* U flag: bit 0x800000 of the 24-bit flags */
    b[at + 2] = 0;
    b[at + 3] = 0;
    at += 4;
    int option87 = at;
    put16(b + at, 87);                     /* OPTION_DHCPV4_MSG, length patched below */
    at += 4;
    int v4 = at;
    b[v4] = 1;                             /* op BOOTREQUEST */
    b[v4 + 1] = 1;                         /* htype Ethernet */
    b[v4 + 2] = 6;                         /* hlen */
    b[v4 + 3] = 0;                         /* hops */
    t->xid = v4 + 4;
    put32(b + v4 + 4, xid_phase);          /* xid = client * 4 + phase */
    /* secs, flags, ciaddr, yiaddr, siaddr, giaddr: zero (memset) */
    if (with_ciaddr) t->ciaddr = v4 + 12;
    t->chaddr = v4 + 28;
    b[v4 + 28] = 0x02;                     /* MAC 02:50:<client> */
    b[v4 + 29] = 0x50;
    /* chaddr padding, sname, file: zero */
    put32(b + v4 + 236, 0x63825363);       /* magic cookie */
    at = v4 + 240;
    b[at++] = 53; b[at++] = 1; b[at++] = dhcp_type;
    if (prl_len) {
        b[at++] = 55; b[at++] = (uint8_t)prl_len;
        memcpy(b + at, prl, prl_len);
        at += (int)prl_len;
    }
    if (with_req_ip) { b[at++] = 50; b[at++] = 4; t->req_ip = at; at += 4; }
    if (with_server_id) { b[at++] = 54; b[at++] = 4; t->server_id = at; at += 4; }
    if (with_pp) { b[at++] = 159; b[at++] = 4; t->pp = at; at += 4; }
    /* option 61: RFC 4361 client identifier: 255, IAID 1, DUID-LL (type 3, htype 1, MAC) */
    static const uint8_t cid_head[] = { 255, 0, 0, 0, 1, 0, 3, 0, 1, 0x02, 0x50 };
    b[at++] = 61; b[at++] = 15;
    memcpy(b + at, cid_head, sizeof cid_head);
    t->cid_mac = at + (int)sizeof cid_head;
    at += 15;
    b[at++] = 255;                         /* end */
    t->len = at;
    put16(b + option87 + 2, (uint32_t)(at - v4));
    if (option9 >= 0) put16(b + option9 + 2, (uint32_t)(at - inner));
}

static void make_templates(uint16_t reply_port) {
    const bool shared = opt.mode != M_DORA_DEDICATED;
    const uint8_t *prl = shared ? PRL_SHARED : PRL_DEDICATED;
    const size_t prl_len = shared ? sizeof PRL_SHARED : sizeof PRL_DEDICATED;
    /*                                         type phase unicast prl  prl_len  ciaddr req_ip sid    159 */
    make_template(&templates[T_DISCOVER], 1, 0, false, prl, prl_len, false, false, false, false, reply_port);
    make_template(&templates[T_REQUEST], 3, 1, false, prl, prl_len, false, true, true, false, reply_port);
    make_template(&templates[T_REQUEST_PP], 3, 1, false, prl, prl_len, false, true, true, true, reply_port);
    make_template(&templates[T_RENEW], 3, 2, true, prl, prl_len, true, false, false, false, reply_port);
    make_template(&templates[T_RENEW_PP], 3, 2, true, prl, prl_len, true, false, false, true, reply_port);
    make_template(&templates[T_RELEASE], 7, 3, true, NULL, 0, true, false, true, false, reply_port);
    make_template(&templates[T_RELEASE_PP], 7, 3, true, NULL, 0, true, false, true, true, reply_port);
}

static inline void put_pp(uint8_t *p, const struct port_params *pp) {
    /* The wire PSID is left-aligned in 16 bits (RFC 7618 §9). */
    uint32_t field = pp->psid_len == 0 ? 0 : ((uint32_t)pp->psid << (16 - pp->psid_len)) & 0xffff;
    p[0] = pp->offset;
    p[1] = pp->psid_len;
    put16(p + 2, field);
}

/* ------------------------------------------------------------------------------------- */
/* Sending                                                                                */

static uint8_t out_buf[BATCH][PKT_MAX];
static struct iovec out_iov[BATCH];
static struct mmsghdr out_msg[BATCH];
static unsigned out_count;

static void flush_sends(void) {
    unsigned off = 0;
    while (off < out_count) {
        int sent = sendmmsg(fd, out_msg + off, out_count - off, 0);
        if (sent > 0) {
            off += (unsigned)sent;
            continue;
        }
        if (sent < 0 && errno == EINTR) continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) {
            struct pollfd p = { .fd = fd, .events = POLLOUT };
            poll(&p, 1, 10);
            continue;
        }
        /* Anything else (e.g. an unreachable target): drop this one, retransmission covers it. */
        if (send_errors++ == 0) fprintf(stderr, "load4o6: send failed: %s (later failures not shown)\n", strerror(errno));
        off++;
    }
    out_count = 0;
}

static void timer_push(uint32_t index, uint32_t seq, uint64_t sent_at) {
    if (tq_len == tq_cap) {
        size_t cap = tq_cap ? tq_cap * 2 : 4096;
        struct timer_entry *q = xcalloc(cap, sizeof *q);
        for (size_t i = 0; i < tq_len; i++) q[i] = tq[(tq_head + i) % tq_cap];
        free(tq);
        tq = q;
        tq_cap = cap;
        tq_head = 0;
    }
    tq[(tq_head + tq_len) % tq_cap] = (struct timer_entry){ index, seq, sent_at };
    tq_len++;
}

/* Which target client `client` sends its message of `phase` (0 DISCOVER, 1 REQUEST, 2 renew/release) to. */
static inline uint16_t target_of(uint32_t client, unsigned phase) {
    return (uint16_t)(((uint64_t)client + (opt.split ? phase : 0)) % opt.target_count);
}

/* Builds the exchange's current message from its template and queues it. */
static void send_exchange(uint32_t index, uint64_t now) {
    struct exchange *e = &ex[index];
    const uint32_t client = client_of[index];
    const struct lease *l = held ? &held[index] : NULL;
    const struct tmpl *t;
    unsigned xid_phase;
    switch (e->phase) {
    case P_DISCOVER: t = &templates[T_DISCOVER]; xid_phase = 0; break;
    case P_REQUEST: t = &templates[e->offer_pp.present ? T_REQUEST_PP : T_REQUEST]; xid_phase = 1; break;
    case P_RENEW: t = &templates[l->pp.present ? T_RENEW_PP : T_RENEW]; xid_phase = 2; break;
    default: t = &templates[l->pp.present ? T_RELEASE_PP : T_RELEASE]; xid_phase = 3; break;
    }
    uint8_t *b = out_buf[out_count];
    memcpy(b, t->bytes, (size_t)t->len);
    if (t->peer >= 0) put32(b + t->peer, client);
    put32(b + t->xid, (uint32_t)(((client & 0x3fffffffu) << 2) + xid_phase));
    put32(b + t->chaddr + 2, client);
    put32(b + t->cid_mac, client);
    if (e->phase == P_REQUEST) {
        put32(b + t->req_ip, e->offer_address);
        put32(b + t->server_id, e->offer_server_id);
        if (t->pp >= 0) put_pp(b + t->pp, &e->offer_pp);
    } else if (e->phase == P_RENEW || e->phase == P_RELEASE) {
        put32(b + t->ciaddr, l->address);
        if (t->server_id >= 0) put32(b + t->server_id, l->server_id);
        if (t->pp >= 0) put_pp(b + t->pp, &l->pp);
    }
    out_iov[out_count].iov_base = b;
    out_iov[out_count].iov_len = (size_t)t->len;
    struct msghdr *h = &out_msg[out_count].msg_hdr;
    h->msg_name = &opt.targets[e->target];
    h->msg_namelen = sizeof opt.targets[0];
    h->msg_iov = &out_iov[out_count];
    h->msg_iovlen = 1;
    h->msg_control = NULL;
    h->msg_controllen = 0;
    h->msg_flags = 0;
    if (++out_count == BATCH) flush_sends();
    e->sent_at = now;
    e->seq++;
    if (e->phase != P_RELEASE) timer_push(index, e->seq, now);
}

/* ------------------------------------------------------------------------------------- */
/* Exchanges                                                                              */

static void record_latency(double ms) { latencies[latency_count++] = ms; }

static void begin(uint32_t index, uint64_t now) {
    struct exchange *e = &ex[index];
    const uint32_t client = client_of[index];
    enum phase phase = P_DISCOVER;
    if (held) {
        if (opt.mode == M_RENEW) phase = P_RENEW;
        else if (opt.mode == M_RELEASE) phase = P_RELEASE;
        else if (opt.mode == M_MIX) phase = client % 5 == 0 ? P_RELEASE : P_RENEW;
    }
    e->phase = (uint8_t)phase;
    e->started = now;
    e->tries = 1;
    e->target = target_of(client, phase == P_DISCOVER ? 0 : 2);
    send_exchange(index, now);
    begun++;
    if (phase == P_RELEASE) {
        /* RELEASE has no reply (RFC 2131 §4.3.4): it completes when sent. */
        e->phase = P_DONE;
        completed++;
        record_latency(0);
    } else {
        pending++;
    }
}

static void finish(uint32_t index, uint64_t now) {
    struct exchange *e = &ex[index];
    e->phase = P_DONE;
    pending--;
    completed++;
    record_latency((double)(now - e->started) / 1e6);
}

static uint64_t started_at, deadline;

static void fill(uint64_t now) {
    if (now >= deadline) return;
    uint32_t allowed = n_clients - next_index;
    if (opt.rate > 0) {
        uint64_t due = (uint64_t)((double)(now - started_at) * opt.rate / 1e9) + 1;
        uint64_t may = due > begun ? due - begun : 0;
        if (may < allowed) allowed = (uint32_t)may;
    }
    while (allowed > 0 && pending < opt.window) {
        begin(next_index++, now);
        allowed--;
    }
}

/* Retransmits or gives up on what has waited the retransmit time. */
static void expire(uint64_t now) {
    while (tq_len > 0) {
        struct timer_entry *te = &tq[tq_head];
        if (now - te->sent_at < opt.retransmit_ns) break;
        const uint32_t index = te->index, seq = te->seq;
        tq_head = (tq_head + 1) % tq_cap;
        tq_len--;
        struct exchange *e = &ex[index];
        if (e->seq != seq || e->phase == P_DONE || e->phase == P_IDLE) continue; /* stale */
        if (e->tries > opt.retries) {
            e->phase = P_DONE;
            pending--;
            timeouts++;
            continue;
        }
        e->tries++;
        retransmissions++;
        send_exchange(index, now);
    }
}

/* ------------------------------------------------------------------------------------- */
/* Replies                                                                                */

struct v4_info { int type; bool has_server_id; uint32_t server_id; bool pp_ok; struct port_params pp; int overload; };

/* Walks one DHCPv4 option area; false when malformed. */
static bool scan_v4_options(const uint8_t *p, size_t len, struct v4_info *info, bool main_area) {
    size_t i = 0;
    while (i < len) {
        uint8_t code = p[i];
        if (code == 0) { i++; continue; }
        if (code == 255) return true;
        if (i + 1 >= len) return false;
        size_t n = p[i + 1];
        if (i + 2 + n > len) return false;
        const uint8_t *d = p + i + 2;
        switch (code) {
        case 52:
            if (!main_area || n != 1 || d[0] < 1 || d[0] > 3) return false;
            info->overload = d[0];
            break;
        case 53:
            if (n != 1) return false;
            if (info->type < 0) info->type = d[0];
            break;
        case 54:
            if (n != 4) return false;
            if (!info->has_server_id) { info->has_server_id = true; info->server_id = get32(d); }
            break;
        case 159: {
            if (n != 4) return false;
            unsigned offset = d[0], k = d[1], field = get16(d + 2);
            if (offset > 15 || k > 16 || offset + k > 16) return false;
            unsigned pad = k == 16 ? 0 : (1u << (16 - k)) - 1;
            if (field & pad) return false;
            if (!info->pp.present) {
                info->pp.present = 1;
                info->pp.offset = (uint8_t)offset;
                info->pp.psid_len = (uint8_t)k;
                info->pp.psid = (uint16_t)(k == 0 ? 0 : field >> (16 - k));
            }
            break;
        }
        default:
            break;
        }
        i += 2 + n;
    }
    return true;
}

static void on_reply(const uint8_t *p, size_t len, uint64_t now) {
    size_t at = 0, end = len;
    int depth = 0;
    /* RELAY-REPL (or RELAY-FORW) layers: into option 9 each time. */
    while (end - at >= 1 && (p[at] == 12 || p[at] == 13)) {
        if (++depth > 32 || end - at < 34) return;
        size_t o = at + 34, inner = 0, inner_end = 0;
        bool found = false;
        while (o < end) {
            if (end - o < 4) return;
            size_t code = get16(p + o), n = get16(p + o + 2);
            if (o + 4 + n > end) return;
            if (code == 9) {
                if (found) return;
                found = true;
                inner = o + 4;
                inner_end = o + 4 + n;
            }
            o += 4 + n;
        }
        if (!found) return;
        at = inner;
        end = inner_end;
    }
    if (end - at < 4 || (p[at] != 21 && p[at] != 20)) return;
    const uint8_t *v4 = NULL;
    size_t v4len = 0;
    for (size_t o = at + 4; o < end;) {
        if (end - o < 4) return;
        size_t code = get16(p + o), n = get16(p + o + 2);
        if (o + 4 + n > end) return;
        if (code == 87 && !v4) { v4 = p + o + 4; v4len = n; }
        o += 4 + n;
    }
    if (!v4 || v4len < 240 || get32(v4 + 236) != 0x63825363u || v4[2] > 16) return;
    struct v4_info info = { .type = -1 };
    if (!scan_v4_options(v4 + 240, v4len - 240, &info, true)) return;
    if ((info.overload & 1) && !scan_v4_options(v4 + 108, 128, &info, false)) return;
    if ((info.overload & 2) && !scan_v4_options(v4 + 44, 64, &info, false)) return;

    const uint32_t xid = get32(v4 + 4);
    const int32_t index = index_get(xid >> 2);
    if (index < 0) return;
    struct exchange *e = &ex[index];
    const uint32_t client = client_of[index];
    if (e->phase == P_DISCOVER && info.type == 2) {            /* OFFER → REQUEST */
        e->offer_address = get32(v4 + 16);
        e->offer_pp = info.pp;
        e->offer_server_id = info.has_server_id ? info.server_id : 0;
        e->phase = P_REQUEST;
        e->target = target_of(client, 1);
        e->tries = 1;
        send_exchange((uint32_t)index, now);
        return;
    }
    if ((e->phase == P_REQUEST || e->phase == P_RENEW) && info.type == 5) { /* ACK */
        const uint32_t yiaddr = get32(v4 + 16);
        const uint64_t slot = ((uint64_t)yiaddr << 16) + (info.pp.present ? info.pp.psid : 0);
        const int64_t owner = slot_grant(slot, client);
        if (owner >= 0 && (uint32_t)owner != client) duplicates++;
        struct lease *l = &acked[acked_count++];
        l->client = client;
        l->address = yiaddr;
        l->pp = info.pp;
        l->server_id = info.has_server_id ? info.server_id : 0;
        finish((uint32_t)index, now);
    } else if (info.type == 6 && e->phase != P_DONE && e->phase != P_IDLE) { /* NAK */
        naks++;
        finish((uint32_t)index, now);
    }
}

/* ------------------------------------------------------------------------------------- */

static int compare_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double percentile(double p) {
    if (latency_count == 0) return 0;
    uint64_t i = (uint64_t)((double)latency_count * p / 100.0);
    if (i > latency_count - 1) i = latency_count - 1;
    return latencies[i];
}

static void set_buffer(int level_force, int level, int size) {
    if (setsockopt(fd, SOL_SOCKET, level_force, &size, sizeof size) == 0) return;
    setsockopt(fd, SOL_SOCKET, level, &size, sizeof size);
}

int main(int argc, char **argv) {
    parse_args(argc, argv);

    /* The client list: the held leases' clients for renew/release/mix, else a range. */
    struct lease *held_list = NULL;
    uint32_t held_count = opt.held_path ? read_held(opt.held_path, &held_list) : 0;
    const bool use_held = held_count > 0 && opt.mode != M_DORA && opt.mode != M_DORA_DEDICATED;
    n_clients = use_held ? held_count : opt.clients_wanted;
    client_of = xcalloc(n_clients, sizeof *client_of);
    index_init(n_clients);
    for (uint32_t i = 0; i < n_clients; i++) {
        client_of[i] = use_held ? held_list[i].client : opt.first_client + i;
        if (!index_put(client_of[i] & 0x3fffffffu, (int32_t)i))
            fail("client %" PRIu32 " appears twice (clients are told apart by xid / 4, i.e. modulo 2^30)", client_of[i]);
    }
    if (use_held) held = held_list;
    else free(held_list);
    ex = xcalloc(n_clients, sizeof *ex);
    latencies = xcalloc(n_clients, sizeof *latencies);
    acked = xcalloc(n_clients, sizeof *acked);
    slots_init(n_clients);

    fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) fail("socket: %s", strerror(errno));
    int off = 0;
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off); /* IPv4 targets as ::ffff:a.b.c.d */
    set_buffer(SO_RCVBUFFORCE, SO_RCVBUF, BUFFER_BYTES);
    set_buffer(SO_SNDBUFFORCE, SO_SNDBUF, BUFFER_BYTES);
    struct sockaddr_in6 local = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT, .sin6_port = 0 };
    if (bind(fd, (struct sockaddr *)&local, sizeof local) != 0) fail("bind: %s", strerror(errno));
    socklen_t local_len = sizeof local;
    if (getsockname(fd, (struct sockaddr *)&local, &local_len) != 0) fail("getsockname: %s", strerror(errno));
    make_templates(ntohs(local.sin6_port));

    static uint8_t in_buf[BATCH][RECV_MAX];
    static struct iovec in_iov[BATCH];
    static struct mmsghdr in_msg[BATCH];
    for (unsigned i = 0; i < BATCH; i++) {
        in_iov[i].iov_base = in_buf[i];
        in_iov[i].iov_len = RECV_MAX;
        in_msg[i].msg_hdr.msg_iov = &in_iov[i];
        in_msg[i].msg_hdr.msg_iovlen = 1;
    }

    started_at = now_ns();
    deadline = started_at + (uint64_t)(opt.seconds * 1e9);
    fill(started_at);
    flush_sends();
    for (;;) {
        uint64_t now = now_ns();
        if ((next_index >= n_clients && pending == 0) || now >= deadline) break;
        expire(now);
        fill(now);
        flush_sends();
        if (next_index >= n_clients && pending == 0) continue;

        /* Sleep until a reply, the next retransmission, the next rate slot or the deadline. */
        uint64_t wake = deadline;
        if (tq_len > 0 && tq[tq_head].sent_at + opt.retransmit_ns < wake) wake = tq[tq_head].sent_at + opt.retransmit_ns;
        if (opt.rate > 0 && next_index < n_clients && pending < opt.window) {
            /* Paced sends go out on a 1 ms grid (a burst of rate/1000): far fewer wake-ups. */
            uint64_t slot = (uint64_t)((double)begun * 1e9 / opt.rate);
            slot = started_at + (slot + PACE_NS - 1) / PACE_NS * PACE_NS;
            if (slot < wake) wake = slot;
        }
        now = now_ns();
        uint64_t wait = wake > now ? wake - now : 0;
        struct timespec ts = { .tv_sec = (time_t)(wait / 1000000000ull), .tv_nsec = (long)(wait % 1000000000ull) };
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        int ready = ppoll(&pfd, 1, &ts, NULL);
        if (ready < 0 && errno != EINTR) fail("ppoll: %s", strerror(errno));
        if (ready <= 0 || !(pfd.revents & POLLIN)) continue;

        for (int round = 0; round < 16; round++) {
            int got = recvmmsg(fd, in_msg, BATCH, MSG_DONTWAIT, NULL);
            if (got < 0) {
                if (errno == EINTR) continue;
                if (errno == EAGAIN || errno == EWOULDBLOCK) break;
                /* ICMP errors surface here on some kernels: not fatal. */
                break;
            }
            now = now_ns();
            for (int i = 0; i < got; i++) {
                on_reply(in_buf[i], in_msg[i].msg_len, now);
                in_msg[i].msg_hdr.msg_flags = 0;
            }
            fill(now);
            flush_sends();
            if (got < BATCH) break;
        }
    }
    flush_sends();
    const uint64_t ended = now_ns();
    close(fd);

    const double seconds = (double)(ended - started_at) / 1e9;
    qsort(latencies, latency_count, sizeof *latencies, compare_double);
    if (opt.leases_path) write_leases(opt.leases_path);
    printf("{\"mode\":\"%s\",\"window\":%" PRIu32 ",\"clients\":%" PRIu32 ",\"completed\":%" PRIu64 ",\"seconds\":%.6f,"
           "\"perSecond\":%.3f,\"p50ms\":%.6f,\"p99ms\":%.6f,\"maxms\":%.6f,\"naks\":%" PRIu64 ",\"timeouts\":%" PRIu64 ","
           "\"retransmissions\":%" PRIu64 ",\"duplicates\":%" PRIu64 "}\n",
           MODE_NAMES[opt.mode], opt.window == 0xffffffffu ? 0 : opt.window, n_clients, completed, seconds, seconds > 0 ? (double)completed / seconds : 0.0,
           percentile(50), percentile(99), latency_count ? latencies[latency_count - 1] : 0.0, naks, timeouts + pending,
           retransmissions, duplicates);
    fflush(stdout);
    if (opt.stats) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        double user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
        double sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
        fprintf(stderr, "load4o6: cpu user %.3f s, sys %.3f s (%.0f%% of one core over %.3f s); send errors %" PRIu64 "\n", user, sys,
                seconds > 0 ? 100.0 * (user + sys) / seconds : 0.0, seconds, send_errors);
    }
    return 0;
}
