/* SPDX-License-Identifier: MIT */
#include "mtrr.h"

/* The fixed ranges' address of entry i (SDM vol. 3A §11.11.2.2): 8 of
 * 64 KiB from 0, 16 of 16 KiB from 0x80000, 64 of 4 KiB from 0xc0000. */
static uint64_t fixed_start(unsigned i)
{
    if (i < 8)
        return (uint64_t)i << 16;
    if (i < 24)
        return 0x80000ull + ((uint64_t)(i - 8) << 14);
    return 0xc0000ull + ((uint64_t)(i - 24) << 12);
}

static int fixed_type(const struct mtrr_state *m, uint64_t base, uint64_t size)
{
    int t = -1;

    for (unsigned i = 0; i < 88; i++) {
        uint64_t s = fixed_start(i), e = i + 1 < 88 ? fixed_start(i + 1) : MTRR_FIXED_END;
        if (e <= base || s >= base + size)
            continue;
        if (t >= 0 && t != m->fixed[i])
            return -1;
        t = m->fixed[i];
    }
    return t;
}

/* §11.11.4.1: several matching variable ranges: UC wins, WT beats WB, any
 * other overlap is undefined and read as UC. */
static int combine(int a, int b)
{
    if (a < 0 || a == b)
        return b;
    if (a == MT_UC || b == MT_UC)
        return MT_UC;
    if ((a == MT_WT && b == MT_WB) || (a == MT_WB && b == MT_WT))
        return MT_WT;
    return MT_UC;
}

int mtrr_type(const struct mtrr_state *m, uint64_t base, uint64_t size)
{
    if (!(m->def_type & MTRR_DEF_E))
        return MT_UC;
    if (m->has_fixed && (m->def_type & MTRR_DEF_FE) && base < MTRR_FIXED_END)
        return base + size <= MTRR_FIXED_END ? fixed_type(m, base, size) : -1;

    int t = -1;
    for (unsigned i = 0; i < m->nvar && i < MTRR_VAR_MAX; i++) {
        uint64_t mask = m->var[i].mask;
        if (!(mask & MTRR_MASK_VALID))
            continue;
        mask &= m->addr_mask;
        /* A naturally aligned block differs only in its low bits: the
         * range covers all of it, none of it, or (a mask bit inside the
         * block) part of it. */
        int match = (base & mask) == (m->var[i].base & mask);
        if (mask & (size - 1)) {
            uint64_t high = mask & ~(size - 1);
            if ((base & high) == (m->var[i].base & high))
                return -1;
            continue;
        }
        if (match)
            t = combine(t, (int)(m->var[i].base & 0xff));
    }
    return t >= 0 ? t : (int)(m->def_type & 0xff);
}
