/* SPDX-License-Identifier: MIT */
/*
 * 4-level x86-64 page tables (AMD APM vol. 2 §5.3, long-mode paging) built
 * from caller-supplied zeroed pages: the loader builds the VMM's host tables
 * with this, the VMM builds its nested (NPT) tables with it. Table pages are
 * addressed by physical address, which both callers can dereference (UEFI
 * and the VMM both identity-map physical memory).
 */
#ifndef SMX_IDMAP_H
#define SMX_IDMAP_H

#include <stdint.h>

#define PTE_P (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_US (1ull << 2)
/* AMD APM vol. 2 §7.8: PWT|PCD in a leaf entry make its page uncacheable
 * (PAT entry 3, UC, with the power-on PAT). */
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_PS (1ull << 7)
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

/* A zeroed 4 KiB page (its physical address), or 0 when out of memory. */
typedef uint64_t idmap_alloc_fn(void *ctx);

/* Identity-map [0, limit) with 1 GiB pages; returns the PML4's address or
 * 0. `flags` are added to every entry (NPT entries need PTE_US). */
uint64_t idmap_build(uint64_t limit, uint64_t flags, idmap_alloc_fn *alloc, void *ctx);

/* Map [va, va + len) to [pa, ...) with 2 MiB pages (all 2 MiB aligned). */
int idmap_map_2m(uint64_t pml4, uint64_t va, uint64_t pa, uint64_t len, uint64_t flags,
                 idmap_alloc_fn *alloc, void *ctx);

/* Point every 4 KiB page of [pa, pa + len) at `target` instead, splitting
 * large pages on the way; other addresses keep their mapping. */
int idmap_redirect_4k(uint64_t pml4, uint64_t pa, uint64_t len, uint64_t target, uint64_t flags,
                      idmap_alloc_fn *alloc, void *ctx);

#endif
