/* SPDX-License-Identifier: MIT */
/* The writer's contract: misuse and sink failures are errors that say what happened. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

static struct img_region two[2] = { { 0x1000, 4 }, { 0x10000, 4 } };

struct w {
    struct img_writer w;
    struct img_writer_config cfg;
    struct mem out;
    void *work;
    char msg[200];
};

static enum img_err begin(struct w *t, const struct img_region *regions, uint32_t n, uint32_t chunk_pages)
{
    memset(&t->cfg, 0, sizeof t->cfg);
    t->cfg = (struct img_writer_config){ .master_key = test_key, .chunk_pages = chunk_pages, .regions = regions,
                                         .region_count = n };
    mem_init(&t->out);
    t->work = aligned_alloc(64, img_writer_work_size(8));
    enum img_err e = img_writer_begin(&t->w, &t->cfg, &t->out.sink, t->work, img_writer_work_size(8));
    img_error_format(&t->w.err, t->msg, sizeof t->msg);
    return e;
}

static void done(struct w *t)
{
    img_writer_abort(&t->w);
    free(t->work);
    mem_free(&t->out);
}

static enum img_err push(struct w *t, uint64_t gpa, uint64_t n)
{
    size_t have;
    enum img_err e = img_writer_pages(&t->w, gpa, fixture(&have), n);
    img_error_format(&t->w.err, t->msg, sizeof t->msg);
    return e;
}

Test(imagestore_writer, pages_must_come_in_region_order)
{
    struct w t;

    cr_assert_eq(begin(&t, two, 2, 8), IMG_OK);
    cr_assert_eq(push(&t, 0x2000, 1), IMG_E_ARG);
    cr_assert(strstr(t.msg, "pages at 0x2000 pushed out of order: the next page is 0x1000"), "%s", t.msg);
    cr_assert_eq(push(&t, 0x1000, 1), IMG_E_ARG, "a failed writer takes nothing more");
    done(&t);

    cr_assert_eq(begin(&t, two, 2, 8), IMG_OK);
    cr_assert_eq(push(&t, 0x1000, 5), IMG_E_ARG);
    cr_assert(strstr(t.msg, "5 pages cross the end of region 0"), "%s", t.msg);
    done(&t);

    cr_assert_eq(begin(&t, two, 2, 8), IMG_OK);
    cr_assert_eq(push(&t, 0x1000, 4), IMG_OK);
    cr_assert_eq(push(&t, 0x10000, 2), IMG_OK);
    cr_assert_eq(img_writer_finish(&t.w, NULL), IMG_E_ARG);
    img_error_format(&t.w.err, t.msg, sizeof t.msg);
    cr_assert(strstr(t.msg, "finished with 2 pages of region 1 not pushed"), "%s", t.msg);
    done(&t);

    cr_assert_eq(begin(&t, two, 2, 8), IMG_OK);
    cr_assert_eq(push(&t, 0x1000, 4), IMG_OK);
    cr_assert_eq(push(&t, 0x10000, 4), IMG_OK);
    cr_assert_eq(push(&t, 0x11000, 1), IMG_E_ARG);
    cr_assert(strstr(t.msg, "pushed after the last region"), "%s", t.msg);
    done(&t);
}

Test(imagestore_writer, bad_configurations)
{
    struct w t;
    struct img_region overlap[2] = { { 0x0, 4 }, { 0x3000, 1 } };
    struct img_region unaligned = { 0x800, 1 }, empty = { 0x1000, 0 }, wrap = { 0xfffffffffffff000ull, 2 };

    cr_assert_eq(begin(&t, two, 2, 12), IMG_E_ARG);
    cr_assert(strstr(t.msg, "12 pages per chunk"), "%s", t.msg);
    done(&t);
    cr_assert_eq(begin(&t, two, 0, 8), IMG_E_ARG);
    done(&t);
    cr_assert_eq(begin(&t, overlap, 2, 8), IMG_E_ARG);
    cr_assert(strstr(t.msg, "region 1 overlaps or precedes the one before it"), "%s", t.msg);
    done(&t);
    cr_assert_eq(begin(&t, &unaligned, 1, 8), IMG_E_ARG);
    cr_assert(strstr(t.msg, "region 0 does not start on a page boundary"), "%s", t.msg);
    done(&t);
    cr_assert_eq(begin(&t, &empty, 1, 8), IMG_E_ARG);
    done(&t);
    cr_assert_eq(begin(&t, &wrap, 1, 8), IMG_E_ARG);
    cr_assert(strstr(t.msg, "past the end of the address space"), "%s", t.msg);
    done(&t);

    /* A work area too small for the chunk size asked for. */
    mem_init(&t.out);
    struct img_writer_config cfg = { .master_key = test_key, .chunk_pages = 256, .regions = two, .region_count = 2 };
    void *work = aligned_alloc(64, img_writer_work_size(8));
    cr_assert_eq(img_writer_begin(&t.w, &cfg, &t.out.sink, work, img_writer_work_size(8)), IMG_E_ARG);
    cfg.chunk_pages = 8;
    cfg.cpu_size = IMG_CPU_MAX + 1;
    cfg.cpu = work;
    cr_assert_eq(img_writer_begin(&t.w, &cfg, &t.out.sink, work, img_writer_work_size(8)), IMG_E_ARG);
    free(work);
    mem_free(&t.out);
}

Test(imagestore_writer, sink_failure_is_an_io_error)
{
    struct w t;

    cr_assert_eq(begin(&t, two, 2, 8), IMG_OK);
    t.out.fail_write = true;
    cr_assert_eq(push(&t, 0x1000, 4), IMG_E_IO);
    cr_assert_str_eq(t.msg, "image 00000000: sink failed writing 16457 bytes at stream offset 176 (I/O error)");
    done(&t);
}

Test(imagestore_writer, finished_writer_takes_nothing_more)
{
    struct w t;
    struct img_summary sum;

    cr_assert_eq(begin(&t, two, 2, 8), IMG_OK);
    cr_assert_eq(push(&t, 0x1000, 4), IMG_OK);
    cr_assert_eq(push(&t, 0x10000, 4), IMG_OK);
    cr_assert_eq(img_writer_finish(&t.w, &sum), IMG_OK);
    cr_assert_eq(sum.chunks, 2, "a chunk never spans two regions");
    cr_assert_eq(sum.stream_bytes, t.out.len);
    cr_assert_eq(img_writer_finish(&t.w, &sum), IMG_E_ARG);
    cr_assert_eq(push(&t, 0x10000, 1), IMG_E_ARG);
    done(&t);
}

Test(imagestore_writer, error_lines_fit_any_buffer)
{
    struct img_error e = { .code = IMG_E_REORDERED, .what = "chunk %a found where chunk %b belongs", .a = 7, .b = 5,
                           .image = { 0x7f, 0x3a, 0x91, 0xc2 }, .has_image = true };
    const char *full = "image 7f3a91c2: chunk 7 found where chunk 5 belongs (reordered)";
    char buf[128];

    cr_assert_eq(img_error_format(&e, buf, sizeof buf), strlen(full));
    cr_assert_str_eq(buf, full);
    for (size_t size = 1; size < strlen(full) + 2; size++) {
        memset(buf, 'x', sizeof buf);
        cr_assert_eq(img_error_format(&e, buf, size), strlen(full));
        cr_assert_eq(strlen(buf), size - 1 < strlen(full) ? size - 1 : strlen(full));
        cr_assert(strncmp(buf, full, strlen(buf)) == 0);
        cr_assert_eq(buf[size], 'x', "nothing written past size %zu", size);
    }
    cr_assert_eq(img_error_format(&e, NULL, 0), strlen(full));
    cr_assert_str_eq(img_err_name(IMG_E_KEY), "wrong key");
    cr_assert_str_eq(img_err_name((enum img_err)99), "unknown error");
}
