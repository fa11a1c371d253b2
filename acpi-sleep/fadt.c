/* SPDX-License-Identifier: MIT */
/*
 * The FADT's sleep-related fields (ACPI 6.5 §5.2.9, Table 5.9).
 *
 * Each PM block exists twice: a 32-bit I/O port with a length byte from
 * ACPI 1.0, and a 64-bit Generic Address Structure (X_) from 2.0 that may
 * also be memory-mapped. A nonzero X_ address wins (§5.2.9: "If this field
 * contains a nonzero value ... then the PM1a_EVT_BLK field must be
 * ignored"). Where the two lengths disagree the length byte wins, as in
 * ACPICA, because firmware gets GAS bit widths wrong far more often.
 */
#include "spec.h"
#include "internal.h"

static uint8_t access_bytes(uint8_t access_size, uint8_t size)
{
    /* §5.2.3.2: 1 byte, 2 word, 3 dword, 4 qword; 0 is "undefined (legacy
     * reasons)", where the register's own width is the access width. */
    if (access_size >= 1 && access_size <= 4)
        return (uint8_t)(1u << (access_size - 1));
    return size >= 4 ? 4 : size >= 2 ? 2 : 1;
}

/* One PM block: legacy port + length, or X_ GAS. */
static void pm_block(struct acpi_platform *p, const char *name, uint32_t legacy, uint8_t legacy_len,
                     const struct gas *x, uint8_t min_len, struct acpi_reg *out)
{
    char obj[32];
    struct sbuf b;
    uint8_t len = legacy_len;

    memset(out, 0, sizeof *out);
    acpi_sb_init(&b, obj, sizeof obj);
    acpi_sb_str(&b, "FADT/");
    acpi_sb_str(&b, name);

    if (x->address) {
        uint8_t xlen = (uint8_t)(x->bit_width / 8);

        if (x->space != ACPI_SPACE_IO && x->space != ACPI_SPACE_MEMORY) {
            acpi_note(p, ACPI_E_SPACE, obj, legacy ? "%o: X_ block is in address space %g; using the I/O port %x"
                                              : "%o: X_ block is in address space %g; ignored",
                 0, x->space, legacy);
            if (!legacy)
                return;
        } else {
            if (legacy && legacy != x->address)
                acpi_note(p, ACPI_E_DUPLICATE, obj,
                          "%o: 32-bit block %g and X_ block %x differ; using X_ (ACPI 6.5 5.2.9)",
                          0, legacy, x->address);
            if (!len)
                len = xlen;
            else if (xlen && xlen != len)
                acpi_note(p, ACPI_E_WIDTH, obj,
                          "%o: X_ block is %G bytes wide, the length byte says %X; using the latter",
                          0, xlen, len);
            out->address = x->address;
            out->space = x->space;
            out->bit_offset = x->bit_offset;
            out->source = ACPI_SRC_X;
            out->access = x->access_size;   /* resolved below, once len is known */
        }
    }
    if (!out->address && legacy) {
        out->address = legacy;
        out->space = ACPI_SPACE_IO;
        out->source = ACPI_SRC_LEGACY;
    }
    if (!out->address)
        return;
    if (len < min_len) {
        acpi_note(p, ACPI_E_WIDTH, obj, "%o: length %G is less than the %X the spec requires; using %X",
                  out->address, len, min_len);
        len = min_len;
    }
    out->size = len;
    out->access = access_bytes(out->access, len);
}

/* Split a PM1 event block into its status and enable halves (§4.8.3.1). */
static void pm1_split(const struct acpi_reg *blk, struct acpi_reg *sts, struct acpi_reg *en)
{
    memset(sts, 0, sizeof *sts);
    memset(en, 0, sizeof *en);
    if (!blk->address)
        return;
    *sts = *blk;
    *en = *blk;
    sts->size = en->size = (uint8_t)(blk->size / 2);
    en->address = blk->address + blk->size / 2;
    if (sts->access > sts->size)
        sts->access = en->access = sts->size;
}

/* A register that exists only as a GAS (RESET_REG, SLEEP_*_REG). */
static void gas_reg(const struct gas *g, struct acpi_reg *out)
{
    memset(out, 0, sizeof *out);
    if (!g->address)
        return;
    out->address = g->address;
    out->space = g->space;
    out->size = g->bit_width >= 8 ? (uint8_t)(g->bit_width / 8) : 1;
    out->access = access_bytes(g->access_size, out->size);
    out->bit_offset = g->bit_offset;
    out->source = ACPI_SRC_GAS;
}

void acpi_fadt_decode(struct acpi_platform *p, const struct fadt *f)
{
    struct acpi_reg evt_a, evt_b;

    p->fadt_revision = f->h.revision;
    p->fadt_minor = f->minor_version;
    p->flags = f->flags;
    p->boot_arch = f->iapc_boot_arch;
    p->hw_reduced = (f->flags & ACPI_FADT_HW_REDUCED) != 0;
    p->facs32 = f->firmware_ctrl;
    p->facs64 = f->x_firmware_ctrl;
    p->dsdt32 = f->dsdt;
    p->dsdt64 = f->x_dsdt;
    if (f->h.revision > 6)
        acpi_note(p, ACPI_E_REVISION, "FADT", "%o: revision %G is newer than ACPI 6.5's %X; read as %X", 0,
                  f->h.revision, 6);
    if (p->dsdt32 && p->dsdt64 && p->dsdt32 != p->dsdt64)
        acpi_note(p, ACPI_E_DUPLICATE, "FADT", "%o: DSDT %g and X_DSDT %x differ; using X_DSDT (ACPI 6.5 5.2.9)", 0,
                  p->dsdt32, p->dsdt64);
    if (p->facs32 && p->facs64 && p->facs32 != p->facs64)
        acpi_note(p, ACPI_E_DUPLICATE, "FADT", "%o: FIRMWARE_CTRL %g and X_FIRMWARE_CTRL %x differ; using X_ "
                                          "(ACPI 6.5 5.2.9; Linux uses the 32-bit one)", 0, p->facs32, p->facs64);

    gas_reg(&f->sleep_control_reg, &p->sleep_control);
    gas_reg(&f->sleep_status_reg, &p->sleep_status);
    if (p->flags & ACPI_FADT_RESET_REG_SUP) {
        gas_reg(&f->reset_reg, &p->reset);
        p->reset_value = f->reset_value;
    }

    /* §5.2.9: with HW_REDUCED_ACPI set, OSPM ignores the fixed-hardware
     * fields (offsets 46-108 and 148-232): no PM1 blocks, no RTC indices. */
    if (p->hw_reduced) {
        if (!p->sleep_control.address)
            acpi_note(p, ACPI_E_MISSING, "FADT", "%o: hardware-reduced ACPI without SLEEP_CONTROL_REG: no way to sleep",
                      0, 0, 0);
        return;
    }

    p->pm1_evt_len = f->pm1_evt_len;
    p->pm1_cnt_len = f->pm1_cnt_len;
    p->pm_tmr_len = f->pm_tmr_len;
    pm_block(p, "PM1a_EVT", f->pm1a_evt_blk, f->pm1_evt_len, &f->x_pm1a_evt_blk, PM1_EVT_DEFAULT_LEN, &evt_a);
    pm_block(p, "PM1b_EVT", f->pm1b_evt_blk, f->pm1_evt_len, &f->x_pm1b_evt_blk, PM1_EVT_DEFAULT_LEN, &evt_b);
    pm_block(p, "PM1a_CNT", f->pm1a_cnt_blk, f->pm1_cnt_len, &f->x_pm1a_cnt_blk, PM1_CNT_DEFAULT_LEN, &p->pm1a_cnt);
    pm_block(p, "PM1b_CNT", f->pm1b_cnt_blk, f->pm1_cnt_len, &f->x_pm1b_cnt_blk, PM1_CNT_DEFAULT_LEN, &p->pm1b_cnt);
    pm_block(p, "PM_TMR", f->pm_tmr_blk, f->pm_tmr_len, &f->x_pm_tmr_blk, 4, &p->pm_tmr);
    pm1_split(&evt_a, &p->pm1a_sts, &p->pm1a_en);
    pm1_split(&evt_b, &p->pm1b_sts, &p->pm1b_en);
    p->day_alarm = f->day_alrm;
    p->mon_alarm = f->mon_alrm;
    p->century = f->century;

    /* Not an error: the platform is described all the same, and a caller
     * sees that acpi_traps() has nothing to intercept. */
    if (!p->pm1a_cnt.address && !p->sleep_control.address)
        acpi_note(p, ACPI_E_MISSING, "FADT", "%o: no PM1a_CNT_BLK (nor SLEEP_CONTROL_REG): no way to sleep", 0, 0, 0);
}
