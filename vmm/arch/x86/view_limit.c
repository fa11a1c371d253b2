/* SPDX-License-Identifier: MIT */
#include "view_limit.h"

#include "../../core/log.h"
#include "../../core/mem.h"
#include "../../core/vmm.h"
#include "cpu.h"

/* Of the VMM's free memory, what one view's identity map may take. */
#define VIEW_TABLE_SHARE 8

uint64_t view_limit(enum idmap_leaf leaf)
{
    static uint64_t chosen;
    if (chosen)
        return chosen;
    unsigned bits = cpuid(0x80000008u, 0).eax & 0xff;
    uint64_t limit = 1ull << (bits < 32 ? 32 : bits > 52 ? 52 : bits);
    uint64_t floor = vmm.bi->max_phys, budget = mem_free_bytes() / 4096 / VIEW_TABLE_SHARE;

    if (limit > IDMAP_REACH) {
        smx_log("npt", "the CPU has %u physical-address bits: guest-physical memory above %#llx "
                "is not mapped (4-level nested paging)", bits, (unsigned long long)IDMAP_REACH);
        limit = IDMAP_REACH;
    }
    const uint64_t whole = limit;
    while (limit / 2 >= floor && idmap_table_pages(limit, leaf) > budget)
        limit /= 2;
    if (leaf == IDMAP_LEAF_2M)
        smx_log("npt", "no 1 GiB pages: 2 MiB pages map guest-physical [0, %#llx), %llu KiB per view%s",
                (unsigned long long)limit, (unsigned long long)idmap_table_pages(limit, leaf) * 4,
                limit < whole ? ": a device above is a nested page fault" : "");
    return chosen = limit;
}

static uint64_t table_page(void *ctx)
{
    (void)ctx;
    void *p = mem_alloc_pages(1);
    return p ? mem_phys(p) : 0;
}

uint64_t view_tables(enum idmap_leaf leaf, const struct mem_hole *holes, unsigned n, uint64_t sink)
{
    uint64_t root = idmap_build(view_limit(leaf), leaf, PTE_US, table_page, NULL);

    if (!root)
        return 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t base = holes[i].base & ~0xfffull;
        uint64_t end = (holes[i].base + holes[i].size + 0xfff) & ~0xfffull;
        if (end <= base)
            continue;
        /* A trapped page maps to itself without the right that must exit:
         * write (read-only) or any access (not present); AMD APM vol. 2
         * §15.25.6, Intel SDM vol. 3C §28.3.3.2. */
        int err = holes[i].kind == HOLE_SINK
                      ? idmap_redirect_4k(root, base, end - base, sink, PTE_US, table_page, NULL)
                      : idmap_protect_4k(root, base, end - base,
                                         holes[i].kind == HOLE_TRAP_WRITE ? PTE_P | PTE_US : 0, PTE_US,
                                         table_page, NULL);
        if (err)
            return 0;
    }
    return root;
}
