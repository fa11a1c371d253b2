/* SPDX-License-Identifier: MIT */
#include "mem.h"

#include <string.h>

#include "bootinfo.h"
#include "idmap.h"
#include "integrity.h"
#include "vmm.h"

static uint64_t base, next, end;

void mem_init(uint64_t region_base, uint64_t free_base, uint64_t region_end)
{
    base = region_base;
    next = (free_base + 4095) & ~4095ull;
    end = SMX_RESET_HINT_AT(region_base, region_end - region_base); /* the last page is the reset hint's */
    /* The region is reused at the same address every boot, and a warm reset
     * keeps RAM: what the last VMM left there must not read as this one's
     * (the integrity check holds unallocated pages to zero), and the reset
     * hint was the loader's to read, before this VMM started. */
    memset(phys_ptr(next), 0, region_end - next);
}

void *mem_alloc_pages(size_t n)
{
    uint64_t bytes = (uint64_t)n * 4096;

    if (n == 0 || next + bytes > end || next + bytes < next)
        return NULL;
    void *p = phys_ptr(next);
    next += bytes;
    memset(p, 0, bytes);
    return p;
}

uint64_t mem_phys(const void *p)
{
    uint64_t v = (uint64_t)(uintptr_t)p;

    if (v >= SMX_VMM_VBASE)
        return base + (v - SMX_VMM_VBASE);
    return v >= MEM_LOW_ALIAS ? v - MEM_LOW_ALIAS : v;
}

uint64_t mem_free_start(void)
{
    return next;
}

uint64_t mem_free_bytes(void)
{
    return end - next;
}

static uint64_t table_page(void *ctx)
{
    void *p = mem_alloc_pages(1);

    return p ? mem_phys(p) : 0;
}

volatile void *mem_map_mmio(uint64_t pa, uint64_t len)
{
    const uint64_t mib2 = 2ull << 20;
    const struct smx_bootinfo *bi = vmm.bi;

    if (pa + len <= bi->max_phys)
        return (volatile void *)phys_ptr(pa); /* the MTRRs make the MMIO hole uncached */
    if (pa + len < pa || pa + len > IDMAP_HOST_REACH)
        return NULL; /* its identity address would land in the VMM's half */
    uint64_t lo = pa & ~(mib2 - 1), hi = (pa + len + mib2 - 1) & ~(mib2 - 1);
    if (idmap_map_2m(bi->host_cr3, lo, lo, hi - lo, PTE_PCD | PTE_PWT, table_page, NULL))
        return NULL;
    uint64_t cr3;
    __asm__ volatile("mov %%cr3, %0; mov %0, %%cr3" : "=r"(cr3) : : "memory"); /* drop stale translations */
    integrity_tables_changed(bi->host_cr3);
    return (volatile void *)phys_ptr(pa);
}

int mem_low_alias_init(void)
{
    uint64_t cr3;

    if (idmap_map_2m(vmm.bi->host_cr3, MEM_LOW_ALIAS, 0, MEM_LOW_ALIAS_SIZE, 0, table_page, NULL))
        return -1;
    __asm__ volatile("mov %%cr3, %0; mov %0, %%cr3" : "=r"(cr3) : : "memory");
    return 0;
}
