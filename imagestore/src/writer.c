/* SPDX-License-Identifier: MIT */
/*
 * The streaming writer: pages in, in region order; sealed records out to
 * the caller's sink. A chunk is built directly in the record buffer (frame,
 * descriptor, zero bitmap, runs), sealed in place and written in one call,
 * so each page is read once and only compressed output is ever copied.
 */
#include <string.h>

#include "chunk.h"
#include "error.h"
#include "records.h"
#include "seal.h"

/* The record buffer holds the largest header or chunk record. */
static size_t record_max(uint32_t chunk_pages)
{
    size_t chunk = FRAME_SIZE + chunk_body_max(chunk_pages) + TAG_SIZE;
    size_t header = HDR_CLEAR + header_sealed_max() + TAG_SIZE;

    return chunk > header ? chunk : header;
}

static size_t align16(size_t n)
{
    return (n + 15) & ~(size_t)15;
}

size_t img_writer_work_size(uint32_t chunk_pages)
{
    if (chunk_pages == 0)
        chunk_pages = IMG_CHUNK_PAGES_DEFAULT;
    return (align16(img_run_state_size()) + record_max(chunk_pages) + 63) & ~(size_t)63;
}

static enum img_err fail(struct img_writer *w, enum img_err code, const char *what, uint64_t a, uint64_t b)
{
    w->failed = true;
    img_wipe(w->key, sizeof w->key);
    return img_fail(&w->err, code, w->image_id, what, a, b);
}

static enum img_err emit(struct img_writer *w, const uint8_t *p, size_t len)
{
    if (w->sink->write(w->sink->ctx, p, len) != 0)
        return fail(w, IMG_E_IO, "sink failed writing %a bytes at stream offset %b", len, w->sum.stream_bytes);
    w->sum.stream_bytes += len;
    return IMG_OK;
}

static enum img_err config_check(struct img_writer *w, const struct img_writer_config *cfg, uint32_t chunk_pages)
{
    const char *bad;
    uint32_t at;

    if (!cfg->master_key)
        return fail(w, IMG_E_ARG, "no master key", 0, 0);
    if (cfg->os > IMG_OS_B)
        return fail(w, IMG_E_ARG, "OS %a is neither A (0) nor B (1)", cfg->os, 0);
    if (chunk_pages < IMG_CHUNK_PAGES_MIN || chunk_pages > IMG_CHUNK_PAGES_MAX || chunk_pages % 8)
        return fail(w, IMG_E_ARG, "%a pages per chunk: must be a multiple of 8 from 8 to %b", chunk_pages,
                    IMG_CHUNK_PAGES_MAX);
    if (!cfg->regions || cfg->region_count == 0 || cfg->region_count > IMG_REGIONS_MAX)
        return fail(w, IMG_E_ARG, "%a regions: must be 1 to %b", cfg->region_count, IMG_REGIONS_MAX);
    if (cfg->cpu_size > IMG_CPU_MAX || (cfg->cpu_size && !cfg->cpu))
        return fail(w, IMG_E_ARG, "CPU context of %a bytes: at most %b", cfg->cpu_size, IMG_CPU_MAX);
    if ((bad = img_regions_check(cfg->regions, cfg->region_count, &at)) != NULL)
        return fail(w, IMG_E_ARG, bad, at, 0);
    return IMG_OK;
}

enum img_err img_writer_begin(struct img_writer *w, const struct img_writer_config *cfg,
                              const struct img_sink *sink, void *work, size_t work_size)
{
    uint32_t chunk_pages = cfg->chunk_pages ? cfg->chunk_pages : IMG_CHUNK_PAGES_DEFAULT;
    uint8_t key_id[16];
    enum img_err e;
    size_t len;

    memset(w, 0, sizeof *w);
    memcpy(w->image_id, cfg->image_id, IMG_ID_SIZE);
    if ((e = config_check(w, cfg, chunk_pages)) != IMG_OK)
        return e;
    if (!work || ((uintptr_t)work & 15) || work_size < img_writer_work_size(chunk_pages))
        return fail(w, IMG_E_ARG, "work area of %a bytes: needs %b, 16-byte aligned", work_size,
                    img_writer_work_size(chunk_pages));

    w->sink = sink;
    w->lz4 = work;
    w->buf = (uint8_t *)work + align16(img_run_state_size());
    w->buf_size = record_max(chunk_pages);
    w->chunk_pages = chunk_pages;
    w->regions = cfg->regions;
    w->region_count = cfg->region_count;
    w->next_gpa = cfg->regions[0].base;
    w->left = cfg->regions[0].pages;
    w->sum.generation = cfg->generation;
    w->sum.os = cfg->os;
    memcpy(w->sum.image_id, cfg->image_id, IMG_ID_SIZE);
    for (uint32_t i = 0; i < cfg->region_count; i++)
        w->sum.pages += cfg->regions[i].pages;

    img_seal_image_key(cfg->master_key, cfg->image_id, w->key);
    img_key_id(cfg->master_key, key_id);
    len = img_header_encode(w->buf, cfg, key_id);
    img_seal(w->key, NONCE_HEADER, 0, w->buf + HDR_CLEAR, len - HDR_CLEAR, w->buf, HDR_CLEAR, w->buf + len);
    len += TAG_SIZE;
    img_sha256(w->buf, len, w->header_digest);
    memcpy(w->sum.header_digest, w->header_digest, IMG_DIGEST_SIZE);
    memcpy(w->chain, w->header_digest, IMG_DIGEST_SIZE);
    return emit(w, w->buf, len);
}

/* Seal the open chunk (frame + body at buf) and write it out. */
static enum img_err seal_chunk(struct img_writer *w)
{
    uint8_t *body = w->buf + FRAME_SIZE;
    size_t body_len = w->chunk_pos - FRAME_SIZE;
    uint8_t aad[AAD_SIZE];
    uint64_t index = w->sum.chunks;

    if (index >= UINT32_MAX)
        return fail(w, IMG_E_LIMIT, "more than %a chunks", UINT32_MAX - 1, 0);
    put64(body + CHUNK_O_GPA, w->chunk_gpa);
    put32(body + CHUNK_O_PAGES, w->chunk_n);
    put32(body + CHUNK_O_RESERVED, 0);
    img_frame_encode(w->buf, FRAME_CHUNK, (uint32_t)index, (uint32_t)body_len, w->image_id);
    memcpy(aad, w->buf, FRAME_SIZE);
    memcpy(aad + FRAME_SIZE, w->header_digest, IMG_DIGEST_SIZE);
    img_seal(w->key, NONCE_CHUNK, index, body, body_len, aad, sizeof aad, w->buf + w->chunk_pos);
    img_sha256_pair(w->chain, IMG_DIGEST_SIZE, w->buf + w->chunk_pos, TAG_SIZE, w->chain);
    w->sum.chunks++;
    w->chunk_n = 0;
    return emit(w, w->buf, w->chunk_pos + TAG_SIZE);
}

/* Add n pages (all within the open chunk's room) from data. */
static void add_pages(struct img_writer *w, const uint8_t *data, uint32_t n)
{
    uint8_t *map = w->buf + FRAME_SIZE + CHUNK_O_BITMAP;
    uint32_t i = 0;

    while (i < n) {
        uint32_t j = i;
        bool raw;

        while (j < n && img_page_is_zero(data + (size_t)j * IMG_PAGE_SIZE)) {
            map[(w->chunk_n + j) / 8] |= (uint8_t)(1u << ((w->chunk_n + j) % 8));
            j++;
        }
        w->sum.zero_pages += j - i;
        i = j;
        while (j < n && !img_page_is_zero(data + (size_t)j * IMG_PAGE_SIZE))
            j++;
        if (j > i) {
            w->chunk_pos += img_run_encode(w->lz4, data + (size_t)i * IMG_PAGE_SIZE, j - i, w->buf + w->chunk_pos, &raw);
            if (raw)
                w->sum.raw_pages += j - i;
        }
        i = j;
    }
    w->chunk_n += n;
}

enum img_err img_writer_pages(struct img_writer *w, uint64_t gpa, const void *data, uint64_t npages)
{
    const uint8_t *p = data;
    enum img_err e;

    if (w->failed)
        return IMG_E_ARG;
    if (w->left == 0)
        return fail(w, IMG_E_ARG, "pages at %x pushed after the last region", gpa, 0);
    if (gpa != w->next_gpa)
        return fail(w, IMG_E_ARG, "pages at %x pushed out of order: the next page is %y", gpa,
                    w->next_gpa);
    if (npages > w->left)
        return fail(w, IMG_E_ARG, "%a pages cross the end of region %b", npages, w->region);

    while (npages) {
        if (w->chunk_n == 0) {
            w->chunk_gpa = w->next_gpa;
            w->chunk_pos = FRAME_SIZE + CHUNK_O_BITMAP + w->chunk_pages / 8;
            memset(w->buf + FRAME_SIZE + CHUNK_O_BITMAP, 0, w->chunk_pages / 8);
        }
        uint32_t room = w->chunk_pages - w->chunk_n;
        uint32_t n = npages < room ? (uint32_t)npages : room;
        add_pages(w, p, n);
        p += (size_t)n * IMG_PAGE_SIZE;
        npages -= n;
        w->left -= n;
        w->next_gpa += (uint64_t)n * IMG_PAGE_SIZE;
        /* A chunk never spans regions: its pages are one contiguous range. */
        if (w->chunk_n == w->chunk_pages || w->left == 0)
            if ((e = seal_chunk(w)) != IMG_OK)
                return e;
        if (w->left == 0 && w->region + 1 < w->region_count) {
            w->region++;
            w->next_gpa = w->regions[w->region].base;
            w->left = w->regions[w->region].pages;
        }
    }
    return IMG_OK;
}

enum img_err img_writer_finish(struct img_writer *w, struct img_summary *sum)
{
    uint8_t *body = w->buf + FRAME_SIZE;
    uint8_t aad[AAD_SIZE];
    enum img_err e;

    if (w->failed)
        return IMG_E_ARG;
    if (w->left)
        return fail(w, IMG_E_ARG, "finished with %a pages of region %b not pushed", w->left, w->region);

    put64(body + COMMIT_O_CHUNKS, w->sum.chunks);
    put64(body + COMMIT_O_PAGES, w->sum.pages);
    put64(body + COMMIT_O_ZERO, w->sum.zero_pages);
    put64(body + COMMIT_O_RAW, w->sum.raw_pages);
    put64(body + COMMIT_O_OFFSET, w->sum.stream_bytes);
    memcpy(body + COMMIT_O_CHAIN, w->chain, IMG_DIGEST_SIZE);
    img_frame_encode(w->buf, FRAME_COMMIT, (uint32_t)w->sum.chunks, COMMIT_BODY, w->image_id);
    memcpy(aad, w->buf, FRAME_SIZE);
    memcpy(aad + FRAME_SIZE, w->header_digest, IMG_DIGEST_SIZE);
    img_seal(w->key, NONCE_COMMIT, w->sum.chunks, body, COMMIT_BODY, aad, sizeof aad, body + COMMIT_BODY);
    img_wipe(w->key, sizeof w->key);
    if ((e = emit(w, w->buf, FRAME_SIZE + COMMIT_BODY + TAG_SIZE)) != IMG_OK)
        return e;
    w->failed = true; /* finished: nothing more may be pushed */
    if (sum)
        *sum = w->sum;
    return IMG_OK;
}

void img_writer_abort(struct img_writer *w)
{
    w->failed = true;
    img_wipe(w->key, sizeof w->key);
}
