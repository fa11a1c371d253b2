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
 * How far the map reaches: x86/view_limit.h.
 */
#include "svm.h"

#include "../../../core/integrity.h"
#include "../../../core/log.h"
#include "../../../core/mem.h"
#include "../../../core/vmm.h"
#include "../../x86/cpu.h"
#include "idmap.h"
#include "../view_limit.h"

uint64_t svm_view_build(const struct mem_hole *holes, unsigned n)
{
    const enum idmap_leaf leaf = svm.page1g ? IDMAP_LEAF_1G : IDMAP_LEAF_2M;

    if (!svm.sink && !(svm.sink = mem_alloc_pages(1)))
        return 0;
    uint64_t root = view_tables(leaf, holes, n, mem_phys(svm.sink));
    if (!root)
        return 0;
    integrity_add_tables(root, "nested page tables");
    return root;
}
