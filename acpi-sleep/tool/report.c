/* SPDX-License-Identifier: MIT */
/*
 * sleepmux-acpi's report: tables, sleep states, registers, waking vectors,
 * RTC alarm, notes, verdict.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "report.h"

static void table_line(FILE *out, const char *name, const struct acpi_table *t)
{
    if (!t->pa) {
        fprintf(out, "  %-9s -\n", name);
        return;
    }
    fprintf(out, "  %-9s 0x%-12" PRIx64 " %7u bytes  rev %-3u %-6s %-8s\n", name, t->pa, t->length, t->revision,
            t->oem_id, t->oem_table_id);
}

static const char *space_name(uint8_t space)
{
    switch (space) {
    case ACPI_SPACE_IO: return "I/O";
    case ACPI_SPACE_MEMORY: return "memory";
    case ACPI_SPACE_PCI_CONFIG: return "PCI config";
    }
    return "space?";
}

static const char *source_name(uint8_t src)
{
    switch (src) {
    case ACPI_SRC_LEGACY: return "32-bit field";
    case ACPI_SRC_X: return "X_ GAS";
    case ACPI_SRC_GAS: return "GAS";
    }
    return "";
}

static void reg_line(FILE *out, const char *name, const struct acpi_reg *r)
{
    if (!r->address) {
        fprintf(out, "  %-14s -\n", name);
        return;
    }
    fprintf(out, "  %-14s %-6s 0x%-8" PRIx64 " %u byte%s, %u-byte access%s  (%s)\n", name, space_name(r->space),
            r->address, r->size, r->size == 1 ? "" : "s", r->access, r->bit_offset ? ", bit offset" : "",
            source_name(r->source));
}

/* What the predicate a definition depends on reads. */
static void cond_text(FILE *out, const struct acpi_platform *p, const struct acpi_sxdef *d)
{
    char msg[160];

    if (!d->cond || d->cond > p->n_conds)
        return;
    acpi_cond_format(&p->conds[d->cond - 1], msg, sizeof msg);
    fprintf(out, "; the If %s", msg);
}

static void sxdef(FILE *out, const struct acpi_platform *p, const struct acpi_sxdef *d)
{
    char t[16];

    if (d->flags & ACPI_SXD_INVALID)
        fprintf(out, "unusable value");
    else
        fprintf(out, "SLP_TYPa=%u SLP_TYPb=%u", d->slp_typa & 7, d->slp_typb & 7);
    fprintf(out, "  (%s+0x%x", acpi_sx_table_name(d->table, t), d->offset);
    if (d->elements)
        fprintf(out, ", %u element%s", d->elements, d->elements == 1 ? "" : "s");
    if (d->flags & ACPI_SXD_CONDITIONAL) {
        fprintf(out, ", inside If/Else/While");
        cond_text(out, p, d);
    }
    if (d->flags & ACPI_SXD_IF_TRUE)
        fprintf(out, ", inside If/Else that is true at load time");
    if (d->flags & ACPI_SXD_LIVE) {
        fprintf(out, ", inside If/Else that is true on this machine");
        cond_text(out, p, d);
    }
    if (d->flags & ACPI_SXD_METHOD)
        fprintf(out, ", returned by a method");
    if (d->flags & ACPI_SXD_UNPARSED)
        fprintf(out, ", in AML not fully parsed");
    if (d->flags & ACPI_SXD_DUPLICATE)
        fprintf(out, ", duplicate: ignored by an OS");
    fprintf(out, ")\n");
}

static void states(FILE *out, const struct acpi_platform *p)
{
    fprintf(out, "\nSleep states (\\_Sx_)\n");
    for (unsigned s = 0; s < 6; s++) {
        const struct acpi_sx *sx = &p->sx[s];

        fprintf(out, "  S%u  ", s);
        if (sx->kind == ACPI_SX_ABSENT && sx->dead) {
            char t[16];

            fprintf(out, "not supported: its definition%s (%s+0x%x%s) %s behind an If that is false %s",
                    sx->dead > 1 ? "s" : "", acpi_sx_table_name(sx->first_dead.table, t), sx->first_dead.offset,
                    sx->dead > 1 ? ", ..." : "", sx->dead > 1 ? "are" : "is",
                    sx->first_dead.cond ? "on this machine" : "at load time");
            cond_text(out, p, &sx->first_dead);
            fprintf(out, "\n");
            continue;
        }
        if (sx->kind == ACPI_SX_ABSENT) {
            fprintf(out, "not supported\n");
            continue;
        }
        if (sx->kind == ACPI_SX_FIXED) {
            sxdef(out, p, &sx->def[0]);
            for (unsigned i = 1; i < sx->n; i++) {
                fprintf(out, "      also ");
                sxdef(out, p, &sx->def[i]);
            }
        } else {
            fprintf(out, "conditional, %u candidate%s:\n", sx->n + sx->more, sx->n + sx->more == 1 ? "" : "s");
            for (unsigned i = 0; i < sx->n; i++) {
                fprintf(out, "      ");
                sxdef(out, p, &sx->def[i]);
            }
        }
    }
}

static void registers(FILE *out, const struct acpi_platform *p)
{
    fprintf(out, "\nRegisters (FADT revision %u.%u%s)\n", p->fadt_revision, p->fadt_minor,
            p->hw_reduced ? ", hardware-reduced ACPI" : "");
    for (unsigned id = 0; id < ACPI_REG_COUNT; id++)
        reg_line(out, acpi_reg_name((enum acpi_reg_id)id), acpi_platform_reg(p, (enum acpi_reg_id)id));
    reg_line(out, "PM_TMR", &p->pm_tmr);
    reg_line(out, "RESET", &p->reset);
    if (p->reset.address)
        fprintf(out, "  %-14s 0x%02x\n", "RESET_VALUE", p->reset_value);

    struct acpi_trap traps[ACPI_MAX_TRAPS];
    unsigned n = acpi_traps(p, ACPI_TRAP_SLEEP, traps);

    fprintf(out, "  sleepmux intercepts:");
    for (unsigned i = 0; i < n; i++)
        fprintf(out, " %s (%s 0x%" PRIx64 "+%u)", acpi_reg_name((enum acpi_reg_id)traps[i].reg),
                space_name(traps[i].space), traps[i].address, traps[i].size);
    fprintf(out, "%s\n", n ? "" : " nothing (no sleep register)");
}

static void waking(FILE *out, const struct acpi_platform *p, const struct acpi_io *io)
{
    struct acpi_waking_vector wv;
    struct acpi_error e;
    char msg[160];

    fprintf(out, "\nWaking vectors (FACS)\n");
    if (acpi_facs_get(p, io, &wv, &e) != ACPI_OK) {
        acpi_error_format(&e, msg, sizeof msg);
        fprintf(out, "  %s\n", msg);
        return;
    }
    uint64_t entry;
    enum acpi_wake_mode mode = acpi_wake_mode(p->facs_flags, p->facs_version, &wv, &entry);

    fprintf(out, "  FACS at 0x%" PRIx64 ", version %u, %u bytes, hardware signature 0x%08x\n", p->facs.pa,
            p->facs_version, p->facs.length, p->facs_hw_signature);
    if (p->facs32 && p->facs64 && p->facs32 != p->facs64)
        fprintf(out, "  FIRMWARE_CTRL 0x%" PRIx64 " and X_FIRMWARE_CTRL 0x%" PRIx64 " differ\n", p->facs32, p->facs64);
    fprintf(out, "  Firmware_Waking_Vector    0x%08x (real mode)\n", wv.fw);
    if (p->facs_version >= 1)
        fprintf(out, "  X_Firmware_Waking_Vector  0x%016" PRIx64 "\n", wv.x);
    else
        fprintf(out, "  X_Firmware_Waking_Vector  - (FACS version 0)\n");
    fprintf(out, "  64-bit wake: firmware %s, OS %s\n",
            p->facs_flags & ACPI_FACS_64BIT_WAKE_SUPPORTED_F ? "supports it" : "does not support it",
            wv.ospm_flags & ACPI_FACS_OSPM_64BIT_WAKE_F ? "asks for it" : "does not ask");
    fprintf(out, "  on wake now: ");
    if (mode == ACPI_WAKE_NONE)
        fprintf(out, "no vector set, the firmware would boot\n");
    else
        fprintf(out, "%s at 0x%" PRIx64 "\n", acpi_wake_mode_name(mode), entry);
}

static void rtc(FILE *out, const struct acpi_platform *p)
{
    fprintf(out, "\nRTC alarm\n");
    if (p->boot_arch & ACPI_BOOT_CMOS_RTC_NOT_PRESENT) {
        fprintf(out, "  no CMOS RTC (IAPC_BOOT_ARCH)\n");
        return;
    }
    if (p->hw_reduced) {
        fprintf(out, "  hardware-reduced ACPI: the FADT's RTC fields do not apply\n");
        return;
    }
    fprintf(out, "  alarm: %s\n", p->mon_alarm && p->day_alarm ? "day and month (yearly)"
                                  : p->day_alarm                 ? "day of month (monthly)"
                                                                 : "time of day only (daily)");
    fprintf(out, "  DAY_ALRM 0x%02x  MON_ALRM 0x%02x  CENTURY 0x%02x  (CMOS indices; 0: none)\n", p->day_alarm,
            p->mon_alarm, p->century);
    fprintf(out, "  wake: RTC_STS/RTC_EN %s; RTC can wake from S4: %s\n",
            p->flags & ACPI_FADT_FIX_RTC ? "NOT in fixed hardware (FIX_RTC)" : "in PM1 fixed hardware",
            p->flags & ACPI_FADT_RTC_S4 ? "yes" : "no");
}

int report(FILE *out, const struct acpi_platform *p, const struct acpi_io *io, const struct acpimem *m,
           const char *fw_how, const struct acpi_error *fatal)
{
    char msg[256];
    bool live = fw_how != NULL;

    fprintf(out, "sleepmux-acpi: %s\n", m->source);
    if (fw_how)
        fprintf(out, "firmware data for If predicates: %s\n", fw_how);
    for (unsigned i = 0; i < m->n_notes; i++)
        fprintf(out, "input: %s\n", m->notes[i]);
    if (m->notes_lost)
        fprintf(out, "input: ... and %u more files that are not tables\n", m->notes_lost);
    fprintf(out, "\nTables\n");
    fprintf(out, "  %-9s 0x%-12" PRIx64 " revision %u\n", "RSDP", p->rsdp_pa, p->rsdp_revision);
    table_line(out, p->xsdt ? "XSDT" : "RSDT", &p->root);
    table_line(out, "FACP", &p->fadt);
    table_line(out, "DSDT", &p->dsdt);
    if (p->facs.pa)
        fprintf(out, "  %-9s 0x%-12" PRIx64 " %7u bytes  version %u\n", "FACS", p->facs.pa, p->facs.length,
                p->facs_version);
    for (unsigned i = 0; i < p->n_ssdt && i < ACPI_MAX_SSDT; i++) {
        char name[16];

        snprintf(name, sizeof name, "%.4s[%u]", p->ssdt[i].signature, i);
        table_line(out, name, &p->ssdt[i]);
    }
    if (p->n_ssdt > ACPI_MAX_SSDT)
        fprintf(out, "  ... and %u more SSDTs (scanned, not listed)\n", p->n_ssdt - ACPI_MAX_SSDT);

    if (fatal) {
        bool in_input = live || strlen(fatal->object) != 4;

        for (size_t i = 0; i < m->n && !in_input; i++)
            in_input = !strcmp(m->r[i].label, fatal->object);
        acpi_error_format(fatal, msg, sizeof msg);
        fprintf(out, "\nError: %s%s%s%s\n", msg, in_input ? "" : " (the input has no ", in_input ? "" : fatal->object,
                in_input ? "" : ")");
    } else {
        states(out, p);
        registers(out, p);
        waking(out, p, io);
        rtc(out, p);
    }
    if (p->n_notes) {
        fprintf(out, "\nNotes\n");
        for (unsigned i = 0; i < p->n_notes; i++) {
            acpi_error_format(&p->notes[i], msg, sizeof msg);
            fprintf(out, "  %s\n", msg);
        }
        if (p->notes_lost)
            fprintf(out, "  ... and %u more\n", p->notes_lost);
    }
    if (fatal) {
        fprintf(out, "\nVerdict: sleepmux cannot run here: the ACPI tables cannot be read (see the error above).\n");
        return 2;
    }

    static struct verdict v;
    enum verdict_kind k = verdict(p, io, m, live, &v);

    if (k == VERDICT_CANNOT) {
        fprintf(out, "\nVerdict: sleepmux cannot run here:\n");
        for (unsigned i = 0; i < v.n_block; i++)
            fprintf(out, "  - %s\n", v.block[i]);
    } else if (k == VERDICT_UNCERTAIN) {
        fprintf(out, "\nVerdict: uncertain: whether sleepmux can run here depends on what these tables do not say:\n");
        for (unsigned i = 0; i < v.n_unsure; i++)
            fprintf(out, "  - %s\n", v.unsure[i]);
    } else {
        fprintf(out, "\nVerdict: sleepmux can run here%s.\n", live ? "" : " (as far as ACPI tells; CPU not checked)");
    }
    if (k == VERDICT_CANNOT && v.n_unsure) {
        fprintf(out, "Uncertain as well:\n");
        for (unsigned i = 0; i < v.n_unsure; i++)
            fprintf(out, "  - %s\n", v.unsure[i]);
    }
    if (v.n_limit) {
        fprintf(out, "%s", k == VERDICT_CAN ? "Limits:\n" : "Also:\n");
        for (unsigned i = 0; i < v.n_limit; i++)
            fprintf(out, "  - %s\n", v.limit[i]);
    }
    return (int)k;
}
