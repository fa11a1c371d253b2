/* SPDX-License-Identifier: MIT */
/*
 * Wake schedules: date arithmetic against the C library's timegm/gmtime,
 * the next wake across day, month, year, leap-year and weekday boundaries,
 * the RTC time bases on both sides of UTC, and a brute-force search that
 * walks minute by minute as the reference for random schedules.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fixture.h"
#include "world.h" /* world_rand */

typedef struct pol_datetime dt;

static time_t to_time(const dt *t)
{
    struct tm tm = { .tm_year = t->year - 1900, .tm_mon = t->month - 1, .tm_mday = t->day,
                     .tm_hour = t->hour, .tm_min = t->minute, .tm_sec = t->second };
    return timegm(&tm);
}

static dt from_time(time_t s)
{
    struct tm tm;
    gmtime_r(&s, &tm);
    return (dt){ (uint16_t)(tm.tm_year + 1900), (uint8_t)(tm.tm_mon + 1), (uint8_t)tm.tm_mday,
                 (uint8_t)tm.tm_hour, (uint8_t)tm.tm_min, (uint8_t)tm.tm_sec };
}

static void dt_eq(const dt *got, const dt *want, const char *what)
{
    cr_assert(!memcmp(got, want, sizeof *got),
              "%s: got %04u-%02u-%02u %02u:%02u:%02u, want %04u-%02u-%02u %02u:%02u:%02u", what,
              got->year, got->month, got->day, got->hour, got->minute, got->second, want->year,
              want->month, want->day, want->hour, want->minute, want->second);
}

static struct pol_schedule sched(const char *wake)
{
    struct pol_config c;
    struct pol_error err;
    char text[1024];
    int n = snprintf(text, sizeof text,
                     "[store]\npartition = 6e0c2a4f-3b1d-4c8e-9f27-5a81d0c4e9b2\n[os A]\n"
                     "loader = \\a.efi\nwake = %s\n[os B]\nloader = \\b.efi\n", wake);
    cr_assert_eq(pol_parse(text, (size_t)n, &c, &err), POL_OK, "%s", err.msg);
    return c.os[0].wake;
}

static dt next_of(const char *wake, dt now)
{
    struct pol_schedule s = sched(wake);
    dt next;
    cr_assert_eq(pol_wake_next(&s, &now, &next), POL_OK, "%s", wake);
    return next;
}

Test(wake_dates, arithmetic_matches_libc)
{
    uint64_t rng = 0xda7e;
    for (int i = 0; i < 20000; i++) {
        /* 1971..2399: the range a machine's RTC and its users live in, and more. */
        time_t base = (time_t)(world_rand(&rng) % (13500000000ull)) + 31536000;
        int32_t delta = (int32_t)(world_rand(&rng) % 10000000) - 5000000; /* about ±9.5 years */
        dt t = from_time(base);
        cr_assert(pol_datetime_valid(&t));
        struct tm tm;
        gmtime_r(&base, &tm);
        cr_assert_eq(pol_weekday(&t), tm.tm_wday);

        dt moved = t, want = from_time(base + (time_t)delta * 60);
        pol_datetime_add_minutes(&moved, delta);
        dt_eq(&moved, &want, "add_minutes");
        cr_assert_eq(pol_datetime_cmp(&t, &moved), delta > 0 ? -1 : delta < 0 ? 1 : 0);
    }
}

Test(wake_dates, validity)
{
    cr_expect(pol_datetime_valid(&(dt){ 2028, 2, 29, 0, 0, 0 }));
    cr_expect_not(pol_datetime_valid(&(dt){ 2027, 2, 29, 0, 0, 0 }));
    cr_expect(pol_datetime_valid(&(dt){ 2000, 2, 29, 0, 0, 0 }), "divisible by 400: leap");
    cr_expect_not(pol_datetime_valid(&(dt){ 2100, 2, 29, 0, 0, 0 }), "divisible by 100: not leap");
    cr_expect_not(pol_datetime_valid(&(dt){ 2026, 4, 31, 0, 0, 0 }));
    cr_expect_not(pol_datetime_valid(&(dt){ 2026, 13, 1, 0, 0, 0 }));
    cr_expect_not(pol_datetime_valid(&(dt){ 2026, 1, 1, 24, 0, 0 }));
    cr_expect_not(pol_datetime_valid(&(dt){ 1969, 12, 31, 23, 59, 59 }));
}

Test(wake_next, across_boundaries)
{
    static const struct {
        const char *wake, *what;
        dt now, want;
    } cases[] = {
        { "07:30", "later today", { 2026, 11, 23, 7, 0, 0 }, { 2026, 11, 23, 7, 30, 0 } },
        { "07:30", "a second before", { 2026, 11, 23, 7, 29, 59 }, { 2026, 11, 23, 7, 30, 0 } },
        { "07:30", "exactly now is not next", { 2026, 11, 23, 7, 30, 0 }, { 2026, 11, 24, 7, 30, 0 } },
        { "07:30", "a second after", { 2026, 11, 23, 7, 30, 1 }, { 2026, 11, 24, 7, 30, 0 } },
        { "00:10", "end of a 31-day month", { 2026, 1, 31, 23, 50, 0 }, { 2026, 2, 1, 0, 10, 0 } },
        { "00:10", "end of a 30-day month", { 2026, 4, 30, 23, 50, 0 }, { 2026, 5, 1, 0, 10, 0 } },
        { "00:00", "end of the year", { 2026, 12, 31, 23, 59, 59 }, { 2027, 1, 1, 0, 0, 0 } },
        { "06:00", "into a leap day", { 2028, 2, 28, 23, 0, 0 }, { 2028, 2, 29, 6, 0, 0 } },
        { "06:00", "out of a leap day", { 2028, 2, 29, 23, 0, 0 }, { 2028, 3, 1, 6, 0, 0 } },
        { "06:00", "no leap day in 2027", { 2027, 2, 28, 23, 0, 0 }, { 2027, 3, 1, 6, 0, 0 } },
        { "06:00", "none in 2100", { 2100, 2, 28, 23, 0, 0 }, { 2100, 3, 1, 6, 0, 0 } },
        { "06:00", "one in 2000", { 2000, 2, 28, 23, 0, 0 }, { 2000, 2, 29, 6, 0, 0 } },
        { "mon-fri 07:30", "Friday evening to Monday, across a month",
          { 2026, 7, 31, 18, 0, 0 }, { 2026, 8, 3, 7, 30, 0 } },
        { "wed 08:00", "today's time passed: a week later", { 2026, 11, 25, 9, 0, 0 }, { 2026, 12, 2, 8, 0, 0 } },
        { "wed 08:00", "today's time ahead", { 2026, 11, 25, 7, 0, 0 }, { 2026, 11, 25, 8, 0, 0 } },
        { "mon-fri 07:30, sat 09:00", "the earlier entry wins", { 2026, 11, 27, 23, 59, 0 }, { 2026, 11, 28, 9, 0, 0 } },
        { "sat 09:00, mon-fri 07:30", "in any order", { 2026, 11, 27, 6, 0, 0 }, { 2026, 11, 27, 7, 30, 0 } },
        { "sun 10:00", "Sunday is day 0", { 2026, 11, 28, 12, 0, 0 }, { 2026, 11, 29, 10, 0, 0 } },
        { "weekends 08:00", "Sunday to Saturday", { 2026, 11, 29, 9, 0, 0 }, { 2026, 12, 5, 8, 0, 0 } },
        { "fri-mon 23:15", "a range that wraps", { 2026, 11, 24, 0, 0, 0 }, { 2026, 11, 27, 23, 15, 0 } },
        { "sun 23:59", "a week ahead across the year", { 2028, 12, 31, 23, 59, 30 }, { 2029, 1, 7, 23, 59, 0 } },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dt got = next_of(cases[i].wake, cases[i].now);
        dt_eq(&got, &cases[i].want, cases[i].what);
    }
}

Test(wake_next, refuses_what_it_cannot_answer)
{
    struct pol_schedule none = { 0 }, s = sched("07:00");
    dt next, now = { 2026, 1, 1, 0, 0, 0 };

    cr_expect_eq(pol_wake_next(&none, &now, &next), POL_E_NO_SCHEDULE);
    cr_expect_eq(pol_wake_alarm(&none, &now, &next), POL_E_NO_SCHEDULE);
    cr_expect_eq(pol_wake_next(&s, &(dt){ 2026, 2, 30, 0, 0, 0 }, &next), POL_E_ARG);
    cr_expect_eq(pol_wake_next(&s, &(dt){ 9999, 12, 31, 23, 0, 0 }, &next), POL_E_ARG, "year 10000");
    cr_expect_eq(pol_wake_next(&s, &(dt){ 9999, 12, 31, 6, 0, 0 }, &next), POL_OK);
    cr_expect_eq(pol_wake_next(NULL, &now, &next), POL_E_ARG);
}

/* Walks forward minute by minute until a schedule entry matches: slow and obviously right. */
static dt brute_next(const struct pol_schedule *s, const dt *now)
{
    time_t t = to_time(now) - now->second + 60;
    for (int i = 0; i < 8 * 24 * 60; i++, t += 60) {
        struct tm tm;
        gmtime_r(&t, &tm);
        for (unsigned k = 0; k < s->n; k++)
            if ((s->at[k].days >> tm.tm_wday & 1) && s->at[k].hour == tm.tm_hour &&
                s->at[k].minute == tm.tm_min)
                return from_time(t);
    }
    cr_assert_fail("brute force found nothing in 8 days");
    return *now;
}

Test(wake_next, random_schedules_match_brute_force)
{
    uint64_t rng = 0x0a1a;
    for (int i = 0; i < 1500; i++) {
        struct pol_schedule s = { .n = (uint8_t)(1 + world_rand(&rng) % 4) };
        for (unsigned k = 0; k < s.n; k++) {
            uint64_t r = world_rand(&rng);
            s.at[k] = (struct pol_wake_entry){ (uint8_t)(1 + r % 127), (uint8_t)(r >> 8) % 24,
                                               (uint8_t)(r >> 16) % 60, 0 };
        }
        dt now = from_time((time_t)(world_rand(&rng) % 4102444800ull)), next;
        cr_assert_eq(pol_wake_next(&s, &now, &next), POL_OK);
        dt want = brute_next(&s, &now);
        dt_eq(&next, &want, "random schedule");
    }
}

Test(wake_alarm, rtc_time_bases_on_both_sides_of_utc)
{
    static const struct {
        const char *wake, *rtc, *what;
        dt rtc_now, alarm;
    } cases[] = {
        { "07:30", "local +01:00", "RTC in local time: no conversion",
          { 2026, 11, 27, 6, 0, 0 }, { 2026, 11, 27, 7, 30, 0 } },
        { "07:30", "utc +01:00", "RTC in UTC, local an hour ahead",
          { 2026, 11, 27, 6, 0, 0 }, { 2026, 11, 27, 6, 30, 0 } },
        { "07:30", "utc", "RTC in UTC and times in UTC",
          { 2026, 11, 27, 6, 0, 0 }, { 2026, 11, 27, 7, 30, 0 } },
        { "07:30", "utc +09:00", "the alarm falls the previous day, and year, in UTC",
          { 2026, 12, 31, 22, 0, 0 }, { 2026, 12, 31, 22, 30, 0 } },
        { "07:30", "utc +09:00", "already past 07:30 local on New Year's Day",
          { 2026, 12, 31, 23, 0, 0 }, { 2027, 1, 1, 22, 30, 0 } },
        { "mon-fri 07:30", "utc -05:00", "Sunday evening local is Monday in UTC",
          { 2027, 3, 1, 3, 0, 0 }, { 2027, 3, 1, 12, 30, 0 } },
        { "mon 07:30", "utc -05:00", "weekday taken in local time, not UTC",
          { 2027, 3, 1, 11, 0, 0 }, { 2027, 3, 1, 12, 30, 0 } },
        { "00:15", "utc +05:30", "leap day in local time, half-hour zone",
          { 2028, 2, 28, 20, 0, 0 }, { 2028, 2, 29, 18, 45, 0 } },
        { "23:00", "utc -03:30", "UTC is on the leap day, local still on the 28th",
          { 2028, 2, 29, 2, 0, 0 }, { 2028, 2, 29, 2, 30, 0 } },
        { "23:00", "utc -03:30", "UTC is on March 1st, local on the leap day",
          { 2028, 3, 1, 2, 45, 0 }, { 2028, 3, 2, 2, 30, 0 } },
        { "06:00", "local -12:00", "the far west, RTC local",
          { 2026, 12, 31, 23, 0, 0 }, { 2027, 1, 1, 6, 0, 0 } },
        { "06:00", "utc +14:00", "the far east, RTC in UTC",
          { 2026, 12, 31, 16, 30, 0 }, { 2027, 1, 1, 16, 0, 0 } },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char line[256];
        snprintf(line, sizeof line, "%s\nrtc = %s", cases[i].wake, cases[i].rtc);
        struct pol_schedule s = sched(line);
        dt alarm;
        cr_assert_eq(pol_wake_alarm(&s, &cases[i].rtc_now, &alarm), POL_OK, "%s", cases[i].what);
        dt_eq(&alarm, &cases[i].alarm, cases[i].what);
    }
}

Test(wake_format, canonical_and_parses_back)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        { "07:30", "daily 07:30" },
        { "mon-fri 7:05", "mon-fri 07:05" },
        { "weekdays 06:45, weekends 08:00", "mon-fri 06:45, sat sun 08:00" },
        { "fri-mon 23:15", "mon fri-sun 23:15" },
        { "mon wed fri 06:00", "mon wed fri 06:00" },
        { "tue-thu 00:00, sun 12:34", "tue-thu 00:00, sun 12:34" },
        { "sun-sat 09:00", "daily 09:00" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct pol_schedule s = sched(cases[i].in), back;
        char text[256];
        size_t n = pol_wake_format(&s, text, sizeof text);
        cr_expect_str_eq(text, cases[i].out);
        cr_expect_eq(n, strlen(cases[i].out));
        back = sched(text);
        cr_expect(!memcmp(back.at, s.at, sizeof s.at) && back.n == s.n, "%s does not parse back", text);
    }
    struct pol_schedule none = { 0 };
    char text[8];
    pol_wake_format(&none, text, sizeof text);
    cr_expect_str_eq(text, "none");
}
