/* SPDX-License-Identifier: MIT */
/*
 * Fuzz imagestore's reader. The first input byte picks what the rest is:
 *
 *   even  a sealed stream as it would come off a disk or a TFTP server:
 *         everything an attacker without the key controls. Seeds are real
 *         images (build/fuzz/seeds/imagestore_reader).
 *   odd   the plaintext of records that this harness seals with the test
 *         key: what a faulty writer (or a key holder) could produce. This
 *         reaches the parsing behind authentication, which random bytes
 *         never get past: chunk descriptors, zero bitmaps, runs, LZ4.
 *
 * Either way the reader must fail cleanly or deliver pages only inside the
 * ranges the header's regions describe.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imagestore.h"
#include "layout.h"
#include "records.h"
#include "seal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t key[IMG_KEY_SIZE] = "sleepmux test key, never use it!";

struct src {
    const uint8_t *p;
    size_t len, pos;
};

static int src_read(void *ctx, void *buf, size_t len, size_t *got)
{
    struct src *s = ctx;
    size_t n = s->len - s->pos < len ? s->len - s->pos : len;
    memcpy(buf, s->p + s->pos, n);
    s->pos += n;
    *got = n;
    return 0;
}

struct dst {
    uint8_t *scratch;
    size_t size;
    const struct img_reader *r;
};

static void *dst_map(void *ctx, uint64_t gpa, size_t len)
{
    struct dst *d = ctx;
    int inside = 0;

    /* The reader only asks for pages the authenticated region table holds. */
    for (uint32_t i = 0; i < d->r->info.region_count; i++) {
        const struct img_region *g = img_reader_region(d->r, i);
        if (gpa >= g->base && (gpa - g->base) / IMG_PAGE_SIZE + len / IMG_PAGE_SIZE <= g->pages)
            inside = 1;
    }
    if (!inside || len > d->size || len % IMG_PAGE_SIZE)
        abort();
    return d->scratch;
}

static void run_reader(const uint8_t *stream, size_t len)
{
    static uint8_t *work, *scratch; /* fuzzer process only: allocated once */
    size_t work_size = img_reader_work_size(0);
    struct src s = { stream, len, 0 };
    struct img_source source = { &s, src_read };
    struct img_reader r;
    struct dst d = { 0, (size_t)IMG_CHUNK_PAGES_MAX * IMG_PAGE_SIZE, &r };
    struct img_memory mem = { &d, dst_map, NULL };
    uint8_t cpu[64];
    char msg[256];

    if (!work) {
        work = aligned_alloc(64, work_size);
        scratch = malloc(d.size);
    }
    d.scratch = scratch;
    enum img_err e = img_reader_open(&r, &source, key, NULL, work, work_size, cpu, sizeof cpu);
    while (e == IMG_OK && !r.done)
        e = img_reader_next(&r, &mem);
    img_error_format(&r.err, msg, sizeof msg);
    if (e == IMG_OK && (r.sum.pages != r.info.pages || r.pages_done != r.info.pages))
        abort(); /* success means every page of every region was delivered */
    img_reader_close(&r);
}

/* Seal the odd-mode input: [chunk_pages/8][pages][flags] then records of
 * [u16 length][plaintext], each sealed as the next chunk; a final record
 * whose length has the top bit set is sealed as the commit record. With
 * flag 0x80 the harness writes each chunk's address and page count itself,
 * so the fuzzer spends its time on bitmaps and runs. */
static void run_sealed(const uint8_t *in, size_t len)
{
    static uint8_t *out;
    const size_t cap = 1 << 20;
    struct img_region region;
    struct img_writer_config cfg = { .master_key = key, .generation = 1, .regions = &region, .region_count = 1 };
    uint8_t kid[16], ikey[IMG_KEY_SIZE], digest[IMG_DIGEST_SIZE];
    size_t n, pos = 3;

    if (len < 3)
        return;
    if (!out)
        out = malloc(cap);
    cfg.chunk_pages = 8 * (1 + in[0] % (IMG_CHUNK_PAGES_MAX / 8));
    region = (struct img_region){ 0x100000, 1 + in[1] };
    cfg.cpu = "fuzz";
    cfg.cpu_size = in[2] % 5;
    bool fix_descriptor = in[2] & 0x80;
    memcpy(cfg.image_id, "fuzzed image id.", IMG_ID_SIZE);
    img_key_id(key, kid);
    img_seal_image_key(key, cfg.image_id, ikey);
    n = img_header_encode(out, &cfg, kid);
    img_seal(ikey, NONCE_HEADER, 0, out + HDR_CLEAR, n - HDR_CLEAR, out, HDR_CLEAR, out + n);
    n += TAG_SIZE;
    img_sha256(out, n, digest);

    for (uint32_t index = 0; pos + 2 <= len; index++) {
        uint16_t l = (uint16_t)(in[pos] | in[pos + 1] << 8);
        int commit = l >> 15;
        size_t body = l & 0x7fff;
        pos += 2;
        if (body > len - pos)
            body = len - pos;
        if (n + FRAME_SIZE + body + TAG_SIZE > cap)
            break;
        uint8_t aad[AAD_SIZE];
        img_frame_encode(out + n, commit ? FRAME_COMMIT : FRAME_CHUNK, index, (uint32_t)body, cfg.image_id);
        memcpy(aad, out + n, FRAME_SIZE);
        memcpy(aad + FRAME_SIZE, digest, IMG_DIGEST_SIZE);
        memcpy(out + n + FRAME_SIZE, in + pos, body);
        uint64_t first = (uint64_t)index * cfg.chunk_pages;
        if (fix_descriptor && !commit && body >= CHUNK_O_BITMAP && first < region.pages) {
            uint64_t left = region.pages - first;
            put64(out + n + FRAME_SIZE + CHUNK_O_GPA, region.base + first * IMG_PAGE_SIZE);
            put32(out + n + FRAME_SIZE + CHUNK_O_PAGES, (uint32_t)(left < cfg.chunk_pages ? left : cfg.chunk_pages));
        }
        img_seal(ikey, commit ? NONCE_COMMIT : NONCE_CHUNK, index, out + n + FRAME_SIZE, body, aad, sizeof aad,
                 out + n + FRAME_SIZE + body);
        n += FRAME_SIZE + body + TAG_SIZE;
        pos += body;
        if (commit)
            break;
    }
    run_reader(out, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (data[0] & 1)
        run_sealed(data + 1, size - 1);
    else
        run_reader(data + 1, size - 1);
    return 0;
}
