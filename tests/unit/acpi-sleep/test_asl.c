/* SPDX-License-Identifier: MIT */
/*
 * iasl-compiled fixtures (tests/fixtures/acpi-sleep/asl): every integer
 * encoding, \_Sx_ in SSDTs and through scopes, conditional and method
 * definitions, and the FADT variants. Expected \_Sx_ values come from
 * acpiexec; the checks here add what only the scanner knows (where a
 * definition was, what kind it is).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "helpers.h"

/* Fixed states equal acpiexec's values; conditional ones include them;
 * absent ones acpiexec cannot evaluate either. */
static void agrees_with_acpiexec(const char *name, struct fx *f)
{
    struct acpiexec_sx want[6];

    fx_load(f, name, 0);
    cr_assert_eq(f->st, ACPI_OK, "%s: %s", name, fx_errstr(&f->err));
    acpiexec_sleep_states(name, want);
    for (unsigned s = 0; s < 6; s++) {
        const struct acpi_sx *sx = &f->p.sx[s];

        switch (sx->kind) {
        case ACPI_SX_ABSENT:
            cr_expect(!want[s].present, "%s S%u: absent here, acpiexec evaluates it", name, s);
            break;
        case ACPI_SX_FIXED:
            cr_expect(want[s].present, "%s S%u: fixed here, acpiexec cannot evaluate it", name, s);
            cr_expect_eq(!(sx->def[0].flags & ACPI_SXD_INVALID), want[s].valid, "%s S%u validity", name, s);
            if (want[s].valid) {
                cr_expect_eq(sx->def[0].slp_typa, want[s].a, "%s S%u: SLP_TYPa %u, acpiexec %u", name, s,
                             sx->def[0].slp_typa, want[s].a);
                cr_expect_eq(sx->def[0].slp_typb, want[s].b, "%s S%u: SLP_TYPb %u, acpiexec %u", name, s,
                             sx->def[0].slp_typb, want[s].b);
                cr_expect_eq(sx->def[0].elements, want[s].elements, "%s S%u elements", name, s);
            }
            break;
        case ACPI_SX_CONDITIONAL: {
            bool found = !want[s].present;

            for (unsigned i = 0; i < sx->n; i++)
                found |= want[s].valid && sx->def[i].slp_typa == want[s].a && sx->def[i].slp_typb == want[s].b;
            cr_expect(found, "%s S%u: acpiexec's (%u, %u) is not among the %u candidates", name, s, want[s].a,
                      want[s].b, sx->n);
            break;
        }
        }
    }
}

Test(acpi_asl, every_integer_encoding)
{
    static struct fx f;

    agrees_with_acpiexec("encodings", &f);
    for (unsigned s = 0; s < 6; s++)
        cr_expect_eq(f.p.sx[s].kind, ACPI_SX_FIXED, "S%u", s);
    cr_expect_eq(f.p.sx[2].def[0].slp_typa, 0xff, "Ones is all ones; the register sees 7");
    cr_expect_eq(f.p.sx[4].def[0].slp_typa, 0x06, "Word 0x0106 truncates to its low byte");
    cr_expect_eq(f.p.sx[5].def[0].elements, 1);
    cr_expect_eq(f.p.sx[5].def[0].slp_typa, 0x07, "a one-element package gives SLP_TYPa from byte 0");
    cr_expect_eq(f.p.sx[5].def[0].slp_typb, 0x00, "... and SLP_TYPb from byte 1");
    cr_expect_eq(f.p.sx[1].def[0].elements, 3);
    /* The SSDT's definitions come second and an OS ignores them. */
    cr_assert_eq(f.p.sx[2].n, 2);
    cr_expect_eq(f.p.sx[2].def[1].table, 1);
    cr_expect(f.p.sx[2].def[1].flags & ACPI_SXD_DUPLICATE);
    cr_expect_eq(f.p.sx[2].def[1].slp_typa, 0x01, "QWord 0x0100000000000001 truncates to 0x01");
    cr_expect_eq(f.p.sx[3].def[1].slp_typa, 0x03);
    cr_expect_eq(f.p.sx[3].def[1].slp_typb, 0x04);
    fx_free(&f);
}

Test(acpi_asl, ssdt_definitions_and_scopes)
{
    static struct fx f;

    agrees_with_acpiexec("ssdt", &f);
    cr_expect_eq(f.p.n_ssdt, 2);
    cr_expect_eq(f.p.sx[4].kind, ACPI_SX_ABSENT, "\\_SB._S4_ is not \\_S4_");
    cr_expect_eq(f.p.sx[3].def[0].table, 1, "\\_S3_ from SSDT[0]");
    cr_expect_eq(f.p.sx[1].def[0].table, 1, "\\_S1_ by root path from inside a device");
    cr_expect_eq(f.p.sx[5].def[0].table, 2, "\\_S5_ as ^^_S5 from \\_SB.PCI0, in SSDT[1]");
    cr_expect_eq(f.p.sx[5].def[0].slp_typa, 7);
    fx_free(&f);
}

Test(acpi_asl, conditional_definitions_are_candidates)
{
    static struct fx f;

    agrees_with_acpiexec("conditional", &f);
    const struct acpi_sx *sx = f.p.sx;

    cr_expect_eq(sx[3].kind, ACPI_SX_CONDITIONAL);
    cr_expect(sx[3].def[0].flags & ACPI_SXD_CONDITIONAL);
    cr_expect_eq(sx[4].kind, ACPI_SX_CONDITIONAL);
    cr_expect(!(sx[4].def[0].flags & ACPI_SXD_UNPARSED), "a two-argument call in a predicate is followed");
    cr_expect_eq(sx[2].kind, ACPI_SX_CONDITIONAL);
    cr_expect(!(sx[2].def[0].flags & ACPI_SXD_UNPARSED), "If (TST) names \\TST, not the method \\_SB.TST");
    cr_expect_eq(sx[1].kind, ACPI_SX_CONDITIONAL);
    cr_assert_eq(sx[1].n, 2, "\\_S1_ is a method with two Return packages");
    cr_expect(sx[1].def[0].flags & ACPI_SXD_METHOD);
    cr_expect_eq(sx[1].def[0].slp_typa, 1);
    cr_expect_eq(sx[1].def[1].slp_typa, 2);
    cr_expect_eq(sx[5].kind, ACPI_SX_FIXED);
    cr_expect_eq(sx[5].def[0].slp_typa, 7);
    uint8_t a, b;

    cr_expect(!acpi_sx_values(&f.p, 3, &a, &b), "no certain values for a conditional state");
    cr_expect(acpi_sx_values(&f.p, 5, &a, &b) && a == 7 && b == 7);
    fx_free(&f);
}

Test(acpi_asl, common_methods_and_locals_are_not_sleep_states)
{
    static struct fx f;

    agrees_with_acpiexec("common", &f);
    /* A Name (_S3) inside _STA's body is a method-local object. */
    cr_expect_eq(f.p.sx[3].n, 1);
    cr_expect_eq(f.p.sx[3].def[0].slp_typa, 5);
    cr_expect_eq(f.p.n_notes, 0, "%s", f.p.n_notes ? fx_errstr(&f.p.notes[0]) : "");
    cr_expect_eq(f.p.day_alarm, 0x0d);
    cr_expect_eq(f.p.century, 0x32);
    cr_expect_eq(f.p.reset.address, 0xcf9);
    cr_expect_eq(f.p.reset_value, 6);
    fx_free(&f);
}

Test(acpi_asl, pm1b_blocks)
{
    static struct fx f;

    agrees_with_acpiexec("pm1b", &f);
    cr_expect_eq(f.p.pm1b_cnt.address, 0x504);
    cr_expect_eq(f.p.pm1b_sts.address, 0x500);
    cr_expect_eq(f.p.pm1b_en.address, 0x502);
    struct acpi_trap t[ACPI_MAX_TRAPS];

    cr_assert_eq(acpi_traps(&f.p, ACPI_TRAP_SLEEP, t), 2);
    cr_expect_eq(t[1].reg, ACPI_REG_PM1B_CNT);
    cr_expect_eq(acpi_traps(&f.p, ACPI_TRAP_EVENTS, t), 4);
    fx_free(&f);
}

Test(acpi_asl, memory_mapped_pm1)
{
    static struct fx f;

    agrees_with_acpiexec("mmio-pm1", &f);
    cr_expect_eq(f.p.pm1a_cnt.space, ACPI_SPACE_MEMORY);
    cr_expect_eq(f.p.pm1a_cnt.address, 0xfed80004);
    cr_expect_eq(f.p.pm1a_cnt.access, 1, "byte access, as the GAS says");
    cr_expect_eq(f.p.pm1a_cnt.source, ACPI_SRC_X);
    cr_expect_eq(f.p.pm1a_sts.address, 0xfed80000);
    cr_expect_eq(f.p.pm1a_en.address, 0xfed80002);
    cr_expect_eq(f.p.pm1a_en.space, ACPI_SPACE_MEMORY);
    fx_free(&f);
}

Test(acpi_asl, hardware_reduced)
{
    static struct fx f;

    agrees_with_acpiexec("hw-reduced", &f);
    cr_expect(f.p.hw_reduced);
    cr_expect_eq(f.p.pm1a_cnt.address, 0);
    cr_expect_eq(f.p.pm1a_sts.address, 0);
    cr_expect_eq(f.p.sleep_control.address, 0xfe000100);
    cr_expect_eq(f.p.sleep_control.space, ACPI_SPACE_MEMORY);
    cr_expect_eq(f.p.sleep_control.size, 1);
    cr_expect_eq(f.p.sleep_status.address, 0xfe000101);
    struct acpi_trap t[ACPI_MAX_TRAPS];

    cr_assert_eq(acpi_traps(&f.p, ACPI_TRAP_SLEEP | ACPI_TRAP_EVENTS, t), 2);
    cr_expect_eq(t[0].reg, ACPI_REG_SLEEP_CONTROL);
    cr_expect_eq(t[1].reg, ACPI_REG_SLEEP_STATUS);
    fx_free(&f);
}

Test(acpi_asl, x_fields_win_over_32_bit_ones)
{
    static struct fx f;

    fx_load(&f, "x-precedence", 0);
    cr_assert_eq(f.st, ACPI_OK, "%s", fx_errstr(&f.err));
    cr_expect_eq(f.p.pm1a_cnt.address, 0x804);
    cr_expect_eq(f.p.facs.pa, 0x7fff0000);
    cr_expect_eq(f.p.facs32, 0x7fff1000);
    cr_expect(fx_has_note(&f.p, "FADT/PM1a_CNT: 32-bit block 0x404 and X_ block 0x804 differ; using X_"));
    cr_expect(fx_has_note(&f.p, "FIRMWARE_CTRL 0x7fff1000 and X_FIRMWARE_CTRL 0x7fff0000 differ"));
    fx_free(&f);
}

Test(acpi_asl, acpi_1_fadt)
{
    static struct fx f;

    agrees_with_acpiexec("fadt-v1", &f);
    cr_expect_eq(f.p.fadt_revision, 1);
    cr_expect_eq(f.p.fadt.length, 116);
    cr_expect_eq(f.p.pm1a_cnt.address, 0x404);
    cr_expect_eq(f.p.pm1a_cnt.source, ACPI_SRC_LEGACY);
    cr_expect_eq(f.p.reset.address, 0, "a 116-byte FADT has no RESET_REG; its bytes are not read");
    cr_expect_eq(f.p.sleep_control.address, 0);
    cr_expect_eq(f.p.dsdt.pa, 0x7ffe0000);
    fx_free(&f);
}

/* The predicate patterns of issue 18, each checked against acpiexec. */
Test(acpi_asl, constant_predicates_decide_presence)
{
    static struct fx f;
    const struct acpi_sx *sx = f.p.sx;

    agrees_with_acpiexec("pred-const", &f);
    cr_expect_eq(sx[3].kind, ACPI_SX_ABSENT, "Name (SS3, Zero) ... If (SS3): no \\_S3_");
    cr_expect_eq(sx[3].dead, 1);
    cr_expect_eq(sx[2].kind, ACPI_SX_ABSENT, "If (Zero): no \\_S2_");
    cr_expect_eq(sx[1].kind, ACPI_SX_ABSENT, "If (And (SSFG, 0x02)) with SSFG 5: no \\_S1_");
    cr_expect_eq(sx[4].kind, ACPI_SX_FIXED, "If (SSFG & One) is true: \\_S4_ is not conditional");
    cr_expect(sx[4].def[0].flags & ACPI_SXD_IF_TRUE);
    cr_expect(!(sx[4].def[0].flags & ACPI_SXD_CONDITIONAL));
    cr_expect_eq(sx[0].kind, ACPI_SX_FIXED, "LNot (LAnd (SS3, SS1)) is true");
    cr_expect_eq(sx[5].kind, ACPI_SX_FIXED);
    cr_expect_eq(f.p.n_conds, 0, "nothing undecided, nothing to name");
    uint8_t a, b;

    cr_expect(acpi_sx_values(&f.p, 4, &a, &b) && a == 6 && b == 6);
    fx_free(&f);
}

Test(acpi_asl, nested_if_else)
{
    static struct fx f;
    const struct acpi_sx *sx = f.p.sx;

    agrees_with_acpiexec("pred-nested", &f);
    cr_expect_eq(sx[5].kind, ACPI_SX_FIXED, "inner Else of a true If");
    cr_expect_eq(sx[5].def[0].slp_typa, 7);
    cr_expect_eq(sx[3].kind, ACPI_SX_ABSENT, "inner If that is false");
    cr_expect_eq(sx[4].kind, ACPI_SX_ABSENT, "outer Else of a true If");
    cr_expect_eq(sx[1].kind, ACPI_SX_ABSENT, "If (LNotEqual (OSYS, 0x07DF)) is false");
    cr_expect_eq(sx[0].kind, ACPI_SX_FIXED, "... and its Else runs");
    fx_free(&f);
}

Test(acpi_asl, firmware_data_predicates_are_named)
{
    static struct fx f;
    const struct acpi_sx *sx = f.p.sx;
    char msg[160];

    agrees_with_acpiexec("pred-firmware", &f);
    cr_assert_eq(sx[3].kind, ACPI_SX_CONDITIONAL, "\\_S3_ depends on GNVS bytes");
    cr_assert(sx[3].def[0].cond > 0 && sx[3].def[0].cond <= f.p.n_conds);
    const struct acpi_cond *c = &f.p.conds[sx[3].def[0].cond - 1];

    cr_expect_eq(c->kind, ACPI_COND_FIELD);
    cr_expect_str_eq(c->field, "\\DAS3");
    cr_expect_str_eq(c->region, "GNVS");
    cr_expect_eq(c->space, ACPI_SPACE_MEMORY);
    cr_expect_eq(c->address, 0x7ffe8000);
    cr_expect_eq(c->bit_offset, 0x80);
    cr_expect_eq(c->bit_width, 8);
    cr_expect_eq(c->fields, 2, "DAS3 and S0ID");
    cr_expect(!c->live);
    acpi_cond_format(c, msg, sizeof msg);
    cr_expect_str_eq(msg, "reads \\DAS3, a field of OperationRegion GNVS (SystemMemory 0x7ffe8000+0x10, 8 bits) "
                          "and 1 more field");
    cr_assert_eq(sx[1].kind, ACPI_SX_CONDITIONAL, "\\_S1_ depends on an I/O port");
    c = &f.p.conds[sx[1].def[0].cond - 1];
    acpi_cond_format(c, msg, sizeof msg);
    cr_expect_str_eq(msg, "reads \\SS1E, a field of OperationRegion PMIO (SystemIO 0x800+0x2 bit 3, 1 bit)");
    cr_expect_eq(sx[4].kind, ACPI_SX_FIXED);
    fx_free(&f);
}

Test(acpi_asl, what_stops_evaluation_is_said)
{
    static struct fx f;
    const struct acpi_sx *sx = f.p.sx;

    fx_load(&f, "conditional", 0);
    cr_assert_eq(f.st, ACPI_OK);
    cr_assert(sx[4].def[0].cond);
    cr_expect_str_eq(f.p.conds[sx[4].def[0].cond - 1].field, "calls \\_SB.CHK2");
    cr_assert(sx[3].def[0].cond);
    cr_expect_eq(f.p.conds[sx[3].def[0].cond - 1].kind, ACPI_COND_INDEX_FIELD, "CMOS behind an IndexField");
    cr_expect_str_eq(f.p.conds[sx[3].def[0].cond - 1].field, "\\SS3E");
    /* \TST was defined before the call to CHK2, which might have changed it. */
    cr_assert(sx[2].def[0].cond);
    cr_expect_str_eq(f.p.conds[sx[2].def[0].cond - 1].field, "reads a Name a load-time call may change");
    fx_free(&f);
}

Test(acpi_asl, only_predicates_a_state_depends_on_are_kept)
{
    static struct fx f;

    /* conditional's DSDT has undecided Ifs for S2, S3, S4 and none other. */
    fx_load(&f, "conditional", 0);
    cr_expect_eq(f.p.n_conds, 3);
    fx_free(&f);
}
