/* SPDX-License-Identifier: MIT */
/*
 * sleepmux-xfer: TFTP from the command line, on the same engine the VMM
 * uses.
 *
 *   sleepmux-xfer get [opts] HOST[:PORT] REMOTE [LOCAL|-]
 *   sleepmux-xfer put [opts] HOST[:PORT] LOCAL|- [REMOTE]
 *   sleepmux-xfer serve [opts] DIR
 *
 * A get writes LOCAL.part and renames it only when every byte arrived, so a
 * failed transfer never clobbers the file that was there.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "version.h"
#include "host.h"


static void usage(FILE *out)
{
    fprintf(out,
            "usage: sleepmux-xfer get [options] HOST[:PORT] REMOTE [LOCAL|-]\n"
            "       sleepmux-xfer put [options] HOST[:PORT] LOCAL|- [REMOTE]\n"
            "       sleepmux-xfer serve [options] DIR   (sleepmux-xfer serve --help)\n"
            "options:\n"
            "  -b, --blksize N      block size to ask for, 8..65464 (RFC 2348; default 1468, the most\n"
            "                       that fits a 1500-byte Ethernet frame: a larger block travels as IP\n"
            "                       fragments and is lost whole when any one of them is)\n"
            "      --no-fallback    get: keep blocks larger than the route's MTU allows even when they\n"
            "                       keep getting lost (by default the get starts over, once, with\n"
            "                       blocks that fit a frame; only the missing bytes are written)\n"
            "  -w, --windowsize N   blocks per acknowledgement, 1..%d (RFC 7440; default 16)\n"
            "  -t, --timeout S      ask for a fixed retransmission timeout, 1..255 s (RFC 2349)\n"
            "      --no-options     ask for nothing: RFC 1350, 512-byte blocks, lock-step\n"
            "      --no-tsize       do not ask for / announce the size (RFC 2349)\n"
            "      --rto-min US     floor of the adaptive retransmission timer, us (default 1000)\n"
            "      --retries N      timeouts in a row before giving up (default 10)\n"
            "  -q, --quiet          no progress bar and no summary\n"
            "  -V, --version\n",
            XFER_WINDOW_MAX);
}

struct client_opts {
    long blksize, windowsize, timeout, rto_min, retries;
    bool no_options, no_tsize, no_fallback, quiet;
};

static long number(const char *s, const char *what, long lo, long hi)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || end == s || v < lo || v > hi) {
        fprintf(stderr, "sleepmux-xfer: %s: expected a number in %ld..%ld, got \"%s\"\n", what, lo, hi, s);
        exit(2);
    }
    return v;
}

static int parse_client(int argc, char **argv, struct client_opts *o)
{
    static const struct option longs[] = {
        {"blksize", 1, 0, 'b'},   {"windowsize", 1, 0, 'w'}, {"timeout", 1, 0, 't'},
        {"no-options", 0, 0, 'O'}, {"no-tsize", 0, 0, 'T'},  {"rto-min", 1, 0, 'r'},
        {"retries", 1, 0, 'R'},   {"quiet", 0, 0, 'q'},      {"help", 0, 0, 'h'},
        {"no-fallback", 0, 0, 'F'}, {0, 0, 0, 0},
    };
    int c;

    *o = (struct client_opts){.blksize = 1468, .windowsize = 16};
    while ((c = getopt_long(argc, argv, "b:w:t:qh", longs, NULL)) != -1) {
        switch (c) {
        case 'b': o->blksize = number(optarg, "--blksize", XFER_BLKSIZE_MIN, XFER_BLKSIZE_MAX); break;
        case 'w': o->windowsize = number(optarg, "--windowsize", 1, XFER_WINDOW_MAX); break;
        case 't': o->timeout = number(optarg, "--timeout", XFER_TIMEOUT_MIN, XFER_TIMEOUT_MAX); break;
        case 'O': o->no_options = true; break;
        case 'T': o->no_tsize = true; break;
        case 'F': o->no_fallback = true; break;
        case 'r': o->rto_min = number(optarg, "--rto-min", 100, 10000000); break;
        case 'R': o->retries = number(optarg, "--retries", 1, 1000); break;
        case 'q': o->quiet = true; break;
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); exit(2);
        }
    }
    return optind;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');

    return s ? s + 1 : path;
}

static void summary(const struct xfer *x, const char *what, xfer_time_t start)
{
    const struct xfer_params *p = xfer_params(x);
    const struct xfer_stats *s = xfer_stats(x);
    double secs = (double)(host_now() - start) / 1e6;

    fprintf(stderr,
            "sleepmux-xfer: %s: %llu bytes in %.2f s (%.1f MiB/s); blksize %u, windowsize %u%s; "
            "%llu retransmissions, %llu timeouts%s\n",
            what, (unsigned long long)s->bytes, secs, secs > 0 ? (double)s->bytes / secs / 1048576 : 0.0,
            p->blksize, p->windowsize, p->options ? "" : " (server took no options)",
            (unsigned long long)s->retransmits, (unsigned long long)s->timeouts,
            s->fallbacks ? "; blocks larger than a frame kept getting lost: asked again with smaller ones" : "");
}

static int client(enum xfer_dir dir, int argc, char **argv)
{
    struct client_opts o;
    int i = parse_client(argc, argv, &o);
    const char *server_spec, *remote, *local;
    char part[4096] = "", what[512];
    struct xfer_endpoint server;
    struct host_file file = {.fd = -1};
    struct xfer_client_cfg cfg = {0};
    struct progress pg;
    struct stat st;
    struct xfer x;
    uint8_t *window = NULL, *rx;
    int fd, rc = 1;
    xfer_time_t start;

    if (argc - i < 2 || argc - i > 3) {
        usage(stderr);
        return 2;
    }
    server_spec = argv[i];
    if (dir == XFER_GET) {
        remote = argv[i + 1];
        local = argc - i == 3 ? argv[i + 2] : base_name(remote);
    } else {
        local = argv[i + 1];
        remote = argc - i == 3 ? argv[i + 2] : base_name(local);
    }
    if (!host_resolve(server_spec, XFER_PORT, &server))
        return 2;

    if (dir == XFER_GET) {
        if (!strcmp(local, "-")) {
            file.fd = 1;
        } else {
            snprintf(part, sizeof part, "%s.part", local);
            file.fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        }
    } else {
        file.fd = !strcmp(local, "-") ? 0 : open(local, O_RDONLY | O_CLOEXEC);
    }
    if (file.fd < 0) {
        fprintf(stderr, "sleepmux-xfer: %s: %s\n", part[0] ? part : local, strerror(errno));
        return 1;
    }

    cfg.dir = dir;
    cfg.filename = remote;
    cfg.server = server;
    if (!o.no_options) {
        cfg.blksize = (uint16_t)o.blksize;
        cfg.windowsize = (uint16_t)o.windowsize;
        cfg.timeout_s = (uint8_t)o.timeout;
        cfg.tsize = !o.no_tsize;
        cfg.retry_without_options = true;
        /* Blocks larger than a frame are lost whole with any fragment: a
         * GET that keeps losing them asks again with blocks that fit. */
        if (dir == XFER_GET && !o.no_fallback)
            cfg.fallback_blksize = host_frame_blksize(&server);
    }
    if (dir == XFER_PUT) {
        if (fstat(file.fd, &st) == 0 && S_ISREG(st.st_mode))
            cfg.size = (uint64_t)st.st_size;
        else
            cfg.tsize = false;
        cfg.window_len = XFER_WINDOW_BYTES(cfg.blksize ? cfg.blksize : XFER_BLKSIZE_DEFAULT,
                                           cfg.windowsize ? cfg.windowsize : 1);
        window = malloc(cfg.window_len);
        cfg.window = window;
    }
    cfg.timing.rto_min_us = (uint32_t)o.rto_min;
    cfg.timing.retries = (uint16_t)o.retries;
    cfg.data = host_file_data(&file);

    fd = host_socket(server.family, NULL);
    if (fd < 0) {
        fprintf(stderr, "sleepmux-xfer: socket: %s\n", strerror(errno));
        return 1;
    }
    cfg.net = host_net(&fd);
    rx = malloc(XFER_PACKET_MAX + 1);
    progress_init(&pg, dir == XFER_GET ? base_name(remote) : base_name(local), o.quiet);
    start = host_now();
    if (xfer_client_start(&x, &cfg, start) == XFER_OK) {
        while (xfer_deadline(&x) != XFER_NEVER) {
            host_wait(fd, xfer_deadline(&x), 100000);
            host_drain(fd, &x, rx, XFER_PACKET_MAX + 1);
            xfer_tick(&x, host_now());
            progress_update(&pg, &x, false);
        }
    }
    progress_update(&pg, &x, true);

    if (xfer_state(&x) == XFER_DONE) {
        rc = 0;
        if (part[0] && (fsync(file.fd) || close(file.fd) || rename(part, local))) {
            fprintf(stderr, "sleepmux-xfer: %s: %s\n", local, strerror(errno));
            rc = 1;
        }
        if (!rc && !o.quiet) {
            snprintf(what, sizeof what, "%s \"%s\" %s %s", dir == XFER_GET ? "got" : "put", remote,
                     dir == XFER_GET ? "from" : "to", server_spec);
            summary(&x, what, start);
        }
    } else {
        char msg[512];

        xfer_format_error(&x, msg, sizeof msg);
        fprintf(stderr, "sleepmux-xfer: %s", msg);
        if (file.err)
            fprintf(stderr, " (%s: %s)", local, strerror(file.err));
        fputc('\n', stderr);
        if (part[0]) {
            close(file.fd);
            unlink(part);
        }
    }
    close(fd);
    free(rx);
    free(window);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version"))) {
        printf("sleepmux-xfer %s\n", SMX_VERSION);
        return 0;
    }
    if (argc >= 2 && !strcmp(argv[1], "get"))
        return client(XFER_GET, argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "put"))
        return client(XFER_PUT, argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "serve"))
        return serve_main(argc - 1, argv + 1);
    if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        usage(stdout);
        return 0;
    }
    usage(stderr);
    return 2;
}
