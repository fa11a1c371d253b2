/* SPDX-License-Identifier: MIT */
/*
 * Zero-page detection and the run codec. This is the hot path of a save:
 * most of a suspended OS's memory is zero, and the rest goes through LZ4.
 */
#include <string.h>

#include "lz4.h"

#include "chunk.h"

/* An unaligned, aliasing 64-bit load: callers' pages may sit anywhere. */
typedef uint64_t u64_any __attribute__((aligned(1), may_alias));

bool img_page_is_zero(const uint8_t *page)
{
    const u64_any *q = (const u64_any *)page;

    /* Most non-zero pages show it in their first or last word. */
    if (q[0] | q[IMG_PAGE_SIZE / 8 - 1])
        return false;
    for (size_t i = 0; i < IMG_PAGE_SIZE / 8; i += 8)
        if (q[i] | q[i + 1] | q[i + 2] | q[i + 3] | q[i + 4] | q[i + 5] | q[i + 6] | q[i + 7])
            return false;
    return true;
}

size_t img_run_state_size(void)
{
    return (size_t)LZ4_sizeofState();
}

size_t img_run_encode(void *state, const uint8_t *pages, uint32_t npages, uint8_t *out, bool *raw)
{
    int bytes = (int)(npages * IMG_PAGE_SIZE);
    /* Raw data restores at memcpy speed; compression must save 1/32 to be
     * worth a decompression pass. LZ4 gives up (returns 0) at the limit. */
    int limit = bytes - bytes / 32;
    int n = LZ4_compress_fast_extState(state, (const char *)pages, (char *)out + RUN_HEAD, bytes, limit, 1);

    put32(out + RUN_O_PAGES, npages);
    if (n > 0 && n < limit) {
        put32(out + RUN_O_SIZE, (uint32_t)n);
        *raw = false;
        return RUN_HEAD + (size_t)n;
    }
    put32(out + RUN_O_SIZE, (uint32_t)bytes | RUN_RAW);
    memcpy(out + RUN_HEAD, pages, (size_t)bytes);
    *raw = true;
    return RUN_HEAD + (size_t)bytes;
}

const char *img_chunk_decode(const uint8_t *body, size_t len, uint32_t chunk_pages, uint32_t npages,
                         uint8_t *dst, uint64_t *zero_pages, uint64_t *raw_pages)
{
    const uint8_t *map = body + CHUNK_O_BITMAP;
    size_t pos = CHUNK_O_BITMAP + chunk_pages / 8;
    uint32_t i = 0;

    if (len < pos)
        return "body shorter than its bitmap";
    for (uint32_t k = npages; k < chunk_pages; k++)
        if (bit_get(map, k))
            return "zero bit set past the chunk's last page";
    while (i < npages) {
        uint32_t j = i;
        if (bit_get(map, i)) {
            while (j < npages && bit_get(map, j))
                j++;
            memset(dst + (size_t)i * IMG_PAGE_SIZE, 0, (size_t)(j - i) * IMG_PAGE_SIZE);
            *zero_pages += j - i;
            i = j;
            continue;
        }
        if (len - pos < RUN_HEAD)
            return "body ends inside a run head";
        uint32_t head = get32(body + pos + RUN_O_SIZE), run = get32(body + pos + RUN_O_PAGES);
        size_t size = head & ~RUN_RAW, want;
        pos += RUN_HEAD;
        if (run == 0 || run > npages - i)
            return "run of pages runs past the chunk";
        for (j = i; j < i + run; j++)
            if (bit_get(map, j))
                return "run covers a page marked zero";
        want = (size_t)run * IMG_PAGE_SIZE;
        if (size > len - pos)
            return "run longer than the body";
        if (head & RUN_RAW) {
            if (size != want)
                return "raw run size differs from its pages";
            memcpy(dst + (size_t)i * IMG_PAGE_SIZE, body + pos, size);
            *raw_pages += run;
        } else {
            int got = LZ4_decompress_safe((const char *)body + pos, (char *)dst + (size_t)i * IMG_PAGE_SIZE,
                                          (int)size, (int)want);
            if (got < 0 || (size_t)got != want)
                return "LZ4 run does not expand to its pages";
        }
        pos += size;
        i = j;
    }
    if (pos != len)
        return "bytes after the last run";
    return NULL;
}
