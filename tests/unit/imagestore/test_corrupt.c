/* SPDX-License-Identifier: MIT */
/*
 * Every way a stored image can go wrong gets its own error, and no byte of
 * a chunk that fails reaches the caller's pages.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "layout.h"
#include "seal.h"

static const uint8_t id1[IMG_ID_SIZE] = "image-1:gen-one.";
static const uint8_t id2[IMG_ID_SIZE] = "image-2:gen-two.";

/* A small real image: the fixture's last 18 pages (compressible, raw and
 * zero pages) in chunks of 8, so it has three chunks and a commit record. */
#define FIRST 30
#define PAGES 18
#define BASE 0x7bfe000
static struct img_region region = { BASE, PAGES };

static const uint8_t *pages(void)
{
    size_t n;
    return fixture(&n) + FIRST * PAGE;
}

/* Start offsets of the records: [0] header, [1..] chunks, last the commit,
 * then the stream's end. Returns how many records. */
static int records(const struct mem *m, size_t *start)
{
    size_t off = HDR_CLEAR + REGION_SIZE * 1 + 12 + TAG_SIZE;
    int n = 0;

    start[n++] = 0;
    while (off < m->len) {
        start[n++] = off;
        off += FRAME_SIZE + get32(m->buf + off + FRAME_O_BODY) + TAG_SIZE;
    }
    cr_assert_eq(off, m->len);
    start[n] = off;
    return n;
}

static void make(struct mem *m, const uint8_t *id, uint64_t gen, const uint8_t *data)
{
    mem_init(m);
    make_image(m, test_key, id, gen, 8, &region, 1, data);
}

/* The chunks before record rec were delivered, nothing after. */
static void assert_untouched_from(const struct flat *f, int rec, const char *what, size_t pos)
{
    unsigned chunks_ok = rec <= 1 ? 0 : (unsigned)(rec - 1);
    cr_assert_leq(f->maps, chunks_ok, "%s at %zu: %u chunks mapped, only %u authentic", what, pos, f->maps, chunks_ok);
    for (size_t i = (size_t)chunks_ok * 8 * PAGE; i < f->size; i++)
        if (f->buf[i] != 0x5a)
            cr_assert_fail("%s at %zu: byte %zu of an unauthenticated chunk was written", what, pos, i);
}

Test(imagestore_corrupt, flip_any_byte)
{
    struct mem m;
    size_t start[16];
    char msg[200];

    make(&m, id1, 1, pages());
    int n = records(&m, start);
    cr_assert_eq(n, 5, "header, 3 chunks, commit");
    for (size_t pos = 0; pos < m.len; pos++) {
        for (int k = 0; k < 2; k++) {
            uint8_t mask = k ? 0x80 : 0x01;
            if (k && pos % 7) /* every byte once; the high bit on a sample */
                continue;
            struct flat f;
            int rec = 0;
            while (rec + 1 < n && start[rec + 1] <= pos)
                rec++;
            m.buf[pos] ^= mask;
            flat_init(&f, BASE, PAGES * PAGE, 0x5a);
            enum img_err e = read_image(&m, test_key, NULL, &f, msg, sizeof msg);
            m.buf[pos] ^= mask;
            enum img_err want = pos < 8 ? IMG_E_NOT_IMAGE : IMG_E_ALTERED;
            cr_assert_eq(e, want, "flip 0x%02x at byte %zu (record %d): got %s: %s", mask, pos, rec, img_err_name(e),
                         msg);
            assert_untouched_from(&f, rec, "flip", pos);
            flat_free(&f);
        }
    }
    mem_free(&m);
}

Test(imagestore_corrupt, flip_messages_name_the_record)
{
    struct mem m;
    size_t start[16];
    char msg[200];
    struct flat f;

    make(&m, id1, 1, pages());
    records(&m, start);
    flat_init(&f, BASE, PAGES * PAGE, 0);
    m.buf[start[2] + FRAME_SIZE + 100] ^= 4; /* inside chunk 1's sealed body */
    cr_assert_eq(read_image(&m, test_key, NULL, &f, msg, sizeof msg), IMG_E_ALTERED);
    cr_assert_str_eq(msg, "image 696d6167: chunk 1 fails authentication (altered)");
    m.buf[start[2] + FRAME_SIZE + 100] ^= 4;
    m.buf[start[3] + FRAME_O_BODY] ^= 1; /* chunk 2's clear frame */
    cr_assert_eq(read_image(&m, test_key, NULL, &f, msg, sizeof msg), IMG_E_ALTERED);
    cr_assert(strstr(msg, "frame of record 2: checksum does not match"), "%s", msg);
    flat_free(&f);
    mem_free(&m);
}

Test(imagestore_corrupt, truncate_anywhere)
{
    struct mem m;
    size_t start[16], full;
    char msg[200];

    make(&m, id1, 1, pages());
    int n = records(&m, start);
    full = m.len;
    for (size_t len = 0; len < full; len++) {
        struct flat f;
        int rec = 0;
        while (rec + 1 < n && start[rec + 1] <= len)
            rec++;
        m.len = len;
        flat_init(&f, BASE, PAGES * PAGE, 0x5a);
        enum img_err e = read_image(&m, test_key, NULL, &f, msg, sizeof msg);
        enum img_err want = len == 0 ? IMG_E_NOT_IMAGE : IMG_E_TRUNCATED;
        cr_assert_eq(e, want, "cut at %zu of %zu: got %s: %s", len, full, img_err_name(e), msg);
        /* Whole chunks before the cut may be delivered; the cut one never. */
        int whole = 0;
        for (int i = 1; i < n - 1; i++)
            whole += start[i + 1] <= len;
        cr_assert_eq(f.maps, (unsigned)whole, "cut at %zu", len);
        flat_free(&f);
    }
    m.len = full;
    mem_free(&m);
}

Test(imagestore_corrupt, blank_tail_is_a_torn_write)
{
    struct mem m;
    size_t start[16];
    char msg[200];
    struct flat f;

    make(&m, id1, 1, pages());
    records(&m, start);
    flat_init(&f, BASE, PAGES * PAGE, 0);
    for (int fill = 0; fill < 2; fill++) {
        memset(m.buf + start[2], fill ? 0xff : 0x00, m.len - start[2]);
        cr_assert_eq(read_image(&m, test_key, NULL, &f, msg, sizeof msg), IMG_E_TRUNCATED, "%s", msg);
        cr_assert(strstr(msg, "nothing written after chunk 1"), "%s", msg);
    }
    flat_free(&f);
    mem_free(&m);
}

/* Rebuild m from its records in the given order. */
static void permute(struct mem *m, const size_t *start, const int *order, int count)
{
    size_t len = 0;
    for (int i = 0; i < count; i++)
        len += start[order[i] + 1] - start[order[i]];
    uint8_t *copy = malloc(len);
    len = 0;
    for (int i = 0; i < count; i++) {
        size_t a = start[order[i]], b = start[order[i] + 1];
        memcpy(copy + len, m->buf + a, b - a);
        len += b - a;
    }
    free(m->buf);
    m->buf = copy;
    m->len = m->cap = len;
}

static void expect_order(const int *order, int count, enum img_err want, const char *text)
{
    struct mem m;
    size_t start[16];
    char msg[200];
    struct flat f;

    make(&m, id1, 1, pages());
    records(&m, start);
    permute(&m, start, order, count);
    flat_init(&f, BASE, PAGES * PAGE, 0x5a);
    cr_assert_eq(read_image(&m, test_key, NULL, &f, msg, sizeof msg), want, "%s", msg);
    cr_assert(strstr(msg, text), "'%s' does not say '%s'", msg, text);
    flat_free(&f);
    mem_free(&m);
}

Test(imagestore_corrupt, swapped_duplicated_dropped_chunks)
{
    /* records: 0 header, 1..3 chunks 0..2, 4 commit */
    expect_order((int[]){ 0, 2, 1, 3, 4 }, 5, IMG_E_REORDERED, "chunk 1 found where chunk 0 belongs");
    expect_order((int[]){ 0, 1, 3, 2, 4 }, 5, IMG_E_REORDERED, "chunk 2 found where chunk 1 belongs");
    expect_order((int[]){ 0, 1, 1, 2, 3, 4 }, 6, IMG_E_REORDERED, "chunk 0 appears again where chunk 1 belongs");
    expect_order((int[]){ 0, 1, 2, 3, 3, 4 }, 6, IMG_E_REORDERED, "chunk 2 appears again where chunk 3 belongs");
    expect_order((int[]){ 0, 1, 3, 4 }, 4, IMG_E_REORDERED, "chunk 2 found where chunk 1 belongs");
    expect_order((int[]){ 0, 1, 2, 4 }, 4, IMG_E_REORDERED, "commit record for 3 chunks found after chunk 2");
    expect_order((int[]){ 0, 1, 2, 3, 4, 4 }, 6, IMG_OK, ""); /* bytes after the commit record are not read */
    expect_order((int[]){ 0, 1, 2, 3 }, 4, IMG_E_TRUNCATED, "stream ends after 3 chunks, before its commit record");
    expect_order((int[]){ 0, 0, 1, 2, 3, 4 }, 6, IMG_E_ALTERED, "frame of record 0");
}

Test(imagestore_corrupt, replayed_older_image)
{
    struct mem old, cur;
    struct flat f;
    char msg[200];
    uint8_t *other = malloc(PAGES * PAGE);

    /* The same OS, suspended twice: generation 1, then generation 2. */
    memcpy(other, pages(), PAGES * PAGE);
    other[5] ^= 0x33;
    make(&old, id1, 1, pages());
    make(&cur, id2, 2, other);
    struct img_expect x = { .flags = IMG_EXPECT_ID | IMG_EXPECT_GENERATION };
    memcpy(x.image_id, id2, IMG_ID_SIZE);
    x.generation = 2;

    flat_init(&f, BASE, PAGES * PAGE, 0x5a);
    cr_assert_eq(read_image(&cur, test_key, &x, &f, msg, sizeof msg), IMG_OK, "%s", msg);
    cr_assert_eq(read_image(&old, test_key, &x, &f, msg, sizeof msg), IMG_E_REPLAYED);
    cr_assert_str_eq(msg, "image 696d6167: generation 1 is not the image expected (another image id) (replayed)");
    x.flags = IMG_EXPECT_GENERATION;
    cr_assert_eq(read_image(&old, test_key, &x, &f, msg, sizeof msg), IMG_E_REPLAYED);
    cr_assert(strstr(msg, "generation 1, expected 2"), "%s", msg);
    x.flags = IMG_EXPECT_OS;
    x.os = IMG_OS_B;
    cr_assert_eq(read_image(&cur, test_key, &x, &f, msg, sizeof msg), IMG_E_REPLAYED, "%s", msg);
    x.flags = IMG_EXPECT_DIGEST;
    memset(x.header_digest, 0, sizeof x.header_digest);
    cr_assert_eq(read_image(&cur, test_key, &x, &f, msg, sizeof msg), IMG_E_REPLAYED, "%s", msg);

    /* A chunk of the old image spliced into the new one, same place. */
    size_t so[16], sc[16];
    records(&old, so);
    records(&cur, sc);
    struct mem mix;
    mem_init(&mix);
    mix.buf = malloc(cur.len + old.len);
    memcpy(mix.buf, cur.buf, sc[2]);
    memcpy(mix.buf + sc[2], old.buf + so[2], so[3] - so[2]);
    memcpy(mix.buf + sc[2] + (so[3] - so[2]), cur.buf + sc[3], cur.len - sc[3]);
    mix.len = mix.cap = cur.len - (sc[3] - sc[2]) + (so[3] - so[2]);
    flat_free(&f);
    flat_init(&f, BASE, PAGES * PAGE, 0x5a);
    cr_assert_eq(read_image(&mix, test_key, NULL, &f, msg, sizeof msg), IMG_E_REPLAYED, "%s", msg);
    cr_assert(strstr(msg, "record 1 comes from another image"), "%s", msg);
    assert_untouched_from(&f, 2, "splice", 0);
    flat_free(&f);
    mem_free(&mix);
    mem_free(&old);
    mem_free(&cur);
    free(other);
}

Test(imagestore_corrupt, wrong_key)
{
    struct mem m;
    struct flat f;
    char msg[200];

    make(&m, id1, 1, pages());
    flat_init(&f, BASE, PAGES * PAGE, 0x5a);
    cr_assert_eq(read_image(&m, other_key, NULL, &f, msg, sizeof msg), IMG_E_KEY);
    cr_assert(strstr(msg, "sealed under key 0x"), "%s", msg);
    cr_assert_eq(f.maps, 0);
    flat_free(&f);
    mem_free(&m);
}

Test(imagestore_corrupt, refused_pages_and_source_errors)
{
    struct mem m;
    struct flat f;
    char msg[200];

    make(&m, id1, 1, pages());
    /* The destination covers only the first chunk: the second is refused. */
    flat_init(&f, BASE, 8 * PAGE, 0x5a);
    cr_assert_eq(read_image(&m, test_key, NULL, &f, msg, sizeof msg), IMG_E_REFUSED);
    cr_assert(strstr(msg, "refused pages at 0x7c06000 for chunk 1"), "%s", msg);
    flat_free(&f);
    flat_init(&f, BASE, PAGES * PAGE, 0x5a);
    m.fail_read = true;
    cr_assert_eq(read_image(&m, test_key, NULL, &f, msg, sizeof msg), IMG_E_IO);
    cr_assert(strstr(msg, "source failed reading at stream offset 0"), "%s", msg);
    flat_free(&f);
    mem_free(&m);
}

Test(imagestore_corrupt, peek_header_without_key)
{
    struct mem m;
    struct img_info info;
    struct img_error err;

    make(&m, id1, 9, pages());
    cr_assert_eq(img_peek_header(m.buf, m.len, &info, &err), IMG_OK);
    cr_assert_eq(info.generation, 9);
    cr_assert_eq(info.chunk_pages, 8);
    cr_assert_arr_eq(info.image_id, id1, IMG_ID_SIZE);
    uint8_t kid[16];
    img_key_id(test_key, kid);
    cr_assert_arr_eq(info.key_id, kid, 16);
    cr_assert_eq(img_peek_header(m.buf, 100, &info, &err), IMG_E_TRUNCATED);
    m.buf[HDR_O_VERSION] = 2;
    cr_assert_eq(img_peek_header(m.buf, m.len, &info, &err), IMG_E_ALTERED, "checksum first");
    put32(m.buf + HDR_O_CRC, img_crc32c(m.buf, HDR_O_CRC));
    cr_assert_eq(img_peek_header(m.buf, m.len, &info, &err), IMG_E_VERSION);
    mem_free(&m);
}
