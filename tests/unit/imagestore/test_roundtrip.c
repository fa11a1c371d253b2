/* SPDX-License-Identifier: MIT */
/* Round trips of real guest memory through the writer and the reader. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

static const uint8_t id1[IMG_ID_SIZE] = "image-one.......";

static void roundtrip(uint32_t chunk_pages, const struct img_region *regions, uint32_t n, const uint8_t *data)
{
    struct mem m;
    struct flat f;
    char msg[200];
    uint64_t total = 0;

    for (uint32_t i = 0; i < n; i++)
        total += regions[i].pages;
    uint64_t base = regions[0].base, end = regions[n - 1].base + regions[n - 1].pages * PAGE;
    mem_init(&m);
    struct img_summary sum = make_image(&m, test_key, id1, 7, chunk_pages, regions, n, data);
    cr_assert_eq(sum.pages, total);
    cr_assert_eq(sum.stream_bytes, m.len);

    flat_init(&f, base, end - base, 0xa5);
    cr_assert_eq(read_image(&m, test_key, NULL, &f, msg, sizeof msg), IMG_OK, "%s", msg);
    const uint8_t *p = data;
    for (uint32_t i = 0; i < n; i++) {
        cr_assert(memcmp(f.buf + (regions[i].base - base), p, regions[i].pages * PAGE) == 0,
                  "region %u differs after the round trip (chunk_pages %u)", i, chunk_pages);
        p += regions[i].pages * PAGE;
        /* The bytes between regions are not the image's: never touched. */
        if (i + 1 < n) {
            uint64_t gap = regions[i].base + regions[i].pages * PAGE;
            for (uint64_t a = gap; a < regions[i + 1].base; a++)
                cr_assert_eq(f.buf[a - base], 0xa5);
        }
    }
    cr_assert_eq(f.maps, sum.chunks);
    cr_assert_eq(f.dones, sum.chunks);
    flat_free(&f);
    mem_free(&m);
}

Test(imagestore_roundtrip, real_pages_every_chunk_size)
{
    size_t n;
    const uint8_t *data = fixture(&n);
    struct img_region r = { 0x7be0000, n };

    for (uint32_t cp = IMG_CHUNK_PAGES_MIN; cp <= IMG_CHUNK_PAGES_MAX; cp *= 2)
        roundtrip(cp, &r, 1, data);
    roundtrip(24, &r, 1, data); /* a chunk size that does not divide the region */
}

Test(imagestore_roundtrip, regions_with_holes)
{
    size_t n;
    const uint8_t *data = fixture(&n);
    /* Three regions like an OS's RAM map: chunks must stop at each end. */
    struct img_region r[3] = { { 0x0, 9 }, { 0x100000, 30 }, { 0x7ff000, 9 } };

    roundtrip(8, r, 3, data);
    roundtrip(16, r, 3, data);
}

Test(imagestore_roundtrip, counts_zero_and_raw_pages)
{
    size_t n;
    const uint8_t *data = fixture(&n);
    struct img_region r = { 0, n };
    uint64_t zero = 0;
    struct mem m;

    for (size_t i = 0; i < n; i++) {
        static const uint8_t z[PAGE];
        zero += memcmp(data + i * PAGE, z, PAGE) == 0;
    }
    mem_init(&m);
    struct img_summary sum = make_image(&m, test_key, id1, 1, 8, &r, 1, data);
    cr_assert_eq(sum.zero_pages, zero);
    cr_assert_gt(sum.zero_pages, 0, "the fixture was chosen to hold zero pages");
    cr_assert_gt(sum.raw_pages, 0, "the fixture was chosen to hold incompressible pages");
    cr_assert_lt(sum.raw_pages + sum.zero_pages, n, "and pages LZ4 compresses");
    cr_assert_lt(m.len, n * PAGE);
    /* The reader counts the same from the commit record. */
    struct img_reader rd;
    void *work = aligned_alloc(64, img_reader_work_size(8));
    struct flat f;
    flat_init(&f, 0, n * PAGE, 0);
    mem_rewind(&m);
    char cpu[12];
    cr_assert_eq(img_reader_open(&rd, &m.source, test_key, NULL, work, img_reader_work_size(8), cpu, 11),
                 IMG_E_LIMIT, "the CPU context does not fit");
    mem_rewind(&m);
    cr_assert_eq(img_reader_open(&rd, &m.source, test_key, NULL, work, img_reader_work_size(8), cpu, 12), IMG_OK);
    cr_assert_str_eq(cpu, "cpu context");
    cr_assert_eq(rd.info.chunk_pages, 8);
    cr_assert_eq(rd.info.pages, n);
    cr_assert_eq(rd.info.cpu_size, 12);
    while (!rd.done)
        cr_assert_eq(img_reader_next(&rd, &f.mem), IMG_OK);
    cr_assert_eq(rd.sum.zero_pages, sum.zero_pages);
    cr_assert_eq(rd.sum.raw_pages, sum.raw_pages);
    cr_assert_eq(rd.sum.chunks, sum.chunks);
    cr_assert_arr_eq(rd.sum.header_digest, sum.header_digest, IMG_DIGEST_SIZE);
    /* Further calls after the commit record change nothing. */
    cr_assert_eq(img_reader_next(&rd, &f.mem), IMG_OK);
    free(work);
    flat_free(&f);
    mem_free(&m);
}

Test(imagestore_roundtrip, all_zero_and_all_random_memory)
{
    enum { N = 40 };
    uint8_t *data = calloc(N, PAGE);
    struct img_region r = { 0x200000, N };

    roundtrip(16, &r, 1, data);
    uint64_t s = 88172645463325252ull;
    for (size_t i = 0; i < N * PAGE; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        data[i] = (uint8_t)s;
    }
    roundtrip(16, &r, 1, data);
    free(data);
}

Test(imagestore_roundtrip, pages_pushed_one_at_a_time)
{
    size_t n;
    const uint8_t *data = fixture(&n);
    struct img_region r = { 0x1000, n };
    struct img_writer_config cfg = { .master_key = test_key, .os = IMG_OS_B, .chunk_pages = 16, .regions = &r,
                                     .region_count = 1 };
    void *work = aligned_alloc(64, img_writer_work_size(16));
    struct img_writer w;
    struct mem a, b;
    struct img_summary s1, s2;

    memcpy(cfg.image_id, id1, IMG_ID_SIZE);
    mem_init(&a);
    mem_init(&b);
    cr_assert_eq(img_writer_begin(&w, &cfg, &a.sink, work, img_writer_work_size(16)), IMG_OK);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(img_writer_pages(&w, r.base + i * PAGE, data + i * PAGE, 1), IMG_OK);
    cr_assert_eq(img_writer_finish(&w, &s1), IMG_OK);
    cr_assert_eq(img_writer_begin(&w, &cfg, &b.sink, work, img_writer_work_size(16)), IMG_OK);
    cr_assert_eq(img_writer_pages(&w, r.base, data, n), IMG_OK);
    cr_assert_eq(img_writer_finish(&w, &s2), IMG_OK);
    /* Same pages, same image: one call or many, the reader gets the same memory. */
    struct flat fa, fb;
    flat_init(&fa, r.base, n * PAGE, 1);
    flat_init(&fb, r.base, n * PAGE, 2);
    char msg[200];
    cr_assert_eq(read_image(&a, test_key, NULL, &fa, msg, sizeof msg), IMG_OK, "%s", msg);
    cr_assert_eq(read_image(&b, test_key, NULL, &fb, msg, sizeof msg), IMG_OK, "%s", msg);
    cr_assert(memcmp(fa.buf, data, n * PAGE) == 0);
    cr_assert(memcmp(fb.buf, data, n * PAGE) == 0);
    cr_assert_eq(s1.zero_pages, s2.zero_pages);
    free(work);
    flat_free(&fa);
    flat_free(&fb);
    mem_free(&a);
    mem_free(&b);
}

Test(imagestore_roundtrip, same_input_different_id_shares_no_ciphertext)
{
    size_t n;
    const uint8_t *data = fixture(&n);
    struct img_region r = { 0, n };
    static const uint8_t id2[IMG_ID_SIZE] = "image-two.......";
    struct mem a, b;

    mem_init(&a);
    mem_init(&b);
    make_image(&a, test_key, id1, 1, 8, &r, 1, data);
    make_image(&b, test_key, id2, 1, 8, &r, 1, data);
    cr_assert_eq(a.len, b.len);
    /* Per-image keys: equal plaintext gives unrelated ciphertext past the clear header. */
    size_t same = 0;
    for (size_t i = IMG_HEADER_CLEAR; i < a.len; i++)
        same += a.buf[i] == b.buf[i];
    cr_assert_lt(same, a.len / 64, "%zu of %zu bytes equal", same, a.len);
    mem_free(&a);
    mem_free(&b);
}
