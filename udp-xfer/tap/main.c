/* SPDX-License-Identifier: MIT */
/*
 * sleepmux-xfer-tap: one TFTP transfer through lwIP and the VMM's binding
 * (xfer_lwip.h) over a TAP device, driven by one poll loop the way the VMM
 * drives its NIC. For tests and benchmarks against real servers.
 *
 *   sleepmux-xfer-tap --tap NAME --ip ADDR/LEN [--mtu N] [-b N] [-w N] [-q] [--rto-min US]
 *                     get|put SERVER[:PORT] REMOTE LOCAL
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <xfer_lwip.h>

#include "lwip/timeouts.h"

#include "../host/host.h"
#include "tap.h"

static void usage(void)
{
    fprintf(stderr, "usage: sleepmux-xfer-tap --tap NAME --ip ADDR/LEN [--mtu N] [-b BLKSIZE] [-w WINDOW] [-q]\n"
                    "                         [--rto-min US] [--no-fallback]\n"
                    "                         get|put SERVER[:PORT] REMOTE LOCAL\n");
    exit(2);
}

static xfer_time_t clock_now(void *ctx)
{
    (void)ctx;
    return host_now();
}

static bool parse_ip(const char *s, ip4_addr_t *ip, ip4_addr_t *mask)
{
    char buf[64];
    char *slash;
    long len = 24;

    snprintf(buf, sizeof buf, "%s", s);
    slash = strchr(buf, '/');
    if (slash) {
        *slash = 0;
        len = strtol(slash + 1, NULL, 10);
    }
    if (!ip4addr_aton(buf, ip) || len < 1 || len > 32)
        return false;
    ip4_addr_set_u32(mask, lwip_htonl(len == 32 ? 0xffffffffu : ~(0xffffffffu >> len)));
    return true;
}

int main(int argc, char **argv)
{
    static const struct option longs[] = {
        {"tap", 1, 0, 'T'}, {"ip", 1, 0, 'I'}, {"mtu", 1, 0, 'M'}, {"blksize", 1, 0, 'b'},
        {"windowsize", 1, 0, 'w'}, {"quiet", 0, 0, 'q'}, {"rto-min", 1, 0, 'r'}, {"no-fallback", 0, 0, 'F'},
        {0, 0, 0, 0},
    };
    const char *tap_name = NULL, *ip_spec = NULL;
    long mtu = 1500, blksize = 1468, window = 16, rto_min = 0;
    bool quiet = false, no_fallback = false;
    static struct tap tap;
    static struct xfer_lwip b;
    static uint8_t rx[XFER_PACKET_MAX];
    struct xfer_client_cfg cfg = {0};
    struct host_file file = {.fd = -1};
    struct xfer_endpoint server;
    ip4_addr_t ip, mask, gw;
    ip_addr_t server_ip;
    struct progress pg;
    char part[4096] = "";
    uint8_t *win = NULL;
    xfer_time_t start;
    enum xfer_dir dir;
    struct stat st;
    int c, rc = 1;

    while ((c = getopt_long(argc, argv, "b:w:q", longs, NULL)) != -1) {
        switch (c) {
        case 'T': tap_name = optarg; break;
        case 'I': ip_spec = optarg; break;
        case 'M': mtu = strtol(optarg, NULL, 10); break;
        case 'b': blksize = strtol(optarg, NULL, 10); break;
        case 'w': window = strtol(optarg, NULL, 10); break;
        case 'q': quiet = true; break;
        case 'r': rto_min = strtol(optarg, NULL, 10); break;
        case 'F': no_fallback = true; break;
        default: usage();
        }
    }
    if (!tap_name || !ip_spec || argc - optind != 4 || mtu < 576 || mtu > 65535 || blksize < 8 ||
        blksize > XFER_BLKSIZE_MAX || window < 1 || window > XFER_WINDOW_MAX)
        usage();
    if (!strcmp(argv[optind], "get"))
        dir = XFER_GET;
    else if (!strcmp(argv[optind], "put"))
        dir = XFER_PUT;
    else
        usage();
    if (!parse_ip(ip_spec, &ip, &mask)) {
        fprintf(stderr, "sleepmux-xfer-tap: --ip %s: expected A.B.C.D/LEN\n", ip_spec);
        return 2;
    }
    if (!host_resolve(argv[optind + 1], XFER_PORT, &server) || server.family != 4)
        return 2;
    ip4_addr_set_zero(&gw);
    ip_addr_set_ip4_u32(&server_ip, *(const u32_t *)server.addr);

    if (dir == XFER_GET) {
        snprintf(part, sizeof part, "%s.part", argv[optind + 3]);
        file.fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    } else {
        file.fd = open(argv[optind + 3], O_RDONLY | O_CLOEXEC);
    }
    if (file.fd < 0) {
        fprintf(stderr, "sleepmux-xfer-tap: %s: %s\n", part[0] ? part : argv[optind + 3], strerror(errno));
        return 1;
    }
    if (!tap_open(&tap, tap_name, &ip, &mask, &gw, (u16_t)mtu))
        return 1;

    cfg.dir = dir;
    cfg.filename = argv[optind + 2];
    cfg.blksize = (uint16_t)blksize;
    cfg.windowsize = (uint16_t)window;
    cfg.tsize = true;
    cfg.retry_without_options = true;
    /* 0 lets the binding pick the block that fits the route's MTU; the
     * largest block size turns the fallback off. */
    if (no_fallback)
        cfg.fallback_blksize = XFER_BLKSIZE_MAX;
    if (dir == XFER_PUT) {
        fstat(file.fd, &st);
        cfg.size = (uint64_t)st.st_size;
        cfg.window_len = XFER_WINDOW_BYTES(blksize, window);
        win = malloc(cfg.window_len);
        cfg.window = win;
    }
    cfg.data = host_file_data(&file);
    cfg.timing.rto_min_us = (uint32_t)rto_min;
    progress_init(&pg, cfg.filename, quiet);
    start = host_now();
    xfer_lwip_start(&b, &cfg, &server_ip, server.port, rx, sizeof rx,
                    (struct xfer_lwip_clock){.now = clock_now});

    /* The VMM's loop: NIC frames in, lwIP timers, the engine's timer. */
    while (xfer_lwip_busy(&b)) {
        xfer_time_t now = host_now(), dl = xfer_lwip_deadline(&b);
        xfer_time_t wait = dl > now ? dl - now : 0, lwip_wait = (xfer_time_t)sys_timeouts_sleeptime() * 1000u;
        struct pollfd p = {.fd = tap.fd, .events = POLLIN};
        struct timespec ts;

        if (lwip_wait < wait)
            wait = lwip_wait;
        if (wait > 100000)
            wait = 100000;
        ts.tv_sec = (time_t)(wait / 1000000u);
        ts.tv_nsec = (long)(wait % 1000000u) * 1000;
        ppoll(&p, 1, &ts, NULL);
        tap_poll(&tap);
        sys_check_timeouts();
        xfer_lwip_poll(&b);
        progress_update(&pg, &b.x, false);
    }
    progress_update(&pg, &b.x, true);
    xfer_lwip_close(&b);

    if (xfer_state(&b.x) == XFER_DONE) {
        rc = 0;
        if (part[0] && (fsync(file.fd) || close(file.fd) || rename(part, argv[optind + 3]))) {
            fprintf(stderr, "sleepmux-xfer-tap: %s: %s\n", argv[optind + 3], strerror(errno));
            rc = 1;
        }
        if (!quiet) {
            const struct xfer_stats *s = xfer_stats(&b.x);
            double secs = (double)(host_now() - start) / 1e6;

            fprintf(stderr, "sleepmux-xfer-tap: %s \"%s\": %llu bytes in %.2f s (%.1f MiB/s); blksize %u, "
                            "windowsize %u; %llu retransmissions, %llu timeouts; %lu frames in, %lu out%s\n",
                    dir == XFER_GET ? "got" : "put", cfg.filename, (unsigned long long)s->bytes, secs,
                    secs > 0 ? (double)s->bytes / secs / 1048576 : 0.0, xfer_params(&b.x)->blksize,
                    xfer_params(&b.x)->windowsize, (unsigned long long)s->retransmits,
                    (unsigned long long)s->timeouts, tap.frames_in, tap.frames_out,
                    s->fallbacks ? "; fell back to smaller blocks" : "");
        }
    } else {
        char msg[512];

        xfer_format_error(&b.x, msg, sizeof msg);
        fprintf(stderr, "sleepmux-xfer-tap: %s\n", msg);
        if (part[0])
            unlink(part);
    }
    free(win);
    return rc;
}
