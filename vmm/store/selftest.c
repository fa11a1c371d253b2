/* SPDX-License-Identifier: MIT */
/*
 * The store's self-test (boot flag SMX_BOOT_STORE_SELFTEST, set by the
 * loader when \EFI\sleepmux\debug-store-selftest exists): at an S3 request,
 * while the OS is stopped, write up to 64 MiB of its RAM to the store as a
 * committed image, read it back through the reader into a VMM buffer,
 * compare every page with RAM and the digests with the writer's, mark the
 * slot restored, and reset the controller. The mark matters: the image
 * holds only part of the OS's RAM and no real CPU state, and a committed
 * image is one the loader and the switch engine would take for a parked
 * OS (never booted fresh, restored at the next switch). Proves the drivers, the GPT lookup and the store
 * on real firmware before the switch engine uses them.
 */
#include <stdbool.h>
#include <string.h>

#include "fmt.h"
#include "log.h"
#include "mem.h"
#include "store.h"
#include "time.h"

#define SELFTEST_PAGES (64u * 256)  /* 64 MiB */
#define SELFTEST_REGIONS 32
#define EFI_CONVENTIONAL 7          /* UEFI 2.10 §7.2.1, EFI_MEMORY_TYPE */
#define EFI_BOOT_SERVICES_DATA 4

static struct {
    void *wwork, *rwork, *stage;
    size_t wsize, rsize;
    struct img_writer w;
    struct img_reader r;
    struct img_region regions[SELFTEST_REGIONS];
    uint32_t nregions;
    uint64_t mismatched;
} t;

static bool overlaps(uint64_t a, uint64_t n, uint64_t b, uint64_t m)
{
    return a < b + m && b < a + n;
}

/* RAM the OS owns: conventional memory above 1 MiB, clear of the VMM's
 * region and the trampoline, ascending, up to SELFTEST_PAGES. */
static uint64_t pick_regions(const struct smx_bootinfo *bi)
{
    uint64_t total = 0;

    t.nregions = 0;
    for (uint32_t i = 0; i < bi->memmap_count && t.nregions < SELFTEST_REGIONS && total < SELFTEST_PAGES; i++) {
        const struct smx_mem_range *m = &bi->memmap[i];
        if (m->type != EFI_CONVENTIONAL && m->type != EFI_BOOT_SERVICES_DATA)
            continue;
        if (m->base < 0x100000 || (m->base & 4095) ||
            overlaps(m->base, m->pages * 4096, bi->region_base, bi->region_size) ||
            overlaps(m->base, m->pages * 4096, bi->trampoline_base, 4096))
            continue;
        uint64_t take = m->pages < SELFTEST_PAGES - total ? m->pages : SELFTEST_PAGES - total;
        /* Insert in ascending order (the firmware's map usually is). */
        uint32_t k = t.nregions++;
        while (k > 0 && t.regions[k - 1].base > m->base) {
            t.regions[k] = t.regions[k - 1];
            k--;
        }
        t.regions[k] = (struct img_region){ m->base, take };
        total += take;
    }
    return total;
}

static void *stage_map(void *ctx, uint64_t gpa, size_t len)
{
    return len <= IMG_CHUNK_PAGES_MAX * IMG_PAGE_SIZE ? t.stage : NULL;
}

static void stage_done(void *ctx, uint64_t gpa, size_t len)
{
    if (memcmp(t.stage, phys_ptr(gpa), len))
        t.mismatched++;
}

static uint64_t ms_since(uint64_t t0) { return (smx_time_ns() - t0) / 1000000; }

static bool run(const struct smx_bootinfo *bi, struct img_store *s, char *why, size_t n)
{
    uint64_t pages = pick_regions(bi);
    if (pages == 0) {
        smx_snprintf(why, n, "no conventional RAM in the memory map");
        return false;
    }
    struct img_slot_stream ws, rs;
    uint64_t gen;
    uint64_t t0 = smx_time_ns();
    enum img_err e = img_store_begin(s, bi->os, -1, &ws, &gen);
    if (e) {
        img_error_format(&s->err, why, n);
        return false;
    }
    static const char cpu[] = "store self-test";
    struct img_writer_config cfg = { .master_key = bi->master_key, .generation = gen, .os = bi->os,
                                     .regions = t.regions, .region_count = t.nregions, .cpu = cpu,
                                     .cpu_size = sizeof cpu };
    store_random(cfg.image_id, sizeof cfg.image_id, bi->master_key);
    struct img_summary sum;
    e = img_writer_begin(&t.w, &cfg, &ws.u.sink, t.wwork, t.wsize);
    for (uint32_t i = 0; e == IMG_OK && i < t.nregions; i++)
        e = img_writer_pages(&t.w, t.regions[i].base, phys_ptr(t.regions[i].base), t.regions[i].pages);
    if (e == IMG_OK)
        e = img_writer_finish(&t.w, &sum);
    if (e) {
        img_error_format(e == IMG_E_IO ? &s->err : &t.w.err, why, n);
        img_writer_abort(&t.w);
        return false;
    }
    int slot = ws.slot;
    if ((e = img_store_commit(s, &ws, &sum))) {
        img_error_format(&s->err, why, n);
        return false;
    }
    uint64_t write_ms = ms_since(t0);

    uint64_t t1 = smx_time_ns();
    struct img_expect expect;
    if ((e = img_store_read(s, slot, false, &rs, &expect))) {
        img_error_format(&s->err, why, n);
        return false;
    }
    t.mismatched = 0;
    struct img_memory mem = { .map = stage_map, .done = stage_done };
    e = img_reader_open(&t.r, &rs.u.source, bi->master_key, &expect, t.rwork, t.rsize, NULL, 0);
    while (e == IMG_OK && !t.r.done)
        e = img_reader_next(&t.r, &mem);
    if (e) {
        img_error_format(&t.r.err, why, n);
        img_reader_close(&t.r);
        return false;
    }
    img_reader_close(&t.r);
    uint64_t read_ms = ms_since(t1);
    if (t.mismatched || t.r.sum.pages != pages ||
        memcmp(t.r.sum.header_digest, sum.header_digest, IMG_DIGEST_SIZE)) {
        smx_snprintf(why, n, "read back %llu of %llu pages, %llu chunks differ from RAM, digest %s",
                     (unsigned long long)t.r.sum.pages, (unsigned long long)pages, (unsigned long long)t.mismatched,
                     memcmp(t.r.sum.header_digest, sum.header_digest, IMG_DIGEST_SIZE) ? "differs" : "matches");
        return false;
    }
    if ((e = img_store_mark_restored(s, slot))) {
        img_error_format(&s->err, why, n);
        return false;
    }
    uint64_t mib = pages >> 8;
    smx_log("store", "self-test ok: wrote %llu MiB in %llu ms (%llu MiB/s), read back in %llu ms (%llu MiB/s); "
            "slot %d (marked restored), generation %llu, %u regions, %llu KiB on disk, %llu zero pages",
            (unsigned long long)mib, (unsigned long long)write_ms,
            (unsigned long long)(write_ms ? mib * 1000 / write_ms : 0), (unsigned long long)read_ms,
            (unsigned long long)(read_ms ? mib * 1000 / read_ms : 0), slot, (unsigned long long)gen, t.nregions,
            (unsigned long long)(sum.stream_bytes >> 10), (unsigned long long)sum.zero_pages);
    return true;
}

void store_selftest(const struct smx_bootinfo *bi)
{
    struct img_store *s;
    char why[200];

    if (!(bi->flags & SMX_BOOT_STORE_SELFTEST))
        return;
    if (!t.wwork) {
        t.wsize = img_writer_work_size(0);
        t.rsize = img_reader_work_size(0);
        t.wwork = mem_alloc_pages((t.wsize + 4095) / 4096);
        t.rwork = mem_alloc_pages((t.rsize + 4095) / 4096);
        t.stage = mem_alloc_pages(IMG_CHUNK_PAGES_MAX);
        if (!t.wwork || !t.rwork || !t.stage) {
            smx_log("store", "self-test FAILED: out of VMM memory (%llu KiB free)",
                    (unsigned long long)(mem_free_bytes() >> 10));
            t.wwork = NULL;
            return;
        }
    }
    enum img_err e = vmm_store_open(bi, &s, why, sizeof why);
    if (e) {
        smx_log("store", "self-test FAILED: %s", why);
        return;
    }
    bool ok = run(bi, s, why, sizeof why);
    vmm_store_close();
    if (!ok)
        smx_log("store", "self-test FAILED: %s", why);
}
