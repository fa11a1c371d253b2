/* SPDX-License-Identifier: MIT */
/*
 * The VMM's memory: pages handed out from its region (bootinfo.free_base up
 * to the region's end), zeroed, never freed. Pointers are identity-mapped
 * physical addresses (the lower half of the VMM's address space maps all
 * physical memory 1:1), so a pointer is also the address hardware wants.
 */
#ifndef SMX_MEM_H
#define SMX_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "bootinfo.h"

void mem_init(uint64_t region_base, uint64_t free_base, uint64_t region_end);
/* n contiguous zeroed pages, or NULL when the region is exhausted. */
void *mem_alloc_pages(size_t n);
/* Physical address of a VMM pointer: image symbols (high half) or pages. */
uint64_t mem_phys(const void *p);
uint64_t mem_free_bytes(void);
/* The first unallocated byte: [mem_free_start(), + mem_free_bytes()) is free. */
uint64_t mem_free_start(void);
/*
 * Device registers at [pa, pa + len) as a pointer the VMM can use. The
 * host page tables identity-map [0, bi->max_phys) only; a range beyond
 * (OVMF puts 64-bit BARs high) is mapped here, uncached, with 2 MiB
 * pages. NULL when the page tables cannot grow.
 */
volatile void *mem_map_mmio(uint64_t pa, uint64_t len);

/*
 * Physical memory as a VMM pointer. The first 2 MiB are reached through an
 * alias just below the VMM's image instead of the identity map: physical
 * page 0 is real memory an OS uses (and an image restores), but its
 * identity address is the null pointer, which C may treat as "no memory".
 */
#define MEM_LOW_ALIAS (SMX_VMM_VBASE - MEM_LOW_ALIAS_SIZE)
#define MEM_LOW_ALIAS_SIZE (2ull << 20)
/* Map the alias (once, at start, before the integrity check's fingerprint). */
int mem_low_alias_init(void);

static inline void *phys_ptr(uint64_t pa)
{
    return (void *)(uintptr_t)(pa < MEM_LOW_ALIAS_SIZE ? MEM_LOW_ALIAS + pa : pa);
}

#endif
