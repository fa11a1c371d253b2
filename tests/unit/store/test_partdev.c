/* SPDX-License-Identifier: MIT */
/*
 * The store's partition device: block 0 is the partition's first block,
 * nothing outside the partition is ever reached, requests are cut to the
 * driver's limit, and unaligned buffers go through the bounce buffer.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "partdev.h"

#define BS 512
#define DISK_BLOCKS 4096
#define MAX_BLOCKS 16

static uint8_t disk[DISK_BLOCKS * BS];
static uint8_t bounce[4 * BS] __attribute__((aligned(8)));

struct call {
    uint64_t lba;
    uint32_t n;
    uintptr_t buf;
    int write;
};
static struct call calls[256];
static unsigned ncalls;

static int rec(struct blk_dev *d, uint64_t lba, uint32_t n, void *buf, int write)
{
    cr_assert(n >= 1 && n <= d->max_blocks, "driver asked for %u blocks", n);
    cr_assert(((uintptr_t)buf & 3) == 0, "driver got an unaligned buffer");
    cr_assert(lba + n <= d->block_count);
    if (ncalls < 256)
        calls[ncalls++] = (struct call){ lba, n, (uintptr_t)buf, write };
    if (write)
        memcpy(disk + lba * BS, buf, (size_t)n * BS);
    else
        memcpy(buf, disk + lba * BS, (size_t)n * BS);
    return 0;
}
static int fake_read(struct blk_dev *d, uint64_t lba, uint32_t n, void *buf) { return rec(d, lba, n, buf, 0); }
static int fake_write(struct blk_dev *d, uint64_t lba, uint32_t n, const void *buf) { return rec(d, lba, n, (void *)buf, 1); }
static int flushes;
static int fake_flush(struct blk_dev *d) { flushes++; return 0; }

static struct blk_dev dev = { .name = "fake", .block_size = BS, .block_count = DISK_BLOCKS, .max_blocks = MAX_BLOCKS,
                              .read = fake_read, .write = fake_write, .flush = fake_flush };
static struct part_dev part;
static struct img_blockdev bd;

static void setup(void)
{
    for (size_t i = 0; i < sizeof disk; i++)
        disk[i] = (uint8_t)(i / BS);
    ncalls = 0;
    flushes = 0;
    part = (struct part_dev){ .dev = &dev, .first = 1000, .count = 100, .bounce = bounce, .bounce_size = sizeof bounce };
    part_dev_bind(&part, &bd);
}

TestSuite(partdev, .init = setup);

Test(partdev, geometry_is_the_partition)
{
    cr_assert_eq(bd.block_size, BS);
    cr_assert_eq(bd.block_count, 100);
}

Test(partdev, block_zero_is_the_partition_start)
{
    uint8_t *buf = aligned_alloc(64, BS);
    cr_assert_eq(bd.read(bd.ctx, 0, 1, buf), 0);
    cr_assert_eq(calls[0].lba, 1000);
    cr_assert_eq(buf[0], (uint8_t)1000);
    free(buf);
}

Test(partdev, nothing_outside_the_partition)
{
    uint8_t *buf = aligned_alloc(64, 8 * BS);
    memset(buf, 0xee, 8 * BS);
    cr_assert_neq(bd.write(bd.ctx, 99, 2, buf), 0, "one block past the end");
    cr_assert_neq(bd.write(bd.ctx, 100, 1, buf), 0);
    cr_assert_neq(bd.read(bd.ctx, UINT64_MAX, 2, buf), 0, "wrap-around");
    cr_assert_neq(bd.write(bd.ctx, 1, UINT32_MAX, buf), 0);
    cr_assert_eq(ncalls, 0, "the driver was never called");
    cr_assert_eq(part.refused, 4);
    cr_assert_eq(bd.write(bd.ctx, 92, 8, buf), 0, "the last 8 blocks are fine");
    cr_assert_eq(disk[1100 * BS], (uint8_t)1100, "the block after the partition is untouched");
    cr_assert_eq(disk[1099 * BS], 0xee);
    free(buf);
}

Test(partdev, large_requests_are_cut_to_the_driver_limit)
{
    uint8_t *buf = aligned_alloc(64, 40 * BS);
    cr_assert_eq(bd.read(bd.ctx, 10, 40, buf), 0);
    cr_assert_eq(ncalls, 3);
    cr_assert_eq(calls[0].n, 16);
    cr_assert_eq(calls[1].n, 16);
    cr_assert_eq(calls[2].n, 8);
    cr_assert_eq(calls[2].lba, 1042);
    cr_assert_eq(calls[1].buf, (uintptr_t)buf + 16 * BS, "straight into the caller's buffer");
    for (int i = 0; i < 40; i++)
        cr_assert_eq(buf[i * BS], (uint8_t)(1010 + i));
    free(buf);
}

Test(partdev, unaligned_buffers_go_through_the_bounce_buffer)
{
    uint8_t *mem = aligned_alloc(64, 11 * BS + 64);
    uint8_t *buf = mem + 1;
    for (int i = 0; i < 10 * BS; i++)
        buf[i] = (uint8_t)(i * 7);
    cr_assert_eq(bd.write(bd.ctx, 50, 10, buf), 0);
    cr_assert_eq(ncalls, 3, "4 + 4 + 2 blocks through a 4-block bounce buffer");
    for (unsigned i = 0; i < ncalls; i++)
        cr_assert_eq(calls[i].buf, (uintptr_t)bounce);
    cr_assert_eq(memcmp(disk + 1050 * BS, buf, 10 * BS), 0);
    memset(buf, 0, 10 * BS);
    cr_assert_eq(bd.read(bd.ctx, 50, 10, buf), 0);
    for (int i = 0; i < 10 * BS; i++)
        cr_assert_eq(buf[i], (uint8_t)(i * 7));
    free(mem);
}

Test(partdev, flush_reaches_the_driver)
{
    cr_assert_eq(bd.flush(bd.ctx), 0);
    cr_assert_eq(flushes, 1);
}
