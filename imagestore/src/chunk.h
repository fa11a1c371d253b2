/* SPDX-License-Identifier: MIT */
/*
 * A chunk's body: which pages are zero, and the runs of the others, each
 * LZ4-compressed or raw (layout.h, docs/image-format.md §Chunk records).
 */
#ifndef IMG_CHUNK_H
#define IMG_CHUNK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layout.h"

bool img_page_is_zero(const uint8_t *page);

/* Bytes of LZ4 state img_run_encode() needs. */
size_t img_run_state_size(void);

/* Append one run of npages non-zero pages at out: its head and its bytes,
 * compressed when LZ4 saves at least 1/32, else raw. Returns the bytes
 * appended (at most RUN_HEAD + npages * IMG_PAGE_SIZE); *raw says which. */
size_t img_run_encode(void *state, const uint8_t *pages, uint32_t npages, uint8_t *out, bool *raw);

/*
 * Expand an authenticated chunk body of len bytes covering npages pages
 * into dst. Returns NULL, or a static description of what is malformed
 * (a chunk that authenticates yet fails here came from a faulty writer).
 * *raw_pages counts pages that were stored raw, *zero_pages elided ones.
 */
const char *img_chunk_decode(const uint8_t *body, size_t len, uint32_t chunk_pages, uint32_t npages,
                         uint8_t *dst, uint64_t *zero_pages, uint64_t *raw_pages);

static inline bool bit_get(const uint8_t *map, uint32_t i)
{
    return (map[i / 8] >> (i % 8)) & 1;
}

#endif
