/* SPDX-License-Identifier: MIT */
/*
 * Calendar arithmetic against the C library's timegm/gmtime, which are the
 * reference, over every day from 1970 to 2400 and across the boundaries
 * the RTC alarm meets (month ends, leap days, centuries).
 */
#include <criterion/criterion.h>
#include <string.h>
#include <time.h>

#include "acpi_sleep.h"

/* Field by field: struct acpi_time has a padding byte. */
static bool same(const struct acpi_time *a, const struct acpi_time *b)
{
    return a->year == b->year && a->month == b->month && a->day == b->day && a->hour == b->hour &&
           a->minute == b->minute && a->second == b->second;
}

Test(acpi_date, leap_years_and_month_lengths)
{
    cr_expect(acpi_date_is_leap(2000));
    cr_expect(acpi_date_is_leap(2024));
    cr_expect(!acpi_date_is_leap(1900));
    cr_expect(!acpi_date_is_leap(2100));
    cr_expect(!acpi_date_is_leap(2023));
    cr_expect_eq(acpi_date_days_in_month(2024, 2), 29);
    cr_expect_eq(acpi_date_days_in_month(2100, 2), 28);
    cr_expect_eq(acpi_date_days_in_month(2023, 4), 30);
    cr_expect_eq(acpi_date_days_in_month(2023, 12), 31);
    cr_expect_eq(acpi_date_days_in_month(2023, 0), 0);
    cr_expect_eq(acpi_date_days_in_month(2023, 13), 0);
}

Test(acpi_date, every_day_from_1970_to_2400_matches_timegm)
{
    struct acpi_time t = {.year = 1970, .month = 1, .day = 1, .hour = 13, .minute = 7, .second = 59};

    while (t.year < 2400) {
        struct tm tm = {.tm_year = t.year - 1900, .tm_mon = t.month - 1, .tm_mday = t.day,
                        .tm_hour = t.hour, .tm_min = t.minute, .tm_sec = t.second};
        int64_t want = (int64_t)timegm(&tm), got = acpi_time_to_seconds(&t);
        struct acpi_time back;

        cr_assert(acpi_time_valid(&t));
        cr_assert_eq(got, want, "%04u-%02u-%02u: %lld, timegm says %lld", t.year, t.month, t.day, (long long)got,
                     (long long)want);
        acpi_time_from_seconds(got, &back);
        cr_assert(same(&back, &t), "%04u-%02u-%02u does not come back", t.year, t.month, t.day);
        cr_assert_eq(acpi_date_weekday(&t), (unsigned)tm.tm_wday, "%04u-%02u-%02u weekday", t.year, t.month, t.day);
        /* next day */
        if (++t.day > acpi_date_days_in_month(t.year, t.month)) {
            t.day = 1;
            if (++t.month > 12) {
                t.month = 1;
                t.year++;
            }
        }
    }
}

Test(acpi_date, invalid_times)
{
    struct acpi_time t = {.year = 2023, .month = 2, .day = 29};

    cr_expect(!acpi_time_valid(&t));
    t.year = 2024;
    cr_expect(acpi_time_valid(&t));
    t.hour = 24;
    cr_expect(!acpi_time_valid(&t));
    t = (struct acpi_time){.year = 2024, .month = 4, .day = 31};
    cr_expect(!acpi_time_valid(&t));
    t = (struct acpi_time){.year = 1969, .month = 12, .day = 31};
    cr_expect(!acpi_time_valid(&t));
}

static struct acpi_time T(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s)
{
    return (struct acpi_time){.year = (uint16_t)y, .month = (uint8_t)mo, .day = (uint8_t)d,
                              .hour = (uint8_t)h, .minute = (uint8_t)mi, .second = (uint8_t)s};
}

#define DC ACPI_RTC_DONT_CARE

static void expect_match(struct acpi_time now, uint8_t s, uint8_t mi, uint8_t h, uint8_t d, uint8_t mo,
                         struct acpi_time want)
{
    struct acpi_time got;

    cr_assert(acpi_alarm_first_match(&now, s, mi, h, d, mo, &got));
    cr_expect(same(&got, &want), "got %04u-%02u-%02u %02u:%02u:%02u, want %04u-%02u-%02u %02u:%02u:%02u",
                 got.year, got.month, got.day, got.hour, got.minute, got.second, want.year, want.month, want.day,
                 want.hour, want.minute, want.second);
}

Test(acpi_date, alarm_first_match_across_boundaries)
{
    /* A daily alarm just after midnight, from just before it, on New Year's Eve. */
    expect_match(T(2023, 12, 31, 23, 59, 50), 10, 0, 0, DC, DC, T(2024, 1, 1, 0, 0, 10));
    /* Strictly after now: the current second does not count. */
    expect_match(T(2024, 3, 1, 7, 0, 0), 0, 0, 7, DC, DC, T(2024, 3, 2, 7, 0, 0));
    /* Day 31 from January 31 after the time: February has none, March has. */
    expect_match(T(2024, 1, 31, 10, 0, 0), 0, 0, 9, 31, DC, T(2024, 3, 31, 9, 0, 0));
    /* Day 29 in February: next year has none, so 2028. */
    expect_match(T(2024, 3, 1, 0, 0, 0), 0, 0, 12, 29, 2, T(2028, 2, 29, 12, 0, 0));
    /* 2100 is not a leap year: from 2096-03-01, February 29 comes in 2104. */
    expect_match(T(2096, 3, 1, 0, 0, 0), 30, 15, 6, 29, 2, T(2104, 2, 29, 6, 15, 30));
    /* Don't-care fields: the next whole minute. */
    expect_match(T(2024, 2, 29, 23, 59, 59), 0, DC, DC, DC, DC, T(2024, 3, 1, 0, 0, 0));
    /* Never: February 30. */
    struct acpi_time now = T(2024, 1, 1, 0, 0, 0), got;

    cr_expect(!acpi_alarm_first_match(&now, 0, 0, 0, 30, 2, &got));
    cr_expect(!acpi_alarm_first_match(&now, 0, 0, 24, DC, DC, &got));
}
