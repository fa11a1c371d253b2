/* SPDX-License-Identifier: MIT */
/*
 * sleepmux-xfer serve: a TFTP server on the engine, for tests, benchmarks
 * and small deployments. One poll loop, up to MAX_SESSIONS transfers at
 * once, each from its own port (its TID).
 *
 * What it promises about DIR (docs/xfer-server.md): files are served from
 * DIR and nothing outside it. Every component of a name is opened below DIR
 * without following a symbolic link (dir.c); ".." is refused; a leading "/"
 * means DIR; a name that does not fit is refused, never shortened. Only
 * regular files are read. Writes (with --writable) go to a temporary file
 * in the target's directory that replaces the target only once every byte
 * arrived.
 *
 * Its listening port answers requests only: anything else arriving there
 * (an ERROR above all, or a DATA or ACK for no transfer) is dropped
 * silently, so two servers, or a server and itself, can never be made to
 * bounce errors at each other; refusals are rate-limited.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host.h"

#define MAX_SESSIONS 32
/* Bounds against clients that ask and never answer (a spoofed or silent
 * peer holds a slot until it gives up): each address may hold PER_HOST
 * transfers; transfers whose client never acknowledged our first packet
 * may hold UNCONFIRMED_MAX slots, the oldest making room for a new one,
 * and end after UNCONFIRMED_US. The rest of the table is for transfers
 * that are under way. */
#define PER_HOST 8
#define UNCONFIRMED_MAX (MAX_SESSIONS / 2)
#define UNCONFIRMED_US 5000000u

struct session {
    struct server *sv;
    bool used;
    bool finished;      /* logged; may still dally */
    bool committed;     /* a write's file renamed into place */
    int sock;
    struct xfer x;
    struct host_file file;
    struct xfer_endpoint client;
    uint8_t *window;
    struct host_path path;  /* the name, the directory holding it, its leaf */
    char tmp[40];           /* a write's temporary file, beside the target */
    xfer_time_t start;
};

/* Refusals sent from the listening port: a burst, then REFUSE_EVERY_US
 * apart, so that a flood of bad requests cannot turn the server into a
 * reflector or fill its log. */
#define REFUSE_BURST 20
#define REFUSE_EVERY_US 100000u

struct refusals {
    xfer_time_t at;
    unsigned tokens;
    unsigned long held;     /* refusals not sent since the last one logged */
};

struct server {
    int dirfd, listen;
    bool writable, quiet;
    long blksize_max, window_max, dally_ms, count, rto_min;
    long served;
    struct session s[MAX_SESSIONS];
    struct refusals refusals;
    uint8_t *buf;
};

static void serve_usage(FILE *out)
{
    fprintf(out,
            "usage: sleepmux-xfer serve [options] DIR\n"
            "  -a, --address ADDR[:PORT]  where to listen (default 0.0.0.0:69; port 0 picks one)\n"
            "  -p, --port N               the port alone\n"
            "  -W, --writable             accept write requests (into DIR, replacing files)\n"
            "  -B, --blksize-max N        largest block to agree to (default 65464)\n"
            "  -w, --window-max N         largest window to agree to (default 64)\n"
            "  -n, --count N              exit after N transfers\n"
            "  -q, --quiet                no log line per transfer\n"
            "      --rto-min US           floor of the adaptive retransmission timer (default 1000)\n"
            "The address it listens on is printed on stdout: \"listening on ADDR:PORT\".\n"
            "Nothing outside DIR is read or written: no symbolic link is followed anywhere in a name,\n"
            "\"..\" and names that do not fit are refused, only regular files are read, and a write\n"
            "replaces its file only once complete. Only requests get an answer on the listening\n"
            "port (never an ERROR), refusals are rate-limited, and clients that never answer hold\n"
            "few slots for 5 s at most (docs/xfer-server.md).\n");
}

static bool may_refuse(struct refusals *r, xfer_time_t now)
{
    xfer_time_t due = (now - r->at) / REFUSE_EVERY_US;

    if (due) {
        r->tokens = due >= REFUSE_BURST ? REFUSE_BURST : r->tokens + (unsigned)due;
        if (r->tokens > REFUSE_BURST)
            r->tokens = REFUSE_BURST;
        r->at += due * REFUSE_EVERY_US;
    }
    if (!r->tokens) {
        r->held++;
        return false;
    }
    r->tokens--;
    return true;
}

static void refuse(struct server *sv, const struct xfer_endpoint *to, uint16_t code, const char *text)
{
    uint8_t pkt[600];
    struct sockaddr_storage sa;
    socklen_t sl = host_from_endpoint(to, &sa);
    char who[64];
    unsigned long held = sv->refusals.held;

    if (!may_refuse(&sv->refusals, host_now()))
        return;
    sv->refusals.held = 0;
    sendto(sv->listen, pkt, xfer_error_packet(pkt, sizeof pkt, code, text), 0, (struct sockaddr *)&sa, sl);
    if (!sv->quiet) {
        xfer_format_endpoint(to, who, sizeof who);
        fprintf(stderr, "serve: refused %s: error %u: %s\n", who, code, text);
        if (held)
            fprintf(stderr, "serve: ... and %lu more requests before it, refused without an answer "
                            "(at most %u answers a second)\n", held, 1000000u / REFUSE_EVERY_US);
    }
}

static uint16_t errno_code(int e)
{
    switch (e) {
    case ENOENT:
    case ENOTDIR: return XFER_TFTP_NOT_FOUND;
    case ENOSPC:
    case EDQUOT: return XFER_TFTP_DISK_FULL;
    default: return XFER_TFTP_ACCESS;
    }
}

/* A write is committed before its last block is acknowledged, so that a
 * client told "done" can rely on the file being there (as tftpd-hpa does). */
static int commit(struct session *s)
{
    if (fsync(s->file.fd) || renameat(s->path.dirfd, s->tmp, s->path.dirfd, s->path.leaf)) {
        s->file.err = errno;
        return errno == ENOSPC || errno == EDQUOT ? XFER_TFTP_DISK_FULL : XFER_TFTP_ACCESS;
    }
    s->committed = true;
    return 0;
}

static int session_write(void *ctx, uint64_t block, const void *src, size_t len)
{
    struct session *s = ctx;
    struct xfer_data inner = host_file_data(&s->file);
    int rc = inner.write(inner.ctx, block, src, len);

    if (!rc && len < xfer_params(&s->x)->blksize)
        rc = commit(s);
    return rc;
}

static void release(struct server *sv, struct session *s);
static void finish(struct server *sv, struct session *s);

static bool same_host(const struct xfer_endpoint *a, const struct xfer_endpoint *b)
{
    return a->family == b->family && !memcmp(a->addr, b->addr, sizeof a->addr);
}

/* The client has answered us at least once (from its TID). */
static bool confirmed(const struct session *s)
{
    const struct xfer_stats *st = xfer_stats(&s->x);

    return st->packets_in > st->foreign;
}

static bool unconfirmed(const struct session *s)
{
    return s->used && !s->finished && !confirmed(s);
}

static void drop_unconfirmed(struct server *sv, struct session *s, const char *why)
{
    xfer_abort(&s->x, XFER_TFTP_UNDEFINED, why);
    finish(sv, s);
    release(sv, s);
}

/* Room for a request from `from`: -1 with the reason in *why, or a slot. */
static int slot_for(struct server *sv, const struct xfer_endpoint *from, const char **why)
{
    int i, free_slot = -1, oldest = -1, waiting = 0, mine = 0;

    for (i = 0; i < MAX_SESSIONS; i++) {
        struct session *s = &sv->s[i];

        if (!s->used) {
            if (free_slot < 0)
                free_slot = i;
            continue;
        }
        if (s->finished)
            continue;
        if (same_host(&s->client, from))
            mine++;
        if (!confirmed(s)) {
            waiting++;
            if (oldest < 0 || s->start < sv->s[oldest].start)
                oldest = i;
        }
    }
    if (mine >= PER_HOST) {
        *why = "too many transfers from your address at once, try again";
        return -1;
    }
    if (waiting >= UNCONFIRMED_MAX || (free_slot < 0 && oldest >= 0)) {
        drop_unconfirmed(sv, &sv->s[oldest], "dropped: too many clients that never answered");
        if (free_slot < 0)
            free_slot = oldest;
    }
    /* Full of live transfers: one that only dallies (done, re-ACKing a
     * repeated last block) is the one to let go. */
    for (i = 0; free_slot < 0 && i < MAX_SESSIONS; i++) {
        if (sv->s[i].finished) {
            release(sv, &sv->s[i]);
            free_slot = i;
        }
    }
    if (free_slot < 0)
        *why = "too many transfers at once, try again";
    return free_slot;
}

static void start(struct server *sv, const uint8_t *pkt, size_t len, const struct xfer_endpoint *from)
{
    struct xfer_request req;
    uint16_t code;
    const char *problem;
    struct session *s = NULL;
    struct host_path path;
    struct stat st;
    char tmp[sizeof s->tmp] = "";
    int i, fd;

    /* A repeated request from a client being served: its session's timer
     * answers it (RFC 1350 §4, a new TID per transfer, not per request). */
    for (i = 0; i < MAX_SESSIONS; i++) {
        const struct xfer_endpoint *c = &sv->s[i].client;

        if (sv->s[i].used && c->family == from->family && c->port == from->port &&
            !memcmp(c->addr, from->addr, sizeof c->addr))
            return;
    }
    if (xfer_parse_request(pkt, len, &req, &code, &problem) != XFER_OK) {
        refuse(sv, from, code, problem);
        return;
    }
    if (req.dir == XFER_PUT && !sv->writable) {
        refuse(sv, from, XFER_TFTP_ACCESS, "this server is read-only");
        return;
    }
    if ((i = slot_for(sv, from, &problem)) < 0) {
        refuse(sv, from, XFER_TFTP_UNDEFINED, problem);
        return;
    }
    if (host_path_walk(&path, sv->dirfd, req.filename)) {
        refuse(sv, from, errno_code(errno), path.why ? path.why : strerror(errno));
        return;
    }
    if (req.dir == XFER_GET) {
        fd = host_path_open_read(&path, &st);
    } else {
        /* Short, whatever the target's length: a 255-byte name still has
         * room for its temporary file. */
        snprintf(tmp, sizeof tmp, ".xfer-%u-%d.part", (unsigned)getpid(), i);
        fd = openat(path.dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    }
    if (fd < 0) {
        int e = errno;

        refuse(sv, from, errno_code(e), path.why ? path.why : strerror(e));
        host_path_close(&path);
        return;
    }
    s = &sv->s[i];
    memset(s, 0, sizeof *s);
    memcpy(s->tmp, tmp, sizeof tmp);
    s->path = path;
    s->file.fd = fd;
    s->sock = host_socket(from->family, NULL);
    if (s->sock < 0) {
        refuse(sv, from, XFER_TFTP_UNDEFINED, strerror(errno));
        close(s->file.fd);
        if (s->tmp[0])
            unlinkat(s->path.dirfd, s->tmp, 0);
        host_path_close(&s->path);
        return;
    }
    if (req.dir == XFER_GET)
        s->window = malloc(XFER_WINDOW_BYTES(sv->blksize_max, sv->window_max));
    struct xfer_server_cfg cfg = {
        .req = &req,
        .client = *from,
        .blksize_max = (uint16_t)sv->blksize_max,
        .windowsize_max = (uint16_t)sv->window_max,
        .size_known = req.dir == XFER_GET,
        .size = req.dir == XFER_GET ? (uint64_t)st.st_size : 0,
        .window = s->window,
        .window_len = s->window ? XFER_WINDOW_BYTES(sv->blksize_max, sv->window_max) : 0,
        .timing = {.dally_us = (uint32_t)sv->dally_ms * 1000u, .rto_min_us = (uint32_t)sv->rto_min},
        .net = host_net(&s->sock),
        .data = host_file_data(&s->file),
    };
    if (req.dir == XFER_PUT)
        cfg.data = (struct xfer_data){.ctx = s, .write = session_write};
    s->sv = sv;
    s->used = true;
    s->client = *from;
    s->start = host_now();
    xfer_server_start(&s->x, &cfg, s->start);
}

/* The transfer ended (done, possibly still dallying to re-ACK a repeated
 * last block, or failed): commit or discard the file and log it. */
static void finish(struct server *sv, struct session *s)
{
    const struct xfer_stats *st = xfer_stats(&s->x);
    double secs = (double)(host_now() - s->start) / 1e6;
    char msg[600], who[64];

    if (s->tmp[0] && !s->committed)
        unlinkat(s->path.dirfd, s->tmp, 0);
    close(s->file.fd);
    host_path_close(&s->path);
    s->finished = true;
    if (sv->quiet)
        return;
    if (xfer_state(&s->x) == XFER_DONE) {
        xfer_format_endpoint(&s->client, who, sizeof who);
        fprintf(stderr, "serve: %s \"%s\" %s %s: %llu bytes in %.2f s; blksize %u, windowsize %u; "
                        "%llu retransmissions, %llu timeouts (%llu early)\n",
                s->x.dir == XFER_GET ? "sent" : "received", s->path.name, s->x.dir == XFER_GET ? "to" : "from", who,
                (unsigned long long)st->bytes, secs, xfer_params(&s->x)->blksize, xfer_params(&s->x)->windowsize,
                (unsigned long long)st->retransmits, (unsigned long long)st->timeouts, (unsigned long long)st->probes);
    } else {
        xfer_format_error(&s->x, msg, sizeof msg);
        if (s->file.err)
            fprintf(stderr, "serve: %s (%s: %s)\n", msg, s->path.name, strerror(s->file.err));
        else
            fprintf(stderr, "serve: %s\n", msg);
        fprintf(stderr, "serve: ... after %llu bytes; %llu packets in, %llu out, %llu duplicates, %llu ignored, "
                        "%llu from strangers\n",
                (unsigned long long)st->bytes, (unsigned long long)st->packets_in,
                (unsigned long long)st->packets_out, (unsigned long long)st->duplicates,
                (unsigned long long)st->ignored, (unsigned long long)st->foreign);
    }
}

static void release(struct server *sv, struct session *s)
{
    close(s->sock);
    free(s->window);
    s->used = false;
    sv->served++;
}

int serve_main(int argc, char **argv)
{
    static const struct option longs[] = {
        {"address", 1, 0, 'a'},    {"port", 1, 0, 'p'},   {"writable", 0, 0, 'W'},
        {"blksize-max", 1, 0, 'B'}, {"window-max", 1, 0, 'w'}, {"count", 1, 0, 'n'},
        {"quiet", 0, 0, 'q'},      {"help", 0, 0, 'h'},   {"rto-min", 1, 0, 'r'}, {0, 0, 0, 0},
    };
    struct server sv = {.blksize_max = XFER_BLKSIZE_MAX, .window_max = 64, .dally_ms = 2000};
    struct xfer_endpoint addr = {.family = 4, .port = XFER_PORT};
    const char *addr_spec = NULL;
    long port = -1;
    char shown[64];
    int c;

    while ((c = getopt_long(argc, argv, "a:p:WB:w:n:qh", longs, NULL)) != -1) {
        char *end;

        switch (c) {
        case 'a': addr_spec = optarg; break;
        case 'p': port = strtol(optarg, &end, 10); if (*end || port < 0 || port > 65535) { serve_usage(stderr); return 2; } break;
        case 'W': sv.writable = true; break;
        case 'B': sv.blksize_max = strtol(optarg, &end, 10); if (*end || sv.blksize_max < 512 || sv.blksize_max > XFER_BLKSIZE_MAX) { serve_usage(stderr); return 2; } break;
        case 'w': sv.window_max = strtol(optarg, &end, 10); if (*end || sv.window_max < 1 || sv.window_max > XFER_WINDOW_MAX) { serve_usage(stderr); return 2; } break;
        case 'n': sv.count = strtol(optarg, &end, 10); if (*end || sv.count < 1) { serve_usage(stderr); return 2; } break;
        case 'q': sv.quiet = true; break;
        case 'r': sv.rto_min = strtol(optarg, &end, 10); if (*end || sv.rto_min < 100) { serve_usage(stderr); return 2; } break;
        case 'h': serve_usage(stdout); return 0;
        default: serve_usage(stderr); return 2;
        }
    }
    if (argc - optind != 1) {
        serve_usage(stderr);
        return 2;
    }
    if (addr_spec && !host_resolve(addr_spec, XFER_PORT, &addr))
        return 2;
    if (port >= 0)
        addr.port = (uint16_t)port;
    sv.dirfd = open(argv[optind], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (sv.dirfd < 0) {
        fprintf(stderr, "sleepmux-xfer serve: %s: %s\n", argv[optind], strerror(errno));
        return 1;
    }
    sv.listen = host_socket(addr.family, &addr);
    if (sv.listen < 0) {
        fprintf(stderr, "sleepmux-xfer serve: bind %s: %s\n", addr_spec ? addr_spec : "0.0.0.0:69", strerror(errno));
        return 1;
    }
    {
        struct sockaddr_storage sa;
        socklen_t sl = sizeof sa;

        getsockname(sv.listen, (struct sockaddr *)&sa, &sl);
        host_to_endpoint(&sa, &addr);
        xfer_format_endpoint(&addr, shown, sizeof shown);
        printf("listening on %s\n", shown);
        fflush(stdout);
    }
    sv.buf = malloc(XFER_PACKET_MAX + 1);

    while (!sv.count || sv.served < sv.count) {
        struct pollfd p[MAX_SESSIONS + 1];
        int map[MAX_SESSIONS + 1], n = 0;
        xfer_time_t dl = XFER_NEVER, now;
        int i, timeout_ms;

        p[n] = (struct pollfd){.fd = sv.listen, .events = POLLIN};
        map[n++] = -1;
        for (i = 0; i < MAX_SESSIONS; i++) {
            if (!sv.s[i].used)
                continue;
            p[n] = (struct pollfd){.fd = sv.s[i].sock, .events = POLLIN};
            map[n++] = i;
            if (xfer_deadline(&sv.s[i].x) < dl)
                dl = xfer_deadline(&sv.s[i].x);
            if (unconfirmed(&sv.s[i]) && sv.s[i].start + UNCONFIRMED_US < dl)
                dl = sv.s[i].start + UNCONFIRMED_US;
        }
        now = host_now();
        timeout_ms = dl == XFER_NEVER ? -1 : dl <= now ? 0 : (int)((dl - now + 999) / 1000);
        if (poll(p, (nfds_t)n, timeout_ms) < 0 && errno != EINTR)
            break;
        for (i = 0; i < n; i++) {
            if (!(p[i].revents & POLLIN))
                continue;
            if (map[i] < 0) {
                struct sockaddr_storage sa;
                socklen_t sl = sizeof sa;
                struct xfer_endpoint from;
                ssize_t len = recvfrom(sv.listen, sv.buf, XFER_PACKET_MAX + 1, MSG_DONTWAIT,
                                       (struct sockaddr *)&sa, &sl);

                /* Requests only: never answer an ERROR (or anything
                 * else) from this port, or two servers spoofed into
                 * talking to each other (or one to itself) would
                 * exchange errors forever. */
                if (len >= 2 && (sv.buf[1] == XFER_OP_RRQ || sv.buf[1] == XFER_OP_WRQ) && !sv.buf[0]) {
                    host_to_endpoint(&sa, &from);
                    start(&sv, sv.buf, (size_t)len, &from);
                }
            } else if (sv.s[map[i]].used) {   /* not dropped for a new request above */
                host_drain(sv.s[map[i]].sock, &sv.s[map[i]].x, sv.buf, XFER_PACKET_MAX + 1);
            }
        }
        now = host_now();
        for (i = 0; i < MAX_SESSIONS; i++) {
            if (!sv.s[i].used)
                continue;
            xfer_tick(&sv.s[i].x, now);
            if (unconfirmed(&sv.s[i]) && now - sv.s[i].start >= UNCONFIRMED_US) {
                drop_unconfirmed(&sv, &sv.s[i], "no answer from the client in 5 s");
                continue;
            }
            if (!sv.s[i].finished && xfer_state(&sv.s[i].x) != XFER_RUNNING)
                finish(&sv, &sv.s[i]);
            if (xfer_deadline(&sv.s[i].x) == XFER_NEVER)
                release(&sv, &sv.s[i]);
        }
    }
    free(sv.buf);
    return 0;
}
