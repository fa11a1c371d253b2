/*
 * sleepmux-xfer serve: a TFTP server on the engine, for tests, benchmarks
 * and small deployments. One poll loop, up to MAX_SESSIONS transfers at
 * once, each from its own port (its TID). Files are served from DIR and
 * nothing outside it: names with a ".." component are refused, a leading
 * "/" means DIR. Writes (with --writable) go to a temporary file that
 * replaces the target only once every byte arrived.
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
    char name[256], tmp[300];
    xfer_time_t start;
};

struct server {
    int dirfd, listen;
    bool writable, quiet;
    long blksize_max, window_max, dally_ms, count, rto_min;
    long served;
    struct session s[MAX_SESSIONS];
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
            "The address it listens on is printed on stdout: \"listening on ADDR:PORT\".\n");
}

/* A name inside DIR, or NULL with the reason in *why. */
static const char *inside(const char *name, const char **why)
{
    const char *p = name;

    while (*p == '/')
        p++;
    if (!*p) {
        *why = "no file name";
        return NULL;
    }
    for (const char *c = p; *c;) {
        size_t n = strcspn(c, "/");

        if (n == 2 && c[0] == '.' && c[1] == '.') {
            *why = "a \"..\" component leaves the served directory";
            return NULL;
        }
        c += n;
        while (*c == '/')
            c++;
    }
    return p;
}

static void refuse(struct server *sv, const struct xfer_endpoint *to, uint16_t code, const char *text)
{
    uint8_t pkt[600];
    struct sockaddr_storage sa;
    socklen_t sl = host_from_endpoint(to, &sa);
    char who[64];

    sendto(sv->listen, pkt, xfer_error_packet(pkt, sizeof pkt, code, text), 0, (struct sockaddr *)&sa, sl);
    if (!sv->quiet) {
        xfer_format_endpoint(to, who, sizeof who);
        fprintf(stderr, "serve: refused %s: error %u: %s\n", who, code, text);
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
    if (fsync(s->file.fd) || renameat(s->sv->dirfd, s->tmp, s->sv->dirfd, s->name)) {
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

static void start(struct server *sv, const uint8_t *pkt, size_t len, const struct xfer_endpoint *from)
{
    struct xfer_request req;
    uint16_t code;
    const char *problem, *name;
    struct session *s = NULL;
    struct stat st;
    int i;

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
    if (!(name = inside(req.filename, &problem))) {
        refuse(sv, from, XFER_TFTP_ACCESS, problem);
        return;
    }
    if (req.dir == XFER_PUT && !sv->writable) {
        refuse(sv, from, XFER_TFTP_ACCESS, "this server is read-only");
        return;
    }
    for (i = 0; i < MAX_SESSIONS && sv->s[i].used; i++)
        ;
    /* Full: a session that only dallies (done, re-ACKing a repeated last
     * block) is the one to let go. */
    for (int j = 0; i == MAX_SESSIONS && j < MAX_SESSIONS; j++) {
        if (sv->s[j].finished) {
            release(sv, &sv->s[j]);
            i = j;
        }
    }
    if (i == MAX_SESSIONS) {
        refuse(sv, from, XFER_TFTP_UNDEFINED, "too many transfers at once, try again");
        return;
    }
    s = &sv->s[i];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    if (req.dir == XFER_GET) {
        s->file.fd = openat(sv->dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (s->file.fd >= 0 && (fstat(s->file.fd, &st) || !S_ISREG(st.st_mode))) {
            close(s->file.fd);
            s->file.fd = -1;
            errno = EACCES;
        }
    } else {
        snprintf(s->tmp, sizeof s->tmp, "%s.xfer-%u", name, (unsigned)getpid() * 8 + (unsigned)i);
        s->file.fd = openat(sv->dirfd, s->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    }
    if (s->file.fd < 0) {
        refuse(sv, from, errno_code(errno), strerror(errno));
        return;
    }
    s->sock = host_socket(from->family, NULL);
    if (s->sock < 0) {
        refuse(sv, from, XFER_TFTP_UNDEFINED, strerror(errno));
        close(s->file.fd);
        if (s->tmp[0])
            unlinkat(sv->dirfd, s->tmp, 0);
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
        unlinkat(sv->dirfd, s->tmp, 0);
    close(s->file.fd);
    s->finished = true;
    if (sv->quiet)
        return;
    if (xfer_state(&s->x) == XFER_DONE) {
        xfer_format_endpoint(&s->client, who, sizeof who);
        fprintf(stderr, "serve: %s \"%s\" %s %s: %llu bytes in %.2f s; blksize %u, windowsize %u; "
                        "%llu retransmissions, %llu timeouts\n",
                s->x.dir == XFER_GET ? "sent" : "received", s->name, s->x.dir == XFER_GET ? "to" : "from", who,
                (unsigned long long)st->bytes, secs, xfer_params(&s->x)->blksize, xfer_params(&s->x)->windowsize,
                (unsigned long long)st->retransmits, (unsigned long long)st->timeouts);
    } else {
        xfer_format_error(&s->x, msg, sizeof msg);
        if (s->file.err)
            fprintf(stderr, "serve: %s (%s: %s)\n", msg, s->name, strerror(s->file.err));
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

                if (len >= 0) {
                    host_to_endpoint(&sa, &from);
                    start(&sv, sv.buf, (size_t)len, &from);
                }
            } else {
                host_drain(sv.s[map[i]].sock, &sv.s[map[i]].x, sv.buf, XFER_PACKET_MAX + 1);
            }
        }
        now = host_now();
        for (i = 0; i < MAX_SESSIONS; i++) {
            if (!sv.s[i].used)
                continue;
            xfer_tick(&sv.s[i].x, now);
            if (!sv.s[i].finished && xfer_state(&sv.s[i].x) != XFER_RUNNING)
                finish(&sv, &sv.s[i]);
            if (xfer_deadline(&sv.s[i].x) == XFER_NEVER)
                release(&sv, &sv.s[i]);
        }
    }
    free(sv.buf);
    return 0;
}
