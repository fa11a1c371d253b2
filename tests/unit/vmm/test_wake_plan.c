/* SPDX-License-Identifier: MIT */
/*
 * The power-on hook's arithmetic (vmm/core/wake_plan.c) across calendar
 * edges, and the whole path the VMM takes — schedule, plan, acpi-sleep's
 * alarm programming — against a simulated MC146818 CMOS and PM1 event block
 * in BCD/12 h and binary/24 h modes, with the RTC in UTC and in local time.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "../../../vmm/core/wake_plan.h"
#include "../acpi-sleep/cmos_sim.h"

static struct pol_schedule daily(unsigned h, unsigned m, int offset)
{
    struct pol_schedule s = { .n = 1, .from = POL_WAKE_FROM_S5, .utc_offset = (int16_t)offset };
    s.at[0] = (struct pol_wake_entry){ .days = POL_DAYS_ALL, .hour = (uint8_t)h, .minute = (uint8_t)m };
    return s;
}

static struct acpi_time T(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s)
{
    return (struct acpi_time){ .year = (uint16_t)y, .month = (uint8_t)mo, .day = (uint8_t)d,
                               .hour = (uint8_t)h, .minute = (uint8_t)mi, .second = (uint8_t)s };
}

#define ASSERT_TIME(got, want)                                                                            \
    do {                                                                                                  \
        struct acpi_time w_ = (want);                                                                     \
        cr_assert((got).year == w_.year && (got).month == w_.month && (got).day == w_.day &&               \
                      (got).hour == w_.hour && (got).minute == w_.minute && (got).second == w_.second,    \
                  "got %04u-%02u-%02u %02u:%02u:%02u", (got).year,                                        \
                  (got).month, (got).day, (got).hour, (got).minute, (got).second);                        \
    } while (0)

static struct wake_plan plan_for(struct pol_schedule s, struct acpi_time now, enum acpi_alarm_reach reach)
{
    struct wake_plan p;
    cr_assert_eq(wake_plan(&s, &now, reach, &p), POL_OK);
    return p;
}

Test(wake_plan, next_morning_in_utc)
{
    struct wake_plan p = plan_for(daily(7, 30, 0), T(2026, 11, 26, 8, 0, 0), ACPI_ALARM_MONTHLY);
    ASSERT_TIME(p.alarm_utc, T(2026, 11, 27, 7, 30, 0));
    cr_assert_not(p.daily_fallback);
}

Test(wake_plan, new_year_crossed_in_local_time_east_of_utc)
{
    /* 23:59:30 on Dec 31 in Tokyo is 14:59:30 UTC: midnight local is 15:00 UTC. */
    struct wake_plan p = plan_for(daily(0, 0, 9 * 60), T(2026, 12, 31, 14, 59, 30), ACPI_ALARM_MONTHLY);
    cr_assert_eq(p.slot.year, 2027);
    cr_assert_eq(p.slot.month, 1);
    cr_assert_eq(p.slot.day, 1);
    ASSERT_TIME(p.alarm_utc, T(2026, 12, 31, 15, 0, 0));
}

Test(wake_plan, west_of_utc_the_utc_date_is_ahead)
{
    /* 22:00 local (UTC-5) on Nov 26 is 03:00 UTC on Nov 27; 07:30 local is 12:30 UTC. */
    struct wake_plan p = plan_for(daily(7, 30, -5 * 60), T(2026, 11, 27, 3, 0, 0), ACPI_ALARM_MONTHLY);
    cr_assert_eq(p.slot.day, 27);
    ASSERT_TIME(p.alarm_utc, T(2026, 11, 27, 12, 30, 0));
    /* UTC+14 (Kiribati): local is already the next day. */
    p = plan_for(daily(7, 30, 14 * 60), T(2026, 11, 26, 18, 0, 0), ACPI_ALARM_MONTHLY);
    cr_assert_eq(p.slot.day, 28);
    ASSERT_TIME(p.alarm_utc, T(2026, 11, 27, 17, 30, 0));
}

Test(wake_plan, leap_days)
{
    struct wake_plan p = plan_for(daily(7, 30, 0), T(2028, 2, 28, 20, 0, 0), ACPI_ALARM_MONTHLY);
    ASSERT_TIME(p.alarm_utc, T(2028, 2, 29, 7, 30, 0));
    p = plan_for(daily(7, 30, 0), T(2100, 2, 28, 20, 0, 0), ACPI_ALARM_MONTHLY); /* 2100 is not leap */
    ASSERT_TIME(p.alarm_utc, T(2100, 3, 1, 7, 30, 0));
    p = plan_for(daily(7, 30, 0), T(2000, 2, 28, 20, 0, 0), ACPI_ALARM_MONTHLY); /* 2000 is */
    ASSERT_TIME(p.alarm_utc, T(2000, 2, 29, 7, 30, 0));
}

Test(wake_plan, slot_days_away_on_a_daily_only_alarm_falls_back_to_daily)
{
    struct pol_schedule s = daily(7, 30, 0);
    s.at[0].days = 1u << 1; /* Mondays */
    /* Friday 2026-11-27 18:00: the slot is Monday, three days away. */
    struct wake_plan p = plan_for(s, T(2026, 11, 27, 18, 0, 0), ACPI_ALARM_DAILY);
    cr_assert_eq(p.slot.day, 30);
    cr_assert(p.daily_fallback);
    ASSERT_TIME(p.alarm_utc, T(2026, 11, 28, 7, 30, 0));
    /* With a day-of-month alarm the real slot is armed. */
    p = plan_for(s, T(2026, 11, 27, 18, 0, 0), ACPI_ALARM_MONTHLY);
    cr_assert_not(p.daily_fallback);
    ASSERT_TIME(p.alarm_utc, T(2026, 11, 30, 7, 30, 0));
    /* Within a day, a daily alarm is exact. */
    p = plan_for(s, T(2026, 11, 29, 18, 0, 0), ACPI_ALARM_DAILY);
    cr_assert_not(p.daily_fallback);
    ASSERT_TIME(p.alarm_utc, T(2026, 11, 30, 7, 30, 0));
}

Test(wake_plan, empty_schedule_is_refused)
{
    struct pol_schedule s = { 0 };
    struct wake_plan p;
    struct acpi_time now = T(2026, 11, 26, 8, 0, 0);
    cr_assert_eq(wake_plan(&s, &now, ACPI_ALARM_MONTHLY, &p), POL_E_NO_SCHEDULE);
}

/* --- the whole path on simulated hardware (tests/unit/acpi-sleep/cmos_sim) */

/* PM1a event block at 0x600 and CENTURY at 0x32 as on QEMU's q35, plus a
 * day-of-month alarm at 0x0d as many PCs have (q35 has none). */
static struct acpi_platform pc(bool day_alarm)
{
    struct acpi_platform p;
    memset(&p, 0, sizeof p);
    p.fadt_revision = 3;
    p.pm1_evt_len = 4;
    p.pm1a_sts = (struct acpi_reg){ .address = 0x600, .space = ACPI_SPACE_IO, .size = 2, .access = 2 };
    p.pm1a_en = (struct acpi_reg){ .address = 0x602, .space = ACPI_SPACE_IO, .size = 2, .access = 2 };
    p.day_alarm = day_alarm ? 0x0d : 0;
    p.century = 0x32;
    return p;
}

/* What the VMM's hook does: read the RTC, plan, arm. */
static struct wake_plan hook(struct cmos_sim *h, struct acpi_platform *p, struct pol_schedule s)
{
    struct acpi_io io = cmos_sim_io(h, NULL, 0x600);
    struct acpi_rtc_config cfg = { .local_time = s.rtc_local, .utc_offset_minutes = s.utc_offset };
    struct acpi_time now;
    struct acpi_error err;
    struct wake_plan plan;
    char msg[160];

    cr_assert_eq(acpi_rtc_read_time(p, &io, &cfg, &now, &err), ACPI_OK);
    cr_assert_eq(wake_plan(&s, &now, wake_alarm_reach(p), &plan), POL_OK);
    enum acpi_status st = acpi_rtc_arm(p, &io, &cfg, &plan.alarm_utc, NULL, &err);
    acpi_error_format(&err, msg, sizeof msg);
    cr_assert_eq(st, ACPI_OK, "%s", msg);
    return plan;
}

Test(wake_hook_on_hw, bcd_12_hour_evening_sets_the_pm_bit)
{
    struct cmos_sim h = { .sts = 1u << 10, .en = 0 }; /* RTC_STS pending, RTC_EN off (as Windows leaves it) */
    struct acpi_platform p = pc(true);
    cmos_sim_set(&h, T(2026, 11, 27, 18, 0, 0), 0x00, 0x32); /* BCD, 12 h */
    hook(&h, &p, daily(19, 45, 0));
    cr_assert_eq(h.cmos[5], 0x87, "hour alarm 0x%02x: 7 PM is BCD 07 with the PM bit", h.cmos[5]);
    cr_assert_eq(h.cmos[3], 0x45);
    cr_assert_eq(h.cmos[1], 0x00);
    cr_assert_eq(h.cmos[0x0d] & 0x3f, 0x27, "day alarm 0x%02x", h.cmos[0x0d]);
    cr_assert(h.cmos[0x0b] & 0x20, "AIE set");
    cr_assert(h.en & (1u << 10), "PM1_EN.RTC_EN set");
    cr_assert_not(h.sts & (1u << 10), "PM1_STS.RTC_STS cleared");
}

Test(wake_hook_on_hw, bcd_12_hour_midnight_and_noon)
{
    struct cmos_sim h = { 0 };
    struct acpi_platform p = pc(true);
    cmos_sim_set(&h, T(2026, 11, 27, 23, 0, 0), 0x00, 0x32);
    hook(&h, &p, daily(0, 30, 0));
    cr_assert_eq(h.cmos[5], 0x12, "00:30 is 12 AM: 0x%02x", h.cmos[5]);
    cr_assert_eq(h.cmos[0x0d] & 0x3f, 0x28);
    cmos_sim_set(&h, T(2026, 11, 27, 11, 0, 0), 0x00, 0x32);
    hook(&h, &p, daily(12, 30, 0));
    cr_assert_eq(h.cmos[5], 0x92, "12:30 is 12 PM: 0x%02x", h.cmos[5]);
}

Test(wake_hook_on_hw, binary_24_hour_across_the_month)
{
    struct cmos_sim h = { 0 };
    struct acpi_platform p = pc(true);
    cmos_sim_set(&h, T(2026, 11, 30, 22, 0, 0), 0x06, 0x32); /* binary, 24 h */
    hook(&h, &p, daily(19, 45, 0));
    cr_assert_eq(h.cmos[5], 19);
    cr_assert_eq(h.cmos[3], 45);
    cr_assert_eq(h.cmos[0x0d] & 0x3f, 1, "December 1st");
}

Test(wake_hook_on_hw, local_time_rtc_as_windows_keeps_it)
{
    struct cmos_sim h = { 0 };
    struct acpi_platform p = pc(true);
    struct pol_schedule s = daily(7, 30, 9 * 60);
    s.rtc_local = 1;
    /* The RTC reads 22:00 local (13:00 UTC); 07:30 local tomorrow is armed as 07:30 on the RTC. */
    cmos_sim_set(&h, T(2026, 11, 27, 22, 0, 0), 0x02, 0x32); /* BCD, 24 h */
    struct wake_plan plan = hook(&h, &p, s);
    ASSERT_TIME(plan.alarm_utc, T(2026, 11, 27, 22, 30, 0));
    cr_assert_eq(h.cmos[5], 0x07);
    cr_assert_eq(h.cmos[3], 0x30);
    cr_assert_eq(h.cmos[0x0d] & 0x3f, 0x28);
}

Test(wake_hook_on_hw, daily_only_hardware_gets_the_daily_fallback)
{
    struct cmos_sim h = { 0 };
    struct acpi_platform p = pc(false);
    struct pol_schedule s = daily(7, 30, 0);
    s.at[0].days = 1u << 1; /* Mondays */
    cmos_sim_set(&h, T(2026, 11, 27, 18, 0, 0), 0x02, 0x32); /* Friday */
    struct wake_plan plan = hook(&h, &p, s);
    cr_assert(plan.daily_fallback);
    cr_assert_eq(h.cmos[5], 0x07);
    cr_assert_eq(h.cmos[3], 0x30);
}
