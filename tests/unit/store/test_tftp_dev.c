/* SPDX-License-Identifier: MIT */
/*
 * The TFTP store's block device (vmm/store/tftp.c), hosted, under
 * imagestore's real two-slot store: the engine's client talks to the
 * engine's own server over an in-memory network (this file stands in for
 * lwIP's binding and the NIC), the server keeping files as tftpd-hpa does
 * (a write request truncates). Faults: a server that falls silent in the
 * middle of an upload, and one that keeps less than it acknowledged.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imagestore.h"
#include "../../../vmm/net/net.h"
#include "tftp.h"
#include "xfer_lwip.h"

/* ---- the server's files ---- */
#define FILES_MAX 8
static struct file {
    char name[160];
    uint8_t *data;
    size_t len, cap;
} files[FILES_MAX];

static struct file *file_find(const char *name, bool create)
{
    for (int i = 0; i < FILES_MAX; i++)
        if (files[i].data && !strcmp(files[i].name, name))
            return &files[i];
    if (!create)
        return NULL;
    for (int i = 0; i < FILES_MAX; i++)
        if (!files[i].data) {
            snprintf(files[i].name, sizeof files[i].name, "%s", name);
            files[i].cap = 1 << 16;
            files[i].data = malloc(files[i].cap);
            files[i].len = 0;
            return &files[i];
        }
    cr_assert_fail("too many files");
    return NULL;
}

/* ---- the network: datagrams queued both ways, a clock that moves ---- */
static xfer_time_t now = 1;
static struct xfer_lwip *client;          /* the transfer tftp.c has open */
static struct xfer server;
static struct file *served;
static uint8_t server_window[1 << 20];
static bool server_live;
static uint64_t silent_after = UINT64_MAX; /* slot bytes the server takes before it stops answering */
static size_t lose_tail;                   /* bytes the server drops from a finished slot upload */
static struct pkt {
    bool to_server;
    struct xfer_endpoint from;
    size_t len;
    uint8_t data[XFER_PACKET_MAX];
} queue[256];
static unsigned q_head, q_tail;

static const struct xfer_endpoint client_ep = { .family = 4, .addr = { 10, 0, 0, 2 }, .port = 4000 };
static const struct xfer_endpoint server_ep = { .family = 4, .addr = { 10, 0, 0, 1 }, .port = 69 };
static struct xfer_endpoint session_ep = { .family = 4, .addr = { 10, 0, 0, 1 }, .port = 5000 };

static void enqueue(bool to_server, const struct xfer_endpoint *from, const void *p, size_t len)
{
    if (q_tail - q_head == 256)
        return; /* a full wire loses the datagram */
    struct pkt *k = &queue[q_tail++ % 256];
    k->to_server = to_server;
    k->from = *from;
    k->len = len;
    memcpy(k->data, p, len);
}

static void client_send(void *ctx, const struct xfer_endpoint *to, const void *pkt, size_t len)
{
    (void)ctx, (void)to;
    enqueue(true, &client_ep, pkt, len);
}

static void server_send(void *ctx, const struct xfer_endpoint *to, const void *pkt, size_t len)
{
    (void)ctx, (void)to;
    enqueue(false, &session_ep, pkt, len);
}

static int srv_read(void *ctx, uint64_t block, void *dst, size_t len, size_t *got)
{
    (void)ctx;
    size_t off = (size_t)(block - 1) * xfer_params(&server)->blksize;
    *got = off >= served->len ? 0 : (served->len - off < len ? served->len - off : len);
    memcpy(dst, served->data + off, *got);
    return 0;
}

static int srv_write(void *ctx, uint64_t block, const void *src, size_t len)
{
    (void)ctx, (void)block;
    if (strstr(served->name, ".slot") && served->len + len > silent_after) {
        server_live = false; /* the server is gone: nothing more is stored or answered */
        return 0;
    }
    while (served->len + len > served->cap)
        served->data = realloc(served->data, served->cap *= 2);
    memcpy(served->data + served->len, src, len);
    served->len += len;
    return 0;
}

static void server_request(const uint8_t *pkt, size_t len)
{
    static struct xfer_request req;
    static uint8_t copy[XFER_REQUEST_MAX];
    uint16_t code;
    const char *problem;

    memcpy(copy, pkt, len);
    cr_assert_eq(xfer_parse_request(copy, len, &req, &code, &problem), XFER_OK);
    session_ep.port++;
    served = file_find(req.filename, req.dir == XFER_PUT);
    if (!served) {
        uint8_t err[64];
        size_t n = xfer_error_packet(err, sizeof err, XFER_TFTP_NOT_FOUND, "File not found");
        enqueue(false, &session_ep, err, n);
        return;
    }
    if (req.dir == XFER_PUT)
        served->len = 0; /* tftpd-hpa opens with O_TRUNC */
    struct xfer_server_cfg cfg = { .req = &req, .client = client_ep, .size_known = req.dir == XFER_GET,
                                   .size = served->len, .window = server_window,
                                   .window_len = sizeof server_window,
                                   .net = { .send = server_send }, .data = { .read = srv_read, .write = srv_write } };
    cr_assert_eq(xfer_server_start(&server, &cfg, now), XFER_OK);
}

static void deliver(unsigned max)
{
    for (unsigned i = 0; i < max && q_head != q_tail; i++) {
        struct pkt *k = &queue[q_head++ % 256];
        if (!server_live)
            continue;
        if (k->to_server) {
            uint16_t op = (uint16_t)(k->data[0] << 8 | k->data[1]);
            if (op == XFER_OP_RRQ || op == XFER_OP_WRQ)
                server_request(k->data, k->len);
            else
                xfer_input(&server, now, &k->from, k->data, k->len);
            if (xfer_state(&server) == XFER_DONE && served && strstr(served->name, ".slot") &&
                served->len >= lose_tail && lose_tail) {
                served->len -= lose_tail; /* acknowledged, then lost: a disk that failed under the server */
                lose_tail = 0;
            }
        } else if (client) {
            xfer_input(&client->x, now, &k->from, k->data, k->len);
        }
    }
}

/* ---- what tftp.c needs: the network (net.h) and lwIP's binding ---- */
static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x5a, 0x17, 0x01 };
bool net_up(const struct pol_store *cfg, char *why, size_t n) { (void)cfg, (void)why, (void)n; return true; }
void net_poll(unsigned max_frames)
{
    now += 100;
    deliver(max_frames);
    if (server_live && xfer_deadline(&server) <= now)
        xfer_tick(&server, now);
}
void net_down(void) {}
bool net_rx_pending(void) { return false; }
const char *net_describe(void) { return "fake"; }
const uint8_t *net_mac(void) { return mac; }

enum xfer_err xfer_lwip_start(struct xfer_lwip *b, struct xfer_client_cfg *cfg, const ip_addr_t *srv, u16_t port,
                              void *rx, size_t rx_len, struct xfer_lwip_clock clock)
{
    (void)srv, (void)port, (void)rx, (void)rx_len, (void)clock;
    memset(b, 0, sizeof *b);
    client = b;
    cfg->server = server_ep;
    cfg->net = (struct xfer_net){ .send = client_send };
    return xfer_client_start(&b->x, cfg, now);
}
void xfer_lwip_poll(struct xfer_lwip *b)
{
    now += 100;
    if (xfer_deadline(&b->x) <= now)
        xfer_tick(&b->x, now);
}
bool xfer_lwip_busy(const struct xfer_lwip *b) { return xfer_deadline(&b->x) != XFER_NEVER; }
xfer_time_t xfer_lwip_deadline(const struct xfer_lwip *b) { return xfer_deadline(&b->x); }
void xfer_lwip_close(struct xfer_lwip *b) { (void)b; client = NULL; }

/* ---- the store on top ---- */
static struct smx_bootinfo bi;
static struct tftp_buffers mem;
static struct img_blockdev bd;
static struct img_store store;
static uint8_t io[4096] __attribute__((aligned(64)));
static const uint8_t store_id[IMG_ID_SIZE] = { 1, 2, 3 };

static void setup(void)
{
    memset(files, 0, sizeof files);
    server_live = true;
    silent_after = UINT64_MAX;
    lose_tail = 0;
    q_head = q_tail = 0;
    for (int i = 0; i < 32; i++)
        bi.master_key[i] = (uint8_t)(i * 7 + 1);
    bi.config.store.kind = POL_STORE_TFTP;
    snprintf(bi.config.store.tftp_path, sizeof bi.config.store.tftp_path, "sleepmux/pc-17");
    bi.config.store.tftp_port = 69;
    mem.stage = malloc(TFTP_STAGE_BYTES);
    mem.rx = malloc(TFTP_RX_BYTES);
    mem.window = malloc(TFTP_WINDOW_BYTES);
    cr_assert(tftp_dev_open(&bi, &mem, &bd, (char[100]){ 0 }, 100));
}

static void teardown(void)
{
    tftp_dev_close();
    free(mem.stage);
    free(mem.rx);
    free(mem.window);
    for (int i = 0; i < FILES_MAX; i++)
        free(files[i].data);
}

TestSuite(tftp_dev, .init = setup, .fini = teardown);

/* An image-sized stream: not a real image (the store does not parse it). */
static uint8_t *pattern(size_t n, uint8_t seed)
{
    uint8_t *p = malloc(n);
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 131 + seed + (i >> 12));
    return p;
}

/* One image of `len` stream bytes for os through imagestore's slot sink;
 * returns the commit's result. */
static enum img_err put_image(uint32_t os, const uint8_t *data, size_t len, int *slot)
{
    struct img_slot_stream st;
    uint64_t gen;
    enum img_err e = img_store_begin(&store, os, -1, &st, &gen);
    if (e != IMG_OK)
        return e;
    *slot = st.slot;
    for (size_t off = 0; off < len; off += 100000) {
        size_t k = len - off < 100000 ? len - off : 100000;
        if (st.u.sink.write(st.u.sink.ctx, data + off, k))
            return IMG_E_IO;
    }
    struct img_summary sum = { .stream_bytes = len, .generation = gen, .os = os };
    memset(sum.header_digest, 0x5a, sizeof sum.header_digest);
    memcpy(sum.image_id, (uint8_t[IMG_ID_SIZE]){ (uint8_t)(0x10 + os), (uint8_t)gen }, IMG_ID_SIZE);
    return img_store_commit(&store, &st, &sum);
}

static void read_back(int slot, const uint8_t *want, size_t len)
{
    struct img_slot_stream st;
    struct img_expect ex;
    cr_assert_eq(img_store_read(&store, slot, false, &st, &ex), IMG_OK);
    uint8_t *got = malloc(len);
    size_t have = 0, n;
    while (have < len) {
        cr_assert_eq(st.u.source.read(st.u.source.ctx, got + have, len - have < 70001 ? len - have : 70001, &n), 0);
        cr_assert_gt(n, 0);
        have += n;
    }
    cr_assert(!memcmp(got, want, len), "slot %d reads back what was written", slot);
    free(got);
}

Test(tftp_dev, a_server_without_the_files_holds_no_store_and_the_format_creates_both_superblocks)
{
    cr_assert_eq(img_store_open(&store, &bd, bi.master_key, io), IMG_E_NOT_IMAGE);
    cr_assert_eq(img_store_format(&store, &bd, bi.master_key, store_id, io), IMG_OK);
    struct file *s0 = file_find("sleepmux/pc-17/5254005a1701.super0", false);
    struct file *s1 = file_find("sleepmux/pc-17/5254005a1701.super1", false);
    cr_assert(s0 && s1, "both copies are files named by the MAC under tftp-path");
    cr_assert_eq(s0->len, 4096);
    cr_assert_eq(s1->len, 4096);
    cr_assert_eq(img_store_open(&store, &bd, bi.master_key, io), IMG_OK);
}

Test(tftp_dev, an_image_commits_and_reads_back_byte_for_byte)
{
    size_t len = 3 * 1000 * 1000 + 123;
    uint8_t *a = pattern(len, 1);
    int slot;

    cr_assert_eq(img_store_format(&store, &bd, bi.master_key, store_id, io), IMG_OK);
    cr_assert_eq(put_image(IMG_OS_A, a, len, &slot), IMG_OK);
    struct file *f = file_find(slot ? "sleepmux/pc-17/5254005a1701.slot1" : "sleepmux/pc-17/5254005a1701.slot0",
                               false);
    cr_assert(f);
    cr_assert_eq(f->len, (len + 4095) / 4096 * 4096, "the slot file is the stream, whole blocks");
    cr_assert(!memcmp(f->data, a, len));
    cr_assert_eq(img_store_open(&store, &bd, bi.master_key, io), IMG_OK);
    cr_assert_eq(img_store_latest(&store, IMG_OS_A), slot);
    read_back(slot, a, len);
    free(a);
}

Test(tftp_dev, a_server_that_falls_silent_mid_upload_keeps_the_committed_image)
{
    size_t len = 2 * 1000 * 1000;
    uint8_t *a = pattern(len, 1), *a2 = pattern(len, 2);
    int slot, slot2;

    cr_assert_eq(img_store_format(&store, &bd, bi.master_key, store_id, io), IMG_OK);
    cr_assert_eq(put_image(IMG_OS_A, a, len, &slot), IMG_OK);
    silent_after = 700000;
    cr_assert_eq(put_image(IMG_OS_A, a2, len, &slot2), IMG_E_IO, "the upload fails: the server stopped answering");
    cr_assert_neq(slot, slot2);
    server_live = true;
    silent_after = UINT64_MAX;
    cr_assert_eq(img_store_open(&store, &bd, bi.master_key, io), IMG_OK);
    cr_assert_eq(img_store_latest(&store, IMG_OS_A), slot, "the first image is still the committed one");
    cr_assert_eq(store.slot[slot2].state, IMG_SLOT_WRITING, "the failed slot is marked as never committed");
    read_back(slot, a, len);
    free(a);
    free(a2);
}

Test(tftp_dev, an_upload_the_server_does_not_hold_whole_is_never_committed)
{
    size_t len = 1000 * 1000;
    uint8_t *a = pattern(len, 1), *a2 = pattern(len, 2);
    int slot, slot2;

    cr_assert_eq(img_store_format(&store, &bd, bi.master_key, store_id, io), IMG_OK);
    cr_assert_eq(put_image(IMG_OS_A, a, len, &slot), IMG_OK);
    lose_tail = 4096; /* every block acknowledged, the last 4 KiB lost */
    cr_assert_eq(put_image(IMG_OS_A, a2, len, &slot2), IMG_E_IO, "tsize disagrees: the commit is refused");
    cr_assert_eq(img_store_open(&store, &bd, bi.master_key, io), IMG_OK);
    cr_assert_eq(img_store_latest(&store, IMG_OS_A), slot);
    read_back(slot, a, len);
    free(a);
    free(a2);
}
