/* SPDX-License-Identifier: MIT */
/*
 * vmm_store_open/close: which disk, which partition, and a block device
 * that cannot reach a block outside it.
 */
#include "store.h"

#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "blk.h"
#include "fmt.h"
#include "gpt.h"
#include "io.h"
#include "log.h"
#include "mem.h"
#include "partdev.h"
#include "tftp.h"
#include "time.h"

/* Callers' buffers that a controller cannot take as they are (not 4-byte
 * aligned: AHCI wants 2, NVMe 4) go through this VMM buffer. imagestore
 * hands out such buffers only at the rare partial-block steps. */
#define BOUNCE_PAGES 64

static struct {
    struct blk_dev *dev;
    struct gpt_part part;
    uint64_t first, count; /* the partition, in blocks */
    struct part_dev part_dev;
    struct img_blockdev bd;
    struct img_store *store;
    uint8_t *io;           /* the store's io block; the GPT reader's block before */
    uint8_t *bounce;
    char why[200];         /* the last disk passed over during the scan */
    const struct smx_bootinfo *bi;
    bool found;
    bool tftp;             /* the store is on a TFTP server (tftp.h) */
} st;

/* The whole disk, for the GPT reader (the partition is not known yet). */
static int disk_read(void *ctx, uint64_t lba, uint32_t n, void *buf)
{
    struct part_dev whole = { .dev = ctx, .first = 0, .count = st.dev->block_count, .bounce = st.bounce,
                              .bounce_size = BOUNCE_PAGES * 4096 };
    struct img_blockdev bd;

    part_dev_bind(&whole, &bd);
    return bd.read(bd.ctx, lba, n, buf);
}

/* A disk is the store's when its GPT has the partition the config names. */
static bool visit_disk(void *ctx, struct blk_dev *d)
{
    const struct pol_store *cfg = ctx;
    struct gpt_disk gd = { .ctx = d, .block_size = d->block_size, .block_count = d->block_count, .read = disk_read };
    char why[200];

    st.dev = d;
    enum gpt_err e = gpt_find(&gd, cfg->kind == POL_STORE_PART_TYPE ? GPT_BY_TYPE : GPT_BY_UNIQUE, &cfg->guid, st.io,
                              &st.part, why, sizeof why);
    if (e != GPT_OK) {
        smx_log("store", "%s: %s", d->name, why);
        smx_snprintf(st.why, sizeof st.why, "%s: %s", d->name, why);
        st.dev = NULL;
        return false;
    }
    if (st.part.from_backup)
        smx_log("store", "%s: primary GPT unusable (%s), using the backup", d->name, st.part.primary_why);
    return true;
}

void store_random(void *out, size_t n, const uint8_t key[32])
{
    uint32_t a, b, c, d;
    uint8_t *o = out;

    /* CPUID.01H:ECX bit 30: RDRAND (AMD APM vol. 3, CPUID Fn0000_0001_ECX). */
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    bool rdrand = c & (1u << 30);
    uint64_t mix = rdtsc();
    for (int i = 0; i < 32; i++)
        mix = (mix ^ key[i]) * 0x100000001b3ull;
    for (size_t i = 0; i < n; i += 8) {
        uint64_t v = 0;
        bool ok = false;
        for (int tries = 0; rdrand && !ok && tries < 10; tries++)
            __asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
        if (!ok) {
            /* splitmix64 over the TSC and the key: distinct per call and per machine. */
            mix += 0x9e3779b97f4a7c15ull ^ rdtsc();
            v = mix;
            v = (v ^ (v >> 30)) * 0xbf58476d1ce4e5b9ull;
            v = (v ^ (v >> 27)) * 0x94d049bb133111ebull;
            v ^= v >> 31;
        }
        for (size_t k = 0; k < 8 && i + k < n; k++)
            o[i + k] = (uint8_t)(v >> (8 * k));
    }
}

static const char *slot_text(const struct img_slot *s, char *buf, size_t n)
{
    static const char *const state[] = { "empty", "writing", "committed", "restored", "superseded" };

    if (s->state == IMG_SLOT_EMPTY)
        return "empty";
    smx_snprintf(buf, n, "%c %s gen %llu", s->os == IMG_OS_A ? 'A' : 'B', s->state < 5 ? state[s->state] : "?",
                 (unsigned long long)s->generation);
    return buf;
}

static bool alloc_once(void)
{
    if (!st.io)
        st.io = mem_alloc_pages(1);
    if (!st.store)
        st.store = mem_alloc_pages((sizeof(struct img_store) + 4095) / 4096);
    if (!st.bounce)
        st.bounce = mem_alloc_pages(BOUNCE_PAGES);
    return st.io && st.store && st.bounce;
}

static enum img_err fail(enum img_err e, char *why, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static enum img_err fail(enum img_err e, char *why, size_t n, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    smx_vsnprintf(why, n, fmt, ap);
    va_end(ap);
    smx_log("store", "open failed: %s", why);
    blk_reset_all();
    return e;
}

enum img_err vmm_store_open(const struct smx_bootinfo *bi, struct img_store **out, char *why, size_t n)
{
    const struct pol_store *cfg = &bi->config.store;
    uint64_t t0 = smx_time_ns();

    *out = NULL;
    st.bi = bi;
    st.why[0] = 0;
    if (cfg->kind != POL_STORE_PART_TYPE && cfg->kind != POL_STORE_PART_GUID && cfg->kind != POL_STORE_TFTP)
        return fail(IMG_E_ARG, why, n, "the config's [store] names no GPT partition and no TFTP server");
    if (!alloc_once())
        return fail(IMG_E_LIMIT, why, n, "out of VMM memory for the store's buffers");
    if (cfg->kind == POL_STORE_TFTP) {
        enum img_err e = tftp_store_open(bi, st.store, st.io, why, n);
        if (e != IMG_OK) {
            smx_log("store", "open failed: %s", why);
            tftp_dev_close();
            return e;
        }
        st.tftp = true;
        *out = st.store;
        return IMG_OK;
    }
    struct blk_where prefer = { .ctrl = SMX_CTRL_NONE };
    if (bi->store.found)
        prefer = (struct blk_where){ bi->store.ctrl, bi->store.pci_bus, bi->store.pci_devfn, bi->store.unit };
    char g[37];
    gpt_guid_text(&cfg->guid, g);
    if (!blk_scan(&prefer, visit_disk, (void *)cfg))
        return fail(IMG_E_IO, why, n, "no disk has the partition with %s GUID %s%s%s",
                    cfg->kind == POL_STORE_PART_TYPE ? "type" : "unique", g, st.why[0] ? "; last: " : "", st.why);
    struct blk_dev *d = st.dev;
    st.first = st.part.first_lba;
    st.count = st.part.last_lba - st.part.first_lba + 1;
    if (bi->store.found &&
        (bi->store.first_lba != st.first || bi->store.lba_count != st.count || bi->store.block_size != d->block_size))
        return fail(IMG_E_ARG, why, n,
                    "%s partition %u is at lba %llu+%llu (%u-byte blocks), but the loader found the store at "
                    "lba %llu+%llu (%u-byte blocks): not writing",
                    d->name, st.part.index, (unsigned long long)st.first, (unsigned long long)st.count, d->block_size,
                    (unsigned long long)bi->store.first_lba, (unsigned long long)bi->store.lba_count,
                    bi->store.block_size);
    st.part_dev = (struct part_dev){ .dev = d, .first = st.first, .count = st.count, .bounce = st.bounce,
                                     .bounce_size = BOUNCE_PAGES * 4096 };
    part_dev_bind(&st.part_dev, &st.bd);
    enum img_err e = img_store_open(st.store, &st.bd, bi->master_key, st.io);
    bool formatted = false;
    if (e == IMG_E_NOT_IMAGE) {
        /* Neither superblock copy has the magic: a partition never used as
         * a store. Anything else (damage, another key) is never written over. */
        uint8_t id[IMG_ID_SIZE];
        store_random(id, sizeof id, bi->master_key);
        e = img_store_format(st.store, &st.bd, bi->master_key, id, st.io);
        if (e != IMG_OK) {
            char m[120];
            img_error_format(&st.store->err, m, sizeof m);
            return fail(e, why, n, "%s partition %u: formatting a new store failed: %s", d->name, st.part.index, m);
        }
        formatted = true;
        smx_log("store", "%s partition %u held no store: formatted a new one, store %02x%02x%02x%02x", d->name,
                st.part.index, id[0], id[1], id[2], id[3]);
    } else if (e != IMG_OK) {
        char m[120];
        img_error_format(&st.store->err, m, sizeof m);
        return fail(e, why, n, "%s partition %u: %s", d->name, st.part.index, m);
    }
    struct img_store *s = st.store;
    if (!formatted && s->last_generation < bi->store.generation_floor)
        return fail(IMG_E_REPLAYED, why, n,
                    "%s partition %u: store generation %llu is older than the %llu the loader has seen: rolled back",
                    d->name, st.part.index, (unsigned long long)s->last_generation,
                    (unsigned long long)bi->store.generation_floor);
    char a[48], b[48];
    smx_log("store", "%s, partition %u (lba %llu+%llu, %u-byte blocks%s), store %02x%02x%02x%02x %s in %llu ms, "
            "generation %llu, slots: %s / %s",
            d->name, st.part.index, (unsigned long long)st.first, (unsigned long long)st.count, d->block_size,
            st.part.from_backup ? ", backup GPT" : "", s->store_id[0], s->store_id[1], s->store_id[2],
            s->store_id[3], formatted ? "formatted" : "opened", (unsigned long long)((smx_time_ns() - t0) / 1000000),
            (unsigned long long)s->last_generation, slot_text(&s->slot[0], a, sizeof a),
            slot_text(&s->slot[1], b, sizeof b));
    *out = s;
    return IMG_OK;
}

void vmm_store_close(void)
{
    uint64_t t0 = smx_time_ns();

    if (st.tftp) {
        tftp_dev_close();
        st.tftp = false;
        smx_log("store", "closed: the network card reset to power-on state in %llu ms",
                (unsigned long long)((smx_time_ns() - t0) / 1000000));
        return;
    }
    blk_reset_all();
    if (st.part_dev.refused)
        smx_log("store", "%llu requests reaching outside the partition were refused",
                (unsigned long long)st.part_dev.refused);
    smx_log("store", "closed: %s reset to power-on state in %llu ms", st.dev ? st.dev->name : "no controller",
            (unsigned long long)((smx_time_ns() - t0) / 1000000));
    st.dev = NULL;
}
