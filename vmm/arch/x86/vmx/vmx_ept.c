/* SPDX-License-Identifier: MIT */
/*
 * EPT views (Intel SDM vol. 3C §29.3): guest-physical == host-physical
 * everywhere (DESIGN.md, "Memory model"), except what a view hides, which
 * maps to one sink page: reads see nothing of what is behind it, writes
 * land in the sink, no exit is taken. The same tables as SVM's nested ones
 * (common/idmap.c; EPT's R/W/X bits are the P/RW/US bits of a page-table
 * entry), and then one pass that gives every leaf the memory type the
 * MTRRs give its range (x86/mtrr.h says why EPT needs it), splitting a
 * large page whose range the MTRRs do not type uniformly.
 * One table per OS; switching OSes switches the table, never an entry.
 */
#include "vmx.h"

#include "../../../core/integrity.h"
#include "../../../core/log.h"
#include "../../../core/mem.h"
#include "../../x86/cpu.h"
#include "../mtrr.h"
#include "../view_limit.h"
#include "idmap.h"

#define EPT_RWX (PTE_P | PTE_RW | PTE_US)

static uint64_t alloc_table(void *ctx)
{
    void *p = mem_alloc_pages(1);

    return p ? mem_phys(p) : 0;
}

static void read_mtrrs(struct mtrr_state *m)
{
    static const uint32_t fixed_msrs[11] = {
        MSR_MTRR_FIX64K_00000, MSR_MTRR_FIX16K_80000, MSR_MTRR_FIX16K_A0000,
        MSR_MTRR_FIX4K_C0000, MSR_MTRR_FIX4K_C0000 + 1, MSR_MTRR_FIX4K_C0000 + 2, MSR_MTRR_FIX4K_C0000 + 3,
        MSR_MTRR_FIX4K_C0000 + 4, MSR_MTRR_FIX4K_C0000 + 5, MSR_MTRR_FIX4K_C0000 + 6, MSR_MTRR_FIX4K_C0000 + 7,
    };
    unsigned bits = cpuid(0x80000008u, 0).eax & 0xff;
    uint64_t cap = rdmsr(MSR_MTRRCAP);

    *m = (struct mtrr_state){ .def_type = rdmsr(MSR_MTRR_DEF_TYPE) };
    m->addr_mask = ((bits >= 64 ? 0 : 1ull << bits) - 1) & ~0xfffull;
    m->nvar = MTRRCAP_VCNT(cap) > MTRR_VAR_MAX ? MTRR_VAR_MAX : MTRRCAP_VCNT(cap);
    for (unsigned i = 0; i < m->nvar; i++) {
        m->var[i].base = rdmsr(MSR_MTRR_PHYSBASE0 + 2 * i);
        m->var[i].mask = rdmsr(MSR_MTRR_PHYSBASE0 + 2 * i + 1);
    }
    m->has_fixed = (cap & MTRRCAP_FIX) != 0;
    if (m->has_fixed)
        for (unsigned i = 0; i < 11; i++) {
            uint64_t v = rdmsr(fixed_msrs[i]);
            for (unsigned b = 0; b < 8; b++)
                m->fixed[i * 8 + b] = (uint8_t)(v >> (8 * b));
        }
}

/* Type the leaves of the table at `pa` (level 3: PDPT, 2: PD, 1: PT) that
 * maps guest-physical addresses from `base`; -1 when out of memory. */
static int type_leaves(const struct mtrr_state *m, uint64_t pa, unsigned level, uint64_t base)
{
    uint64_t *t = (uint64_t *)(uintptr_t)pa;
    const uint64_t span = 1ull << (12 + 9 * (level - 1));

    for (unsigned i = 0; i < 512; i++) {
        uint64_t *e = &t[i], at = base + i * span;
        if (!(*e & EPT_RWX))
            continue;
        if (level > 1 && !(*e & PTE_PS)) {
            if (type_leaves(m, *e & PTE_ADDR, level - 1, at))
                return -1;
            continue;
        }
        int type = mtrr_type(m, at, span);
        if (type < 0) {
            /* Split: the same mapping in smaller pages, then type those. */
            uint64_t next = alloc_table(NULL), child = span / 512;
            if (!next)
                return -1;
            uint64_t *n = (uint64_t *)(uintptr_t)next;
            for (unsigned j = 0; j < 512; j++)
                n[j] = ((*e & PTE_ADDR) + j * child) | EPT_RWX | (level - 1 > 1 ? PTE_PS : 0);
            *e = next | EPT_RWX;
            if (type_leaves(m, next, level - 1, at))
                return -1;
            continue;
        }
        *e = (*e & ~EPT_MEMTYPE_MASK) | (uint64_t)type << EPT_MEMTYPE_SHIFT;
    }
    return 0;
}

uint64_t vmx_view_build(const struct mem_hole *holes, unsigned n)
{
    const enum idmap_leaf leaf = vmx.page1g ? IDMAP_LEAF_1G : IDMAP_LEAF_2M;
    struct mtrr_state m;

    if (!vmx.sink && !(vmx.sink = mem_alloc_pages(1)))
        return 0;
    uint64_t root = view_tables(leaf, holes, n, mem_phys(vmx.sink));
    if (!root)
        return 0;
    read_mtrrs(&m);
    const uint64_t *pml4 = (const uint64_t *)(uintptr_t)root;
    for (unsigned i = 0; i < 512; i++)
        if ((pml4[i] & EPT_RWX) && type_leaves(&m, pml4[i] & PTE_ADDR, 3, (uint64_t)i << 39))
            return 0;
    integrity_add_tables(root, "EPT tables");
    return root;
}
