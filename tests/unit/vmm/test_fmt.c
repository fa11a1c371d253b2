/* SPDX-License-Identifier: MIT */
/* The VMM's formatter against the host's snprintf, which is the reference. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "fmt.h"

#define SAME(...)                                                          \
    do {                                                                   \
        char want[128], got[128];                                          \
        int wn = snprintf(want, sizeof want, __VA_ARGS__);                 \
        int gn = smx_snprintf(got, sizeof got, __VA_ARGS__);               \
        cr_assert_str_eq(got, want);                                       \
        cr_assert_eq(gn, wn, "length %d != %d for \"%s\"", gn, wn, want);  \
    } while (0)

Test(fmt, integers_match_libc)
{
    SAME("%d %i %u", 0, -1, 4000000000u);
    SAME("%ld %lu %lld %llu", -9223372036854775807L - 1, 18446744073709551615UL,
         -42LL, 0ULL);
    SAME("%x %X %lx %llx", 0xdeadbeefu, 0xabcu, 0xffffffffffffffffUL, 0x10ULL);
    SAME("%hhu %hd %hx", 300, 70000, 0x12345);
    SAME("%zu", (size_t)123456789);
    SAME("%#x %#llx %#X %#x %#10x %#-10x|", 0x2401u, 0xffffffff80000000ULL, 0xabu, 0u, 0x1fu, 0x1fu);
    SAME("%#010x", 0x1fu);
}

Test(fmt, width_flags_precision)
{
    SAME("[%5d|%-5d|%05d|%08x|%-8x]", 42, 42, -42, 0xbeef, 0xbeef);
    SAME("[%s|%10s|%-10s|%.3s|%*s|%-*s|%.*s]", "abc", "abc", "abc", "abcdef", 6, "x", 6, "x", 2, "xyz");
    SAME("[%c|%3c|%-3c]", 'a', 'b', 'c');
    SAME("100%%");
    SAME("%p", (void *)0x1234);
}

Test(fmt, truncation_reports_full_length)
{
    char buf[8];
    int n = smx_snprintf(buf, sizeof buf, "%s-%d", "sleepmux", 12345);

    cr_assert_eq(n, 14);
    cr_assert_str_eq(buf, "sleepmu");
    cr_assert_eq(smx_snprintf(NULL, 0, "%d", 12345), 5);
}

Test(fmt, null_string_and_unknown_conversion_are_visible)
{
    char buf[32];

    const char *volatile nothing = NULL;

    smx_snprintf(buf, sizeof buf, "%s", nothing);
    cr_assert_str_eq(buf, "(null)");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
    smx_snprintf(buf, sizeof buf, "a%qb");
#pragma GCC diagnostic pop
    cr_assert_str_eq(buf, "a%qb");
}
