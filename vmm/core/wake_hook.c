/* SPDX-License-Identifier: MIT */
#include "wake_hook.h"

#include "fmt.h"
#include "init.h"
#include "iotrap.h"
#include "log.h"
#include "platform.h"
#include "vmm.h"
#include "wake_plan.h"

static const struct pol_schedule *sched; /* the schedule of the OS going down */
static struct acpi_rtc_config rtc_cfg;
static int armed;

static void time_text(const struct acpi_time *t, char *buf, size_t n)
{
    smx_snprintf(buf, n, "%04u-%02u-%02u %02u:%02u:%02u", t->year, t->month, t->day, t->hour, t->minute,
                 t->second);
}

static void rtc_base_text(char *buf, size_t n)
{
    int off = sched->utc_offset, a = off < 0 ? -off : off;

    smx_snprintf(buf, n, "rtc %s%c%02d:%02d", sched->rtc_local ? "local" : "utc", off < 0 ? '-' : '+', a / 60,
                 a % 60);
}

void wake_hook_before_sleep(uint8_t os, unsigned state)
{
    char sched_text[96], base[24], slot[24], at[24];
    struct acpi_time now;
    struct acpi_error err;
    struct wake_plan plan;
    struct acpi_rtc_alarm rb;

    sched = &vmm.bi->config.os[os].wake;
    rtc_cfg = (struct acpi_rtc_config){ .local_time = sched->rtc_local, .utc_offset_minutes = sched->utc_offset };
    if (!sched->n || state > 5 || !(sched->from & (1u << state)))
        return;
    pol_wake_format(sched, sched_text, sizeof sched_text);
    rtc_base_text(base, sizeof base);
    if (acpi_rtc_read_time(&platform, &platform_io, &rtc_cfg, &now, &err) != ACPI_OK) {
        smx_log("wake", "not armed: cannot read the RTC (%s); schedule %s", platform_error_text(&err),
                sched_text);
        return;
    }
    if (wake_plan(sched, &now, wake_alarm_reach(&platform), &plan) != POL_OK) {
        smx_log("wake", "not armed: no next slot in %s", sched_text);
        return;
    }
    if (acpi_rtc_arm(&platform, &platform_io, &rtc_cfg, &plan.alarm_utc, &rb, &err) != ACPI_OK) {
        smx_log("wake", "not armed: %s (schedule %s)", platform_error_text(&err), sched_text);
        return;
    }
    armed = 1;
    smx_snprintf(slot, sizeof slot, "%04u-%02u-%02u %02u:%02u", plan.slot.year, plan.slot.month, plan.slot.day,
                 plan.slot.hour, plan.slot.minute);
    time_text(&plan.alarm_utc, at, sizeof at);
    if (plan.daily_fallback)
        smx_log("wake", "wake armed for %s local (%s), next of: %s; this RTC has only a daily alarm, so it "
                "is set for %02u:%02u daily and fires first at %s UTC", slot, base, sched_text,
                plan.alarm_utc.hour, plan.alarm_utc.minute, at);
    else
        smx_log("wake", "wake armed for %s local (%s), next of: %s (S%u, alarm %s UTC)", slot, base, sched_text,
                state, at);
    char day[8] = "any", month[8] = "any";
    if (rb.day != ACPI_RTC_DONT_CARE)
        smx_snprintf(day, sizeof day, "%u", rb.day);
    if (rb.month != ACPI_RTC_DONT_CARE)
        smx_snprintf(month, sizeof month, "%u", rb.month);
    smx_log("wake", "read back: alarm %02u:%02u:%02u day %s month %s, %s, %s, AIE %s, RTC_EN %s, RTC_STS %s",
            rb.hour, rb.minute, rb.second, day, month, rb.binary ? "binary" : "BCD", rb.hour24 ? "24 h" : "12 h",
            rb.aie ? "on" : "off", rb.rtc_en ? "set" : "CLEAR", rb.rtc_sts ? "SET" : "clear");
}

void wake_hook_after_sleep(void)
{
    armed = 0;
}

/* PM1_EN writes, trapped only when there is a schedule: once the alarm is
 * armed, the OS may not take its wake enable away. */
static void pm1_en_write(void *ctx, uint16_t port, unsigned size, uint32_t value)
{
    struct acpi_rtc_alarm now;
    struct acpi_error err;

    io_hw_out(port, size, value);
    if (!armed)
        return;
    if (acpi_rtc_read_alarm(&platform, &platform_io, &rtc_cfg, &now, &err) == ACPI_OK && !now.rtc_en &&
        acpi_rtc_enable_wake(&platform, &platform_io, &err) == ACPI_OK)
        smx_log("wake", "the OS cleared PM1_EN.RTC_EN (port %#x <- %#x) after the alarm was armed: set again",
                port, value);
}

static int wake_hook_init(const struct smx_bootinfo *bi)
{
    struct acpi_trap traps[ACPI_MAX_TRAPS];
    char text[96], base[24];
    bool any = false;

    for (uint8_t os = 0; os < 2; os++) {
        const struct pol_schedule *s = &bi->config.os[os].wake;
        if (!s->n)
            continue;
        any = true;
        sched = s;
        pol_wake_format(s, text, sizeof text);
        rtc_base_text(base, sizeof base);
        smx_log("wake", "schedule for OS %c: %s (%s), armed on%s%s%s", 'A' + os, text, base,
                s->from & POL_WAKE_FROM_S3 ? " S3" : "", s->from & POL_WAKE_FROM_S4 ? " S4" : "",
                s->from & POL_WAKE_FROM_S5 ? " S5" : "");
    }
    if (!any)
        return 0; /* no schedule: no hook, no traps */
    unsigned n = acpi_traps(&platform, ACPI_TRAP_EVENTS, traps);
    for (unsigned i = 0; i < n; i++) {
        if ((traps[i].reg != ACPI_REG_PM1A_EN && traps[i].reg != ACPI_REG_PM1B_EN) ||
            traps[i].space != ACPI_SPACE_IO)
            continue;
        io_trap_add(&(struct io_trap){ .name = acpi_reg_name(traps[i].reg), .port = (uint16_t)traps[i].address,
                                       .len = traps[i].size, .write = pm1_en_write });
    }
    return 0;
}
SMX_INIT("60", wake_hook_init);
