/*
 * Nested page tables (APM vol. 2 §15.25): guest-physical == host-physical
 * everywhere (DESIGN.md, "Memory model": devices DMA to guest-physical
 * addresses with no IOMMU, so memory is never remapped), except the VMM's
 * own memory. Every page of the VMM region and of the wake trampoline maps
 * to one sink page instead: guest reads there see no VMM data, guest writes
 * land in the sink, and no exit is taken (a para-passthrough VMM must not
 * trap for this). Nested entries need the U/S bit: nested walks are user
 * accesses (§15.25.5).
 */
#include "svm.h"

#include "../../../core/integrity.h"
#include "../../../core/log.h"
#include "../../../core/mem.h"
#include "../../x86/cpu.h"
#include "../idmap.h"

static uint64_t alloc_table(void *ctx)
{
    void *p = mem_alloc_pages(1);

    return p ? mem_phys(p) : 0;
}

int svm_npt_build(const struct smx_bootinfo *bi)
{
    unsigned bits = cpuid(0x80000008u, 0).eax & 0xff;
    uint64_t limit = 1ull << (bits < 32 ? 32 : bits > 52 ? 52 : bits);
    void *sink = mem_alloc_pages(1);

    if (!sink)
        return -1;
    svm.npt = idmap_build(limit, PTE_US, alloc_table, NULL);
    if (!svm.npt ||
        idmap_redirect_4k(svm.npt, bi->region_base, bi->region_size, mem_phys(sink), PTE_US, alloc_table, NULL) ||
        idmap_redirect_4k(svm.npt, bi->trampoline_base, 4096, mem_phys(sink), PTE_US, alloc_table, NULL))
        return -1;
    integrity_add_tables(svm.npt, "nested page tables");
    smx_log("svm", "nested paging: identity map of %u-bit physical space, region %#llx+%#llx and "
            "trampoline %#llx hidden behind a sink page", bits, (unsigned long long)bi->region_base,
            (unsigned long long)bi->region_size, (unsigned long long)bi->trampoline_base);
    return 0;
}
