/* SPDX-License-Identifier: MIT */
/*
 * An img_blockdev over TFTP (tftp.h). imagestore calls read/write/flush
 * synchronously; the transfer engine (udp-xfer over lwIP) pulls and pushes
 * blocks from its own callbacks. Between the two sits one staging buffer:
 *
 *  - upload: write() appends to it and runs the network only while it
 *    holds more than a window, so the engine's pulls always find a whole
 *    block (a short block would end the file); flush() marks the end and
 *    runs the transfer to its last acknowledgement;
 *  - download: read() runs the network until the engine has delivered
 *    what was asked; blocks beyond it wait in the buffer for the next read.
 *
 * Only one transfer is open at a time; imagestore's access to a slot is
 * sequential (slotio.c), so a read or write that does not continue the
 * open transfer starts a new one from the file's beginning.
 */
#include "tftp.h"

#include <string.h>

#include "../net/net.h"
#include "fmt.h"
#include "log.h"
#include "time.h"
#include "xfer_lwip.h"

#define STAGE_BYTES TFTP_STAGE_BYTES
#define WINDOW_BYTES_MAX TFTP_WINDOW_BYTES /* the upload window: what the staging buffer stays ahead of */
_Static_assert(TFTP_RX_BYTES >= XFER_PACKET_MAX, "one datagram of the largest block");
_Static_assert(TFTP_WINDOW_BYTES >= XFER_WINDOW_BYTES(XFER_BLKSIZE_MAX, 1), "a window of one largest block");
_Static_assert(TFTP_STAGE_BYTES >= 3 * TFTP_WINDOW_BYTES + TFTP_RX_BYTES, "staging: two windows ahead, and a datagram");
#define FILES 4                        /* super0, super1, slot0, slot1 */
#define SIZE_PROBE_NS (20ull * 1000 * 1000 * 1000)
/* Give up on a silent server within about 15 s (the engine's backoff
 * from 1 s doubles to this ceiling, this many times). */
#define RTO_MAX_US 2000000u
#define RETRIES 7

enum kind { T_NONE, T_PUT, T_GET, T_PROBE };

static struct {
    const struct pol_store *cfg;
    bool open;
    char name[FILES][POL_TFTP_PATH_MAX + 24];
    char text[POL_TFTP_PATH_MAX + 48];
    ip_addr_t server;
    /* the open transfer */
    struct xfer_lwip b;
    enum kind kind;
    int file;
    uint64_t pos;                /* file bytes staged (PUT) or handed to the caller (GET) */
    uint64_t skip;               /* GET: bytes to drop before pos (a read that starts mid-file) */
    bool eof;                    /* PUT: no more data after the buffer */
    uint8_t *dst;                /* GET: the caller's buffer */
    size_t dst_left;
    uint8_t *stage;
    size_t head, tail;
    uint8_t *rx, *window;
    uint16_t blksize, windowsize;
    bool overflow;
} t;

static xfer_time_t now_us(void *ctx)
{
    (void)ctx;
    return smx_time_ns() / 1000;
}

static size_t staged(void) { return t.tail - t.head; }

static void stage_put(const void *p, size_t len)
{
    if (t.head && t.tail + len > STAGE_BYTES) {
        memmove(t.stage, t.stage + t.head, staged());
        t.tail -= t.head;
        t.head = 0;
    }
    memcpy(t.stage + t.tail, p, len);
    t.tail += len;
}

static size_t stage_room(void) { return STAGE_BYTES - staged(); }

/* Upload: the engine pulls block `block` (each once, in order). */
static int pull(void *ctx, uint64_t block, void *dst, size_t len, size_t *got)
{
    (void)ctx;
    (void)block;
    size_t take = staged() < len ? staged() : len;
    if (take < len && !t.eof)
        return 99; /* cannot happen: pump() stays a window ahead; never end the file short */
    memcpy(dst, t.stage + t.head, take);
    t.head += take;
    *got = take;
    return 0;
}

/* Download: block `block` of the file, each once, in order. */
static int push(void *ctx, uint64_t block, const void *src, size_t len)
{
    (void)ctx;
    (void)block;
    const uint8_t *p = src;

    if (t.kind == T_PROBE)
        return 99; /* only the size was wanted: the engine tells the server */
    if (t.skip) {
        size_t k = t.skip < len ? (size_t)t.skip : len;
        t.skip -= k;
        p += k;
        len -= k;
    }
    size_t k = t.dst_left < len ? t.dst_left : len;
    memcpy(t.dst, p, k);
    t.dst += k;
    t.dst_left -= k;
    t.pos += k;
    if (len - k > stage_room()) {
        t.overflow = true;
        return XFER_TFTP_DISK_FULL;
    }
    stage_put(p + k, len - k);
    return 0;
}

/* One round of the loop. An upload takes one frame at a time: each ACK
 * lets the engine pull at most a window of blocks, and dev_write checks
 * the staging buffer still holds that much before the next. The engine's
 * timer runs only once every frame that arrived has been taken: after
 * imagestore kept the CPU for a chunk, the acknowledgements that came
 * meanwhile must count before a timeout does. */
static void pump(void)
{
    net_poll(t.kind == T_PUT ? 1 : NET_POLL_BATCH);
    if (!net_rx_pending())
        xfer_lwip_poll(&t.b);
}

static bool busy(void) { return t.kind != T_NONE && xfer_lwip_busy(&t.b); }

static const char *file_of(int f) { return t.name[f]; }

static void end_transfer(void)
{
    if (t.kind == T_NONE)
        return;
    if (xfer_state(&t.b.x) == XFER_RUNNING) {
        xfer_abort(&t.b.x, XFER_TFTP_UNDEFINED, "sleepmux: transfer no longer needed");
        pump();
    }
    xfer_lwip_close(&t.b);
    t.kind = T_NONE;
    t.head = t.tail = 0;
}

static void log_failure(const char *what)
{
    char msg[XFER_DETAIL_MAX + XFER_NAME_MAX + 64];

    xfer_format_error(&t.b.x, msg, sizeof msg);
    smx_log("tftp", "%s: %s", what, msg);
}

static bool start(enum kind k, int file, uint64_t size)
{
    struct xfer_client_cfg cfg = {
        .dir = k == T_PUT ? XFER_PUT : XFER_GET,
        .filename = file_of(file),
        .blksize = k == T_PROBE ? 0 : t.blksize,
        .windowsize = k == T_PROBE ? 0 : t.windowsize,
        .tsize = k != T_PUT || size != UINT64_MAX,
        .size = size == UINT64_MAX ? 0 : size,
        .retry_without_options = k != T_PROBE,
        .window = t.window,
        .window_len = XFER_WINDOW_BYTES(t.blksize, t.windowsize),
        .timing = { .rto_max_us = RTO_MAX_US, .retries = RETRIES },
        .data = { .read = pull, .write = push },
    };

    end_transfer();
    t.kind = k;
    t.file = file;
    t.pos = t.skip = 0;
    t.eof = false;
    t.overflow = false;
    t.dst = NULL;
    t.dst_left = 0;
    if (xfer_lwip_start(&t.b, &cfg, &t.server, t.cfg->tftp_port, t.rx, TFTP_RX_BYTES,
                        (struct xfer_lwip_clock){ .now = now_us }) != XFER_OK) {
        log_failure("start");
        xfer_lwip_close(&t.b);
        t.kind = T_NONE;
        return false;
    }
    return true;
}

/* Run the open transfer until it has finished; true when it succeeded. */
static bool finish(void)
{
    while (busy())
        pump();
    return xfer_state(&t.b.x) == XFER_DONE;
}

static bool not_found(void)
{
    return xfer_error(&t.b.x) == XFER_E_PEER && xfer_peer_code(&t.b.x) == XFER_TFTP_NOT_FOUND;
}

/* A superblock copy: one GET of the whole file; a missing file is zeros. */
static int super_read(int file, void *buf)
{
    memset(buf, 0, TFTP_BLOCK);
    if (!start(T_GET, file, UINT64_MAX))
        return -1;
    t.dst = buf;
    t.dst_left = TFTP_BLOCK;
    bool ok = finish();
    bool missing = !ok && not_found();
    if (!ok && !missing)
        log_failure("reading a superblock copy");
    end_transfer();
    return ok || missing ? 0 : -1;
}

/* A superblock copy: one PUT, then read it back whole: it counts only
 * when the server returns exactly what was written. */
static int super_write(int file, const void *buf)
{
    static uint8_t back[TFTP_BLOCK];

    if (!start(T_PUT, file, TFTP_BLOCK))
        return -1;
    stage_put(buf, TFTP_BLOCK);
    t.eof = true;
    bool ok = finish();
    if (!ok)
        log_failure("writing a superblock copy");
    end_transfer();
    if (!ok || super_read(file, back) != 0)
        return -1;
    if (memcmp(back, buf, TFTP_BLOCK)) {
        smx_log("tftp", "%s: the server returns other bytes than were written", file_of(file));
        return -1;
    }
    return 0;
}

/* Which file and offset a device byte is; -1 outside every file. */
static int locate(uint64_t lba, uint32_t n, uint64_t *off)
{
    uint64_t byte = lba * TFTP_BLOCK, len = (uint64_t)n * TFTP_BLOCK;

    if (byte < TFTP_SLOT_OFFSET) {
        *off = 0;
        return n == 1 && lba < 2 ? (int)lba : -1;
    }
    uint64_t s = (byte - TFTP_SLOT_OFFSET) / TFTP_SLOT_SIZE;
    *off = (byte - TFTP_SLOT_OFFSET) % TFTP_SLOT_SIZE;
    if (s > 1 || *off + len > TFTP_SLOT_SIZE)
        return -1;
    return 2 + (int)s;
}

static int dev_read(void *ctx, uint64_t lba, uint32_t n, void *buf)
{
    (void)ctx;
    uint64_t off;
    int f = locate(lba, n, &off);
    size_t len = (size_t)n * TFTP_BLOCK;

    if (f < 0)
        return -1;
    if (f < 2)
        return super_read(f, buf);
    bool continues = t.kind == T_GET && t.file == f && t.pos == off;
    if (!continues) {
        if (!start(T_GET, f, UINT64_MAX))
            return -1;
        t.skip = off;
        t.pos = off;
        smx_log("tftp", "get %s from byte %llu", file_of(f), (unsigned long long)off);
    }
    /* What came before this call first, then the network. */
    size_t k = staged() < len ? staged() : len;
    memcpy(buf, t.stage + t.head, k);
    t.head += k;
    t.pos += k;
    if (t.head == t.tail)
        t.head = t.tail = 0;
    t.dst = (uint8_t *)buf + k;
    t.dst_left = len - k;
    while (t.dst_left && busy())
        pump();
    t.dst = NULL;
    if (t.dst_left) {
        if (xfer_state(&t.b.x) == XFER_DONE)
            smx_log("tftp", "%s ends at byte %llu: %zu bytes short", file_of(f), (unsigned long long)t.pos,
                    t.dst_left);
        else
            log_failure("reading a slot");
        end_transfer();
        return -1;
    }
    return 0;
}

static int dev_write(void *ctx, uint64_t lba, uint32_t n, const void *buf)
{
    (void)ctx;
    uint64_t off;
    int f = locate(lba, n, &off);
    size_t len = (size_t)n * TFTP_BLOCK;
    const uint8_t *p = buf;

    if (f < 0)
        return -1;
    if (f < 2)
        return super_write(f, buf);
    if (!(t.kind == T_PUT && t.file == f && t.pos == off)) {
        if (off != 0) {
            smx_log("tftp", "%s: a write at byte %llu does not continue the upload", file_of(f),
                    (unsigned long long)off);
            end_transfer();
            return -1;
        }
        /* The size is not known before the end: no tsize in the request. */
        if (!start(T_PUT, f, UINT64_MAX))
            return -1;
        smx_log("tftp", "put %s started", file_of(f));
    }
    /* A window for the next ACK, and one for the engine's timer. */
    size_t ahead = 2 * XFER_WINDOW_BYTES(t.blksize, t.windowsize);
    while (len) {
        size_t k = stage_room() < len ? stage_room() : len;
        stage_put(p, k);
        t.pos += k;
        p += k;
        len -= k;
        while (staged() > ahead && busy())
            pump();
        if (!busy()) {
            log_failure("writing a slot");
            end_transfer();
            return -1;
        }
    }
    return 0;
}

/* The upload's end: the last block acknowledged, then the server's own
 * size of the file (a new read request's tsize) must be what was sent. */
static int dev_flush(void *ctx)
{
    (void)ctx;
    if (t.kind != T_PUT)
        return 0;
    int f = t.file;
    uint64_t t0 = smx_time_ns();
    t.eof = true;
    bool ok = finish();
    const struct xfer_stats *s = xfer_stats(&t.b.x);
    uint64_t sent = s->bytes, ms = (smx_time_ns() - t0) / 1000000;
    if (!ok) {
        log_failure("finishing a slot");
        end_transfer();
        return -1;
    }
    smx_log("tftp", "put %s: %llu bytes acknowledged, %llu retransmissions, %llu timeouts (%llu ms to finish)",
            file_of(f), (unsigned long long)sent, (unsigned long long)s->retransmits,
            (unsigned long long)s->timeouts, (unsigned long long)ms);
    end_transfer();
    if (!start(T_PROBE, f, UINT64_MAX))
        return -1;
    t0 = smx_time_ns();
    while (busy() && !xfer_params(&t.b.x)->tsize_known && smx_time_ns() - t0 < SIZE_PROBE_NS)
        pump();
    const struct xfer_params *pr = xfer_params(&t.b.x);
    bool known = pr->tsize_known;
    uint64_t size = pr->tsize;
    end_transfer();
    if (!known) {
        smx_log("tftp", "%s: the server does not tell the file's size (tsize): the upload cannot be confirmed",
                file_of(f));
        return -1;
    }
    if (size != sent) {
        smx_log("tftp", "%s: the server holds %llu bytes, %llu were sent: not committing", file_of(f),
                (unsigned long long)size, (unsigned long long)sent);
        return -1;
    }
    smx_log("tftp", "%s: the server's size %llu agrees", file_of(f), (unsigned long long)size);
    return 0;
}

bool tftp_dev_open(const struct smx_bootinfo *bi, const struct tftp_buffers *mem, struct img_blockdev *bd, char *why,
                   size_t n)
{
    const struct pol_store *cfg = &bi->config.store;
    static const char *const what[FILES] = { "super0", "super1", "slot0", "slot1" };

    tftp_dev_close();
    t.cfg = cfg;
    t.stage = mem->stage;
    t.rx = mem->rx;
    t.window = mem->window;
    /* The window must fit the staging buffer's lead (WINDOW_BYTES_MAX). */
    t.blksize = cfg->tftp_blksize ? cfg->tftp_blksize : XFER_BLKSIZE_FRAME;
    t.windowsize = cfg->tftp_windowsize ? cfg->tftp_windowsize : 16;
    while (t.windowsize > 1 && XFER_WINDOW_BYTES(t.blksize, t.windowsize) > WINDOW_BYTES_MAX)
        t.windowsize /= 2;
    if (!net_up(cfg, why, n))
        return false;
    t.open = true;
    const uint8_t *m = net_mac();
    for (int i = 0; i < FILES; i++)
        smx_snprintf(t.name[i], sizeof t.name[i], "%s%s%02x%02x%02x%02x%02x%02x.%s", cfg->tftp_path,
                     cfg->tftp_path[0] ? "/" : "", m[0], m[1], m[2], m[3], m[4], m[5], what[i]);
    const uint8_t *a = cfg->tftp_server;
    IP_ADDR4(&t.server, a[0], a[1], a[2], a[3]);
    smx_snprintf(t.text, sizeof t.text, "%u.%u.%u.%u:%u %s%s%02x%02x%02x%02x%02x%02x.*", a[0], a[1], a[2], a[3],
                 cfg->tftp_port, cfg->tftp_path, cfg->tftp_path[0] ? "/" : "", m[0], m[1], m[2], m[3], m[4], m[5]);
    *bd = (struct img_blockdev){ .ctx = &t, .block_size = TFTP_BLOCK,
                                 .block_count = (TFTP_SLOT_OFFSET + 2 * TFTP_SLOT_SIZE) / TFTP_BLOCK,
                                 .read = dev_read, .write = dev_write, .flush = dev_flush };
    smx_log("tftp", "store at %s, blksize %u, windowsize %u", t.text, t.blksize, t.windowsize);
    return true;
}

void tftp_dev_close(void)
{
    if (!t.open)
        return;
    end_transfer();
    net_down();
    t.open = false;
}

const char *tftp_dev_name(void)
{
    return t.text;
}
