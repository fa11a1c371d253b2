/* SPDX-License-Identifier: MIT */
#include "partdev.h"

#include <stdbool.h>
#include <string.h>

static int disk_io(struct part_dev *p, uint64_t lba, uint32_t n, void *buf, bool write)
{
    struct blk_dev *d = p->dev;

    while (n) {
        bool direct = ((uintptr_t)buf & 3) == 0;
        uint32_t max = direct ? d->max_blocks : (uint32_t)(p->bounce_size / d->block_size);
        uint32_t take = n < max ? n : max;
        size_t bytes = (size_t)take * d->block_size;
        void *io = direct ? buf : p->bounce;
        if (take == 0)
            return -1;
        if (write && !direct)
            memcpy(io, buf, bytes);
        if (write ? d->write(d, lba, take, io) : d->read(d, lba, take, io))
            return -1;
        if (!write && !direct)
            memcpy(buf, io, bytes);
        lba += take;
        n -= take;
        buf = (uint8_t *)buf + bytes;
    }
    return 0;
}

static int part_io(struct part_dev *p, uint64_t lba, uint32_t n, void *buf, bool write)
{
    if (lba >= p->count || n > p->count - lba) {
        p->refused++;
        return -1;
    }
    return disk_io(p, p->first + lba, n, buf, write);
}

static int part_read(void *ctx, uint64_t lba, uint32_t n, void *buf) { return part_io(ctx, lba, n, buf, false); }

static int part_write(void *ctx, uint64_t lba, uint32_t n, const void *buf)
{
    return part_io(ctx, lba, n, (void *)buf, true);
}

static int part_flush(void *ctx)
{
    struct part_dev *p = ctx;

    return p->dev->flush(p->dev);
}

void part_dev_bind(struct part_dev *p, struct img_blockdev *bd)
{
    *bd = (struct img_blockdev){ .ctx = p, .block_size = p->dev->block_size, .block_count = p->count,
                                 .read = part_read, .write = part_write, .flush = part_flush };
}
