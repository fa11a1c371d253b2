/* SPDX-License-Identifier: MIT */
#include "idmap.h"

#include <stddef.h>

#define ENTRIES 512
#define GIB (1ull << 30)
#define MIB2 (1ull << 21)
#define KIB4 (1ull << 12)
#define L4_SPAN (1ull << 39) /* what one PML4 entry covers */
#define PA_LIMIT (1ull << 52) /* the widest physical address an entry holds (APM vol. 2 §5.3.3) */

static uint64_t *table(uint64_t pa)
{
    return (uint64_t *)(uintptr_t)pa;
}

/* Can the tables translate [a, a + len)? An index is 9 bits of the
 * address, so only the low 48 bits (and their sign extension) count. */
static int translatable(uint64_t a, uint64_t len)
{
    uint64_t last = a + len - 1;

    return len == 0 || (last >= a && (last < IDMAP_REACH || a >= IDMAP_UPPER_HALF));
}

static int addressable(uint64_t pa, uint64_t len)
{
    return len == 0 || (pa + len - 1 >= pa && pa + len - 1 < PA_LIMIT);
}

static unsigned index_of(uint64_t va, unsigned level) /* level 4 = PML4 .. 1 = PT */
{
    return (unsigned)((va >> (12 + 9 * (level - 1))) & (ENTRIES - 1));
}

/* The entry for `va` at `level`, creating intermediate tables (and
 * splitting a large page into next-level entries that map the same range)
 * on the way down. */
static uint64_t *walk(uint64_t pml4, uint64_t va, unsigned level, uint64_t flags,
                      idmap_alloc_fn *alloc, void *ctx)
{
    uint64_t *t = table(pml4);

    for (unsigned l = 4; l > level; l--) {
        uint64_t *e = &t[index_of(va, l)];
        if (!(*e & PTE_P) || (*e & PTE_PS)) {
            uint64_t next = alloc(ctx);
            if (!next)
                return NULL;
            if (*e & PTE_PS) {
                /* Split: the new table maps the large page's range exactly. */
                uint64_t base = *e & PTE_ADDR & ~((1ull << (12 + 9 * (l - 1))) - 1);
                uint64_t step = 1ull << (12 + 9 * (l - 2));
                uint64_t keep = (*e & ~PTE_ADDR) & ~(l - 1 == 1 ? PTE_PS : 0);
                for (unsigned i = 0; i < ENTRIES; i++)
                    table(next)[i] = (base + i * step) | keep;
            }
            *e = next | PTE_P | PTE_RW | flags;
        }
        t = table(*e & PTE_ADDR);
    }
    return &t[index_of(va, level)];
}

static uint64_t leaf_size(enum idmap_leaf leaf)
{
    return leaf == IDMAP_LEAF_1G ? GIB : MIB2;
}

uint64_t idmap_table_pages(uint64_t limit, enum idmap_leaf leaf)
{
    uint64_t pdpts = (limit + L4_SPAN - 1) / L4_SPAN;
    uint64_t pds = leaf == IDMAP_LEAF_2M ? (limit + GIB - 1) / GIB : 0;

    return 1 + pdpts + pds;
}

uint64_t idmap_build(uint64_t limit, enum idmap_leaf leaf, uint64_t flags, idmap_alloc_fn *alloc, void *ctx)
{
    const uint64_t step = leaf_size(leaf);
    const unsigned level = leaf == IDMAP_LEAF_1G ? 3 : 2;

    if (limit > IDMAP_REACH)
        return 0; /* beyond 2^48 the indices wrap: the caller caps */
    uint64_t pml4 = alloc(ctx);
    if (!pml4)
        return 0;
    for (uint64_t a = 0; a < limit; a += step) {
        uint64_t *e = walk(pml4, a, level, flags, alloc, ctx);
        if (!e)
            return 0;
        *e = a | PTE_P | PTE_RW | PTE_PS | flags;
    }
    return pml4;
}

int idmap_map_2m(uint64_t pml4, uint64_t va, uint64_t pa, uint64_t len, uint64_t flags,
                 idmap_alloc_fn *alloc, void *ctx)
{
    if ((va | pa | len) & (MIB2 - 1) || !translatable(va, len) || !addressable(pa, len))
        return -1;
    for (uint64_t off = 0; off < len; off += MIB2) {
        uint64_t *e = walk(pml4, va + off, 2, flags, alloc, ctx);
        if (!e)
            return -1;
        *e = (pa + off) | PTE_P | PTE_RW | PTE_PS | flags;
    }
    return 0;
}

/* Every 4 KiB page of [pa, pa + len) becomes `leaf` over `to` (one target
 * for all pages), or over itself when `to` is ~0; not present without
 * PTE_P. */
static int set_4k(uint64_t pml4, uint64_t pa, uint64_t len, uint64_t to, uint64_t leaf, uint64_t flags,
                  idmap_alloc_fn *alloc, void *ctx)
{
    if ((pa | len) & (KIB4 - 1) || !translatable(pa, len))
        return -1;
    for (uint64_t off = 0; off < len; off += KIB4) {
        uint64_t *e = walk(pml4, pa + off, 1, flags, alloc, ctx);
        if (!e)
            return -1;
        *e = leaf & PTE_P ? (to == ~0ull ? pa + off : to) | leaf : 0;
    }
    return 0;
}

int idmap_redirect_4k(uint64_t pml4, uint64_t pa, uint64_t len, uint64_t target, uint64_t flags,
                      idmap_alloc_fn *alloc, void *ctx)
{
    if (target & (KIB4 - 1) || !addressable(target, KIB4))
        return -1;
    return set_4k(pml4, pa, len, target, PTE_P | PTE_RW | flags, flags, alloc, ctx);
}

int idmap_protect_4k(uint64_t pml4, uint64_t pa, uint64_t len, uint64_t leaf_flags, uint64_t flags,
                     idmap_alloc_fn *alloc, void *ctx)
{
    return set_4k(pml4, pa, len, ~0ull, leaf_flags, flags, alloc, ctx);
}
