/* SPDX-License-Identifier: MIT */
/*
 * OVMF's real tables (QEMU q35 and pc, dumped inside a guest): discovery
 * agrees with ACPICA's own interpreter on every \_Sx_, finds the PM1
 * registers where the chipsets put them, and decodes what Linux writes.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "helpers.h"

/* Returns how many states have values. */
static unsigned same_as_acpiexec(const char *name)
{
    static struct fx f;
    struct acpiexec_sx want[6];

    fx_load(&f, name, 0);
    cr_assert_eq(f.st, ACPI_OK, "%s: %s", name, fx_errstr(&f.err));
    acpiexec_sleep_states(name, want);
    unsigned present = 0;

    for (unsigned s = 0; s < 6; s++) {
        uint8_t a, b;
        bool got = acpi_sx_values(&f.p, s, &a, &b);

        cr_assert_eq(got, want[s].present && want[s].valid, "%s S%u: library %s, acpiexec %s", name, s,
                     got ? "has values" : "has none", want[s].present ? "evaluates it" : "does not");
        if (got) {
            cr_expect_eq(a, want[s].a, "%s S%u: SLP_TYPa %u, acpiexec %u", name, s, a, want[s].a);
            cr_expect_eq(b, want[s].b, "%s S%u: SLP_TYPb %u, acpiexec %u", name, s, b, want[s].b);
            cr_expect_eq(f.p.sx[s].def[0].elements, want[s].elements);
            present++;
        }
    }
    if (strcmp(name, "firecracker"))
        cr_expect_eq(f.p.n_notes, 0, "%s: unexpected note: %s", name, fx_errstr(&f.p.notes[0]));
    fx_free(&f);
    return present;
}

Test(acpi_real, q35_sleep_states_match_acpiexec)
{
    cr_expect_eq(same_as_acpiexec("q35"), 3, "S3, S4, S5");
}

Test(acpi_real, pc_sleep_states_match_acpiexec)
{
    cr_expect_eq(same_as_acpiexec("pc"), 3, "S3, S4, S5");
}

/* q35 with S3 disabled on its ICH9 (-global ICH9-LPC.disable_s3=1), as a
 * Modern Standby laptop's firmware offers none: no \_S3_, S4 and S5 as
 * with S3. */
Test(acpi_real, q35_without_s3_matches_acpiexec)
{
    static struct fx f;

    cr_expect_eq(same_as_acpiexec("q35-nos3"), 2, "S4, S5");
    fx_load(&f, "q35-nos3", 0);
    cr_expect_eq(f.p.sx[3].kind, ACPI_SX_ABSENT);
    cr_expect_eq(f.p.sx[3].dead, 0, "not behind an If: QEMU leaves it out");
    cr_expect_eq(f.p.sx[4].kind, ACPI_SX_FIXED);
    cr_expect_eq(f.p.sx[5].kind, ACPI_SX_FIXED);
    fx_free(&f);
}

/* Firecracker (a real hardware-reduced machine): no sleep states at all. */
Test(acpi_real, firecracker_has_no_sleep)
{
    static struct fx f;

    cr_expect_eq(same_as_acpiexec("firecracker"), 0);
    fx_load(&f, "firecracker", 0);
    cr_expect(f.p.hw_reduced);
    cr_expect_eq(f.p.fadt_revision, 6);
    struct acpi_trap t[ACPI_MAX_TRAPS];

    cr_expect_eq(acpi_traps(&f.p, ACPI_TRAP_SLEEP | ACPI_TRAP_EVENTS, t), 0);
    cr_expect(fx_has_note(&f.p, "FADT: hardware-reduced ACPI without SLEEP_CONTROL_REG: no way to sleep"));
    fx_free(&f);
}

Test(acpi_real, q35_registers_are_the_ich9_pm_block)
{
    static struct fx f;

    fx_load(&f, "q35", 0);
    cr_assert_eq(f.st, ACPI_OK, "%s", fx_errstr(&f.err));
    cr_expect(f.p.xsdt);
    cr_expect_eq(f.p.fadt_revision, 3);
    /* PMBASE 0x600 on q35 (QEMU's ICH9 LPC). */
    cr_expect_eq(f.p.pm1a_cnt.address, 0x604);
    cr_expect_eq(f.p.pm1a_cnt.space, ACPI_SPACE_IO);
    cr_expect_eq(f.p.pm1a_cnt.size, 2);
    cr_expect_eq(f.p.pm1a_sts.address, 0x600);
    cr_expect_eq(f.p.pm1a_en.address, 0x602);
    cr_expect_eq(f.p.pm1a_en.size, 2);
    cr_expect_eq(f.p.pm1b_cnt.address, 0);
    cr_expect_eq(f.p.sleep_control.address, 0);
    cr_expect_eq(f.p.century, 0x32);
    cr_expect_eq(f.p.reset.address, 0xcf9);

    struct acpi_trap t[ACPI_MAX_TRAPS];

    cr_assert_eq(acpi_traps(&f.p, ACPI_TRAP_SLEEP, t), 1);
    cr_expect_eq(t[0].reg, ACPI_REG_PM1A_CNT);
    cr_expect_eq(t[0].address, 0x604);
    cr_expect_eq(t[0].size, 2);
    cr_expect_eq(t[0].space, ACPI_SPACE_IO);
    cr_assert_eq(acpi_traps(&f.p, ACPI_TRAP_SLEEP | ACPI_TRAP_EVENTS, t), 3);
    cr_expect_eq(t[1].reg, ACPI_REG_PM1A_STS);
    cr_expect_eq(t[2].reg, ACPI_REG_PM1A_EN);
    fx_free(&f);
}

Test(acpi_real, pc_fadt_is_revision_1_with_piix4_ports)
{
    static struct fx f;

    fx_load(&f, "pc", 0);
    cr_assert_eq(f.st, ACPI_OK, "%s", fx_errstr(&f.err));
    cr_expect_eq(f.p.fadt_revision, 1);
    cr_expect_eq(f.p.fadt.length, 116);
    cr_expect_eq(f.p.pm1a_cnt.address, 0xb004);
    cr_expect_eq(f.p.pm1a_cnt.source, ACPI_SRC_LEGACY);
    cr_expect_eq(f.p.pm1a_sts.address, 0xb000);
    cr_expect_eq(f.p.reset.address, 0, "no RESET_REG before FADT revision 2");
    fx_free(&f);
}

/* What Linux writes on q35 (seen on this machine): 0x2401 for S3, 0x2001
 * for S5, each preceded by the same value without SLP_EN. */
Test(acpi_real, q35_linux_writes_decode)
{
    static struct fx f;
    struct acpi_decoder d;
    struct acpi_sleep_event ev;

    fx_load(&f, "q35", 0);
    acpi_decoder_init(&d);
    cr_expect_eq(acpi_decode_write(&f.p, &d, ACPI_SPACE_IO, 0x604, 2, 0x0401, &ev), ACPI_DEC_NONE);
    cr_expect_eq(ev.touched, 1u << ACPI_REG_PM1A_CNT);
    cr_assert_eq(acpi_decode_write(&f.p, &d, ACPI_SPACE_IO, 0x604, 2, 0x2401, &ev), ACPI_DEC_SLEEP);
    cr_expect_eq(ev.state, 3);
    cr_expect_eq(ev.states, 1u << 3);
    cr_expect_eq(ev.slp_typa, 1);
    cr_expect_eq(ev.pm1a_value, 0x2401);
    cr_expect_eq(ev.regs, 1u << ACPI_REG_PM1A_CNT);

    cr_assert_eq(acpi_decode_write(&f.p, &d, ACPI_SPACE_IO, 0x604, 2, 0x2001, &ev), ACPI_DEC_SLEEP);
    cr_expect_eq(ev.state, 5);
    cr_assert_eq(acpi_decode_write(&f.p, &d, ACPI_SPACE_IO, 0x604, 2, 0x2801, &ev), ACPI_DEC_SLEEP);
    cr_expect_eq(ev.state, 4);
    /* The same value elsewhere is nothing: the status block, another port,
     * the same address as memory. */
    cr_expect_eq(acpi_decode_write(&f.p, &d, ACPI_SPACE_IO, 0x600, 2, 0x2401, &ev), ACPI_DEC_NONE);
    cr_expect_eq(ev.touched, 1u << ACPI_REG_PM1A_STS);
    cr_expect_eq(acpi_decode_write(&f.p, &d, ACPI_SPACE_IO, 0x606, 2, 0x2401, &ev), ACPI_DEC_NONE);
    cr_expect_eq(ev.touched, 0);
    cr_expect_eq(acpi_decode_write(&f.p, &d, ACPI_SPACE_MEMORY, 0x604, 2, 0x2401, &ev), ACPI_DEC_NONE);
    /* SCI_EN alone (Linux's ACPI enable path) is not a sleep. */
    cr_expect_eq(acpi_decode_write(&f.p, &d, ACPI_SPACE_IO, 0x604, 2, 0x0001, &ev), ACPI_DEC_NONE);
    fx_free(&f);
}

Test(acpi_real, q35_through_the_rsdt_gives_the_same)
{
    static struct fx x, r;

    fx_load(&x, "q35", 0);
    fx_load(&r, "q35", ACPI_DISCOVER_USE_RSDT);
    cr_assert_eq(r.st, ACPI_OK, "%s", fx_errstr(&r.err));
    cr_expect(!r.p.xsdt);
    cr_expect_eq(r.p.fadt.pa, x.p.fadt.pa);
    for (unsigned s = 0; s < 6; s++) {
        cr_expect_eq(r.p.sx[s].kind, x.p.sx[s].kind);
        cr_expect_eq(r.p.sx[s].n, x.p.sx[s].n);
        for (unsigned i = 0; i < r.p.sx[s].n; i++) {
            cr_expect_eq(r.p.sx[s].def[i].slp_typa, x.p.sx[s].def[i].slp_typa);
            cr_expect_eq(r.p.sx[s].def[i].slp_typb, x.p.sx[s].def[i].slp_typb);
            cr_expect_eq(r.p.sx[s].def[i].offset, x.p.sx[s].def[i].offset);
        }
    }
    cr_expect_eq(r.p.pm1a_cnt.address, x.p.pm1a_cnt.address);
    cr_expect_eq(r.p.pm1a_cnt.size, x.p.pm1a_cnt.size);
    fx_free(&x);
    fx_free(&r);
}

Test(acpi_real, q35_facs_has_no_vector_at_boot)
{
    static struct fx f;
    struct acpi_waking_vector wv;
    uint64_t entry;

    fx_load(&f, "q35", 0);
    cr_expect_eq(f.p.facs.pa, 0x3f7dc000);
    cr_expect_eq(f.p.facs.length, 64);
    cr_assert_eq(acpi_facs_get(&f.p, &f.io, &wv, &f.err), ACPI_OK, "%s", fx_errstr(&f.err));
    cr_expect_eq(acpi_wake_mode(f.p.facs_flags, f.p.facs_version, &wv, &entry), ACPI_WAKE_NONE);
    fx_free(&f);
}
