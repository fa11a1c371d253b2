/* SPDX-License-Identifier: MIT */
/*
 * The Intel-Mac power-on hook's arithmetic (DESIGN.md, "The iMac power-on
 * hook"): from an OS's wake schedule and the current time, the moment the
 * RTC alarm must fire, and whether the hardware's alarm can express it.
 * Pure: the hook (wake_hook.c) reads the RTC and programs it; the unit
 * tests run this against every calendar edge.
 */
#ifndef SMX_WAKE_PLAN_H
#define SMX_WAKE_PLAN_H

#include <stdbool.h>

#include "acpi_sleep.h"
#include "policy.h"

struct wake_plan {
    struct pol_datetime slot;    /* the scheduled slot, in the OS's local time */
    struct acpi_time alarm_utc;  /* what to arm */
    bool daily_fallback;         /* the slot is beyond a daily-only alarm's reach:
                                    armed for the same time of day, tomorrow at most */
};

/* How far the platform's alarm reaches (ACPI 6.5 §5.2.9: DAY_ALRM, MON_ALRM). */
enum acpi_alarm_reach wake_alarm_reach(const struct acpi_platform *p);

/*
 * The alarm for schedule `s` when it is `utc_now` (UTC). The schedule's
 * times are the OS's local time, local = UTC + s->utc_offset minutes,
 * whichever base the RTC keeps. POL_E_NO_SCHEDULE if s is empty.
 */
enum pol_status wake_plan(const struct pol_schedule *s, const struct acpi_time *utc_now,
                          enum acpi_alarm_reach reach, struct wake_plan *out);

#endif
