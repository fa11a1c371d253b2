/* SPDX-License-Identifier: MIT */
/*
 * The switch engine's store actions. The image holds one OS: its private
 * range and the shared set (from RAM when it is the OS that just asked to
 * sleep, from the save area when it is parked), and its CPU context. Pages
 * go straight from guest memory into the writer and from the reader into
 * guest memory; the only buffers are imagestore's work areas in VMM memory.
 */
#include "image.h"

#include <string.h>

#include "../store/store.h"
#include "fmt.h"
#include "guest.h"
#include "log.h"
#include "mem.h"
#include "platform.h"
#include "time.h"
#include "vmm.h"

#define PAGE 4096ull
#define CHUNK_PAGES 256 /* 1 MiB per chunk: fewer, larger disk writes */

static struct img_store *store;
static void *work;
static size_t work_size;

static const char *err_text(const struct img_error *e)
{
    static char text[160];

    img_error_format(e, text, sizeof text);
    return text;
}

static enum img_err need_store(char *why, size_t n)
{
    if (store)
        return IMG_OK;
    if (!work) {
        size_t w = img_writer_work_size(CHUNK_PAGES), r = img_reader_work_size(0);
        work_size = w > r ? w : r;
        work = mem_alloc_pages((work_size + PAGE - 1) / PAGE);
        if (!work) {
            smx_snprintf(why, n, "no VMM memory for imagestore's %llu KiB work area",
                         (unsigned long long)(work_size >> 10));
            return IMG_E_LIMIT;
        }
    }
    enum img_err e = vmm_store_open(vmm.bi, &store, why, n);
    if (e != IMG_OK) {
        store = NULL;
        return e;
    }
    return IMG_OK;
}

void image_store_release(void)
{
    if (store)
        vmm_store_close();
    store = NULL;
}

static uint64_t memmap_digest(void)
{
    const uint8_t *p = (const uint8_t *)vmm.bi->memmap;
    size_t n = vmm.bi->memmap_count * sizeof vmm.bi->memmap[0];
    uint64_t h = 0xcbf29ce484222325ull;

    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

void image_cpu_fill(uint8_t os, struct image_cpu *cpu)
{
    const struct guest *g = &guests[os];

    *cpu = (struct image_cpu){
        .magic = IMAGE_CPU_MAGIC, .version = IMAGE_CPU_VERSION, .wake_mode = g->entry.mode,
        .facs_fw = g->facs.fw, .wake_vector = g->entry.vector, .facs_x = g->facs.x,
        .facs_ospm_flags = g->facs.ospm_flags, .facs_hw_signature = platform.facs_hw_signature,
        .memmap_digest = memmap_digest(), .layout = vmm.bi->layout,
    };
}

static uint64_t mib_per_s(uint64_t bytes, uint64_t ns)
{
    return ns ? bytes * 1000000000ull / ns >> 20 : 0;
}

static void raw_read(uint8_t slot, uint64_t bytes);
static void raw_write(uint8_t os, uint64_t bytes);

enum img_err image_save(uint8_t os, uint8_t *slot, char *why, size_t n)
{
    static struct img_region regions[SHARED_MAX + 1];
    static struct img_writer w;
    struct img_slot_stream st;
    struct img_summary sum;
    struct image_cpu cpu;
    uint64_t gen, t0 = smx_time_ns();
    enum img_err e = need_store(why, n);

    if (e != IMG_OK)
        return e;
    unsigned nr = guest_image_regions(os, regions);
    image_cpu_fill(os, &cpu);
    e = img_store_begin(store, os, -1, &st, &gen);
    if (e != IMG_OK) {
        smx_snprintf(why, n, "%s", err_text(&store->err));
        return e;
    }
    struct img_writer_config cfg = { .master_key = vmm.bi->master_key, .generation = gen, .os = os,
                                     .chunk_pages = CHUNK_PAGES, .regions = regions, .region_count = nr,
                                     .cpu = &cpu, .cpu_size = sizeof cpu };
    store_random(cfg.image_id, sizeof cfg.image_id, vmm.bi->master_key);
    e = img_writer_begin(&w, &cfg, &st.u.sink, work, work_size);
    for (unsigned i = 0; e == IMG_OK && i < nr; i++)
        e = img_writer_pages(&w, regions[i].base, guest_page_source(os, regions[i].base), regions[i].pages);
    if (e == IMG_OK)
        e = img_writer_finish(&w, &sum);
    if (e != IMG_OK) {
        /* The store's error is the cause when the sink failed (full slot, I/O). */
        if (e == IMG_E_IO)
            smx_snprintf(why, n, "%s", err_text(&store->err));
        else
            smx_snprintf(why, n, "%s", err_text(&w.err));
        img_writer_abort(&w);
        image_store_release(); /* its in-memory state may be ahead of the device: reopen next time */
        return e;
    }
    e = img_store_commit(store, &st, &sum);
    if (e != IMG_OK) {
        smx_snprintf(why, n, "commit: %s", err_text(&store->err));
        image_store_release();
        return e;
    }
    uint64_t ns = smx_time_ns() - t0;
    *slot = (uint8_t)st.slot;
    smx_log("image", "OS %c saved to slot %d: generation %llu, %llu MiB of memory (%llu zero pages, %llu raw) in "
            "%llu MiB of stream, %llu ms (%llu MiB/s of memory, %llu MiB/s of stream)", 'A' + os, st.slot,
            (unsigned long long)gen, (unsigned long long)(sum.pages >> 8), (unsigned long long)sum.zero_pages,
            (unsigned long long)sum.raw_pages, (unsigned long long)(sum.stream_bytes >> 20),
            (unsigned long long)(ns / 1000000), (unsigned long long)mib_per_s(sum.pages * PAGE, ns),
            (unsigned long long)mib_per_s(sum.stream_bytes, ns));
    if (vmm.bi->flags & SMX_BOOT_BENCH) {
        raw_read(*slot, sum.stream_bytes);
        raw_write(os, sum.stream_bytes);
    }
    return IMG_OK;
}

/* make bench's baseline: the same slot's bytes read again through the same
 * stream and driver, without authentication or decompression. */
static void raw_read(uint8_t slot, uint64_t bytes)
{
    struct img_slot_stream st;
    struct img_expect expect;
    uint8_t *buf = work;
    uint64_t t0 = smx_time_ns(), done = 0;

    if (img_store_read(store, slot, true, &st, &expect) != IMG_OK)
        return;
    while (done < bytes) {
        size_t got = 0, want = work_size < bytes - done ? work_size : (size_t)(bytes - done);
        if (st.u.source.read(st.u.source.ctx, buf, want, &got) || !got)
            break;
        done += got;
    }
    uint64_t ns = smx_time_ns() - t0;
    smx_log("store", "raw read of %llu MiB in %llu ms (%llu MiB/s), slot %u, for the bench",
            (unsigned long long)(done >> 20), (unsigned long long)(ns / 1000000),
            (unsigned long long)mib_per_s(done, ns), slot);
}

/* make bench's upload baseline: `bytes` (whole blocks) written through the
 * same store and driver as an image, but raw: no sealing, no compression.
 * They go to the slot img_store_begin() picks, which holds no committed
 * image, and are never committed: that slot stays WRITING (interrupted),
 * which the store writes over next time, and the image that waits is not
 * touched. The device's flush is part of the time, as it is of a save. */
static void raw_write(uint8_t os, uint64_t bytes)
{
    struct img_slot_stream st;
    uint64_t gen, done = 0, t0 = smx_time_ns();
    size_t chunk = work_size & ~(size_t)(store->dev->block_size - 1);

    bytes &= ~(uint64_t)(store->dev->block_size - 1);
    if (img_store_begin(store, os, -1, &st, &gen) != IMG_OK) {
        smx_log("store", "raw write for the bench: %s", err_text(&store->err));
        image_store_release();
        return;
    }
    while (done < bytes) {
        size_t n = chunk < bytes - done ? chunk : (size_t)(bytes - done);
        if (st.u.sink.write(st.u.sink.ctx, work, n))
            break;
        done += n;
    }
    bool flushed = done == bytes && store->dev->flush(store->dev->ctx) == 0;
    uint64_t ns = smx_time_ns() - t0;
    smx_log("store", "raw write of %llu MiB in %llu ms (%llu MiB/s)%s, slot %d left uncommitted, for the bench",
            (unsigned long long)(done >> 20), (unsigned long long)(ns / 1000000),
            (unsigned long long)mib_per_s(done, ns), flushed ? "" : " FAILED", st.slot);
    image_store_release(); /* reopen from the device next time */
}

struct restore_ctx {
    uint8_t os;
    uint64_t refused;
};

static void *restore_map(void *ctx, uint64_t gpa, size_t len)
{
    struct restore_ctx *c = ctx;

    if (!guest_may_restore(c->os, gpa, len)) {
        c->refused = gpa;
        return NULL;
    }
    return phys_ptr(gpa);
}

enum img_err image_restore(uint8_t os, uint8_t slot, struct image_cpu *cpu, char *why, size_t n)
{
    static struct img_reader r;
    struct img_slot_stream st;
    struct img_expect expect;
    uint64_t t0 = smx_time_ns();
    enum img_err e = need_store(why, n);

    if (e != IMG_OK)
        return e;
    e = img_store_read(store, slot, false, &st, &expect);
    if (e != IMG_OK) {
        smx_snprintf(why, n, "slot %u: %s", slot, err_text(&store->err));
        return e;
    }
    expect.flags |= IMG_EXPECT_OS;
    expect.os = os;
    memset(cpu, 0, sizeof *cpu);
    e = img_reader_open(&r, &st.u.source, vmm.bi->master_key, &expect, work, work_size, cpu, sizeof *cpu);
    if (e != IMG_OK) {
        smx_snprintf(why, n, "%s", err_text(&r.err));
        return e;
    }
    if (r.info.cpu_size != sizeof *cpu || cpu->magic != IMAGE_CPU_MAGIC || cpu->version != IMAGE_CPU_VERSION) {
        smx_snprintf(why, n, "slot %u: the image's CPU context (%u bytes) is not one this VMM wrote", slot,
                     r.info.cpu_size);
        img_reader_close(&r);
        return IMG_E_FORMAT;
    }
    if (memcmp(&cpu->layout.private_base, &vmm.bi->layout.private_base, sizeof cpu->layout.private_base) ||
        memcmp(&cpu->layout.private_size, &vmm.bi->layout.private_size, sizeof cpu->layout.private_size) ||
        cpu->facs_hw_signature != platform.facs_hw_signature) {
        smx_snprintf(why, n, "slot %u: OS %c slept with another memory layout or FACS signature %#x (now %#x)",
                     slot, 'A' + os, cpu->facs_hw_signature, platform.facs_hw_signature);
        img_reader_close(&r);
        return IMG_E_REFUSED;
    }
    for (uint32_t i = 0; i < r.info.region_count; i++) {
        const struct img_region *g = img_reader_region(&r, i);
        if (!guest_may_restore(os, g->base, g->pages * PAGE)) {
            smx_snprintf(why, n, "slot %u: region %#llx+%llu pages is outside OS %c's memory", slot,
                         (unsigned long long)g->base, (unsigned long long)g->pages, 'A' + os);
            img_reader_close(&r);
            return IMG_E_REFUSED;
        }
    }
    struct restore_ctx ctx = { .os = os };
    struct img_memory mem = { .ctx = &ctx, .map = restore_map };
    while (e == IMG_OK && !r.done)
        e = img_reader_next(&r, &mem);
    if (e != IMG_OK) {
        smx_snprintf(why, n, "%s", err_text(&r.err));
        img_reader_close(&r);
        return e;
    }
    uint64_t ns = smx_time_ns() - t0;
    uint64_t stream = r.offset;
    smx_log("image", "OS %c restored from slot %u: generation %llu, %llu MiB of memory, %llu MiB of stream in %llu ms "
            "(%llu MiB/s of memory, %llu MiB/s of stream)", 'A' + os, slot, (unsigned long long)r.info.generation,
            (unsigned long long)(r.info.pages >> 8), (unsigned long long)(stream >> 20),
            (unsigned long long)(ns / 1000000), (unsigned long long)mib_per_s(r.info.pages * PAGE, ns),
            (unsigned long long)mib_per_s(stream, ns));
    img_reader_close(&r);
    if (vmm.bi->flags & SMX_BOOT_BENCH)
        raw_read(slot, stream);
    return IMG_OK;
}

enum img_err image_waiting(uint8_t slot_of[2], char *why, size_t n)
{
    enum img_err e = need_store(why, n);

    for (uint32_t os = 0; os < 2; os++) {
        int s = e == IMG_OK ? img_store_latest(store, os) : -1;
        slot_of[os] = s >= 0 ? (uint8_t)s : 0xff;
    }
    image_store_release();
    return e;
}

enum img_err image_discard(uint8_t slot, char *why, size_t n)
{
    enum img_err e = need_store(why, n);

    if (e == IMG_OK && (e = img_store_mark_restored(store, slot)) != IMG_OK) {
        smx_snprintf(why, n, "slot %u: %s", slot, err_text(&store->err));
        image_store_release();
    }
    return e;
}
