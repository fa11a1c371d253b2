/* SPDX-License-Identifier: MIT */
/*
 * Can sleepmux run here? Three answers (README, "Verdicts"):
 *
 *   can run     everything it needs is certain from what was read;
 *   cannot      something it needs is absent, with the reason;
 *   uncertain   something it needs depends on what the tables alone do not
 *               say (firmware data, code not followed), with what would
 *               settle it. A machine whose S3 hides behind firmware data is
 *               never "can run" from a dump: one in five PCs turns S3 off
 *               there (Modern Standby, a setup option).
 *
 * What it needs from ACPI (DESIGN.md):
 *   - \_S3_ (the switch key) present, with SLP_TYP values that differ from
 *     S4's and S5's, so that "sleep" and "power off" are told apart;
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

static void add(char (*list)[VERDICT_LINE], unsigned *n, const char *fmt, ...)
{
    va_list ap;

    if (*n >= VERDICT_LINES)
        return;
    va_start(ap, fmt);
    vsnprintf(list[*n], VERDICT_LINE, fmt, ap);
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

/* The first definition of s whose presence is undecided: inside an If the
 * tables do not decide, or found in AML not parsed. */
static const struct acpi_sxdef *undecided(const struct acpi_platform *p, unsigned s)
{
    const struct acpi_sx *sx = &p->sx[s];

    for (unsigned i = 0; i < sx->n; i++)
        if (sx->def[i].flags & (ACPI_SXD_CONDITIONAL | ACPI_SXD_UNPARSED))
            return &sx->def[i];
    return NULL;
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

/* S3: present and certain, absent, or undecided (and what would decide it). */
static void s3(const struct acpi_platform *p, bool live, struct verdict *v)
{
    const struct acpi_sx *sx = &p->sx[3];
    const struct acpi_sxdef *d = undecided(p, 3);
    char t[16], what[256] = "";
    uint8_t a3, b3;

    if (sx->kind == ACPI_SX_ABSENT) {
        if (sx->dead && sx->first_dead.cond && sx->first_dead.cond <= p->n_conds) {
            char cond[160];

            acpi_cond_format(&p->conds[sx->first_dead.cond - 1], cond, sizeof cond);
            snprintf(what, sizeof what, "its definition (%s+0x%x) is behind an If that is false on this machine: "
                     "it %s", acpi_sx_table_name(sx->first_dead.table, t), sx->first_dead.offset, cond);
        } else if (sx->dead) {
            snprintf(what, sizeof what, "its definition (%s+0x%x) is behind an If that is false at load time",
                     acpi_sx_table_name(sx->first_dead.table, t), sx->first_dead.offset);
        } else {
            snprintf(what, sizeof what, "the firmware offers no \\_S3_");
        }
        add(v->block, &v->n_block, "no S3: switching on hibernate/shut-down only (%s); a sleep switch cannot serve "
            "this machine", what);
        return;
    }
    if (d) {
        const struct acpi_cond *c = d->cond && d->cond <= p->n_conds ? &p->conds[d->cond - 1] : NULL;

        if (c)
            acpi_cond_format(c, what, sizeof what);
        if (d->flags & ACPI_SXD_UNPARSED)
            add(v->unsure, &v->n_unsure, "\\_S3_ was found in AML this scanner could not follow (%s+0x%x, see the "
                "notes): on the machine, 'deep' in /sys/power/mem_sleep would show S3 is there",
                acpi_sx_table_name(d->table, t), d->offset);
        else if (c && c->kind == ACPI_COND_FIELD && !live && c->region[0] &&
                 (c->space == ACPI_SPACE_MEMORY || c->space == ACPI_SPACE_IO) && c->address_known)
            add(v->unsure, &v->n_unsure, "\\_S3_ depends on firmware data: the If at %s+0x%x %s (setup options, "
                "Modern Standby); run sleepmux-acpi as root on the machine itself to read it",
                acpi_sx_table_name(c->table, t), c->offset, what);
        else if (c && c->kind != ACPI_COND_CODE)
            add(v->unsure, &v->n_unsure, "\\_S3_ depends on firmware data not read here: the If at %s+0x%x %s%s; "
                "on the machine, 'deep' in /sys/power/mem_sleep would show S3 is there",
                acpi_sx_table_name(c->table, t), c->offset, what, live ? " (see the notes)" : "");
        else
            add(v->unsure, &v->n_unsure, "\\_S3_ is inside an If this evaluator cannot decide (%s); on the machine, "
                "'deep' in /sys/power/mem_sleep would show S3 is there", c ? what : "not recorded");
        return;
    }
    if (!certain(p, 3, &a3, &b3)) {
        if (sx->kind == ACPI_SX_FIXED || sx->def[0].flags & ACPI_SXD_INVALID)
            add(v->block, &v->n_block, "\\_S3_ is not a package of integers: an OS cannot use it");
        else
            add(v->unsure, &v->n_unsure, "\\_S3_ is a method whose Return packages differ: the SLP_TYP an OS writes "
                "is decided at run time (sleepmux's log shows it at the first sleep)");
        return;
    }
    if (sx->kind == ACPI_SX_CONDITIONAL)
        add(v->limit, &v->n_limit, "\\_S3_ is a method; all %u of its Return packages say SLP_TYP %u/%u", sx->n,
            a3 & 7, b3 & 7);
}

enum verdict_kind verdict(const struct acpi_platform *p, const struct acpi_io *io, const struct acpimem *m,
                          bool live, struct verdict *v)
{
    uint8_t a3, b3, a, b;
    struct acpi_waking_vector wv;
    struct acpi_error e;

    memset(v, 0, sizeof *v);
    s3(p, live, v);
    if (!undecided(p, 3) && certain(p, 3, &a3, &b3))
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
        bool in_dump = false;

        for (size_t i = 0; i < m->n; i++)
            in_dump |= !strcmp(m->r[i].label, "FACS");
        acpi_error_format(&e, msg, sizeof msg);
        if (!live && !in_dump)
            add(v->block, &v->n_block, "the dump has no FACS (%s): nowhere to keep waking vectors", msg);
        else
            add(v->block, &v->n_block, "no usable FACS (%s): nowhere to keep waking vectors", msg);
    }
    if (live) {
        bool svm = cpu_flag("svm"), vmx = cpu_flag("vmx");

        if (!svm && !vmx)
            add(v->block, &v->n_block,
                "the CPU shows neither AMD SVM nor Intel VMX (or they are disabled in firmware)");
        else if (svm ? !cpu_flag("npt") : !cpu_flag("ept"))
            add(v->block, &v->n_block, "the CPU has %s but no %s (nested paging)", svm ? "SVM" : "VMX",
                svm ? "NPT" : "EPT");
    }

    if (p->sx[5].kind == ACPI_SX_ABSENT || undecided(p, 5) || !certain(p, 5, &a, &b))
        add(v->limit, &v->n_limit, "\\_S5_ is %s: a power-off cannot be recognised, so a parked OS is not saved first",
            p->sx[5].kind == ACPI_SX_ABSENT ? "absent" : "uncertain");
    if (p->boot_arch & ACPI_BOOT_CMOS_RTC_NOT_PRESENT)
        add(v->limit, &v->n_limit, "no CMOS RTC: no scheduled power-on");
    else if (p->hw_reduced || (p->flags & ACPI_FADT_FIX_RTC))
        add(v->limit, &v->n_limit, "RTC wake is not in fixed hardware (%s): no scheduled power-on",
            p->hw_reduced ? "hardware-reduced ACPI" : "FIX_RTC");
    else if (!p->day_alarm)
        add(v->limit, &v->n_limit, "the RTC alarm has no day (FADT DAY_ALRM is 0): power-on at most 24 hours ahead");
    return v->n_block ? VERDICT_CANNOT : v->n_unsure ? VERDICT_UNCERTAIN : VERDICT_CAN;
}
