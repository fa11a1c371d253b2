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
