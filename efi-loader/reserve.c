/* SPDX-License-Identifier: MIT */
#include "reserve.h"

#include <efilib.h>

#include "console.h"
#include "layout.h"
#include "memmap.h"
#include "vars.h"

#define MIB (1ull << 20)
#define HELD_MAX (SMX_MEMMAP_MAX + 3)

static struct smx_mem_range map[SMX_MEMMAP_MAX];
static struct smx_mem_range held[HELD_MAX];
static size_t nheld;

static EFI_STATUS hold(uint64_t base, uint64_t bytes)
{
    EFI_PHYSICAL_ADDRESS a = base;
    UINTN pages = bytes / LAYOUT_PAGE;
    EFI_STATUS st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAddress, EfiReservedMemoryType, pages, &a);

    if (!EFI_ERROR(st) && nheld < HELD_MAX)
        held[nheld++] = (struct smx_mem_range){ .base = base, .pages = pages };
    return st;
}

/* The unassigned ranges reserved this boot (for the VMM's copy of the map). */
static struct smx_mem_range un[SMX_MEMMAP_MAX];
static size_t n_un;
#define UNASSIGNED_PASSES 8

void loader_layout_release(void)
{
    n_un = 0;
    while (nheld) {
        nheld--;
        uefi_call_wrapper(BS->FreePages, 2, held[nheld].base, held[nheld].pages);
    }
}

static int get_map(size_t *n)
{
    loader_memmap(map, SMX_MEMMAP_MAX, n);
    if (*n > SMX_MEMMAP_MAX) {
        loader_log("layout: the memory map has %llu ranges, more than the %d the loader reads: no switching",
                   (unsigned long long)*n, SMX_MEMMAP_MAX);
        return 0;
    }
    return *n > 0;
}

/* The recorded layout if this boot may use it, or a new one, recorded. */
static int choose(const struct pol_config *cfg, uint64_t vmm_bytes, int image_waiting, const struct smx_mem_range *m,
                  size_t n, struct smx_layout *l, const char **how)
{
    static struct layout_record rec;
    char msg[256];
    EFI_STATUS st = loader_var_get(L"SleepmuxLayout", &rec, sizeof rec);

    if (EFI_ERROR(st) && st != EFI_NOT_FOUND) {
        loader_log("layout: the UEFI variable SleepmuxLayout is unreadable or not sleepmux's (%s): no switching",
                   efi_status_str(st));
        return 0;
    }
    if (!EFI_ERROR(st) && rec.magic == LAYOUT_RECORD_MAGIC && rec.version == LAYOUT_RECORD_VERSION) {
        int same = layout_record_matches(&rec, cfg, vmm_bytes);
        if (same || image_waiting) {
            if (!same)
                loader_log("layout: memory or vmm-memory changed, but an OS image waits in the store: "
                           "keeping the recorded layout until it has been restored");
            if (layout_check(m, n, &rec.layout, msg, sizeof msg) != LAYOUT_OK) {
                loader_log("layout: the recorded layout cannot be honoured this boot: %s; booting without "
                           "switching", msg);
                loader_memmap_log(m, n);
                return 0;
            }
            *l = rec.layout;
            *how = "reused";
            return 1;
        }
        loader_log("layout: memory or vmm-memory changed since the layout was recorded: computing it again");
    } else if (!EFI_ERROR(st)) {
        loader_log("layout: SleepmuxLayout has another format: computing the layout again");
    }
    if (layout_compute(m, n, cfg, vmm_bytes, l, msg, sizeof msg) != LAYOUT_OK) {
        loader_log("%s; booting without switching", msg);
        loader_memmap_log(m, n);
        return 0;
    }
    layout_record_make(&rec, cfg, vmm_bytes, l);
    st = loader_var_set(L"SleepmuxLayout", &rec, sizeof rec);
    if (EFI_ERROR(st)) {
        /* Unrecorded, the next boot could place the OSes elsewhere. */
        loader_log("layout: cannot record it in the UEFI variable SleepmuxLayout: %s; booting without switching",
                   efi_status_str(st));
        return 0;
    }
    *how = "recorded";
    return 1;
}

const struct smx_mem_range *loader_unassigned(size_t *k)
{
    *k = n_un;
    return un;
}

int loader_layout_reserve(const struct pol_config *cfg, uint8_t os, uint64_t vmm_bytes, int image_waiting,
                          struct smx_layout *out)
{
    const char *how = "";
    size_t n;
    EFI_STATUS st;
    uint8_t other = pol_other(os);

    if (!get_map(&n) || !choose(cfg, vmm_bytes, image_waiting, map, n, out, &how))
        return 0;
    const struct { const char *what; uint64_t base, bytes; } named[3] = {
        { other == POL_OS_A ? "A-private" : "B-private", out->private_base[other], out->private_size[other] },
        { "the VMM region", out->region_base, out->region_size },
        { "the wake trampoline", out->trampoline_base, LAYOUT_PAGE },
    };
    for (int i = 0; i < 3; i++) {
        st = hold(named[i].base, named[i].bytes);
        if (EFI_ERROR(st)) {
            loader_log("layout: cannot reserve %s %#llx+%llu KiB: %s; booting without switching", named[i].what,
                       (unsigned long long)named[i].base, (unsigned long long)(named[i].bytes >> 10),
                       efi_status_str(st));
            loader_layout_release();
            return 0;
        }
    }
    /* What is left above 1 MiB outside os's range, so that whatever os
     * allocates from here on (its kernel, its EFI stub's buffers) lands in
     * its own private range. */
    /* Each reservation may split the firmware's map, and the firmware then
     * takes a page for its own bookkeeping, from the top of free memory:
     * a range found free a moment ago can be partly gone. Take what is
     * still free, and look again until nothing unassigned is left. */
    static struct smx_mem_range found[SMX_MEMMAP_MAX];
    uint64_t bytes = 0;
    n_un = 0;
    for (int pass = 0; pass < UNASSIGNED_PASSES; pass++) {
        if (!get_map(&n)) {
            loader_layout_release();
            return 0;
        }
        size_t k = layout_unassigned(map, n, out, os, found, SMX_MEMMAP_MAX), missed = 0;
        for (size_t i = 0; i < k && i < SMX_MEMMAP_MAX; i++) {
            st = hold(found[i].base, found[i].pages * LAYOUT_PAGE);
            if (st == EFI_NOT_FOUND) {
                missed++; /* the firmware took part of it meanwhile: the next pass sees what is left */
                continue;
            }
            if (EFI_ERROR(st) || n_un == SMX_MEMMAP_MAX) {
                loader_log("layout: cannot reserve unassigned memory %#llx+%llu KiB: %s; booting without switching",
                           (unsigned long long)found[i].base, (unsigned long long)(found[i].pages * 4),
                           EFI_ERROR(st) ? efi_status_str(st) : "too many ranges");
                loader_layout_release();
                return 0;
            }
            un[n_un++] = found[i];
            bytes += found[i].pages * LAYOUT_PAGE;
        }
        if (!missed)
            break;
    }
    size_t k = n_un;
    loader_log("layout: unassigned: %llu ranges, %llu MiB reserved (no OS uses them)", (unsigned long long)k,
               (unsigned long long)(bytes / MIB));
    if (!get_map(&n)) {
        loader_layout_release();
        return 0;
    }
    loader_log("layout: A-private %#llx+%llu MiB, B-private %#llx+%llu MiB, VMM %#llx+%llu MiB, trampoline %#llx, "
               "shared set %llu MiB (%s)",
               (unsigned long long)out->private_base[0], (unsigned long long)(out->private_size[0] / MIB),
               (unsigned long long)out->private_base[1], (unsigned long long)(out->private_size[1] / MIB),
               (unsigned long long)out->region_base, (unsigned long long)(out->region_size / MIB),
               (unsigned long long)out->trampoline_base,
               (unsigned long long)(layout_shared_bytes(map, n, out) / MIB), how);
    return 1;
}

int loader_reset_hint(void)
{
    static struct layout_record rec;

    if (EFI_ERROR(loader_var_get(L"SleepmuxLayout", &rec, sizeof rec)) || rec.magic != LAYOUT_RECORD_MAGIC)
        return -1;
    const struct smx_layout *l = &rec.layout;
    if (!l->region_size || l->region_base + l->region_size < l->region_base)
        return -1;
    volatile struct smx_reset_hint *h =
        (volatile struct smx_reset_hint *)(uintptr_t)SMX_RESET_HINT_AT(l->region_base, l->region_size);
    int os = -1;
    if (h->magic == SMX_RESET_HINT_MAGIC && h->os <= POL_OS_B &&
        h->check == (~h->os ^ (uint32_t)SMX_RESET_HINT_MAGIC))
        os = (int)h->os;
    if (h->magic == SMX_RESET_HINT_MAGIC) {
        /* Read once: a later reset without a hint boots the default. */
        h->magic = 0;
        h->os = 0;
        h->check = 0;
    }
    if (os >= 0)
        loader_log("the VMM's last reset asks for OS %c", 'A' + os);
    return os;
}
