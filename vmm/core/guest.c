/* SPDX-License-Identifier: MIT */
#include "guest.h"

#include <string.h>

#include "log.h"
#include "mmio.h"
#include "mem.h"
#include "vmm.h"

#define PAGE 4096ull

struct guest guests[2] = { { .os = POL_OS_A, .letter = 'A' }, { .os = POL_OS_B, .letter = 'B' } };
struct shared_set shared = { .holder = -1 };
bool switching_enabled;

/* EFI_MEMORY_TYPE values an OS may use as RAM (UEFI 2.10 §7.2.1, table 7-6):
 * loader and boot-services code and data (reclaimed at ExitBootServices),
 * runtime services code and data, conventional memory, ACPI reclaim and NVS. */
static bool usable(uint32_t type)
{
    return (type >= 1 && type <= 7) || type == 9 || type == 10;
}

/* Append [base, end) minus the holes, merging with the previous range. */
static bool add_minus(uint64_t base, uint64_t end, const struct mem_hole *h, unsigned nh)
{
    for (unsigned i = 0; i < nh && base < end; i++) {
        uint64_t hb = h[i].base, he = h[i].base + h[i].size;
        if (he <= base || hb >= end)
            continue;
        if (hb > base && !add_minus(base, hb, h + i + 1, nh - i - 1))
            return false;
        base = he > base ? he : base;
    }
    if (base >= end)
        return true;
    if (shared.n && shared.r[shared.n - 1].base + shared.r[shared.n - 1].pages * PAGE == base) {
        shared.r[shared.n - 1].pages += (end - base) / PAGE;
    } else {
        if (shared.n == SHARED_MAX)
            return false;
        shared.r[shared.n++] = (struct img_region){ base, (end - base) / PAGE };
    }
    shared.pages += (end - base) / PAGE;
    return true;
}

/* The firmware map is sorted by address (UEFI keeps it so); the loader's
 * copy is checked anyway, since the set must be sorted and disjoint. */
static bool build_shared(const struct smx_bootinfo *bi, const struct mem_hole *h, unsigned nh)
{
    uint64_t last_end = 0;

    for (uint32_t i = 0; i < bi->memmap_count && i < SMX_MEMMAP_MAX; i++) {
        const struct smx_mem_range *m = &bi->memmap[i];
        if (m->base < last_end) {
            smx_log("guest", "memory map entry %u at %#llx is out of order", i, (unsigned long long)m->base);
            return false;
        }
        last_end = m->base + m->pages * PAGE;
        if (usable(m->type) && !add_minus(m->base, last_end, h, nh)) {
            smx_log("guest", "the shared set has more than %u ranges", SHARED_MAX);
            return false;
        }
    }
    return true;
}

static bool layout_ok(const struct smx_bootinfo *bi)
{
    const struct smx_layout *l = &bi->layout;

    if (l->region_base != bi->region_base || l->region_size != bi->region_size ||
        l->trampoline_base != bi->trampoline_base) {
        smx_log("guest", "the layout's VMM region %#llx or trampoline %#llx is not where the VMM runs",
                (unsigned long long)l->region_base, (unsigned long long)l->trampoline_base);
        return false;
    }
    for (int i = 0; i < 2; i++) {
        uint64_t b = l->private_base[i], s = l->private_size[i];
        if (!s || (b | s) & (SMX_REGION_ALIGN - 1) || b + s < b || b + s > bi->max_phys) {
            smx_log("guest", "OS %c's private range %#llx+%#llx is not 2 MiB-aligned RAM", 'A' + i,
                    (unsigned long long)b, (unsigned long long)s);
            return false;
        }
        if (b < bi->region_base + bi->region_size && bi->region_base < b + s) {
            smx_log("guest", "OS %c's private range overlaps the VMM", 'A' + i);
            return false;
        }
    }
    if (l->private_base[0] < l->private_base[1] + l->private_size[1] &&
        l->private_base[1] < l->private_base[0] + l->private_size[0]) {
        smx_log("guest", "the two private ranges overlap");
        return false;
    }
    return true;
}

/* A view: `h` sunk, then every trapped device range (mmio.h), in all views
 * alike. */
static uint64_t build_view(const struct mem_hole *h, unsigned n)
{
    struct mem_hole all[3 + MMIO_TRAPS_MAX];

    for (unsigned i = 0; i < n; i++)
        all[i] = h[i];
    n += mmio_trap_holes(all + n, MMIO_TRAPS_MAX);
    return vmm.ops->view_build(all, n);
}

bool guests_init(const struct smx_bootinfo *bi)
{
    const struct smx_layout *l = &bi->layout;
    struct mem_hole vmm_holes[2] = { { bi->region_base, bi->region_size, HOLE_SINK },
                                     { bi->trampoline_base, PAGE, HOLE_SINK } };

    switching_enabled = false;
    if (!bi->switching || !layout_ok(bi)) {
        if (!bi->switching)
            smx_log("guest", "no memory layout for two OSes (the loader said why): OS %c runs alone",
                    'A' + bi->os);
        guests[bi->os].view = build_view(vmm_holes, 2);
        return guests[bi->os].view != 0;
    }
    for (int i = 0; i < 2; i++) {
        guests[i].private_base = l->private_base[i];
        guests[i].private_size = l->private_size[i];
    }
    for (int i = 0; i < 2; i++) {
        struct mem_hole h[3] = { vmm_holes[0], vmm_holes[1],
                                 { l->private_base[i ^ 1], l->private_size[i ^ 1], HOLE_SINK } };
        guests[i].view = build_view(h, 3);
        if (!guests[i].view)
            return false;
    }
    /* Both private ranges, sorted, then the VMM's: build_shared wants them in order. */
    struct mem_hole all[4] = { vmm_holes[1], { l->private_base[0], l->private_size[0], HOLE_SINK },
                               { l->private_base[1], l->private_size[1], HOLE_SINK }, vmm_holes[0] };
    for (int i = 1; i < 4; i++)
        for (int j = i; j > 0 && all[j].base < all[j - 1].base; j--) {
            struct mem_hole t = all[j];
            all[j] = all[j - 1];
            all[j - 1] = t;
        }
    if (!build_shared(bi, all, 4))
        return true; /* views exist: run alone */
    shared.save = mem_alloc_pages(shared.pages);
    smx_log("guest", "A-private %#llx+%llu MiB, B-private %#llx+%llu MiB; shared set %llu MiB in %u ranges%s",
            (unsigned long long)l->private_base[0], (unsigned long long)(l->private_size[0] >> 20),
            (unsigned long long)l->private_base[1], (unsigned long long)(l->private_size[1] >> 20),
            (unsigned long long)(shared.pages >> 8), shared.n,
            shared.save ? "" : ": too large for the VMM's memory, switching is off");
    if (!shared.save) {
        smx_log("guest", "vmm-memory must be at least %llu MiB more for the parked OS's copy",
                (unsigned long long)((shared.pages * PAGE - mem_free_bytes()) >> 20) + 1);
        return true;
    }
    switching_enabled = true;
    return true;
}

/* Walk the shared set in RAM and the save area side by side. */
static void each_shared(void (*fn)(uint64_t *ram, uint64_t *save, uint64_t words))
{
    uint8_t *save = shared.save;

    for (unsigned i = 0; i < shared.n; i++) {
        uint64_t bytes = shared.r[i].pages * PAGE;
        fn(phys_ptr(shared.r[i].base), (uint64_t *)save, bytes / 8);
        save += bytes;
    }
}

static void exchange(uint64_t *ram, uint64_t *save, uint64_t words)
{
    for (uint64_t i = 0; i < words; i++) {
        uint64_t a = ram[i];
        ram[i] = save[i];
        save[i] = a;
    }
}

static void to_save(uint64_t *ram, uint64_t *save, uint64_t words)
{
    memcpy(save, ram, words * 8);
}

static void to_ram(uint64_t *ram, uint64_t *save, uint64_t words)
{
    memcpy(ram, save, words * 8);
}

void shared_exchange(void)
{
    each_shared(exchange);
}

void shared_save(uint8_t holder)
{
    each_shared(to_save);
    shared.holder = (int8_t)holder;
}

void shared_restore(void)
{
    each_shared(to_ram);
    shared.holder = -1;
}

static bool inside(uint64_t gpa, uint64_t len, uint64_t base, uint64_t size)
{
    return gpa >= base && gpa + len <= base + size && gpa + len >= gpa;
}

/* The end of the allowed range holding `at` for an image of `os`, or 0.
 * Allowed: its private range, the shared set, and what this boot's loader
 * reserved as unassigned: memory that was the loader's own (or free) when
 * the imaged OS booted, which that OS may use while the running one never
 * does. Nothing else: not the other OS's range, not the VMM, not what the
 * firmware keeps for itself. */
static uint64_t allowed_end(uint8_t os, uint64_t at)
{
    const struct guest *g = &guests[os];
    const struct smx_bootinfo *bi = vmm.bi;

    if (at >= g->private_base && at < g->private_base + g->private_size)
        return g->private_base + g->private_size;
    for (unsigned i = 0; i < shared.n; i++)
        if (at >= shared.r[i].base && at < shared.r[i].base + shared.r[i].pages * PAGE)
            return shared.r[i].base + shared.r[i].pages * PAGE;
    for (uint32_t i = 0; i < bi->memmap_count && i < SMX_MEMMAP_MAX; i++) {
        const struct smx_mem_range *m = &bi->memmap[i];
        if (m->type == SMX_MEM_UNASSIGNED && at >= m->base && at < m->base + m->pages * PAGE)
            return m->base + m->pages * PAGE;
    }
    return 0;
}

bool guest_may_restore(uint8_t os, uint64_t gpa, uint64_t len)
{
    uint64_t end = gpa + len;

    if (end < gpa)
        return false;
    while (gpa < end) {
        uint64_t e = allowed_end(os, gpa);
        if (!e)
            return false;
        gpa = e;
    }
    return true;
}

unsigned guest_image_regions(uint8_t os, struct img_region *out)
{
    const struct guest *g = &guests[os];
    struct img_region priv = { g->private_base, g->private_size / PAGE };
    unsigned n = 0, i = 0;

    for (; i < shared.n && shared.r[i].base < priv.base; i++)
        out[n++] = shared.r[i];
    out[n++] = priv;
    for (; i < shared.n; i++)
        out[n++] = shared.r[i];
    return n;
}

const void *guest_page_source(uint8_t os, uint64_t gpa)
{
    if (shared.holder == os) {
        uint64_t off = 0;
        for (unsigned i = 0; i < shared.n; i++) {
            uint64_t bytes = shared.r[i].pages * PAGE;
            if (inside(gpa, PAGE, shared.r[i].base, bytes))
                return shared.save + off + (gpa - shared.r[i].base);
            off += bytes;
        }
    }
    return phys_ptr(gpa);
}
