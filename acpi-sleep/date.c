/* SPDX-License-Identifier: MIT */
/*
 * Calendar arithmetic for the RTC (proleptic Gregorian calendar, times as
 * seconds since 1970-01-01 00:00:00, no leap seconds). The day arithmetic
 * is in acpi_sleep.h, shared with the policy library.
 */
#include "internal.h"

bool acpi_time_valid(const struct acpi_time *t)
{
    return t->year >= 1970 && t->month >= 1 && t->month <= 12 && t->day >= 1 &&
           t->day <= acpi_date_days_in_month(t->year, t->month) && t->hour < 24 && t->minute < 60 &&
           t->second < 60;
}

int64_t acpi_time_to_seconds(const struct acpi_time *t)
{
    return acpi_days_from_civil(t->year, t->month, t->day) * 86400 + t->hour * 3600 + t->minute * 60 + t->second;
}

void acpi_time_from_seconds(int64_t s, struct acpi_time *t)
{
    int64_t days = (s >= 0 ? s : s - 86399) / 86400, y;
    int64_t sod = s - days * 86400;
    unsigned m, d;

    acpi_civil_from_days(days, &y, &m, &d);
    t->year = (uint16_t)y;
    t->month = (uint8_t)m;
    t->day = (uint8_t)d;
    t->hour = (uint8_t)(sod / 3600);
    t->minute = (uint8_t)(sod / 60 % 60);
    t->second = (uint8_t)(sod % 60);
}

unsigned acpi_date_weekday(const struct acpi_time *t)
{
    int64_t days = acpi_days_from_civil(t->year, t->month, t->day);

    return (unsigned)((days % 7 + 7 + 4) % 7);     /* 1970-01-01 was a Thursday */
}

/* The first second of the day `t` is on (or after `after`, if it is that
 * day) whose hh:mm:ss match. */
static bool time_of_day(uint8_t hour, uint8_t minute, uint8_t second, int32_t after, int32_t *sod)
{
    for (unsigned h = 0; h < 24; h++) {
        if (hour != ACPI_RTC_DONT_CARE && hour != h)
            continue;
        for (unsigned m = 0; m < 60; m++) {
            if (minute != ACPI_RTC_DONT_CARE && minute != m)
                continue;
            for (unsigned s = 0; s < 60; s++) {
                int32_t x = (int32_t)(h * 3600 + m * 60 + s);

                if ((second == ACPI_RTC_DONT_CARE || second == s) && x > after) {
                    *sod = x;
                    return true;
                }
            }
        }
    }
    return false;
}

bool acpi_alarm_first_match(const struct acpi_time *now, uint8_t second, uint8_t minute, uint8_t hour,
                            uint8_t day, uint8_t month, struct acpi_time *when)
{
    int64_t today = acpi_days_from_civil(now->year, now->month, now->day);
    int32_t now_sod = now->hour * 3600 + now->minute * 60 + now->second;

    /* Eight years hold every day-of-month and month combination that
     * exists: February 29 is eight years apart across 2100. */
    for (int64_t k = 0; k <= 8 * 366; k++) {
        int64_t y;
        unsigned m, d;
        int32_t sod;

        acpi_civil_from_days(today + k, &y, &m, &d);
        if ((day != ACPI_RTC_DONT_CARE && day != d) || (month != ACPI_RTC_DONT_CARE && month != m))
            continue;
        if (!time_of_day(hour, minute, second, k ? -1 : now_sod, &sod))
            continue;
        acpi_time_from_seconds((today + k) * 86400 + sod, when);
        return true;
    }
    return false;
}
