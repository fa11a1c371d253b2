/* SPDX-License-Identifier: MIT */
/*
 * 4-level x86-64 page tables (AMD APM vol. 2 §5.3, long-mode paging) built
 * from caller-supplied zeroed pages: the loader builds the VMM's host tables
 * with this, the VMM builds its nested (NPT) tables with it. Table pages are
 * addressed by physical address, which both callers can dereference (UEFI
 * and the VMM both identity-map physical memory).
 *
 * Pure: what the CPU can do (1 GiB pages, physical-address width) is probed
 * by the caller and passed in.
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

/* What 4 levels translate: 4 x 9 index bits + 12 offset bits (APM vol. 2
 * §5.3.1). A CPU may report up to 52 physical-address bits (CPUID
 * 80000008H EAX[7:0]); an address at or above this would index the tables
 * modulo 2^48 and land on low memory, so nothing here maps it. */
#define IDMAP_REACH (1ull << 48)
/* A virtual address in the upper canonical half (the VMM's own mapping at
 * SMX_VMM_VBASE) is indexed by its low 48 bits like any other. */
#define IDMAP_UPPER_HALF 0xffff800000000000ull
/* Host tables identity-map physical memory at the same virtual addresses,
 * so only the lower canonical half can hold it (APM vol. 2 §2.2.1.3): a
 * physical address from 2^47 on would share entries with the upper half,
 * where the VMM's own image is. Nested tables have no such half: guest-
 * physical addresses reach IDMAP_REACH. */
#define IDMAP_HOST_REACH (IDMAP_REACH / 2)

/* The leaf size of the identity map: 1 GiB pages need CPUID 80000001H EDX
 * bit 26 (Page1GB, APM vol. 3 §E.4.2); 2 MiB pages every long-mode CPU has. */
enum idmap_leaf { IDMAP_LEAF_1G, IDMAP_LEAF_2M };

/* A zeroed 4 KiB page (its physical address), or 0 when out of memory. */
typedef uint64_t idmap_alloc_fn(void *ctx);

/* Identity-map [0, limit) (rounded up to the leaf size) with `leaf` pages;
 * returns the PML4's address, or 0 when out of memory or when `limit` is
 * beyond IDMAP_REACH (the caller caps, and says so). `flags` are added to
 * every entry (NPT entries need PTE_US). */
uint64_t idmap_build(uint64_t limit, enum idmap_leaf leaf, uint64_t flags, idmap_alloc_fn *alloc, void *ctx);

/* How many table pages idmap_build(limit, leaf, ...) takes (limit within
 * IDMAP_REACH): what a caller weighs before choosing how far to map. */
uint64_t idmap_table_pages(uint64_t limit, enum idmap_leaf leaf);

/* Map [va, va + len) to [pa, ...) with 2 MiB pages (all 2 MiB aligned).
 * -1 when out of memory or when either range is outside what the tables
 * translate (below IDMAP_REACH, or va in the upper canonical half). */
int idmap_map_2m(uint64_t pml4, uint64_t va, uint64_t pa, uint64_t len, uint64_t flags,
                 idmap_alloc_fn *alloc, void *ctx);

/* Point every 4 KiB page of [pa, pa + len) at `target` instead, splitting
 * large pages on the way; other addresses keep their mapping. -1 as above. */
int idmap_redirect_4k(uint64_t pml4, uint64_t pa, uint64_t len, uint64_t target, uint64_t flags,
                      idmap_alloc_fn *alloc, void *ctx);

/* Map every 4 KiB page of [pa, pa + len) to itself with exactly
 * `leaf_flags` (no PTE_P: not present; no PTE_RW: read-only), splitting
 * large pages on the way: how a nested view makes a device page trap. */
int idmap_protect_4k(uint64_t pml4, uint64_t pa, uint64_t len, uint64_t leaf_flags, uint64_t flags,
                     idmap_alloc_fn *alloc, void *ctx);

#endif
