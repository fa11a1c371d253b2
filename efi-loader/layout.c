/* SPDX-License-Identifier: MIT */
#include "layout.h"

#include <string.h>

#include "fmt.h"

#define ALIGN SMX_REGION_ALIGN
#define MIB (1ull << 20)
#define RUNS_MAX (2 * SMX_MEMMAP_MAX)

struct run {
    uint64_t base, end;
};

static uint64_t align_up(uint64_t v)
{
    return (v + ALIGN - 1) & ~(ALIGN - 1);
}

static uint64_t align_down(uint64_t v)
{
    return v & ~(ALIGN - 1);
}

static uint64_t range_end(const struct smx_mem_range *r)
{
    return r->base + r->pages * LAYOUT_PAGE;
}

/* Free conventional memory at or above `floor`, sorted and merged: the
 * firmware neither sorts its map nor promises to coalesce neighbours. */
static size_t free_runs(const struct smx_mem_range *map, size_t n, uint64_t floor, struct run *out)
{
    size_t k = 0;

    for (size_t i = 0; i < n && k < RUNS_MAX; i++) {
        if (map[i].type != LAYOUT_EFI_CONVENTIONAL || range_end(&map[i]) <= floor)
            continue;
        struct run r = { map[i].base < floor ? floor : map[i].base, range_end(&map[i]) };
        size_t j = k++;
        while (j > 0 && out[j - 1].base > r.base) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = r;
    }
    size_t m = 0;
    for (size_t i = 0; i < k; i++) {
        if (m && out[m - 1].end >= out[i].base) {
            if (out[i].end > out[m - 1].end)
                out[m - 1].end = out[i].end;
        } else {
            out[m++] = out[i];
        }
    }
    return m;
}

/* Remove [b, e) from the runs (they stay sorted and disjoint). */
static size_t cut(struct run *runs, size_t n, uint64_t b, uint64_t e)
{
    struct run tmp[RUNS_MAX];
    size_t m = 0;

    if (b >= e)
        return n;
    for (size_t i = 0; i < n; i++) {
        if (runs[i].end <= b || runs[i].base >= e) {
            tmp[m++] = runs[i];
            continue;
        }
        if (runs[i].base < b && m < RUNS_MAX)
            tmp[m++] = (struct run){ runs[i].base, b };
        if (runs[i].end > e && m < RUNS_MAX)
            tmp[m++] = (struct run){ e, runs[i].end };
    }
    memcpy(runs, tmp, m * sizeof *tmp);
    return m;
}

/* The run with the most 2 MiB-aligned bytes below `limit` (0: no limit);
 * ties go to the lower address. Returns its aligned bounds, or 0 bytes. */
static uint64_t largest(const struct run *runs, size_t n, uint64_t limit, uint64_t *base, uint64_t *end)
{
    uint64_t best = 0;

    for (size_t i = 0; i < n; i++) {
        uint64_t b = align_up(runs[i].base), e = runs[i].end;
        if (limit && e > limit)
            e = limit;
        e = align_down(e);
        if (e > b && e - b > best) {
            best = e - b;
            *base = b;
            *end = e;
        }
    }
    return best;
}

static uint64_t highest_low_page(const struct smx_mem_range *map, size_t n)
{
    uint64_t best = 0;

    for (size_t i = 0; i < n; i++) {
        if (map[i].type != LAYOUT_EFI_CONVENTIONAL)
            continue;
        uint64_t e = range_end(&map[i]);
        if (e > LAYOUT_TRAMPOLINE_LIMIT)
            e = LAYOUT_TRAMPOLINE_LIMIT;
        /* Page 0 holds the real-mode IVT and BIOS data: never. */
        uint64_t b = map[i].base < LAYOUT_PAGE ? LAYOUT_PAGE : map[i].base;
        if (e >= b + LAYOUT_PAGE && e - LAYOUT_PAGE > best)
            best = e - LAYOUT_PAGE;
    }
    return best;
}

enum layout_err layout_compute(const struct smx_mem_range *map, size_t n, const struct pol_config *cfg,
                               uint64_t vmm_bytes, struct smx_layout *out, char *msg, size_t msglen)
{
    struct run runs[RUNS_MAX];
    uint64_t b = 0, e = 0;

    memset(out, 0, sizeof *out);
    if (!map || !n || !cfg || !vmm_bytes || vmm_bytes % ALIGN) {
        smx_snprintf(msg, msglen, "layout: no memory map, or a VMM size that is not a multiple of 2 MiB");
        return LAYOUT_E_ARG;
    }
    size_t nr = free_runs(map, n, LAYOUT_1M, runs);

    /* The VMM: high end of the largest free run below 4 GiB (the VMM's
     * region must be, bootinfo.h), under the headroom when there is room. */
    uint64_t size = largest(runs, nr, LAYOUT_4G, &b, &e);
    if (size < vmm_bytes) {
        smx_snprintf(msg, msglen,
                     "layout: the VMM needs %llu MiB in one free run below 4 GiB; the largest is %llu MiB",
                     (unsigned long long)(vmm_bytes / MIB), (unsigned long long)(size / MIB));
        return LAYOUT_E_VMM;
    }
    uint64_t head = align_down(size - vmm_bytes < LAYOUT_HEADROOM ? size - vmm_bytes : LAYOUT_HEADROOM);
    out->region_base = e - head - vmm_bytes;
    out->region_size = vmm_bytes;
    /* The headroom is nobody's: keep the private ranges out of it too. */
    uint64_t run_end = e;
    for (size_t i = 0; i < nr; i++)
        if (runs[i].base <= out->region_base && runs[i].end >= e)
            run_end = runs[i].end < LAYOUT_4G ? runs[i].end : LAYOUT_4G;
    nr = cut(runs, nr, out->region_base, run_end);

    out->trampoline_base = highest_low_page(map, n);
    if (!out->trampoline_base) {
        smx_snprintf(msg, msglen, "layout: no free page below 640 KiB for the wake trampoline");
        return LAYOUT_E_TRAMPOLINE;
    }

    size = largest(runs, nr, 0, &b, &e);
    if (size < ALIGN) {
        smx_snprintf(msg, msglen, "layout: no free 2 MiB-aligned memory above 1 MiB is left for the OSes");
        return LAYOUT_E_FIT;
    }
    uint64_t mib[2];
    struct pol_error perr;
    if (pol_memory_split(cfg, size / MIB, mib, &perr) != POL_OK) {
        smx_snprintf(msg, msglen, "layout: %s (the largest free run is %#llx+%llu MiB)", perr.msg,
                     (unsigned long long)b, (unsigned long long)(size / MIB));
        return LAYOUT_E_SHARES;
    }
    uint64_t at = b;
    for (int os = 0; os < 2; os++) {
        out->private_base[os] = at;
        out->private_size[os] = align_down(mib[os] * MIB);
        at += out->private_size[os];
    }
    if (at > e) { /* pol_memory_split keeps within size: cannot happen */
        smx_snprintf(msg, msglen, "layout: A and B need %llu MiB, the largest free run has %llu MiB",
                     (unsigned long long)((at - b) / MIB), (unsigned long long)(size / MIB));
        return LAYOUT_E_FIT;
    }
    return LAYOUT_OK;
}

/* Is [base, base+len) all free conventional memory? If not, say what is
 * in the way of `name`. */
static int range_free(const struct smx_mem_range *map, size_t n, const char *name, uint64_t base, uint64_t len,
                      char *msg, size_t msglen)
{
    uint64_t cur = base, end = base + len;

    while (cur < end) {
        size_t i;
        for (i = 0; i < n; i++)
            if (map[i].type == LAYOUT_EFI_CONVENTIONAL && map[i].base <= cur && cur < range_end(&map[i]))
                break;
        if (i < n) {
            cur = range_end(&map[i]);
            continue;
        }
        for (i = 0; i < n; i++)
            if (map[i].base <= cur && cur < range_end(&map[i]))
                break;
        if (i < n)
            smx_snprintf(msg, msglen, "%s %#llx+%llu MiB: %#llx-%#llx is %s", name, (unsigned long long)base,
                         (unsigned long long)(len / MIB), (unsigned long long)map[i].base,
                         (unsigned long long)range_end(&map[i]) - 1, layout_type_name(map[i].type));
        else
            smx_snprintf(msg, msglen, "%s %#llx+%llu MiB: %#llx is not in the memory map", name,
                         (unsigned long long)base, (unsigned long long)(len / MIB), (unsigned long long)cur);
        return 0;
    }
    return 1;
}

enum layout_err layout_check(const struct smx_mem_range *map, size_t n, const struct smx_layout *l, char *msg,
                             size_t msglen)
{
    if (!range_free(map, n, "A-private", l->private_base[POL_OS_A], l->private_size[POL_OS_A], msg, msglen) ||
        !range_free(map, n, "B-private", l->private_base[POL_OS_B], l->private_size[POL_OS_B], msg, msglen) ||
        !range_free(map, n, "the VMM region", l->region_base, l->region_size, msg, msglen) ||
        !range_free(map, n, "the wake trampoline", l->trampoline_base, LAYOUT_PAGE, msg, msglen))
        return LAYOUT_E_IN_THE_WAY;
    return LAYOUT_OK;
}

static int usable(uint32_t type)
{
    switch (type) {
    case LAYOUT_EFI_LOADER_CODE:
    case LAYOUT_EFI_LOADER_DATA:
    case LAYOUT_EFI_BS_CODE:
    case LAYOUT_EFI_BS_DATA:
    case LAYOUT_EFI_RT_CODE:
    case LAYOUT_EFI_RT_DATA:
    case LAYOUT_EFI_CONVENTIONAL:
    case LAYOUT_EFI_ACPI_RECLAIM:
    case LAYOUT_EFI_ACPI_NVS:
        return 1;
    }
    return 0;
}

static uint64_t overlap(uint64_t b1, uint64_t e1, uint64_t b2, uint64_t e2)
{
    uint64_t b = b1 > b2 ? b1 : b2, e = e1 < e2 ? e1 : e2;
    return e > b ? e - b : 0;
}

uint64_t layout_shared_bytes(const struct smx_mem_range *map, size_t n, const struct smx_layout *l)
{
    const uint64_t xb[4] = { l->private_base[0], l->private_base[1], l->region_base, l->trampoline_base };
    const uint64_t xl[4] = { l->private_size[0], l->private_size[1], l->region_size,
                             l->trampoline_base ? LAYOUT_PAGE : 0 };
    uint64_t total = 0;

    for (size_t i = 0; i < n; i++) {
        if (!usable(map[i].type))
            continue;
        uint64_t b = map[i].base, e = range_end(&map[i]), bytes = e - b;
        /* The excluded ranges are disjoint, so their overlaps add up. */
        for (int k = 0; k < 4; k++)
            bytes -= overlap(b, e, xb[k], xb[k] + xl[k]);
        total += bytes;
    }
    return total;
}

size_t layout_unassigned(const struct smx_mem_range *map, size_t n, const struct smx_layout *l, uint8_t os,
                         struct smx_mem_range *out, size_t max)
{
    struct run runs[RUNS_MAX];
    size_t nr = free_runs(map, n, LAYOUT_1M, runs);

    (void)os; /* both private ranges leave: os's is its own, the other's is reserved by name */
    for (int k = 0; k < 2; k++)
        nr = cut(runs, nr, l->private_base[k], l->private_base[k] + l->private_size[k]);
    nr = cut(runs, nr, l->region_base, l->region_base + l->region_size);
    nr = cut(runs, nr, l->trampoline_base, l->trampoline_base + LAYOUT_PAGE);
    for (size_t i = 0; i < nr && i < max; i++)
        out[i] = (struct smx_mem_range){ .base = runs[i].base,
                                         .pages = (runs[i].end - runs[i].base) / LAYOUT_PAGE,
                                         .type = LAYOUT_EFI_CONVENTIONAL };
    return nr;
}

const char *layout_type_name(uint32_t type)
{
    static const char *const names[] = {
        "reserved",          "loader code",      "loader data",      "boot-services code",
        "boot-services data", "runtime code",    "runtime data",     "free memory",
        "unusable memory",   "ACPI reclaim",     "ACPI NVS",         "memory-mapped I/O",
        "I/O port space",    "PAL code",         "persistent memory", "unaccepted memory",
    };
    return type < sizeof names / sizeof names[0] ? names[type] : "an OEM or OS type";
}

void layout_record_make(struct layout_record *r, const struct pol_config *cfg, uint64_t vmm_bytes,
                        const struct smx_layout *l)
{
    memset(r, 0, sizeof *r);
    r->magic = LAYOUT_RECORD_MAGIC;
    r->version = LAYOUT_RECORD_VERSION;
    r->vmm_mib = (uint32_t)(vmm_bytes / MIB);
    r->share[0] = cfg->os[0].memory;
    r->share[1] = cfg->os[1].memory;
    r->layout = *l;
}

int layout_record_matches(const struct layout_record *r, const struct pol_config *cfg, uint64_t vmm_bytes)
{
    return r->magic == LAYOUT_RECORD_MAGIC && r->version == LAYOUT_RECORD_VERSION &&
           r->vmm_mib == vmm_bytes / MIB && !memcmp(&r->share[0], &cfg->os[0].memory, sizeof r->share[0]) &&
           !memcmp(&r->share[1], &cfg->os[1].memory, sizeof r->share[1]);
}

/* Split map[i] at physical address `at` (inside it) into two entries. */
static bool split_at(struct smx_mem_range *map, size_t *n, size_t max, size_t i, uint64_t at)
{
    if (*n >= max)
        return false;
    memmove(&map[i + 1], &map[i], (*n - i) * sizeof *map);
    uint64_t head = (at - map[i].base) / LAYOUT_PAGE;
    map[i + 1].base = at;
    map[i + 1].pages = map[i].pages - head;
    map[i].pages = head;
    ++*n;
    return true;
}

size_t layout_tag(struct smx_mem_range *map, size_t n, size_t max, const struct smx_mem_range *ranges, size_t k,
                  uint32_t type)
{
    for (size_t r = 0; r < k; r++) {
        uint64_t rb = ranges[r].base, re = rb + ranges[r].pages * LAYOUT_PAGE;
        for (size_t i = 0; i < n; i++) {
            uint64_t b = map[i].base, e = b + map[i].pages * LAYOUT_PAGE;
            if (map[i].type != 0 /* EfiReservedMemoryType */ || e <= rb || b >= re)
                continue;
            if (b < rb) {
                if (!split_at(map, &n, max, i, rb))
                    return n;
                continue; /* the tail is the next entry */
            }
            if (e > re && !split_at(map, &n, max, i, re))
                return n;
            map[i].type = type;
        }
    }
    return n;
}
