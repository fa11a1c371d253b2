/* SPDX-License-Identifier: MIT */
#include "idmap.h"

#include <stddef.h>

#define ENTRIES 512
#define GIB (1ull << 30)
#define MIB2 (1ull << 21)
#define KIB4 (1ull << 12)

static uint64_t *table(uint64_t pa)
{
    return (uint64_t *)(uintptr_t)pa;
}

static unsigned index_of(uint64_t va, unsigned level) /* level 4 = PML4 .. 1 = PT */
{
    return (unsigned)((va >> (12 + 9 * (level - 1))) & (ENTRIES - 1));
}

uint64_t idmap_build(uint64_t limit, uint64_t flags, idmap_alloc_fn *alloc, void *ctx)
{
    uint64_t pml4 = alloc(ctx);

    if (!pml4)
        return 0;
    for (uint64_t a = 0; a < limit; a += GIB) {
        uint64_t *l4 = &table(pml4)[index_of(a, 4)];
        if (!(*l4 & PTE_P)) {
            uint64_t pdpt = alloc(ctx);
            if (!pdpt)
                return 0;
            *l4 = pdpt | PTE_P | PTE_RW | flags;
        }
        table(*l4 & PTE_ADDR)[index_of(a, 3)] = a | PTE_P | PTE_RW | PTE_PS | flags;
    }
    return pml4;
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

int idmap_map_2m(uint64_t pml4, uint64_t va, uint64_t pa, uint64_t len, uint64_t flags,
                 idmap_alloc_fn *alloc, void *ctx)
{
    if ((va | pa | len) & (MIB2 - 1))
        return -1;
    for (uint64_t off = 0; off < len; off += MIB2) {
        uint64_t *e = walk(pml4, va + off, 2, flags, alloc, ctx);
        if (!e)
            return -1;
        *e = (pa + off) | PTE_P | PTE_RW | PTE_PS | flags;
    }
    return 0;
}

int idmap_redirect_4k(uint64_t pml4, uint64_t pa, uint64_t len, uint64_t target, uint64_t flags,
                      idmap_alloc_fn *alloc, void *ctx)
{
    if ((pa | len | target) & (KIB4 - 1))
        return -1;
    for (uint64_t off = 0; off < len; off += KIB4) {
        uint64_t *e = walk(pml4, pa + off, 1, flags, alloc, ctx);
        if (!e)
            return -1;
        *e = target | PTE_P | PTE_RW | flags;
    }
    return 0;
}
