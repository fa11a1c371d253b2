/* SPDX-License-Identifier: MIT */
#include "guest_walk.h"

#include <stddef.h>

#define CR0_PG (1ull << 31)
#define CR4_PSE (1ull << 4)
#define CR4_PAE (1ull << 5)
#define CR4_LA57 (1ull << 12)
#define EFER_LMA (1ull << 10)
#define PTE_P 1ull
#define PTE_PS (1ull << 7)
#define PAE_ADDR 0x000ffffffffff000ull

static int read_entry(guest_phys_read_fn *rd, void *ctx, uint64_t gpa, unsigned size, uint64_t *e)
{
    uint64_t v = 0;
    if (rd(ctx, gpa, &v, size))
        return -1;
    *e = v;
    return 0;
}

int guest_translate(const struct guest_paging *p, uint64_t la, guest_phys_read_fn *rd, void *ctx,
                    uint64_t *gpa)
{
    uint64_t e;

    if (!(p->cr0 & CR0_PG)) {
        *gpa = p->efer & EFER_LMA ? la : (uint32_t)la;
        return 0;
    }
    if (!(p->cr4 & CR4_PAE)) { /* 32-bit paging: 2 levels of 4-byte entries */
        uint32_t a = (uint32_t)la;
        if (read_entry(rd, ctx, (p->cr3 & 0xfffff000u) + (a >> 22) * 4, 4, &e) || !(e & PTE_P))
            return -1;
        if ((e & PTE_PS) && (p->cr4 & CR4_PSE)) {
            *gpa = (e & 0xffc00000u) | (a & 0x3fffff);
            return 0;
        }
        if (read_entry(rd, ctx, (e & 0xfffff000u) + ((a >> 12) & 0x3ff) * 4, 4, &e) || !(e & PTE_P))
            return -1;
        *gpa = (e & 0xfffff000u) | (a & 0xfff);
        return 0;
    }
    unsigned levels, shift;
    uint64_t table;
    if (p->efer & EFER_LMA) {
        levels = p->cr4 & CR4_LA57 ? 5 : 4;
        table = p->cr3 & PAE_ADDR;
    } else { /* PAE: a 4-entry PDPT at CR3[31:5] */
        levels = 3;
        la = (uint32_t)la;
        if (read_entry(rd, ctx, (p->cr3 & 0xffffffe0u) + (la >> 30) * 8, 8, &e) || !(e & PTE_P))
            return -1;
        table = e & PAE_ADDR;
        levels = 2;
    }
    shift = 12 + 9 * (levels - 1);
    for (unsigned l = levels; l >= 1; l--, shift -= 9) {
        if (read_entry(rd, ctx, table + ((la >> shift) & 0x1ff) * 8, 8, &e) || !(e & PTE_P))
            return -1;
        /* PS at the PDPT (1 GiB) or PD (2 MiB) level ends the walk. */
        if (l <= 3 && l >= 2 && (e & PTE_PS)) {
            uint64_t mask = (1ull << shift) - 1;
            *gpa = (e & PAE_ADDR & ~mask) | (la & mask);
            return 0;
        }
        table = e & PAE_ADDR;
    }
    *gpa = table | (la & 0xfff);
    return 0;
}

int guest_read_linear(const struct guest_paging *p, uint64_t la, void *buf, unsigned n,
                      guest_phys_read_fn *rd, void *ctx)
{
    uint8_t *out = buf;

    while (n) {
        unsigned chunk = 4096 - (unsigned)(la & 0xfff);
        if (chunk > n)
            chunk = n;
        uint64_t gpa;
        if (guest_translate(p, la, rd, ctx, &gpa) || rd(ctx, gpa, out, chunk))
            return -1;
        la += chunk, out += chunk, n -= chunk;
    }
    return 0;
}
