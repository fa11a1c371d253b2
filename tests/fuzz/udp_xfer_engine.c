/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer: one transfer (client or server, reading or writing, with or
 * without options) fed whatever the fuzzer makes up: datagrams from the
 * peer, from strangers and to the well-known port, and jumps of the clock.
 * Besides what ASan and UBSan catch, the engine must keep its contract:
 * hand data over once and in order, send only well-formed datagrams, go
 * quiet once finished, and always format a terminated message.
 *
 * Input: byte 0 chooses the transfer; then records [kind][len16][bytes]:
 * kind&3 = 0 from the peer, 1 from a stranger, 2 from the server's
 * well-known port, 3 a tick after len milliseconds (no bytes). A server
 * takes its request from the first record.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xfer.h>

struct ctx {
    uint64_t next_block;
    uint64_t bytes;
    bool finished;
};

static const struct xfer_endpoint SERVER = {.family = 4, .addr = {10, 0, 0, 1}, .port = 69};
static const struct xfer_endpoint TID = {.family = 4, .addr = {10, 0, 0, 1}, .port = 40000};
static const struct xfer_endpoint CLIENT = {.family = 4, .addr = {10, 0, 0, 2}, .port = 50000};
static const struct xfer_endpoint STRANGER = {.family = 4, .addr = {10, 0, 0, 1}, .port = 40001};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ctx c;
static struct xfer x;

static void send_hook(void *ctx, const struct xfer_endpoint *to, const void *pkt, size_t len)
{
    const uint8_t *p = pkt;
    unsigned op;

    (void)ctx;
    (void)to;
    if (c.finished || len < 4 || len > XFER_PACKET_MAX)
        abort();
    op = (unsigned)p[0] << 8 | p[1];
    if (op < XFER_OP_RRQ || op > XFER_OP_OACK)
        abort();
    if (op == XFER_OP_ERROR && p[len - 1] != 0)
        abort();
}

static int read_hook(void *ctx, uint64_t block, void *dst, size_t len, size_t *got)
{
    (void)ctx;
    if (block != c.next_block++)
        abort();
    /* A file of 40 full blocks and a short one. */
    *got = block <= 40 ? len : len / 3;
    memset(dst, (int)block, *got);
    return 0;
}

static int write_hook(void *ctx, uint64_t block, const void *src, size_t len)
{
    (void)ctx;
    (void)src;
    if (block != c.next_block++)
        abort();
    c.bytes += len;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t window[XFER_WINDOW_BYTES(1024, 8)];
    static uint8_t pkt[XFER_PACKET_MAX + 8];
    uint8_t cfgbyte = size ? data[0] : 0;
    bool server = cfgbyte & 1;
    enum xfer_dir dir = cfgbyte & 2 ? XFER_PUT : XFER_GET;
    const struct xfer_endpoint *peer = server ? &CLIENT : &TID;
    struct xfer_request req;
    xfer_time_t now = 0;
    size_t i = 1;
    char msg[256];

    memset(&c, 0, sizeof c);
    c.next_block = 1;
    struct xfer_net net = {.send = send_hook};
    struct xfer_data io = {.read = read_hook, .write = write_hook};
    struct xfer_timing timing = {.dally_us = cfgbyte & 16 ? 100000 : 0, .retries = 4};

    if (!server) {
        struct xfer_client_cfg cfg = {
            .dir = dir, .filename = "image", .server = SERVER,
            .blksize = cfgbyte & 4 ? 1024 : 0, .windowsize = cfgbyte & 8 ? 8 : 0,
            .timeout_s = cfgbyte & 32 ? 2 : 0, .tsize = cfgbyte & 64, .size = 40 * 1024 + 341,
            .retry_without_options = cfgbyte & 128,
            /* Losses may make a GET ask again with 64-byte blocks. */
            .fallback_blksize = dir == XFER_GET && (cfgbyte & 32) ? 64 : 0,
            .window = window, .window_len = sizeof window,
            .timing = timing, .net = net, .data = io,
        };
        if (xfer_client_start(&x, &cfg, now) != XFER_OK)
            abort();
    } else {
        uint16_t code;
        const char *problem;
        size_t len;

        if (size < 3)
            return 0;
        len = (size_t)data[1] << 8 | data[2];
        if (len > size - 3 || len > sizeof pkt)
            return 0;
        memcpy(pkt, data + 3, len);
        if (xfer_parse_request(pkt, len, &req, &code, &problem) != XFER_OK) {
            if (!problem || code > 8)
                abort();
            return 0;
        }
        struct xfer_server_cfg cfg = {
            .req = &req, .client = CLIENT, .blksize_max = 1024, .windowsize_max = 8,
            .size_known = true, .size = 12345, .window = window, .window_len = sizeof window,
            .timing = timing, .net = net, .data = io,
        };
        if (xfer_server_start(&x, &cfg, now) != XFER_OK)
            abort();
        i = 3 + len;
    }

    while (i + 3 <= size) {
        unsigned kind = data[i] & 3;
        size_t len = (size_t)data[i + 1] << 8 | data[i + 2];

        i += 3;
        if (kind == 3) {
            now += len * 1000;
            xfer_tick(&x, now);
        } else {
            const struct xfer_endpoint *from = kind == 0 ? peer : kind == 1 ? &STRANGER : &SERVER;

            if (len > size - i)
                len = size - i;
            memcpy(pkt, data + i, len);
            i += len;
            now += 10;
            xfer_input(&x, now, from, pkt, len);
        }
        if (xfer_deadline(&x) == XFER_NEVER)
            c.finished = true;     /* from now on the engine must stay silent */
        if (xfer_deadline(&x) < now && xfer_deadline(&x) + 1000000000u < now)
            abort();               /* a deadline left far behind: the timer lost track */
    }
    if (xfer_state(&x) == XFER_DONE && xfer_stats(&x)->bytes != (x.sender ? xfer_stats(&x)->bytes : c.bytes))
        abort();
    if (xfer_format_error(&x, msg, sizeof msg) && strlen(msg) >= sizeof msg)
        abort();
    return 0;
}
