/*
 * Can sleepmux run here? What it needs from ACPI (DESIGN.md):
 *   - a certain \_S3_ (the switch key) whose SLP_TYP differs from S4's and
 *     S5's, so that "sleep" and "power off" are told apart;
 *   - a sleep register it can intercept: PM1a_CNT (and PM1b_CNT) or the
 *     hardware-reduced SLEEP_CONTROL, in I/O or memory space;
 *   - a valid FACS, where each OS's waking vector is kept;
 * and, for what it does around them (limits, not blockers): a certain
 * \_S5_ (to persist a parked OS before power-off), an RTC alarm with the
 * day and a fixed-hardware RTC wake (the power-on hook).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "report.h"

static void add(char (*list)[160], unsigned *n, const char *fmt, ...)
{
    va_list ap;

    if (*n >= 8)
        return;
    va_start(ap, fmt);
    vsnprintf(list[*n], 160, fmt, ap);
    va_end(ap);
    (*n)++;
}

/* The values of state s if every candidate agrees on them. */
static bool certain(const struct acpi_platform *p, unsigned s, uint8_t *a, uint8_t *b)
{
    const struct acpi_sx *sx = &p->sx[s];

    if (acpi_sx_values(p, s, a, b))
        return true;
    if (sx->kind != ACPI_SX_CONDITIONAL || sx->more)
        return false;
    for (unsigned i = 0; i < sx->n; i++) {
        if (sx->def[i].flags & ACPI_SXD_INVALID)
            return false;
        if (i && ((sx->def[i].slp_typa ^ *a) & 7 || (sx->def[i].slp_typb ^ *b) & 7))
            return false;
        *a = sx->def[i].slp_typa;
        *b = sx->def[i].slp_typb;
    }
    return sx->n > 0;
}

static bool cpu_flag(const char *flag)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[4096];
    bool found = false;

    if (!f)
        return false;
    while (!found && fgets(line, sizeof line, f)) {
        if (strncmp(line, "flags", 5))
            continue;
        for (char *t = strtok(strchr(line, ':') + 1, " \n"); t && !found; t = strtok(NULL, " \n"))
            found = !strcmp(t, flag);
        break;
    }
    fclose(f);
    return found;
}

unsigned verdict(const struct acpi_platform *p, const struct acpi_io *io, bool live, struct verdict *v)
{
    uint8_t a3, b3, a, b;
    struct acpi_waking_vector wv;
    struct acpi_error e;

    memset(v, 0, sizeof *v);
    if (p->sx[3].kind == ACPI_SX_ABSENT)
        add(v->block, &v->n_block, "the firmware offers no S3 (no \\_S3_): there is no sleep to switch on");
    else if (!certain(p, 3, &a3, &b3))
        add(v->block, &v->n_block, "\\_S3_ is %s: its SLP_TYP values are not certain",
            p->sx[3].kind == ACPI_SX_CONDITIONAL ? "conditional with differing candidates" : "not a package of integers");
    else if (p->sx[3].kind == ACPI_SX_CONDITIONAL)
        add(v->limit, &v->n_limit, "\\_S3_ is defined by load-time code (conditional); all %u candidates say "
            "SLP_TYP %u/%u", p->sx[3].n, a3 & 7, b3 & 7);
    if (certain(p, 3, &a3, &b3))
        for (unsigned s = 4; s <= 5; s++)
            if (certain(p, s, &a, &b) && ((a ^ a3) & 7) == 0 && (!p->pm1b_cnt.address || ((b ^ b3) & 7) == 0))
                add(v->block, &v->n_block, "S3 and S%u have the same SLP_TYP (%u): a sleep cannot be told from S%u",
                    s, a3 & 7, s);
    if (!p->pm1a_cnt.address && !p->sleep_control.address)
        add(v->block, &v->n_block, "no sleep control register (PM1a_CNT or SLEEP_CONTROL)");
    if (p->pm1a_cnt.address && p->pm1a_cnt.space != ACPI_SPACE_IO && p->pm1a_cnt.space != ACPI_SPACE_MEMORY)
        add(v->block, &v->n_block, "PM1a_CNT is in address space %u, which cannot be intercepted", p->pm1a_cnt.space);
    if (acpi_facs_get(p, io, &wv, &e) != ACPI_OK) {
        char msg[128];

        acpi_error_format(&e, msg, sizeof msg);
        add(v->block, &v->n_block, "no usable FACS (%s): nowhere to keep waking vectors", msg);
    }
    if (live) {
        bool svm = cpu_flag("svm"), vmx = cpu_flag("vmx");

        if (!svm && !vmx)
            add(v->block, &v->n_block, "the CPU shows neither AMD SVM nor Intel VMX (or they are disabled in firmware)");
        else if (svm ? !cpu_flag("npt") : !cpu_flag("ept"))
            add(v->block, &v->n_block, "the CPU has %s but no %s (nested paging)", svm ? "SVM" : "VMX",
                svm ? "NPT" : "EPT");
    }

    if (p->sx[5].kind == ACPI_SX_ABSENT || !certain(p, 5, &a, &b))
        add(v->limit, &v->n_limit, "\\_S5_ is %s: a power-off cannot be recognised, so a parked OS is not saved first",
            p->sx[5].kind == ACPI_SX_ABSENT ? "absent" : "uncertain");
    if (p->boot_arch & ACPI_BOOT_CMOS_RTC_NOT_PRESENT)
        add(v->limit, &v->n_limit, "no CMOS RTC: no scheduled power-on");
    else if (p->hw_reduced || (p->flags & ACPI_FADT_FIX_RTC))
        add(v->limit, &v->n_limit, "RTC wake is not in fixed hardware (%s): no scheduled power-on",
            p->hw_reduced ? "hardware-reduced ACPI" : "FIX_RTC");
    else if (!p->day_alarm)
        add(v->limit, &v->n_limit, "the RTC alarm has no day (FADT DAY_ALRM is 0): power-on at most 24 hours ahead");
    return v->n_block;
}
