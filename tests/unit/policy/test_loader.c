/* SPDX-License-Identifier: MIT */
/*
 * What the loader asks: which OS to boot (never one whose image waits in
 * the store), how much memory each OS gets, and UEFI strings.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "fixture.h"

Test(loader, boot_choice_never_forks_a_stored_os)
{
    struct pol_config c;
    uint8_t os = 9;
    pol_test_config(&c);

    cr_expect_eq(pol_boot_choice(&c, 0, -1, &os), POL_OK);
    cr_expect_eq(os, POL_OS_A, "nothing stored, no hint: the default");
    c.default_os = POL_OS_B;
    cr_expect_eq(pol_boot_choice(&c, 0, -1, &os), POL_OK);
    cr_expect_eq(os, POL_OS_B);
    cr_expect_eq(pol_boot_choice(&c, 0, POL_OS_A, &os), POL_OK);
    cr_expect_eq(os, POL_OS_A, "a reset asked for A");

    /* An OS with an image in the store is restored by a switch, never booted. */
    cr_expect_eq(pol_boot_choice(&c, 1 << POL_OS_B, POL_OS_B, &os), POL_OK);
    cr_expect_eq(os, POL_OS_A, "the hint cannot override the store");
    cr_expect_eq(pol_boot_choice(&c, 1 << POL_OS_A, -1, &os), POL_OK);
    cr_expect_eq(os, POL_OS_B);

    os = 9;
    cr_expect_eq(pol_boot_choice(&c, 3, -1, &os), POL_E_STORE, "both parked: nothing may boot");
    cr_expect_eq(pol_boot_choice(&c, -1, -1, &os), POL_E_STORE, "store unreadable");
    cr_expect_eq(os, 9, "no answer on error");
}

Test(loader, memory_split)
{
    struct pol_config c;
    struct pol_error err;
    uint64_t mib[2];
    pol_test_config(&c);

    /* 50% / 50% by default. */
    cr_assert_eq(pol_memory_split(&c, 16000, mib, &err), POL_OK, "%s", err.msg);
    cr_expect_eq(mib[0], 8000);
    cr_expect_eq(mib[1], 8000);

    c.os[0].memory = (struct pol_share){ .unit = POL_MEM_MIB, .value = 12288 };
    c.os[1].memory = (struct pol_share){ .unit = POL_MEM_PERCENT, .value = 25 };
    cr_assert_eq(pol_memory_split(&c, 16384, mib, &err), POL_OK, "%s", err.msg);
    cr_expect_eq(mib[0], 12288);
    cr_expect_eq(mib[1], 4096);

    cr_expect_eq(pol_memory_split(&c, 15000, mib, &err), POL_E_MEMORY);
    cr_expect_eq(err.line, 0);
    cr_expect_str_eq(err.msg, "memory: A 12288 MiB + B 3750 MiB exceed the 15000 MiB there are "
                              "(expected shares that fit)");

    c.os[1].memory.value = 1;
    cr_expect_eq(pol_memory_split(&c, 6000, mib, &err), POL_E_MEMORY);
    cr_expect_str_eq(err.msg, "memory: B gets 60 MiB of 6000 MiB, less than 64 MiB (expected a "
                              "larger share)");
    c.os[1].memory.value = 25;
    cr_expect_eq(pol_memory_split(&c, 300, mib, &err), POL_E_MEMORY);

    char line[400];
    pol_error_format(&err, "sleepmux.conf", line, sizeof line);
    cr_expect(!strncmp(line, "sleepmux.conf: memory: ", 23), "%s", line);
}

Test(loader, ucs2_for_uefi)
{
    uint16_t out[8];

    cr_assert(pol_to_ucs2("\\EFI\\a", out, 8));
    cr_expect_arr_eq(out, ((uint16_t[]){ '\\', 'E', 'F', 'I', '\\', 'a', 0 }), 7 * sizeof(uint16_t));
    cr_assert(pol_to_ucs2("\xe2\x82\xac\xef\xbf\xbd", out, 8)); /* € U+FFFD */
    cr_expect_eq(out[0], 0x20ac);
    cr_expect_eq(out[1], 0xfffd);
    cr_expect_eq(out[2], 0);
    cr_expect_not(pol_to_ucs2("abcdefgh", out, 8), "8 characters and a NUL need 9");
    cr_expect(pol_to_ucs2("abcdefg", out, 8));
    cr_expect_not(pol_to_ucs2("\xf0\x9f\x90\xa7", out, 8), "outside the BMP");
    cr_expect_not(pol_to_ucs2("\xc0\xaf", out, 8), "overlong");
    cr_expect_not(pol_to_ucs2("\xed\xa0\x80", out, 8), "a surrogate");
    cr_expect_not(pol_to_ucs2("", out, 0));
}
