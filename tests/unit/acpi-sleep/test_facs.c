/* SPDX-License-Identifier: MIT */
/*
 * FACS waking vectors (ACPI 6.5 5.2.10): reading, writing back, which one
 * firmware uses, and FACS validation.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "helpers.h"

static bool same(const struct acpi_waking_vector *a, const struct acpi_waking_vector *b)
{
    return a->fw == b->fw && a->x == b->x && a->ospm_flags == b->ospm_flags;
}

static uint8_t *facs_bytes(struct fx *f)
{
    struct acpimem_region *r = acpimem_find(&f->m, f->p.facs.pa, 64);

    cr_assert_not_null(r);
    return r->data + (f->p.facs.pa - r->pa);
}

Test(acpi_facs, vectors_round_trip)
{
    static struct fx f;
    struct acpi_waking_vector wv, back;
    uint64_t entry;

    fx_load(&f, "common", 0);
    cr_assert_eq(f.st, ACPI_OK, "%s", fx_errstr(&f.err));
    cr_expect_eq(f.p.facs.pa, 0x7fff0000);
    cr_expect_eq(f.p.facs_version, 2);
    cr_expect_eq(f.p.facs_hw_signature, 0x12345678);
    cr_expect_eq(f.p.facs_flags, ACPI_FACS_64BIT_WAKE_SUPPORTED_F);

    /* An OS's real-mode vector (Linux puts its trampoline below 1 MiB). */
    wv = (struct acpi_waking_vector){.fw = 0x9a000};
    cr_assert_eq(acpi_facs_set(&f.p, &f.io, &wv, &f.err), ACPI_OK, "%s", fx_errstr(&f.err));
    cr_expect_eq(memcmp(facs_bytes(&f) + 12, "\x00\xa0\x09\x00", 4), 0, "Firmware_Waking_Vector at offset 12");
    cr_assert_eq(acpi_facs_get(&f.p, &f.io, &back, &f.err), ACPI_OK);
    cr_expect(same(&wv, &back));
    cr_expect_eq(acpi_wake_mode(f.p.facs_flags, f.p.facs_version, &back, &entry), ACPI_WAKE_REAL);
    cr_expect_eq(entry, 0x9a000);

    /* A 64-bit vector wins over the 32-bit one; long mode only when both
     * the firmware supports it and the OS asks. */
    wv = (struct acpi_waking_vector){.fw = 0x9a000, .x = 0x123456789000, .ospm_flags = ACPI_FACS_OSPM_64BIT_WAKE_F};
    cr_assert_eq(acpi_facs_set(&f.p, &f.io, &wv, &f.err), ACPI_OK);
    cr_assert_eq(acpi_facs_get(&f.p, &f.io, &back, &f.err), ACPI_OK);
    cr_expect(same(&wv, &back));
    cr_expect_eq(acpi_wake_mode(f.p.facs_flags, f.p.facs_version, &back, &entry), ACPI_WAKE_LONG64);
    cr_expect_eq(entry, 0x123456789000);
    cr_expect_eq(acpi_wake_mode(0, f.p.facs_version, &back, &entry), ACPI_WAKE_PROTECTED32,
                 "without 64BIT_WAKE_SUPPORTED_F the firmware enters it in protected mode");
    back.ospm_flags = 0;
    cr_expect_eq(acpi_wake_mode(f.p.facs_flags, f.p.facs_version, &back, &entry), ACPI_WAKE_PROTECTED32);

    /* OSPM flag bits other than 64BIT_WAKE_F are not ours to change. */
    facs_bytes(&f)[36 + 3] = 0x80;
    wv = (struct acpi_waking_vector){0};
    cr_assert_eq(acpi_facs_set(&f.p, &f.io, &wv, &f.err), ACPI_OK);
    cr_expect_eq(facs_bytes(&f)[36 + 3], 0x80);
    cr_expect_eq(facs_bytes(&f)[36], 0);
    cr_assert_eq(acpi_facs_get(&f.p, &f.io, &back, &f.err), ACPI_OK);
    cr_expect_eq(acpi_wake_mode(f.p.facs_flags, f.p.facs_version, &back, &entry), ACPI_WAKE_NONE);
    fx_free(&f);
}

Test(acpi_facs, old_versions_hold_fewer_fields)
{
    static struct fx f;
    struct acpi_waking_vector wv = {.x = 0x100000};
    uint64_t entry;

    fx_load(&f, "q35", 0);       /* QEMU's FACS is version 0 */
    cr_assert_eq(f.p.facs_version, 0);
    cr_expect_eq(acpi_facs_set(&f.p, &f.io, &wv, &f.err), ACPI_E_REVISION);
    cr_expect_str_eq(fx_errstr(&f.err), "FACS: version 0 has no X_Firmware_Waking_Vector to hold 0x100000");
    cr_expect_eq(acpi_wake_mode(0, 0, &wv, &entry), ACPI_WAKE_NONE, "version 0: the X_ bytes are reserved");
    wv = (struct acpi_waking_vector){.fw = 0x9a000};
    cr_expect_eq(acpi_facs_set(&f.p, &f.io, &wv, &f.err), ACPI_OK);
    fx_free(&f);

    fx_load(&f, "common", 0);
    facs_bytes(&f)[32] = 1;     /* version 1: X_ vector, no OSPM flags */
    wv = (struct acpi_waking_vector){.x = 0x100000, .ospm_flags = ACPI_FACS_OSPM_64BIT_WAKE_F};
    cr_expect_eq(acpi_facs_set(&f.p, &f.io, &wv, &f.err), ACPI_E_REVISION);
    wv.ospm_flags = 0;
    cr_expect_eq(acpi_facs_set(&f.p, &f.io, &wv, &f.err), ACPI_OK);
    fx_free(&f);
}

Test(acpi_facs, a_damaged_facs_is_refused)
{
    static struct fx f;
    struct acpi_waking_vector wv;

    fx_load(&f, "common", 0);
    memcpy(facs_bytes(&f), "XACS", 4);
    cr_expect_eq(acpi_facs_get(&f.p, &f.io, &wv, &f.err), ACPI_E_SIGNATURE);
    cr_expect_str_eq(fx_errstr(&f.err), "FACS: table at 0x7fff0000 has signature \"XACS\"");
    memcpy(facs_bytes(&f), "FACS\x20\x00\x00\x00", 8);
    cr_expect_eq(acpi_facs_set(&f.p, &f.io, &wv, &f.err), ACPI_E_SHORT);
    cr_expect_str_eq(fx_errstr(&f.err), "FACS: length 0x20 shorter than the 0x40 of its layout");
    /* Discovery keeps going without a FACS, and says so. */
    fx_discover(&f, 0);
    cr_expect_eq(f.st, ACPI_OK);
    cr_expect(fx_has_note(&f.p, "FACS: length 0x20 shorter"));
    cr_expect_eq(f.p.facs.pa, 0);
    cr_expect_eq(acpi_facs_get(&f.p, &f.io, &wv, &f.err), ACPI_E_MISSING);
    cr_expect_str_eq(fx_errstr(&f.err), "FACS: the one the FADT names at 0x7fff0000 was not usable at discovery");
    fx_free(&f);
}
