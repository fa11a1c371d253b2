/* SPDX-License-Identifier: MIT */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

const uint8_t test_key[IMG_KEY_SIZE] = "sleepmux test key, never use it!";
const uint8_t other_key[IMG_KEY_SIZE] = "another key, for wrong-key tests";

const uint8_t *fixture(size_t *pages)
{
    static uint8_t *data; /* test-only cache */
    static size_t n;
    if (!data) {
        char path[4096];
        const char *root = getenv("SMX_ROOT");
        snprintf(path, sizeof path, "%s/tests/fixtures/imagestore/mem-A-7be0000.bin", root ? root : ".");
        FILE *f = fopen(path, "rb");
        cr_assert(f, "fixture %s missing", path);
        data = malloc(48 * PAGE);
        n = fread(data, 1, 48 * PAGE, f) / PAGE;
        fclose(f);
        cr_assert_eq(n, 48);
    }
    *pages = n;
    return data;
}

static int mem_write(void *ctx, const void *buf, size_t len)
{
    struct mem *m = ctx;
    if (m->fail_write)
        return -1;
    if (m->len + len > m->cap) {
        m->cap = (m->len + len) * 2;
        m->buf = realloc(m->buf, m->cap);
    }
    memcpy(m->buf + m->len, buf, len);
    m->len += len;
    return 0;
}

static int mem_read(void *ctx, void *buf, size_t len, size_t *got)
{
    struct mem *m = ctx;
    if (m->fail_read)
        return -1;
    size_t n = m->len - m->pos < len ? m->len - m->pos : len;
    memcpy(buf, m->buf + m->pos, n);
    m->pos += n;
    *got = n;
    return 0;
}

void mem_init(struct mem *m)
{
    memset(m, 0, sizeof *m);
    m->sink = (struct img_sink){ m, mem_write };
    m->source = (struct img_source){ m, mem_read };
}

void mem_free(struct mem *m)
{
    free(m->buf);
}

void mem_rewind(struct mem *m)
{
    m->pos = 0;
}

static void *flat_map(void *ctx, uint64_t gpa, size_t len)
{
    struct flat *f = ctx;
    f->maps++;
    if (gpa < f->base || gpa - f->base > f->size || len > f->size - (gpa - f->base))
        return NULL;
    return f->buf + (gpa - f->base);
}

static void flat_done(void *ctx, uint64_t gpa, size_t len)
{
    struct flat *f = ctx;
    f->dones++;
}

void flat_init(struct flat *f, uint64_t base, size_t size, uint8_t poison)
{
    f->buf = malloc(size);
    memset(f->buf, poison, size);
    f->base = base;
    f->size = size;
    f->maps = f->dones = 0;
    f->mem = (struct img_memory){ f, flat_map, flat_done };
}

void flat_free(struct flat *f)
{
    free(f->buf);
}

struct img_summary make_image(struct mem *out, const uint8_t *key, const uint8_t id[IMG_ID_SIZE], uint64_t generation,
                              uint32_t chunk_pages, const struct img_region *regions, uint32_t nregions,
                              const uint8_t *data)
{
    struct img_writer_config cfg = { .master_key = key, .generation = generation, .os = IMG_OS_A,
                                     .chunk_pages = chunk_pages, .regions = regions, .region_count = nregions,
                                     .cpu = "cpu context", .cpu_size = 12 };
    size_t work_size = img_writer_work_size(chunk_pages);
    void *work = aligned_alloc(64, work_size);
    struct img_writer w;
    struct img_summary sum;

    memcpy(cfg.image_id, id, IMG_ID_SIZE);
    cr_assert_eq(img_writer_begin(&w, &cfg, &out->sink, work, work_size), IMG_OK);
    for (uint32_t i = 0; i < nregions; i++) {
        cr_assert_eq(img_writer_pages(&w, regions[i].base, data, regions[i].pages), IMG_OK, "%s", w.err.what);
        data += regions[i].pages * PAGE;
    }
    cr_assert_eq(img_writer_finish(&w, &sum), IMG_OK);
    free(work);
    return sum;
}

enum img_err read_image(struct mem *in, const uint8_t *key, const struct img_expect *expect, struct flat *f,
                        char *msg, size_t msg_size)
{
    mem_rewind(in);
    return read_image_from(&in->source, key, expect, f, msg, msg_size);
}

enum img_err read_image_from(const struct img_source *src, const uint8_t *key, const struct img_expect *expect,
                             struct flat *f, char *msg, size_t msg_size)
{
    static void *work; /* one per test process: allocating 1 MiB per read is slow under ASan */
    size_t work_size = img_reader_work_size(0);
    if (!work)
        work = aligned_alloc(64, work_size);
    char cpu[64];
    struct img_reader r;
    enum img_err e;

    e = img_reader_open(&r, src, key, expect, work, work_size, cpu, sizeof cpu);
    while (e == IMG_OK && !r.done)
        e = img_reader_next(&r, &f->mem);
    if (msg)
        img_error_format(&r.err, msg, msg_size);
    img_reader_close(&r);
    return e;
}

static uint64_t next_rand(uint64_t *s)
{
    /* xorshift64*: reproducible from the seed in the test's message */
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1dull;
}

static int dev_read(void *ctx, uint64_t lba, uint32_t n, void *buf)
{
    struct fakedev *d = ctx;
    if (d->dead || lba > d->dev.block_count || n > d->dev.block_count - lba)
        return -1;
    memcpy(buf, d->cache + lba * d->dev.block_size, (size_t)n * d->dev.block_size);
    return 0;
}

static void power_loss(struct fakedev *d)
{
    uint32_t bs = d->dev.block_size;
    for (uint64_t b = 0; b < d->dev.block_count; b++)
        if (d->dirty[b] && (next_rand(&d->rng) & 1))
            memcpy(d->durable + b * bs, d->cache + b * bs, bs);
    d->dead = true;
}

static int dev_write(void *ctx, uint64_t lba, uint32_t n, const void *buf)
{
    struct fakedev *d = ctx;
    uint32_t bs = d->dev.block_size;
    if (d->dead || lba > d->dev.block_count || n > d->dev.block_count - lba)
        return -1;
    bool crash = ++d->ops == d->crash_at;
    for (uint32_t i = 0; i < n; i++) {
        /* A write cut by power loss lands in part: any subset of its blocks. */
        if (crash && (next_rand(&d->rng) & 1))
            continue;
        memcpy(d->cache + (lba + i) * bs, (const uint8_t *)buf + (size_t)i * bs, bs);
        d->dirty[lba + i] = 1;
    }
    if (crash) {
        power_loss(d);
        return -1;
    }
    return 0;
}

static int dev_flush(void *ctx)
{
    struct fakedev *d = ctx;
    if (d->dead)
        return -1;
    if (++d->ops == d->crash_at) {
        power_loss(d);
        return -1;
    }
    memcpy(d->durable, d->cache, d->dev.block_count * d->dev.block_size);
    memset(d->dirty, 0, d->dev.block_count);
    return 0;
}

void fakedev_init(struct fakedev *d, uint32_t block_size, uint64_t blocks)
{
    memset(d, 0, sizeof *d);
    d->dev = (struct img_blockdev){ d, block_size, blocks, dev_read, dev_write, dev_flush };
    d->cache = calloc(blocks, block_size);
    d->durable = calloc(blocks, block_size);
    d->dirty = calloc(blocks, 1);
    d->rng = 1;
}

void fakedev_free(struct fakedev *d)
{
    free(d->cache);
    free(d->durable);
    free(d->dirty);
}

void fakedev_reboot(struct fakedev *d)
{
    if (!d->dead)
        power_loss(d);
    memcpy(d->cache, d->durable, d->dev.block_count * d->dev.block_size);
    memset(d->dirty, 0, d->dev.block_count);
    d->dead = false;
    d->crash_at = 0;
    d->ops = 0;
}

const uint8_t store_id[IMG_ID_SIZE] = "store-under-test";

void rig_init(struct rig *r, uint32_t bs)
{
    fakedev_init(&r->fd, bs, (1u << 20) / bs);
    cr_assert_eq(img_store_format(&r->st, &r->fd.dev, test_key, store_id, r->io), IMG_OK);
}

enum img_err try_save(struct rig *r, uint32_t os, uint8_t tag, int *slot)
{
    size_t n;
    const uint8_t *fx = fixture(&n);
    uint8_t *data = malloc(n * PAGE);
    struct img_region region = { 0x100000, n };
    struct img_slot_stream ss;
    uint64_t gen;
    enum img_err e;

    memcpy(data, fx, n * PAGE);
    data[0] = tag;
    e = img_store_begin(&r->st, os, -1, &ss, &gen);
    if (e == IMG_OK) {
        struct img_writer_config cfg = { .master_key = test_key, .generation = gen, .os = os, .chunk_pages = 16,
                                         .regions = &region, .region_count = 1 };
        void *work = aligned_alloc(64, img_writer_work_size(16));
        struct img_writer w;
        struct img_summary sum;
        memcpy(cfg.image_id, &gen, sizeof gen);
        cfg.image_id[15] = tag;
        e = img_writer_begin(&w, &cfg, &ss.u.sink, work, img_writer_work_size(16));
        if (e == IMG_OK)
            e = img_writer_pages(&w, region.base, data, n);
        if (e == IMG_OK)
            e = img_writer_finish(&w, &sum);
        if (e == IMG_OK)
            e = img_store_commit(&r->st, &ss, &sum);
        free(work);
    }
    free(data);
    *slot = e == IMG_OK ? ss.slot : -1;
    return e;
}

int save(struct rig *r, uint32_t os, uint8_t tag, enum img_err want)
{
    int slot;
    enum img_err e = try_save(r, os, tag, &slot);
    cr_assert_eq(e, want, "save for OS %u: %s", os, img_err_name(e));
    return slot;
}

int restore(struct rig *r, uint32_t os, enum img_err *err)
{
    size_t n;
    const uint8_t *fx = fixture(&n);
    struct img_slot_stream ss;
    struct img_expect x;
    struct flat f;
    char msg[200];
    int slot = img_store_latest(&r->st, os);

    *err = IMG_E_EMPTY;
    if (slot < 0)
        return -1;
    if ((*err = img_store_read(&r->st, slot, false, &ss, &x)) != IMG_OK)
        return -1;
    flat_init(&f, 0x100000, n * PAGE, 0);
    *err = read_image_from(&ss.u.source, test_key, &x, &f, msg, sizeof msg);
    int tag = -1;
    if (*err == IMG_OK) {
        tag = f.buf[0];
        cr_assert(memcmp(f.buf + 1, fx + 1, n * PAGE - 1) == 0, "restored pages differ");
    }
    flat_free(&f);
    return tag;
}

