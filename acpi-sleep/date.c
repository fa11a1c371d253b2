/*
 * Calendar arithmetic for the RTC (proleptic Gregorian calendar, times as
 * seconds since 1970-01-01 00:00:00, no leap seconds).
 */
#include "internal.h"

bool acpi_date_is_leap(unsigned year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

unsigned acpi_date_days_in_month(unsigned year, unsigned month)
{
    static const uint8_t days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (month < 1 || month > 12)
        return 0;
    return days[month - 1] + (month == 2 && acpi_date_is_leap(year));
}

bool acpi_time_valid(const struct acpi_time *t)
{
    return t->year >= 1970 && t->month >= 1 && t->month <= 12 && t->day >= 1 &&
           t->day <= acpi_date_days_in_month(t->year, t->month) && t->hour < 24 && t->minute < 60 &&
           t->second < 60;
}

/*
 * Days from 1970-01-01 to y-m-d. Counting years from March makes February
 * the last month, so a leap day never shifts the months after it; 400-year
 * eras repeat exactly (146097 days).
 */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);                       /* [0, 399] */
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] from March 1 */
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;          /* [0, 146096] */

    return era * 146097 + doe - 719468;                             /* 719468: 0000-03-01 to 1970-01-01 */
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;

    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

int64_t acpi_time_to_seconds(const struct acpi_time *t)
{
    return days_from_civil(t->year, t->month, t->day) * 86400 + t->hour * 3600 + t->minute * 60 + t->second;
}

void acpi_time_from_seconds(int64_t s, struct acpi_time *t)
{
    int64_t days = (s >= 0 ? s : s - 86399) / 86400, y;
    int64_t sod = s - days * 86400;
    unsigned m, d;

    civil_from_days(days, &y, &m, &d);
    t->year = (uint16_t)y;
    t->month = (uint8_t)m;
    t->day = (uint8_t)d;
    t->hour = (uint8_t)(sod / 3600);
    t->minute = (uint8_t)(sod / 60 % 60);
    t->second = (uint8_t)(sod % 60);
}

unsigned acpi_date_weekday(const struct acpi_time *t)
{
    int64_t days = days_from_civil(t->year, t->month, t->day);

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
    int64_t today = days_from_civil(now->year, now->month, now->day);
    int32_t now_sod = now->hour * 3600 + now->minute * 60 + now->second;

    /* Eight years hold every day-of-month and month combination that
     * exists: February 29 is eight years apart across 2100. */
    for (int64_t k = 0; k <= 8 * 366; k++) {
        int64_t y;
        unsigned m, d;
        int32_t sod;

        civil_from_days(today + k, &y, &m, &d);
        if ((day != ACPI_RTC_DONT_CARE && day != d) || (month != ACPI_RTC_DONT_CARE && month != m))
            continue;
        if (!time_of_day(hour, minute, second, k ? -1 : now_sod, &sod))
            continue;
        acpi_time_from_seconds((today + k) * 86400 + sod, when);
        return true;
    }
    return false;
}
