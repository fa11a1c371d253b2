/* SPDX-License-Identifier: MIT */
/* The freestanding libc subset (vmm/libc/string.c), built with a prefix. */
#include <criterion/criterion.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

void *smx_test_memcpy(void *restrict dst, const void *restrict src, size_t n);
void *smx_test_memmove(void *dst, const void *src, size_t n);
void *smx_test_memset(void *dst, int c, size_t n);
int smx_test_memcmp(const void *a, const void *b, size_t n);
size_t smx_test_strlen(const char *s);

static void fill(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 7 + 3);
}

Test(libc, memmove_handles_both_overlaps)
{
    for (size_t n = 0; n < 64; n++) {
        for (int shift = -9; shift <= 9; shift++) {
            uint8_t a[160], b[160];
            fill(a, sizeof a);
            fill(b, sizeof b);
            smx_test_memmove(a + 40 + shift, a + 40, n);
            memmove(b + 40 + shift, b + 40, n);
            cr_assert_arr_eq(a, b, sizeof a, "n=%zu shift=%d", n, shift);
        }
    }
}

Test(libc, memmove_leaves_direction_flag_clear)
{
    uint8_t a[32];
    uint64_t flags;

    fill(a, sizeof a);
    smx_test_memmove(a + 1, a, 16);
    __asm__ volatile("pushfq; popq %0" : "=r"(flags));
    cr_assert_eq(flags & (1u << 10), 0, "DF left set");
}

Test(libc, memcpy_memset_memcmp_strlen)
{
    uint8_t a[100], b[100];

    fill(a, sizeof a);
    cr_assert_eq(smx_test_memcpy(b, a, sizeof a), b);
    cr_assert_arr_eq(a, b, sizeof a);
    cr_assert_eq(smx_test_memset(b + 10, 0x1ab, 20), b + 10);
    for (int i = 10; i < 30; i++)
        cr_assert_eq(b[i], 0xab);
    cr_assert_eq(smx_test_memcmp(a, a, 100), 0);
    int want = memcmp(b, a, 100) < 0 ? -1 : 1;
    cr_assert_eq(smx_test_memcmp(b, a, 100), want);
    cr_assert_eq(smx_test_memcmp("\x80", "\x01", 1), 1, "bytes compare unsigned");
    cr_assert_eq(smx_test_memcmp("a", "b", 0), 0);
    cr_assert_eq(smx_test_strlen(""), 0);
    cr_assert_eq(smx_test_strlen("sleepmux"), 8);
}

int smx_test_atoi(const char *s);

Test(libc, atoi_decimal_and_saturating)
{
    cr_assert_eq(smx_test_atoi("0"), 0);
    cr_assert_eq(smx_test_atoi("  42x"), 42);
    cr_assert_eq(smx_test_atoi("-17"), -17);
    cr_assert_eq(smx_test_atoi("+8"), 8);
    cr_assert_eq(smx_test_atoi("2147483647"), 2147483647);
    cr_assert_eq(smx_test_atoi("-2147483648"), -2147483647 - 1);
    cr_assert_eq(smx_test_atoi("99999999999999999999"), 2147483647);
    cr_assert_eq(smx_test_atoi("-99999999999999999999"), -2147483647 - 1);
    cr_assert_eq(smx_test_atoi("abc"), 0);
}

int smx_test_strncmp(const char *a, const char *b, size_t n);

Test(libc, strncmp_stops_at_n_and_nul)
{
    cr_assert_eq(smx_test_strncmp("abc", "abd", 2), 0);
    cr_assert_eq(smx_test_strncmp("abc", "abd", 3), -1);
    cr_assert_eq(smx_test_strncmp("abd", "abc", 3), 1);
    cr_assert_eq(smx_test_strncmp("ab", "ab\0x", 5), 0, "stops at the terminator");
    cr_assert_eq(smx_test_strncmp("a", "ab", 5), -1);
    cr_assert_eq(smx_test_strncmp("\xff", "a", 1), 1, "compares as unsigned char");
    cr_assert_eq(smx_test_strncmp("x", "y", 0), 0);
}
