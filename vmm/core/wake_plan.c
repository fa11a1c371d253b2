/* SPDX-License-Identifier: MIT */
#include "wake_plan.h"

static struct pol_datetime to_pol(const struct acpi_time *t)
{
    return (struct pol_datetime){ .year = t->year, .month = t->month, .day = t->day,
                                  .hour = t->hour, .minute = t->minute, .second = t->second };
}

static struct acpi_time to_acpi(const struct pol_datetime *t)
{
    return (struct acpi_time){ .year = t->year, .month = t->month, .day = t->day,
                               .hour = t->hour, .minute = t->minute, .second = t->second };
}

enum acpi_alarm_reach wake_alarm_reach(const struct acpi_platform *p)
{
    if (!p->day_alarm)
        return ACPI_ALARM_DAILY;
    return p->mon_alarm ? ACPI_ALARM_YEARLY : ACPI_ALARM_MONTHLY;
}

enum pol_status wake_plan(const struct pol_schedule *s, const struct acpi_time *utc_now,
                          enum acpi_alarm_reach reach, struct wake_plan *out)
{
    const struct pol_datetime now = to_pol(utc_now);
    struct pol_datetime local = now, next;

    pol_datetime_add_minutes(&local, s->utc_offset);
    enum pol_status st = pol_wake_next(s, &local, &next);
    if (st != POL_OK)
        return st;
    out->slot = next;
    struct pol_datetime utc = next;
    pol_datetime_add_minutes(&utc, -s->utc_offset);
    out->daily_fallback = false;

    /* Month and year alarms reach a week ahead; a daily alarm fires at the
     * first match of its time of day, so a slot more than a day away would
     * fire early. Then the same time of day is armed, within the next 24
     * hours, and the OS boots once early rather than never. */
    struct pol_datetime day_after = now;
    pol_datetime_add_minutes(&day_after, 24 * 60);
    if (reach == ACPI_ALARM_DAILY && pol_datetime_cmp(&utc, &day_after) > 0) {
        struct pol_datetime t = now;
        t.hour = utc.hour;
        t.minute = utc.minute;
        t.second = 0;
        if (pol_datetime_cmp(&t, &now) <= 0)
            pol_datetime_add_minutes(&t, 24 * 60);
        utc = t;
        out->daily_fallback = true;
    }
    out->alarm_utc = to_acpi(&utc);
    return POL_OK;
}
