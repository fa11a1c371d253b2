/* SPDX-License-Identifier: MIT */
/*
 * The guest page walk (vmm/arch/x86/guest_walk.c) over tables laid out in a
 * buffer that stands in for guest-physical memory, in the modes guests run:
 * no paging (real mode, OVMF's AP start-up), 32-bit with 4 MiB pages, PAE,
 * 4-level with 2 MiB and 4 KiB pages, 5-level.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "../../../vmm/arch/x86/guest_walk.h"

#define MEM (64 * 4096)
static uint8_t mem[MEM];

static int rd(void *ctx, uint64_t gpa, void *buf, unsigned n)
{
    (void)ctx;
    if (gpa + n > MEM)
        return -1;
    memcpy(buf, mem + gpa, n);
    return 0;
}

static void put64(uint64_t at, uint64_t v) { memcpy(mem + at, &v, 8); }
static void put32(uint64_t at, uint32_t v) { memcpy(mem + at, &v, 4); }

static uint64_t tr(const struct guest_paging *p, uint64_t la)
{
    uint64_t gpa = ~0ull;
    cr_assert_eq(guest_translate(p, la, rd, NULL, &gpa), 0, "%#llx not mapped", (unsigned long long)la);
    return gpa;
}

Test(guest_walk, without_paging_linear_is_physical)
{
    struct guest_paging p = { .cr0 = 0x10 };
    cr_assert_eq(tr(&p, 0x9f000 + 0x10), 0x9f010);
    cr_assert_eq(tr(&p, 0x1fee00300ull), 0xfee00300, "32 bits without long mode");
}

Test(guest_walk, four_level_with_large_and_small_pages)
{
    memset(mem, 0, sizeof mem);
    struct guest_paging p = { .cr0 = 0x80000011, .cr3 = 0x1000, .cr4 = 0x20, .efer = 0x500 };
    uint64_t la = 0xffff888000000000ull; /* Linux's direct map */
    unsigned i4 = (la >> 39) & 511, i3 = (la >> 30) & 511;
    put64(0x1000 + i4 * 8, 0x2000 | 3);
    put64(0x2000 + i3 * 8, 0x3000 | 3);
    put64(0x3000 + 0 * 8, 0x40000000ull | 0x83);  /* 2 MiB page */
    put64(0x3000 + 1 * 8, 0x4000 | 3);            /* a page table */
    put64(0x4000 + 5 * 8, 0xfee00000ull | 3);
    cr_assert_eq(tr(&p, la + 0x12345), 0x40012345);
    cr_assert_eq(tr(&p, la + 0x200000 + 5 * 4096 + 0x300), 0xfee00300);
    uint64_t gpa;
    cr_assert_eq(guest_translate(&p, la + 0x200000 + 6 * 4096, rd, NULL, &gpa), -1, "not present");
    /* 5-level: one more table above */
    p.cr4 |= 1u << 12;
    p.cr3 = 0x5000;
    put64(0x5000 + ((la >> 48) & 511) * 8, 0x1000 | 3);
    cr_assert_eq(tr(&p, la + 0x12345), 0x40012345);
}

Test(guest_walk, pae_and_32_bit)
{
    memset(mem, 0, sizeof mem);
    struct guest_paging p = { .cr0 = 0x80000011, .cr3 = 0x1020, .cr4 = 0x20 };
    put64(0x1020 + 3 * 8, 0x2000 | 1);             /* PDPTE 3 */
    put64(0x2000 + 0x1f7 * 8, 0xfee00000ull | 0x83); /* 2 MiB at 0xfee00000 */
    cr_assert_eq(tr(&p, 0xfee00300), 0xfee00300);
    struct guest_paging q = { .cr0 = 0x80000011, .cr3 = 0x6000, .cr4 = 0x10 };
    put32(0x6000 + (0xc0000000u >> 22) * 4, 0x00400000u | 0x83); /* 4 MiB page */
    put32(0x6000 + 1 * 4, 0x7000 | 3);
    put32(0x7000 + 2 * 4, 0x9000 | 3);
    cr_assert_eq(tr(&q, 0xc0001234), 0x401234);
    cr_assert_eq(tr(&q, 0x402abc), 0x9abc);
}

Test(guest_walk, an_instruction_across_a_page_boundary)
{
    memset(mem, 0, sizeof mem);
    struct guest_paging p = { .cr0 = 0x80000011, .cr3 = 0x1000, .cr4 = 0x20, .efer = 0x500 };
    put64(0x1000, 0x2000 | 3);
    put64(0x2000, 0x3000 | 3);
    put64(0x3000, 0x4000 | 3);
    put64(0x4000 + 0 * 8, 0x10000 | 3); /* la 0 -> 0x10000, la 0x1000 -> 0x20000 */
    put64(0x4000 + 1 * 8, 0x20000 | 3);
    mem[0x10ffe] = 0x89, mem[0x10fff] = 0x82, mem[0x20000] = 0x00, mem[0x20001] = 0x03;
    uint8_t b[4];
    cr_assert_eq(guest_read_linear(&p, 0xffe, b, 4, rd, NULL), 0);
    cr_assert(b[0] == 0x89 && b[1] == 0x82 && b[2] == 0 && b[3] == 3);
}
