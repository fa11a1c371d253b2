/* SPDX-License-Identifier: MIT */
/*
 * The RTC alarm against a simulated MC146818 CMOS RTC and PM1 event
 * blocks: BCD and binary, 12 and 24 hours, UTC and local time, day and
 * month alarms per the FADT, update-in-progress, and what is refused.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "cmos_sim.h"
#include "helpers.h"

/* The simulated hardware (cmos_sim.c), with the fixture's memory behind it. */
static struct acpi_io sim_io(struct cmos_sim *s, struct fx *f, uint16_t pm1_base)
{
    struct acpi_io phys = acpimem_io(&f->m);

    return cmos_sim_io(s, &phys, pm1_base);
}

static struct acpi_time T(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s)
{
    return (struct acpi_time){.year = (uint16_t)y, .month = (uint8_t)mo, .day = (uint8_t)d,
                              .hour = (uint8_t)h, .minute = (uint8_t)mi, .second = (uint8_t)s};
}

static bool same(struct acpi_time a, struct acpi_time b)
{
    return a.year == b.year && a.month == b.month && a.day == b.day && a.hour == b.hour && a.minute == b.minute &&
           a.second == b.second;
}

Test(acpi_rtc, read_time_bcd_and_binary_12_and_24_hours)
{
    static struct fx f;
    static struct cmos_sim s;
    struct acpi_time t;
    struct acpi_rtc_config utc = {0}, cest = {.local_time = true, .utc_offset_minutes = 120};

    fx_load(&f, "q35", 0);          /* CENTURY at 0x32 */
    struct acpi_io io = sim_io(&s, &f, 0x600);

    cmos_sim_set(&s, T(2024, 2, 29, 23, 59, 58), 0x02, 0x32);        /* BCD, 24 h */
    s.uip_reads = 3;
    cr_assert_eq(acpi_rtc_read_time(&f.p, &io, &utc, &t, &f.err), ACPI_OK, "%s", fx_errstr(&f.err));
    cr_expect(same(t, T(2024, 2, 29, 23, 59, 58)));
    cr_expect_eq(s.uip_reads, 0, "waited for the update to end");

    cmos_sim_set(&s, T(2031, 12, 31, 0, 30, 0), 0x04, 0x32);         /* binary, 12 h: 12:30 AM */
    cr_expect_eq(s.cmos[4], 0x0c);
    cr_assert_eq(acpi_rtc_read_time(&f.p, &io, &utc, &t, &f.err), ACPI_OK, "%s", fx_errstr(&f.err));
    cr_expect(same(t, T(2031, 12, 31, 0, 30, 0)));
    cmos_sim_set(&s, T(2031, 12, 31, 13, 5, 0), 0x00, 0x32);         /* BCD, 12 h: 1:05 PM = 0x81 */
    cr_expect_eq(s.cmos[4], 0x81);
    cr_assert_eq(acpi_rtc_read_time(&f.p, &io, &utc, &t, &f.err), ACPI_OK);
    cr_expect(same(t, T(2031, 12, 31, 13, 5, 0)));

    /* An RTC kept in local time (UTC+2): 01:30 on March 1 is 23:30 on
     * February 29 in UTC. */
    cmos_sim_set(&s, T(2024, 3, 1, 1, 30, 0), 0x02, 0x32);
    cr_assert_eq(acpi_rtc_read_time(&f.p, &io, &cest, &t, &f.err), ACPI_OK);
    cr_expect(same(t, T(2024, 2, 29, 23, 30, 0)));

    /* A second ticking over mid-read is read again. */
    cmos_sim_set(&s, T(2024, 3, 1, 1, 30, 0), 0x02, 0x32);
    s.tick_after = 3;
    cr_assert_eq(acpi_rtc_read_time(&f.p, &io, &utc, &t, &f.err), ACPI_OK);
    cr_expect(same(t, T(2024, 3, 1, 1, 30, 1)));

    /* Garbage and a stuck update are errors that say which. */
    cmos_sim_set(&s, T(2024, 3, 1, 1, 30, 0), 0x02, 0x32);
    s.cmos[0x07] = 0x3a;
    cr_expect_eq(acpi_rtc_read_time(&f.p, &io, &utc, &t, &f.err), ACPI_E_RTC_TIME);
    cr_expect_str_eq(fx_errstr(&f.err), "RTC: register 0x7 holds 0x3a, not a valid value");
    s.cmos[0x07] = 0x31;
    s.cmos[0x08] = 0x02;
    cr_expect_eq(acpi_rtc_read_time(&f.p, &io, &utc, &t, &f.err), ACPI_E_RTC_TIME, "February 31");
    s.uip_reads = ~0u;
    cr_expect_eq(acpi_rtc_read_time(&f.p, &io, &utc, &t, &f.err), ACPI_E_RTC_BUSY);
    fx_free(&f);
}

Test(acpi_rtc, daily_alarm_on_q35)
{
    static struct fx f;
    static struct cmos_sim s;
    struct acpi_rtc_alarm a;
    struct acpi_rtc_config utc = {0};

    fx_load(&f, "q35", 0);          /* no DAY_ALRM: time of day only */
    struct acpi_io io = sim_io(&s, &f, 0x600);

    cmos_sim_set(&s, T(2024, 2, 28, 23, 0, 0), 0x02, 0x32);
    s.sts = 0x0501;                 /* RTC_STS, PWRBTN_STS and TMR_STS pending */
    s.en = 0x0100;                  /* PWRBTN_EN */
    cr_assert_eq(acpi_rtc_arm(&f.p, &io, &utc, &(struct acpi_time){2024, 2, 29, 7, 30, 5}, &a, &f.err), ACPI_OK,
                 "%s", fx_errstr(&f.err));
    cr_expect_eq(s.cmos[0x01], 0x05);
    cr_expect_eq(s.cmos[0x03], 0x30);
    cr_expect_eq(s.cmos[0x05], 0x07);
    cr_expect_eq(s.cmos[0x0b], 0x22, "AIE set, the rest of register B kept");
    cr_expect_eq(s.sts_writes, 1);
    cr_expect_eq(s.sts_written, 0x0400, "RTC_STS cleared alone");
    cr_expect_eq(s.sts, 0x0101);
    cr_expect_eq(s.en, 0x0500, "RTC_EN set, PWRBTN_EN kept");
    cr_expect_eq(a.reach, ACPI_ALARM_DAILY);
    cr_expect(a.aie && a.rtc_en && !a.rtc_sts);
    cr_expect_eq(a.day, ACPI_RTC_DONT_CARE);
    cr_expect(a.fires && same(a.fires_at, T(2024, 2, 29, 7, 30, 5)));

    /* More than a day ahead: the alarm would fire tomorrow. */
    cr_expect_eq(acpi_rtc_arm(&f.p, &io, &utc, &(struct acpi_time){2024, 3, 1, 7, 30, 5}, &a, &f.err),
                 ACPI_E_RTC_REACH);
    cr_expect_str_eq(fx_errstr(&f.err), "RTC: alarm is 117005 seconds ahead; without a day alarm (FADT DAY_ALRM 0) "
                                        "it would fire 30605 seconds ahead");
    cr_expect_eq(acpi_rtc_arm(&f.p, &io, &utc, &(struct acpi_time){2024, 2, 28, 23, 0, 0}, &a, &f.err),
                 ACPI_E_RTC_PAST);
    cr_expect_eq(acpi_rtc_arm(&f.p, &io, &utc, &(struct acpi_time){2024, 2, 30, 7, 0, 0}, &a, &f.err),
                 ACPI_E_TIME);
    fx_free(&f);
}

Test(acpi_rtc, day_alarm_local_time_12_hours_binary)
{
    static struct fx f;
    static struct cmos_sim s;
    struct acpi_rtc_alarm a;
    struct acpi_rtc_config cest = {.local_time = true, .utc_offset_minutes = 120};

    fx_load(&f, "common", 0);       /* DAY_ALRM 0x0D, no MON_ALRM, CENTURY 0x32, PM1a at 0x400 */
    struct acpi_io io = sim_io(&s, &f, 0x400);

    /* Local 2024-01-31 10:00 (08:00 UTC); wake at 2024-03-31 09:00 local:
     * February has no 31st, so day 31 first matches in March. */
    cmos_sim_set(&s, T(2024, 1, 31, 10, 0, 0), 0x04, 0x32);
    cr_assert_eq(acpi_rtc_arm(&f.p, &io, &cest, &(struct acpi_time){2024, 3, 31, 7, 0, 0}, &a, &f.err), ACPI_OK,
                 "%s", fx_errstr(&f.err));
    cr_expect_eq(s.cmos[0x05], 9, "9 AM, binary");
    cr_expect_eq(s.cmos[0x0d], 0x80 | 31, "day alarm in register D (VRT reads back set)");
    cr_expect_eq(a.reach, ACPI_ALARM_MONTHLY);
    cr_expect_eq(a.day, 31, "the upper bits of register D are ignored");
    cr_expect(same(a.fires_at, T(2024, 3, 31, 7, 0, 0)), "fires_at is UTC");

    /* 1 PM local is 0x81 in 12-hour mode. */
    cr_assert_eq(acpi_rtc_arm(&f.p, &io, &cest, &(struct acpi_time){2024, 2, 1, 11, 0, 0}, &a, &f.err), ACPI_OK);
    cr_expect_eq(s.cmos[0x05], 0x81);
    cr_expect_eq(a.hour, 13);

    /* March 15 is further than February 15, which comes first. */
    cr_expect_eq(acpi_rtc_arm(&f.p, &io, &cest, &(struct acpi_time){2024, 3, 15, 7, 0, 0}, &a, &f.err),
                 ACPI_E_RTC_REACH);
    cr_expect(strstr(fx_errstr(&f.err), "without a month alarm (FADT MON_ALRM 0)"));

    /* With a month alarm (index 0x50 here), it is reachable. */
    f.p.mon_alarm = 0x50;
    cr_assert_eq(acpi_rtc_arm(&f.p, &io, &cest, &(struct acpi_time){2024, 3, 15, 7, 0, 0}, &a, &f.err), ACPI_OK);
    cr_expect_eq(s.cmos[0x50], 3);
    cr_expect_eq(a.reach, ACPI_ALARM_YEARLY);
    cr_expect_eq(a.month, 3);
    fx_free(&f);
}

Test(acpi_rtc, memory_mapped_pm1_event_block)
{
    static struct fx f;
    static struct cmos_sim s;
    static const uint8_t evt[4] = {0x00, 0x04, 0x00, 0x01};    /* RTC_STS set; PWRBTN_EN */
    struct acpi_rtc_config utc = {0};

    fx_load(&f, "mmio-pm1", 0);
    cr_assert(acpimem_map(&f.m, 0xfed80000, evt, 4, "PM1a_EVT"));
    struct acpi_io io = sim_io(&s, &f, 0);

    cmos_sim_set(&s, T(2024, 6, 1, 12, 0, 0), 0x02, 0x32);
    cr_assert_eq(acpi_rtc_arm(&f.p, &io, &utc, &(struct acpi_time){2024, 6, 1, 12, 0, 10}, NULL, &f.err), ACPI_OK,
                 "%s", fx_errstr(&f.err));
    uint8_t *m = acpimem_find(&f.m, 0xfed80000, 4)->data;

    cr_expect_eq(m[0] | m[1] << 8, 0x0400, "RTC_STS written as 1 (memory here does not clear it)");
    cr_expect_eq(m[2] | m[3] << 8, 0x0500, "RTC_EN set, PWRBTN_EN kept");
    fx_free(&f);
}

Test(acpi_rtc, refused_where_there_is_no_fixed_rtc_wake)
{
    static struct fx f;
    static struct cmos_sim s;
    struct acpi_rtc_config utc = {0};
    struct acpi_time t;

    fx_load(&f, "hw-reduced", 0);
    struct acpi_io io = sim_io(&s, &f, 0);

    cmos_sim_set(&s, T(2024, 6, 1, 12, 0, 0), 0x02, 0);
    cr_expect_eq(acpi_rtc_arm(&f.p, &io, &utc, &(struct acpi_time){2024, 6, 1, 13, 0, 0}, NULL, &f.err),
                 ACPI_E_RTC_NO_WAKE);
    cr_expect_str_eq(fx_errstr(&f.err), "RTC: no PM1 RTC_STS/RTC_EN on a hardware-reduced platform");
    cr_expect_eq(acpi_rtc_read_time(&f.p, &io, &utc, &t, &f.err), ACPI_OK, "the clock itself still reads");
    fx_free(&f);

    fx_load(&f, "common", 0);
    f.p.flags |= ACPI_FADT_FIX_RTC;
    cr_expect_eq(acpi_rtc_enable_wake(&f.p, &io, &f.err), ACPI_E_RTC_NO_WAKE);
    f.p.boot_arch |= ACPI_BOOT_CMOS_RTC_NOT_PRESENT;
    cr_expect_eq(acpi_rtc_read_time(&f.p, &io, &utc, &t, &f.err), ACPI_E_RTC_ABSENT);
    fx_free(&f);
}
