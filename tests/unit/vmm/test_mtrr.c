/* SPDX-License-Identifier: MIT */
/*
 * The memory type the MTRRs give a range (vmm/arch/x86/mtrr.c), which the
 * VMX back end writes into every EPT leaf. The state is what OVMF programs
 * on QEMU and Bochs: default WB, fixed ranges with the VGA window UC, one
 * variable range making the 32-bit PCI hole [3 GiB, 4 GiB) UC.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "../../../vmm/arch/x86/mtrr.h"

#define GIB (1ull << 30)
#define MIB2 (2ull << 20)

static struct mtrr_state firmware_like(void)
{
    struct mtrr_state m = { .def_type = MTRR_DEF_E | MTRR_DEF_FE | MT_WB, .nvar = 8, .has_fixed = 1 };

    m.addr_mask = ((1ull << 40) - 1) & ~0xfffull;
    memset(m.fixed, MT_WB, sizeof m.fixed);
    for (unsigned i = 16; i < 24; i++) /* 16 KiB ranges 0xa0000-0xbffff */
        m.fixed[i] = MT_UC;
    m.var[0].base = 3 * GIB | MT_UC;
    m.var[0].mask = (~(GIB - 1) & m.addr_mask) | MTRR_MASK_VALID;
    return m;
}

Test(mtrr, ram_above_the_fixed_ranges_has_the_default_type)
{
    struct mtrr_state m = firmware_like();
    cr_assert_eq(mtrr_type(&m, GIB, GIB), MT_WB);
    cr_assert_eq(mtrr_type(&m, 4 * GIB, GIB), MT_WB);
}

Test(mtrr, the_pci_hole_is_uncacheable_as_a_whole)
{
    struct mtrr_state m = firmware_like();
    cr_assert_eq(mtrr_type(&m, 3 * GIB, GIB), MT_UC);
    cr_assert_eq(mtrr_type(&m, 3 * GIB + 5 * MIB2, MIB2), MT_UC);
}

Test(mtrr, a_range_partly_covered_by_a_variable_range_is_mixed)
{
    struct mtrr_state m = firmware_like();
    cr_assert_eq(mtrr_type(&m, 2 * GIB, 2 * GIB), -1);
}

Test(mtrr, the_first_mebibyte_follows_the_fixed_ranges)
{
    struct mtrr_state m = firmware_like();
    cr_assert_eq(mtrr_type(&m, 0, GIB), -1, "a leaf over the fixed ranges must be split");
    cr_assert_eq(mtrr_type(&m, 0, MIB2), -1);
    cr_assert_eq(mtrr_type(&m, 0x9f000, 0x1000), MT_WB);
    cr_assert_eq(mtrr_type(&m, 0xa0000, 0x1000), MT_UC);
    cr_assert_eq(mtrr_type(&m, MIB2, MIB2), MT_WB);
}

Test(mtrr, overlapping_variable_ranges_follow_the_precedence_rules)
{
    struct mtrr_state m = firmware_like();
    m.var[1].base = 3 * GIB | MT_WB; /* UC over WB: UC */
    m.var[1].mask = m.var[0].mask;
    cr_assert_eq(mtrr_type(&m, 3 * GIB, GIB), MT_UC);
    m.var[0].base = 3 * GIB | MT_WT; /* WT over WB: WT */
    cr_assert_eq(mtrr_type(&m, 3 * GIB, GIB), MT_WT);
}

Test(mtrr, disabled_mtrrs_make_everything_uncacheable)
{
    struct mtrr_state m = firmware_like();
    m.def_type &= ~MTRR_DEF_E;
    cr_assert_eq(mtrr_type(&m, GIB, GIB), MT_UC);
}

Test(mtrr, invalid_variable_ranges_are_ignored)
{
    struct mtrr_state m = firmware_like();
    m.var[0].mask &= ~MTRR_MASK_VALID;
    cr_assert_eq(mtrr_type(&m, 3 * GIB, GIB), MT_WB);
}
