/* SPDX-License-Identifier: MIT */
/*
 * Not a unit test: an image built like vmm.elf (fs world) that saves and
 * restores through imagestore, so tests/freestanding/check.sh can prove the
 * library, with the LZ4 and BearSSL it pulls in, needs nothing the VMM does
 * not provide and contains no SSE/x87 instruction.
 */
#include <stddef.h>
#include <stdint.h>

#include "imagestore.h"

void smx_vmm_entry(void);

static uint8_t work[1 << 20] __attribute__((aligned(64)));
static uint8_t page[IMG_PAGE_SIZE], io[4096];

static int sink_write(void *ctx, const void *buf, size_t len)
{
    return 0;
}

static int source_read(void *ctx, void *buf, size_t len, size_t *got)
{
    *got = 0;
    return 0;
}

static void *map(void *ctx, uint64_t gpa, size_t len)
{
    return page;
}

static int dev_io(void *ctx, uint64_t lba, uint32_t n, void *buf)
{
    return 0;
}

static int dev_wr(void *ctx, uint64_t lba, uint32_t n, const void *buf)
{
    return 0;
}

static int dev_flush(void *ctx)
{
    return 0;
}

__attribute__((section(".text.entry"))) void smx_vmm_entry(void)
{
    static const uint8_t key[IMG_KEY_SIZE] = { 1 };
    struct img_region region = { 0, 1 };
    struct img_writer_config cfg = { .master_key = key, .regions = &region, .region_count = 1 };
    struct img_sink sink = { 0, sink_write };
    struct img_source src = { 0, source_read };
    struct img_memory mem = { 0, map, 0 };
    struct img_blockdev dev = { 0, 512, 1 << 20, dev_io, dev_wr, dev_flush };
    struct img_writer w;
    struct img_reader r;
    struct img_store st;
    struct img_slot_stream ss;
    struct img_summary sum;
    struct img_expect x;
    uint64_t gen;
    char msg[128];

    img_writer_begin(&w, &cfg, &sink, work, img_writer_work_size(0));
    img_writer_pages(&w, 0, page, 1);
    img_writer_finish(&w, &sum);
    img_reader_open(&r, &src, key, 0, work, sizeof work, 0, 0);
    img_reader_next(&r, &mem);
    img_error_format(&r.err, msg, sizeof msg);
    img_store_open(&st, &dev, key, io);
    img_store_begin(&st, IMG_OS_A, -1, &ss, &gen);
    img_store_commit(&st, &ss, &sum);
    img_store_read(&st, img_store_latest(&st, IMG_OS_A), 0, &ss, &x);
    img_store_mark_restored(&st, 0);
    for (;;)
        __asm__ volatile("hlt");
}
