/* SPDX-License-Identifier: MIT */
/*
 * The streaming reader. Each record is read whole into the work buffer,
 * its clear frame checked, its tag verified, and only then is anything
 * decoded or handed to the caller. The order of the checks is what makes
 * the error classes distinct (docs/image-format.md §Reading):
 *
 *   stream ends, or blank bytes where a record belongs   -> truncated
 *   checksum of clear bytes fails                        -> altered
 *   header's key id is not ours                          -> wrong key
 *   authentication fails                                 -> altered
 *   authentic record of this image, wrong index          -> reordered
 *   record of another image, or not the image expected   -> replayed
 */
#include <string.h>

#include "chunk.h"
#include "error.h"
#include "records.h"
#include "seal.h"

static size_t regions_area(void)
{
    return (size_t)IMG_REGIONS_MAX * sizeof(struct img_region);
}

static size_t record_max(uint32_t chunk_pages)
{
    size_t chunk = FRAME_SIZE + chunk_body_max(chunk_pages) + TAG_SIZE;
    size_t header = HDR_CLEAR + header_sealed_max() + TAG_SIZE;

    return chunk > header ? chunk : header;
}

size_t img_reader_work_size(uint32_t chunk_pages)
{
    return (regions_area() + record_max(chunk_pages ? chunk_pages : IMG_CHUNK_PAGES_MAX) + 63) & ~(size_t)63;
}

static enum img_err fail(struct img_reader *r, enum img_err code, const char *what, uint64_t a, uint64_t b)
{
    r->failed = true;
    img_wipe(r->key, sizeof r->key);
    return img_fail(&r->err, code, r->info.image_id, what, a, b);
}

/* Read exactly len bytes; *got says how many came before the end. */
static enum img_err take(struct img_reader *r, void *buf, size_t len, size_t *got)
{
    size_t n = 0;

    *got = 0;
    while (*got < len) {
        if (r->src->read(r->src->ctx, (uint8_t *)buf + *got, len - *got, &n) != 0)
            return fail(r, IMG_E_IO, "source failed reading at stream offset %a", r->offset + *got, 0);
        if (n == 0)
            break;
        *got += n;
    }
    r->offset += *got;
    return IMG_OK;
}

static enum img_err check_expect(struct img_reader *r, const struct img_expect *x)
{
    const struct img_info *in = &r->info;

    if (!x)
        return IMG_OK;
    if ((x->flags & IMG_EXPECT_ID) && memcmp(x->image_id, in->image_id, IMG_ID_SIZE) != 0)
        return fail(r, IMG_E_REPLAYED, "generation %a is not the image expected (another image id)",
                    in->generation, 0);
    if ((x->flags & IMG_EXPECT_GENERATION) && x->generation != in->generation)
        return fail(r, IMG_E_REPLAYED, "generation %a, expected %b", in->generation, x->generation);
    if ((x->flags & IMG_EXPECT_OS) && x->os != in->os)
        return fail(r, IMG_E_REPLAYED, "holds OS %a, expected OS %b (0 = A, 1 = B)", in->os, x->os);
    if ((x->flags & IMG_EXPECT_DIGEST) && memcmp(x->header_digest, in->header_digest, IMG_DIGEST_SIZE) != 0)
        return fail(r, IMG_E_REPLAYED, "generation %a: header differs from the one committed", in->generation, 0);
    return IMG_OK;
}

enum img_err img_reader_open(struct img_reader *r, const struct img_source *src,
                             const uint8_t master_key[IMG_KEY_SIZE], const struct img_expect *expect,
                             void *work, size_t work_size, void *cpu, size_t cpu_max)
{
    uint8_t key_id[16];
    size_t got, sealed;
    const char *bad;
    uint32_t at;
    enum img_err e;

    memset(r, 0, sizeof *r);
    r->src = src;
    if (!work || ((uintptr_t)work & 15) || work_size < regions_area() + record_max(IMG_CHUNK_PAGES_MIN))
        return fail(r, IMG_E_ARG, "work area of %a bytes: needs at least %b, 16-byte aligned", work_size,
                    regions_area() + record_max(IMG_CHUNK_PAGES_MIN));
    r->regions = work;
    r->buf = (uint8_t *)work + regions_area();
    r->buf_size = work_size - regions_area();

    if ((e = take(r, r->buf, HDR_CLEAR, &got)) != IMG_OK)
        return e;
    if (got < HDR_CLEAR) {
        r->failed = true;
        return img_peek_header(r->buf, got, &r->info, &r->err);
    }
    if ((e = img_header_check(r->buf, &r->info, &r->err)) != IMG_OK) {
        r->failed = true;
        return e;
    }
    img_key_id(master_key, key_id);
    if (!img_equal_ct(key_id, r->info.key_id, sizeof key_id))
        return fail(r, IMG_E_KEY, "sealed under key %x, not under this key (%y)", id_prefix(r->info.key_id),
                    id_prefix(key_id));
    if (record_max(r->info.chunk_pages) > r->buf_size)
        return fail(r, IMG_E_LIMIT, "chunks of %a pages need a larger work area than %b bytes",
                    r->info.chunk_pages, work_size);

    sealed = (size_t)r->info.region_count * REGION_SIZE + r->info.cpu_size;
    if ((e = take(r, r->buf + HDR_CLEAR, sealed + TAG_SIZE, &got)) != IMG_OK)
        return e;
    if (got < sealed + TAG_SIZE)
        return fail(r, IMG_E_TRUNCATED, "header cut short after %a bytes", r->offset, 0);
    img_sha256(r->buf, HDR_CLEAR + sealed + TAG_SIZE, r->info.header_digest);
    img_seal_image_key(master_key, r->info.image_id, r->key);
    if (!img_unseal(r->key, NONCE_HEADER, 0, r->buf + HDR_CLEAR, sealed, r->buf, HDR_CLEAR,
                r->buf + HDR_CLEAR + sealed))
        return fail(r, IMG_E_ALTERED, "header fails authentication", 0, 0);

    img_regions_decode(r->buf + HDR_CLEAR, r->info.region_count, r->regions);
    if ((bad = img_regions_check(r->regions, r->info.region_count, &at)) != NULL)
        return fail(r, IMG_E_FORMAT, bad, at, 0);
    for (uint32_t i = 0; i < r->info.region_count; i++)
        r->info.pages += r->regions[i].pages;
    if ((e = check_expect(r, expect)) != IMG_OK)
        return e;
    if (cpu && r->info.cpu_size > cpu_max)
        return fail(r, IMG_E_LIMIT, "CPU context of %a bytes, the caller's buffer holds %b", r->info.cpu_size,
                    cpu_max);
    if (cpu && r->info.cpu_size)
        memcpy(cpu, r->buf + HDR_CLEAR + (size_t)r->info.region_count * REGION_SIZE, r->info.cpu_size);
    img_wipe(r->buf + HDR_CLEAR, sealed);

    memcpy(r->chain, r->info.header_digest, IMG_DIGEST_SIZE);
    r->next_gpa = r->regions[0].base;
    r->left = r->regions[0].pages;
    return IMG_OK;
}

const struct img_region *img_reader_region(const struct img_reader *r, uint32_t i)
{
    return i < r->info.region_count ? &r->regions[i] : NULL;
}

static enum img_err deliver(struct img_reader *r, const uint8_t *body, size_t len, const struct img_memory *mem)
{
    uint64_t gpa = get64(body + CHUNK_O_GPA);
    uint32_t n = get32(body + CHUNK_O_PAGES);
    uint64_t want = r->left < r->info.chunk_pages ? r->left : r->info.chunk_pages;
    const char *bad;
    uint8_t *dst;

    if (r->left == 0)
        return fail(r, IMG_E_FORMAT, "chunk %a lies past the last region", r->index, 0);
    if (gpa != r->next_gpa || n != want || get32(body + CHUNK_O_RESERVED) != 0)
        return fail(r, IMG_E_FORMAT, "chunk %a covers pages at %y, not the next pages of the region table",
                    r->index, gpa);
    dst = mem->map(mem->ctx, gpa, (size_t)n * IMG_PAGE_SIZE);
    if (!dst)
        return fail(r, IMG_E_REFUSED, "the caller refused pages at %x for chunk %b", gpa, r->index);
    if ((bad = img_chunk_decode(body, len, r->info.chunk_pages, n, dst, &r->zero_pages, &r->raw_pages)) != NULL)
        return fail(r, IMG_E_FORMAT, bad, 0, 0);
    if (mem->done)
        mem->done(mem->ctx, gpa, (size_t)n * IMG_PAGE_SIZE);
    r->pages_done += n;
    r->left -= n;
    r->next_gpa += (uint64_t)n * IMG_PAGE_SIZE;
    if (r->left == 0 && r->region + 1 < r->info.region_count) {
        r->region++;
        r->next_gpa = r->regions[r->region].base;
        r->left = r->regions[r->region].pages;
    }
    return IMG_OK;
}

static enum img_err commit(struct img_reader *r, const uint8_t *body)
{
    if (r->left != 0)
        return fail(r, IMG_E_FORMAT, "commit record after %a of %b pages", r->pages_done, r->info.pages);
    if (get64(body + COMMIT_O_CHUNKS) != r->index || get64(body + COMMIT_O_PAGES) != r->info.pages ||
        get64(body + COMMIT_O_ZERO) != r->zero_pages || get64(body + COMMIT_O_RAW) != r->raw_pages)
        return fail(r, IMG_E_FORMAT, "commit record counts differ from the %a chunks read", r->index, 0);
    if (get64(body + COMMIT_O_OFFSET) != r->offset - FRAME_SIZE - COMMIT_BODY - TAG_SIZE)
        return fail(r, IMG_E_FORMAT, "commit record placed at byte %a, written at byte %b",
                    r->offset - FRAME_SIZE - COMMIT_BODY - TAG_SIZE, get64(body + COMMIT_O_OFFSET));
    if (!img_equal_ct(body + COMMIT_O_CHAIN, r->chain, IMG_DIGEST_SIZE))
        return fail(r, IMG_E_FORMAT, "chunk chain differs from the commit record's", 0, 0);

    r->done = true;
    img_wipe(r->key, sizeof r->key);
    memcpy(r->sum.image_id, r->info.image_id, IMG_ID_SIZE);
    memcpy(r->sum.header_digest, r->info.header_digest, IMG_DIGEST_SIZE);
    r->sum.generation = r->info.generation;
    r->sum.os = r->info.os;
    r->sum.chunks = r->index;
    r->sum.pages = r->info.pages;
    r->sum.zero_pages = r->zero_pages;
    r->sum.raw_pages = r->raw_pages;
    r->sum.stream_bytes = r->offset;
    return IMG_OK;
}

enum img_err img_reader_next(struct img_reader *r, const struct img_memory *mem)
{
    uint8_t *f = r->buf, *body = r->buf + FRAME_SIZE;
    uint8_t aad[AAD_SIZE];
    uint32_t index, len;
    bool is_commit;
    size_t got;
    enum img_err e;

    if (r->failed)
        return r->err.code;
    if (r->done)
        return IMG_OK;
    if ((e = take(r, f, FRAME_SIZE, &got)) != IMG_OK)
        return e;
    if (got == 0)
        return fail(r, IMG_E_TRUNCATED, "stream ends after %a chunks, before its commit record", r->index, 0);
    if (got < FRAME_SIZE)
        return fail(r, IMG_E_TRUNCATED, "stream ends inside the frame of record %a (byte %b)", r->index, r->offset);
    if (img_frame_blank(f))
        return fail(r, IMG_E_TRUNCATED, "nothing written after chunk %a (blank bytes at %b): torn write",
                    r->index, r->offset - FRAME_SIZE);
    if (get32(f + FRAME_O_CRC) != img_crc32c(f, FRAME_O_CRC))
        return fail(r, IMG_E_ALTERED, "frame of record %a: checksum does not match (at byte %b)", r->index,
                    r->offset - FRAME_SIZE);

    is_commit = memcmp(f + FRAME_O_MAGIC, FRAME_COMMIT, 4) == 0;
    index = get32(f + FRAME_O_INDEX);
    len = get32(f + FRAME_O_BODY);
    if (!is_commit && memcmp(f + FRAME_O_MAGIC, FRAME_CHUNK, 4) != 0)
        return fail(r, IMG_E_ALTERED, "record %a has no known type (at byte %b)", r->index, r->offset - FRAME_SIZE);
    if (memcmp(f + FRAME_O_IMAGE, r->info.image_id, 8) != 0)
        return fail(r, IMG_E_REPLAYED, "record %a comes from another image (%y...)", r->index,
                    id_prefix(f + FRAME_O_IMAGE));
    if (get32(f + FRAME_O_RESERVED0) != 0 || get32(f + FRAME_O_RESERVED1) != 0 ||
        (is_commit ? len != COMMIT_BODY
                   : len > chunk_body_max(r->info.chunk_pages) || len < CHUNK_O_BITMAP + r->info.chunk_pages / 8))
        return fail(r, IMG_E_ALTERED, "record %a claims a body of %b bytes, which no writer makes", r->index, len);

    if ((e = take(r, body, (size_t)len + TAG_SIZE, &got)) != IMG_OK)
        return e;
    if (got < (size_t)len + TAG_SIZE)
        return fail(r, IMG_E_TRUNCATED, "stream ends inside record %a (byte %b)", r->index, r->offset);

    memcpy(aad, f, FRAME_SIZE);
    memcpy(aad + FRAME_SIZE, r->info.header_digest, IMG_DIGEST_SIZE);
    if (!img_unseal(r->key, is_commit ? NONCE_COMMIT : NONCE_CHUNK, index, body, len, aad, sizeof aad, body + len)) {
        if (index == r->index)
            return fail(r, IMG_E_ALTERED, is_commit ? "commit record fails authentication"
                                                    : "chunk %a fails authentication", r->index, 0);
        return fail(r, IMG_E_ALTERED, "record at position %a (claiming index %b) fails authentication", r->index,
                    index);
    }
    if (index != r->index) {
        if (is_commit)
            return fail(r, IMG_E_REORDERED, "commit record for %a chunks found after chunk %b", index, r->index);
        return fail(r, IMG_E_REORDERED,
                    index < r->index ? "chunk %a appears again where chunk %b belongs"
                                     : "chunk %a found where chunk %b belongs", index, r->index);
    }
    if (is_commit)
        return commit(r, body);
    img_sha256_pair(r->chain, IMG_DIGEST_SIZE, body + len, TAG_SIZE, r->chain);
    if ((e = deliver(r, body, len, mem)) != IMG_OK)
        return e;
    r->index++;
    return IMG_OK;
}

void img_reader_close(struct img_reader *r)
{
    img_wipe(r->key, sizeof r->key);
    r->failed = true;
}
