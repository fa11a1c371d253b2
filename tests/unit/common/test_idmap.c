/* SPDX-License-Identifier: MIT */
/*
 * The identity-map builder (common/idmap.c) on tables from a fake
 * allocator, walked in software the way the CPU walks them (AMD APM vol. 2
 * §5.3): 1 GiB and 2 MiB leaves give the same identity map, and no address
 * at or above 2^48 (the reach of 4-level paging; CPUs report up to 52
 * physical-address bits) is ever given an entry, since its indices would
 * wrap onto low memory.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "idmap.h"

#define GIB (1ull << 30)
#define MIB2 (1ull << 21)
#define MAX_PAGES 4096

struct fake {
    void *page[MAX_PAGES];
    unsigned n, cap;
};

static struct fake fk;

static uint64_t fake_alloc(void *ctx)
{
    struct fake *f = ctx;

    if (f->n >= f->cap)
        return 0;
    void *p = aligned_alloc(4096, 4096);
    cr_assert_not_null(p);
    memset(p, 0, 4096);
    f->page[f->n++] = p;
    return (uint64_t)(uintptr_t)p;
}

static void setup(void)
{
    memset(&fk, 0, sizeof fk);
    fk.cap = MAX_PAGES;
}

static void teardown(void)
{
    for (unsigned i = 0; i < fk.n; i++)
        free(fk.page[i]);
}

static const uint64_t *tbl(uint64_t e)
{
    return (const uint64_t *)(uintptr_t)(e & PTE_ADDR);
}

/* The CPU's walk: 1 and the physical address, or 0 when not present. */
static int translate(uint64_t root, uint64_t va, uint64_t *pa)
{
    uint64_t e = root;

    for (int level = 4; level >= 1; level--) {
        unsigned shift = 12 + 9 * (level - 1);
        e = tbl(e)[(va >> shift) & 511];
        if (!(e & PTE_P))
            return 0;
        if (level == 1 || (level <= 3 && (e & PTE_PS))) {
            uint64_t size = 1ull << shift;
            *pa = (e & PTE_ADDR & ~(size - 1)) | (va & (size - 1));
            return 1;
        }
    }
    return 0;
}

struct census {
    uint64_t mapped;   /* bytes with a leaf */
    unsigned aliased;  /* leaves whose address is not their own index's */
    unsigned leaves[5];
};

/* Every leaf under `table` (level 4 = PML4), `va` the address its first
 * entry translates. */
static void count(uint64_t table, int level, uint64_t va, struct census *c)
{
    const uint64_t *t = tbl(table);
    unsigned shift = 12 + 9 * (level - 1);

    for (unsigned i = 0; i < 512; i++) {
        uint64_t e = t[i], at = va + ((uint64_t)i << shift);
        if (!(e & PTE_P))
            continue;
        if (level == 1 || (level <= 3 && (e & PTE_PS))) {
            uint64_t size = 1ull << shift;
            c->mapped += size;
            c->leaves[level]++;
            if ((e & PTE_ADDR & ~(size - 1)) != at)
                c->aliased++;
        } else {
            count(e, level - 1, at, c);
        }
    }
}

static struct census census(uint64_t root)
{
    struct census c = { 0 };
    count(root, 4, 0, &c);
    return c;
}

TestSuite(idmap, .init = setup, .fini = teardown);

Test(idmap, one_gib_pages_map_the_identity)
{
    uint64_t root = idmap_build(8 * GIB, IDMAP_LEAF_1G, PTE_US, fake_alloc, &fk);
    uint64_t pa;

    cr_assert(root);
    cr_assert_eq(fk.n, idmap_table_pages(8 * GIB, IDMAP_LEAF_1G));
    struct census c = census(root);
    cr_assert_eq(c.mapped, 8 * GIB);
    cr_assert_eq(c.leaves[3], 8);
    cr_assert_eq(c.aliased, 0);
    cr_assert(translate(root, 5 * GIB + 0x1234, &pa));
    cr_assert_eq(pa, 5 * GIB + 0x1234);
    cr_assert_not(translate(root, 8 * GIB, &pa));
}

Test(idmap, without_one_gib_pages_two_mib_pages_map_the_same)
{
    uint64_t root = idmap_build(6 * GIB, IDMAP_LEAF_2M, PTE_US, fake_alloc, &fk);
    uint64_t pa;

    cr_assert(root);
    /* PML4, one PDPT, a page directory per GiB, and no 1 GiB leaf. */
    cr_assert_eq(fk.n, 1 + 1 + 6);
    cr_assert_eq(fk.n, idmap_table_pages(6 * GIB, IDMAP_LEAF_2M));
    struct census c = census(root);
    cr_assert_eq(c.leaves[3], 0, "a 1 GiB leaf on a CPU without 1 GiB pages");
    cr_assert_eq(c.leaves[2], 6 * 512);
    cr_assert_eq(c.mapped, 6 * GIB);
    cr_assert_eq(c.aliased, 0);
    for (uint64_t a = 0; a < 6 * GIB; a += 37 * MIB2 + 0x1000) {
        cr_assert(translate(root, a, &pa));
        cr_assert_eq(pa, a);
    }
    /* The flags reach every entry, intermediate ones included (NPT walks
     * are user accesses). */
    cr_assert(tbl(root)[0] & PTE_US);
    cr_assert(tbl(tbl(root)[0])[3] & PTE_US);
}

Test(idmap, two_mib_map_is_split_for_a_hidden_page)
{
    uint64_t root = idmap_build(4 * GIB, IDMAP_LEAF_2M, PTE_US, fake_alloc, &fk);
    uint64_t pa, sink = 0x7000;

    cr_assert(root);
    cr_assert_eq(idmap_redirect_4k(root, 0x40201000, 0x2000, sink, PTE_US, fake_alloc, &fk), 0);
    cr_assert(translate(root, 0x40201000, &pa));
    cr_assert_eq(pa, sink);
    cr_assert(translate(root, 0x40202fff, &pa));
    cr_assert_eq(pa, sink + 0xfff);
    cr_assert(translate(root, 0x40200fff, &pa));
    cr_assert_eq(pa, 0x40200fff);
    cr_assert(translate(root, 0x40203000, &pa));
    cr_assert_eq(pa, 0x40203000);
    cr_assert_eq(census(root).aliased, 2);
}

/* A trapped device page: the APIC's read-only (writes exit), an ECAM
 * page not present (every access exits); its neighbours keep their
 * identity mapping, and the page still maps to itself. */
Test(idmap, a_trapped_page_keeps_its_address_and_loses_its_rights)
{
    uint64_t root = idmap_build(4 * GIB, IDMAP_LEAF_1G, PTE_US, fake_alloc, &fk);
    uint64_t pa;

    cr_assert(root);
    cr_assert_eq(idmap_protect_4k(root, 0xfee00000, 0x1000, PTE_P | PTE_US, PTE_US, fake_alloc, &fk), 0);
    cr_assert_eq(idmap_protect_4k(root, 0xb0008000, 0x2000, 0, PTE_US, fake_alloc, &fk), 0);
    cr_assert(translate(root, 0xfee00300, &pa));
    cr_assert_eq(pa, 0xfee00300);
    const uint64_t *pte = &tbl(tbl(tbl(tbl(root)[0])[3])[0x1f7])[0];
    cr_assert_eq(*pte, 0xfee00000 | PTE_P | PTE_US, "read-only: no PTE_RW");
    cr_assert_not(translate(root, 0xb0008000, &pa), "not present");
    cr_assert_not(translate(root, 0xb0009fff, &pa));
    cr_assert(translate(root, 0xb000a000, &pa));
    cr_assert_eq(pa, 0xb000a000);
    cr_assert(translate(root, 0xfee01000, &pa));
    cr_assert_eq(pa, 0xfee01000);
    cr_assert_eq(census(root).aliased, 0);
}

Test(idmap, table_pages_for_a_40_bit_machine)
{
    cr_assert_eq(idmap_table_pages(1ull << 40, IDMAP_LEAF_1G), 1 + 2);
    cr_assert_eq(idmap_table_pages(1ull << 40, IDMAP_LEAF_2M), 1 + 2 + 1024);
    cr_assert_eq(idmap_table_pages(IDMAP_REACH, IDMAP_LEAF_1G), 1 + 512);
}

Test(idmap, the_whole_48_bit_reach_maps_without_aliasing)
{
    fk.cap = MAX_PAGES;
    uint64_t root = idmap_build(IDMAP_REACH, IDMAP_LEAF_1G, 0, fake_alloc, &fk);
    uint64_t pa;

    cr_assert(root);
    struct census c = census(root);
    cr_assert_eq(c.mapped, IDMAP_REACH);
    cr_assert_eq(c.aliased, 0);
    cr_assert(translate(root, 0, &pa));
    cr_assert_eq(pa, 0);
    cr_assert(translate(root, IDMAP_REACH - 1, &pa));
    cr_assert_eq(pa, IDMAP_REACH - 1);
}

/* A CPU reporting 52 physical-address bits: the old builder walked on past
 * 2^48 and its indices wrapped, so 2^48 overwrote the entry for 0. */
Test(idmap, beyond_48_bits_is_refused_not_wrapped)
{
    cr_assert_eq(idmap_build(1ull << 52, IDMAP_LEAF_1G, 0, fake_alloc, &fk), 0);
    cr_assert_eq(idmap_build(IDMAP_REACH + GIB, IDMAP_LEAF_2M, 0, fake_alloc, &fk), 0);
    cr_assert_eq(fk.n, 0, "nothing built, nothing leaked");
}

Test(idmap, an_address_above_2_48_never_maps_to_low_memory)
{
    uint64_t root = idmap_build(4 * GIB, IDMAP_LEAF_1G, PTE_US, fake_alloc, &fk);
    uint64_t pa;

    cr_assert(root);
    /* A device or a hole above 2^48 would index the entries for 0.. */
    cr_assert_eq(idmap_map_2m(root, IDMAP_REACH, IDMAP_REACH, MIB2, 0, fake_alloc, &fk), -1);
    cr_assert_eq(idmap_map_2m(root, IDMAP_REACH - MIB2, IDMAP_REACH - MIB2, 2 * MIB2, 0, fake_alloc, &fk), -1);
    cr_assert_eq(idmap_redirect_4k(root, IDMAP_REACH + 0x1000, 0x1000, 0x7000, PTE_US, fake_alloc, &fk), -1);
    cr_assert_eq(idmap_redirect_4k(root, 1ull << 51, 0x1000, 0x7000, PTE_US, fake_alloc, &fk), -1);
    /* ..and low memory is still the identity. */
    struct census c = census(root);
    cr_assert_eq(c.aliased, 0);
    cr_assert_eq(c.mapped, 4 * GIB);
    cr_assert(translate(root, 0x1000, &pa));
    cr_assert_eq(pa, 0x1000);
    cr_assert(translate(root, 0, &pa));
    cr_assert_eq(pa, 0);
}

Test(idmap, the_upper_canonical_half_is_its_own)
{
    const uint64_t vbase = 0xffffffff80000000ull; /* where the VMM runs */
    uint64_t root = idmap_build(4 * GIB, IDMAP_LEAF_2M, 0, fake_alloc, &fk);
    uint64_t pa;

    cr_assert(root);
    cr_assert_eq(idmap_map_2m(root, vbase, 0x40000000, 2 * MIB2, 0, fake_alloc, &fk), 0);
    cr_assert(translate(root, vbase + MIB2 + 5, &pa));
    cr_assert_eq(pa, 0x40000000 + MIB2 + 5);
    cr_assert(translate(root, 0x40000000, &pa));
    cr_assert_eq(pa, 0x40000000);
    /* A target beyond what an entry holds (52 bits) is refused. */
    cr_assert_eq(idmap_map_2m(root, 0, 1ull << 52, MIB2, 0, fake_alloc, &fk), -1);
}

Test(idmap, out_of_table_pages_is_an_error)
{
    fk.cap = 4;
    cr_assert_eq(idmap_build(8 * GIB, IDMAP_LEAF_2M, 0, fake_alloc, &fk), 0);
}

/* The loader caps the host's identity map at IDMAP_HOST_REACH: all of it
 * and the VMM's image in the upper half share no entry. */
Test(idmap, the_host_reach_and_the_vmm_image_share_no_entry)
{
    const uint64_t vbase = 0xffffffff80000000ull;
    uint64_t root = idmap_build(IDMAP_HOST_REACH, IDMAP_LEAF_1G, 0, fake_alloc, &fk);
    uint64_t pa;

    cr_assert(root);
    cr_assert_eq(idmap_map_2m(root, vbase, 0x40000000, 4 * MIB2, 0, fake_alloc, &fk), 0);
    struct census c = census(root);
    /* The VMM's 2 MiB leaves are the only entries not at their own
     * address; the whole host reach is still the identity. */
    cr_assert_eq(c.leaves[2], 4);
    cr_assert_eq(c.aliased, 4);
    cr_assert_eq(c.leaves[3], IDMAP_HOST_REACH / GIB);
    cr_assert(translate(root, IDMAP_HOST_REACH - 1, &pa));
    cr_assert_eq(pa, IDMAP_HOST_REACH - 1);
}
