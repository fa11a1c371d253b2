/* SPDX-License-Identifier: MIT */
/*
 * Byte streams over a slot's blocks. Whole blocks move straight between
 * the device and the caller's buffer; only a partial block at either end
 * of a call goes through the store's one-block io buffer. A sealed chunk
 * is about 128 KiB, so almost every byte takes the direct path.
 */
#include <string.h>

#include "error.h"
#include "slotio.h"

/* Largest single transfer: keeps n within the interface's uint32_t. */
#define MAX_BLOCKS (1u << 20)

static uint64_t slot_lba(const struct img_slot_stream *st)
{
    const struct img_store *s = st->store;

    return (s->slot_offset + (uint64_t)st->slot * s->slot_size) / s->dev->block_size;
}

static int sink_write(void *ctx, const void *buf, size_t len)
{
    struct img_slot_stream *st = ctx;
    struct img_store *s = st->store;
    const struct img_blockdev *d = s->dev;
    const uint8_t *p = buf;
    uint32_t bs = d->block_size;

    if (len > st->end - st->pos) {
        img_fail(&s->err, IMG_E_NOSPACE, NULL, "slot %a is full: the image needs more than %b bytes",
                 (uint64_t)st->slot, st->end);
        return -1;
    }
    while (len) {
        uint64_t lba = slot_lba(st) + (st->pos - st->fill) / bs;
        if (st->fill || len < bs) {
            size_t take = bs - st->fill < len ? bs - st->fill : len;
            memcpy(s->io + st->fill, p, take);
            st->fill += (uint32_t)take;
            st->pos += take;
            p += take;
            len -= take;
            if (st->fill == bs) {
                if (d->write(d->ctx, lba, 1, s->io) != 0)
                    goto io;
                st->fill = 0;
            }
            continue;
        }
        uint32_t n = len / bs < MAX_BLOCKS ? (uint32_t)(len / bs) : MAX_BLOCKS;
        if (d->write(d->ctx, lba, n, p) != 0)
            goto io;
        st->pos += (uint64_t)n * bs;
        p += (size_t)n * bs;
        len -= (size_t)n * bs;
    }
    return 0;
io:
    img_fail(&s->err, IMG_E_IO, NULL, "device failed writing slot %a at byte %b", (uint64_t)st->slot, st->pos);
    return -1;
}

void img_slot_sink_init(struct img_slot_stream *st, struct img_store *s, int slot)
{
    memset(st, 0, sizeof *st);
    st->store = s;
    st->slot = slot;
    st->end = s->slot_size;
    st->u.sink.ctx = st;
    st->u.sink.write = sink_write;
}

enum img_err img_slot_sink_flush(struct img_slot_stream *st)
{
    struct img_store *s = st->store;
    const struct img_blockdev *d = s->dev;

    if (st->fill) {
        memset(s->io + st->fill, 0, d->block_size - st->fill);
        if (d->write(d->ctx, slot_lba(st) + (st->pos - st->fill) / d->block_size, 1, s->io) != 0)
            return img_fail(&s->err, IMG_E_IO, NULL, "device failed writing slot %a at byte %b",
                            (uint64_t)st->slot, st->pos);
        st->fill = 0;
    }
    if (d->flush(d->ctx) != 0)
        return img_fail(&s->err, IMG_E_IO, NULL, "device failed to flush slot %a", (uint64_t)st->slot, 0);
    return IMG_OK;
}

static int source_read(void *ctx, void *buf, size_t len, size_t *got)
{
    struct img_slot_stream *st = ctx;
    struct img_store *s = st->store;
    const struct img_blockdev *d = s->dev;
    uint32_t bs = d->block_size;
    uint8_t *p = buf;

    *got = 0;
    if (len > st->end - st->pos)
        len = (size_t)(st->end - st->pos);
    while (len) {
        uint64_t lba = slot_lba(st) + st->pos / bs;
        uint32_t off = (uint32_t)(st->pos % bs);
        size_t take;
        if (off == 0 && len >= bs) {
            uint32_t n = len / bs < MAX_BLOCKS ? (uint32_t)(len / bs) : MAX_BLOCKS;
            if (d->read(d->ctx, lba, n, p) != 0)
                goto io;
            take = (size_t)n * bs;
        } else {
            if (st->cached != lba) {
                st->cached = UINT64_MAX;
                if (d->read(d->ctx, lba, 1, s->io) != 0)
                    goto io;
                st->cached = lba;
            }
            take = bs - off < len ? bs - off : len;
            memcpy(p, s->io + off, take);
        }
        st->pos += take;
        p += take;
        len -= take;
        *got += take;
    }
    return 0;
io:
    img_fail(&s->err, IMG_E_IO, NULL, "device failed reading slot %a at byte %b", (uint64_t)st->slot, st->pos);
    return -1;
}

void img_slot_source_init(struct img_slot_stream *st, struct img_store *s, int slot)
{
    memset(st, 0, sizeof *st);
    st->store = s;
    st->slot = slot;
    st->end = s->slot[slot].stream_bytes;
    st->cached = UINT64_MAX;
    st->u.source.ctx = st;
    st->u.source.read = source_read;
}
