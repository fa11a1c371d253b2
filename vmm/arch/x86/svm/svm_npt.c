/* SPDX-License-Identifier: MIT */
/*
 * Nested page tables (APM vol. 2 §15.25): guest-physical == host-physical
 * everywhere (DESIGN.md, "Memory model": devices DMA to guest-physical
 * addresses with no IOMMU, so memory is never remapped), except what a view
 * hides: the VMM's own memory, the wake trampoline and the parked OS's
 * private range. Every hidden page maps to one sink page: guest reads there
 * see nothing of what is behind it, guest writes land in the sink, and no
 * exit is taken (a para-passthrough VMM must not trap for this). Nested
 * entries need the U/S bit: nested walks are user accesses (§15.25.5).
 * One table per OS; switching OSes switches the table, never an entry.
 *
 * The map covers the CPU's whole physical-address space (CPUID 80000008H
 * EAX[7:0], APM vol. 3 §E.4.7), where devices' BARs may be placed, up to
 * what 4-level tables translate (IDMAP_REACH). Without 1 GiB pages every
 * GiB costs a 4 KiB table, so the map then stops where a share of the VMM's
 * memory runs out, never below the RAM and devices the loader mapped.
 */
#include "svm.h"

#include "../../../core/integrity.h"
#include "../../../core/log.h"
#include "../../../core/mem.h"
#include "../../../core/vmm.h"
#include "../../x86/cpu.h"
#include "idmap.h"

static uint64_t alloc_table(void *ctx)
{
    void *p = mem_alloc_pages(1);

    return p ? mem_phys(p) : 0;
}

/* Of the VMM's free memory, what one view's identity map may take. */
#define VIEW_TABLE_SHARE 8

/* Chosen at the first view and kept: every view maps the same range. */
static uint64_t view_limit(enum idmap_leaf leaf)
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

uint64_t svm_view_build(const struct mem_hole *holes, unsigned n)
{
    const enum idmap_leaf leaf = svm.page1g ? IDMAP_LEAF_1G : IDMAP_LEAF_2M;
    uint64_t limit = view_limit(leaf);

    if (!svm.sink && !(svm.sink = mem_alloc_pages(1)))
        return 0;
    uint64_t root = idmap_build(limit, leaf, PTE_US, alloc_table, NULL);
    if (!root)
        return 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t base = holes[i].base & ~0xfffull;
        uint64_t end = (holes[i].base + holes[i].size + 0xfff) & ~0xfffull;
        if (end <= base)
            continue;
        /* A trapped page maps to itself without the right that must exit:
         * write (read-only) or any access (not present), §15.25.6. */
        int err = holes[i].kind == HOLE_SINK
                      ? idmap_redirect_4k(root, base, end - base, mem_phys(svm.sink), PTE_US, alloc_table, NULL)
                      : idmap_protect_4k(root, base, end - base,
                                         holes[i].kind == HOLE_TRAP_WRITE ? PTE_P | PTE_US : 0, PTE_US,
                                         alloc_table, NULL);
        if (err)
            return 0;
    }
    integrity_add_tables(root, "nested page tables");
    return root;
}
