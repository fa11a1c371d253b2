/* SPDX-License-Identifier: MIT */
/*
 * Bad input: wrong checksums, lengths shorter than a header or past the
 * end of memory, broken roots, SSDTs an OS would reject, and AML built
 * here byte by byte: absurd nesting, packages running off the table,
 * opcodes the scanner does not know. Each gets an error (or a note) that
 * names it, never a read out of bounds (ASan watches) or a hang.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

static uint8_t *at(struct fx *f, uint64_t pa, size_t len)
{
    struct acpimem_region *r = acpimem_find(&f->m, pa, len);

    cr_assert_not_null(r, "nothing mapped at 0x%llx", (unsigned long long)pa);
    return r->data + (pa - r->pa);
}

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

static void fix_checksum(uint8_t *t, size_t len, size_t where)
{
    uint8_t s = 0;

    t[where] = 0;
    for (size_t i = 0; i < len; i++)
        s = (uint8_t)(s + t[i]);
    t[where] = (uint8_t)-s;
}

Test(acpi_malformed, checksum_is_a_note_unless_strict)
{
    static struct fx f;

    fx_load(&f, "q35", 0);
    at(&f, f.p.fadt.pa, 10)[9] += 0x3c;
    fx_discover(&f, 0);
    cr_assert_eq(f.st, ACPI_OK, "a wrong checksum does not stop Linux, nor us");
    cr_expect(fx_has_note(&f.p, "FACP: checksum 0x3c != 0 (used anyway, as Linux does)"));
    fx_discover(&f, ACPI_DISCOVER_STRICT);
    cr_assert_eq(f.st, ACPI_E_CHECKSUM);
    cr_expect_str_eq(fx_errstr(&f.err), "FACP: checksum 0x3c != 0");
    fx_free(&f);
}

Test(acpi_malformed, rsdp)
{
    static struct fx f;

    fx_load(&f, "q35", 0);
    uint8_t *r = at(&f, f.m.rsdp, 36);

    r[8] ^= 1;
    fx_discover(&f, 0);
    cr_expect_eq(f.st, ACPI_E_CHECKSUM);
    cr_expect_str_eq(fx_errstr(&f.err), "RSDP: checksum 0x1 != 0");
    r[8] ^= 1;
    r[32] ^= 1;
    fx_discover(&f, 0);
    cr_expect_str_eq(fx_errstr(&f.err), "RSDP: extended checksum 0x1 != 0");
    r[32] ^= 1;
    r[0] = 'X';
    fx_discover(&f, 0);
    cr_expect_eq(f.st, ACPI_E_SIGNATURE);
    cr_expect_str_eq(fx_errstr(&f.err), "RSDP: no \"RSD PTR \" signature at 0x3f77d014");
    r[0] = 'R';
    f.io = acpimem_io(&f.m);
    f.st = acpi_discover(&f.p, &f.io, 0x12345000, 0, f.scratch, sizeof f.scratch, &f.err);
    cr_expect_eq(f.st, ACPI_E_IO);
    cr_expect_str_eq(fx_errstr(&f.err), "RSDP: cannot read 20 bytes at 0x12345000");
    f.st = acpi_discover(&f.p, &f.io, f.m.rsdp, 0, f.scratch, 100, &f.err);
    cr_expect_eq(f.st, ACPI_E_ARG, "scratch below ACPI_SCRATCH_MIN");
    fx_free(&f);
}

Test(acpi_malformed, a_broken_xsdt_falls_back_to_the_rsdt)
{
    static struct fx f;

    fx_load(&f, "q35", 0);
    uint64_t xsdt = f.p.root.pa;

    memcpy(at(&f, xsdt, 4), "XXXX", 4);
    fx_discover(&f, 0);
    cr_assert_eq(f.st, ACPI_OK, "%s", fx_errstr(&f.err));
    cr_expect(!f.p.xsdt);
    cr_expect(fx_has_note(&f.p, "XSDT: table at 0x3f77c0e8 has signature \"XXXX\""));
    cr_expect(fx_has_note(&f.p, "XSDT: unusable; using the RSDT at 0x3f77c074 instead"));
    cr_expect_eq(f.p.sx[3].kind, ACPI_SX_FIXED);
    fx_free(&f);
}

Test(acpi_malformed, dsdt_lengths)
{
    static struct fx f;

    fx_load(&f, "q35", 0);
    uint8_t *d = at(&f, f.p.dsdt.pa, 36);
    uint32_t len = f.p.dsdt.length;

    put32(d + 4, 0x10);
    fx_discover(&f, 0);
    cr_expect_eq(f.st, ACPI_E_SHORT);
    cr_expect_str_eq(fx_errstr(&f.err), "DSDT: length 0x10 shorter than its header");
    /* One byte more than there is: the read past the dump fails cleanly. */
    put32(d + 4, len + 1);
    fx_discover(&f, 0);
    cr_expect_eq(f.st, ACPI_E_IO);
    cr_expect_str_eq(fx_errstr(&f.err), "DSDT: cannot read its 0x205e bytes at 0x3f779000");
    put32(d + 4, 0xfffffff0);
    fx_discover(&f, 0);
    cr_expect_eq(f.st, ACPI_E_LONG);
    cr_expect_str_eq(fx_errstr(&f.err), "DSDT: length 0xfffffff0 larger than the 0x1000000 this code accepts");
    put32(d + 4, len);
    /* No DSDT at all. */
    uint8_t *fadt = at(&f, f.p.fadt.pa, 148);

    put32(fadt + 40, 0);
    memset(fadt + 140, 0, 8);
    fix_checksum(fadt, f.p.fadt.length, 9);
    fx_discover(&f, 0);
    cr_expect_eq(f.st, ACPI_E_MISSING);
    cr_expect_str_eq(fx_errstr(&f.err), "FADT: names no DSDT");
    fx_free(&f);
}

Test(acpi_malformed, a_bad_ssdt_costs_only_itself)
{
    static struct fx f;

    fx_load(&f, "ssdt", 0);
    cr_assert_eq(f.p.sx[5].def[0].table, 2);
    uint64_t pa = f.p.ssdt[1].pa;
    uint8_t *s = at(&f, pa, 36);

    put32(s + 4, 0x10);
    fx_discover(&f, 0);
    cr_assert_eq(f.st, ACPI_OK);
    char want[128];

    snprintf(want, sizeof want, "SSDT[1] at 0x%llx: length 0x10 shorter than its header", (unsigned long long)pa);
    cr_expect(fx_has_note(&f.p, want), "no note \"%s\"", want);
    cr_expect_eq(f.p.sx[5].kind, ACPI_SX_ABSENT, "\\_S5_ was in the rejected SSDT");
    cr_expect_eq(f.p.sx[3].kind, ACPI_SX_FIXED, "\\_S3_ from SSDT[0] still counts");
    cr_expect_eq(f.p.n_ssdt, 2);
    fx_free(&f);
}

/* ---- AML built here ------------------------------------------------- */

struct aml {
    uint8_t b[1 << 16];
    size_t n;
};

static void emit(struct aml *a, const void *p, size_t n)
{
    cr_assert_leq(a->n + n, sizeof a->b);
    memmove(a->b + a->n, p, n);
    a->n += n;
}

/* op [ext] PkgLength body, wrapping a->b[from..n) as the body. */
static void wrap(struct aml *a, size_t from, const uint8_t *op, size_t oplen)
{
    size_t body = a->n - from, len, nb;
    uint8_t pl[4];

    nb = body + 1 < 0x40 ? 1 : body + 2 < 0x1000 ? 2 : body + 3 < 0x100000 ? 3 : 4;
    len = body + nb;
    if (nb == 1) {
        pl[0] = (uint8_t)len;
    } else {
        pl[0] = (uint8_t)((nb - 1) << 6 | (len & 0xf));
        for (size_t i = 1; i < nb; i++)
            pl[i] = (uint8_t)(len >> (4 + 8 * (i - 1)));
    }
    cr_assert_leq(a->n + oplen + nb, sizeof a->b);
    memmove(a->b + from + oplen + nb, a->b + from, body);
    memcpy(a->b + from, op, oplen);
    memcpy(a->b + from + oplen, pl, nb);
    a->n += oplen + nb;
}

static const uint8_t NAME_S3[] = {0x08, '_', 'S', '3', '_', 0x12, 0x06, 0x02, 0x0a, 0x05, 0x0a, 0x05};

/* Load the "common" FADT and FACS with this AML as the DSDT. */
static void load_dsdt(struct fx *f, const struct aml *a, unsigned flags)
{
    char dir[] = "/tmp/smx-aml-XXXXXX", path[3][256], err[256];
    static uint8_t t[sizeof ((struct aml *)0)->b + 36];
    const char *paths[3];

    cr_assert_not_null(mkdtemp(dir));
    memset(t, 0, 36);
    memcpy(t, "DSDT", 4);
    put32(t + 4, (uint32_t)(36 + a->n));
    t[8] = 2;
    memcpy(t + 10, "SMX   TESTAML ", 14);
    memcpy(t + 36, a->b, a->n);
    fix_checksum(t, 36 + a->n, 9);
    snprintf(path[0], sizeof path[0], "%s/dsdt.aml", dir);
    FILE *out = fopen(path[0], "wb");

    cr_assert_not_null(out);
    fwrite(t, 1, 36 + a->n, out);
    fclose(out);
    snprintf(path[1], sizeof path[1], "%s/fixtures/acpi-sleep/common/facp.aml", fx_build());
    snprintf(path[2], sizeof path[2], "%s/fixtures/acpi-sleep/common/facs.aml", fx_build());
    for (int i = 0; i < 3; i++)
        paths[i] = path[i];
    acpimem_init(&f->m);
    cr_assert_eq(acpimem_load_files(&f->m, paths, 3, err, sizeof err), 0, "%s", err);
    unlink(path[0]);
    rmdir(dir);
    fx_discover(f, flags);
    cr_assert_eq(f->st, ACPI_OK, "%s", fx_errstr(&f->err));
}

Test(acpi_malformed, absurd_nesting)
{
    static struct fx f;
    static struct aml a;
    static const uint8_t if_one[] = {0xa0};

    a.n = 0;
    emit(&a, NAME_S3, sizeof NAME_S3);
    for (int i = 0; i < 200; i++) {
        uint8_t one = 0x01;

        memmove(a.b + 1, a.b, a.n);     /* predicate One before the body */
        a.b[0] = one;
        a.n++;
        wrap(&a, 0, if_one, 1);
    }
    load_dsdt(&f, &a, 0);
    cr_expect(fx_has_note(&f.p, "nested deeper than 32 levels"));
    cr_assert_eq(f.p.sx[3].n, 1, "found by the byte scan of what was too deep to parse");
    /* The outer predicates (One) are evaluated; what lies too deep is
     * byte-scanned, so its own Ifs are not, and the state is uncertain. */
    cr_expect_eq(f.p.sx[3].kind, ACPI_SX_CONDITIONAL);
    cr_expect(f.p.sx[3].def[0].flags & ACPI_SXD_UNPARSED);
    cr_expect_eq(f.p.sx[3].def[0].slp_typa, 5);
    fx_free(&f);

    /* Expressions nest too: LNot (LNot (... One)) as a predicate. */
    a.n = 0;
    for (int i = 0; i < 100; i++)
        emit(&a, "\x92", 1);
    emit(&a, "\x01", 1);
    emit(&a, NAME_S3, sizeof NAME_S3);
    wrap(&a, 0, if_one, 1);
    load_dsdt(&f, &a, 0);
    cr_expect(fx_has_note(&f.p, "nested deeper than 32 levels"));
    cr_expect_eq(f.p.sx[3].kind, ACPI_SX_CONDITIONAL);
    fx_free(&f);
}

Test(acpi_malformed, packages_that_run_off_the_table)
{
    static struct fx f;
    static struct aml a;

    /* Name (_S3, Package) whose PkgLength claims 0x3f bytes, with 8 left. */
    static const uint8_t bad[] = {0x08, '_', 'S', '3', '_', 0x12, 0x3f, 0x02, 0x0a, 0x05, 0x0a, 0x05};

    a.n = 0;
    emit(&a, bad, sizeof bad);
    load_dsdt(&f, &a, 0);
    cr_expect(fx_has_note(&f.p, "DSDT+0x2a: package length 0x3f runs past the end of its block"));
    cr_assert_eq(f.p.sx[3].n, 1);
    cr_expect_eq(f.p.sx[3].kind, ACPI_SX_CONDITIONAL, "a definition that cannot be read is not certain");
    cr_expect(f.p.sx[3].def[0].flags & ACPI_SXD_INVALID);
    fx_free(&f);

    /* A name cut off by the end of the table. */
    a.n = 0;
    emit(&a, "\x08_S3", 4);
    load_dsdt(&f, &a, 0);
    cr_expect(fx_has_note(&f.p, "DSDT+0x28: object runs past the end of its block"));
    fx_free(&f);
}

Test(acpi_malformed, an_unknown_opcode_costs_its_block)
{
    static struct fx f;
    static struct aml a;

    /* Scope (\) { <0x5b 0x99> ; Name (_S3, ...) }, then Name (_S5, ...) */
    a.n = 0;
    emit(&a, "\x5c\x00", 2);
    emit(&a, "\x5b\x99", 2);
    emit(&a, NAME_S3, sizeof NAME_S3);
    wrap(&a, 0, (const uint8_t *)"\x10", 1);
    emit(&a, "\x08_S5_\x12\x04\x01\x0a\x07", 10);
    load_dsdt(&f, &a, 0);
    cr_expect(fx_has_note(&f.p, "DSDT+0x28: unknown opcode 0x5b 0x99 in load-time code"));
    cr_expect_eq(f.p.sx[3].kind, ACPI_SX_CONDITIONAL);
    cr_expect(f.p.sx[3].def[0].flags & ACPI_SXD_UNPARSED);
    cr_expect_eq(f.p.sx[5].kind, ACPI_SX_FIXED, "parsing resumes after the broken scope");
    cr_expect_eq(f.p.sx[5].def[0].slp_typa, 7);
    fx_free(&f);
}

Test(acpi_malformed, values_an_os_cannot_use)
{
    static struct fx f;
    static struct aml a;
    uint8_t x, y;

    a.n = 0;
    emit(&a, "\x08_S3_\x0a\x05", 7);                        /* an integer, not a package */
    emit(&a, "\x08_S4_\x12\x08\x02" "FOO_\x0a\x06", 14);       /* a reference element */
    emit(&a, "\x08_S5_\x12\x02\x00", 8);                    /* Package (0) {} */
    emit(&a, "\x08_S1_\x13\x05\x0a\x02\x01\x01", 11);       /* VarPackage (2) { One, One } */
    load_dsdt(&f, &a, 0);
    for (unsigned s = 3; s <= 5; s++) {
        cr_expect_eq(f.p.sx[s].kind, ACPI_SX_FIXED, "S%u", s);
        cr_expect(f.p.sx[s].def[0].flags & ACPI_SXD_INVALID, "S%u", s);
        cr_expect(!acpi_sx_values(&f.p, s, &x, &y), "S%u", s);
    }
    cr_expect(fx_has_note(&f.p, "DSDT+0x24: \\_S3_ is not a package of integers; an OS cannot use it"));
    cr_expect(acpi_sx_values(&f.p, 1, &x, &y) && x == 1 && y == 1);
    cr_expect_eq(f.p.sx[1].def[0].elements, 2);
    fx_free(&f);
}

Test(acpi_malformed, bad_names)
{
    static struct fx f;
    static struct aml a;

    /* Scope (^^FOO) climbs above the root; a NameSeg with a lower-case
     * character; a MultiNamePath of 40 segments. Each costs its block. */
    a.n = 0;
    emit(&a, "\x10\x07^^FOO_", 8);
    emit(&a, "\x08_Sx_\x00", 7);
    a.b[a.n++] = 0x08;
    a.b[a.n++] = 0x2f;
    a.b[a.n++] = 40;
    for (int i = 0; i < 40; i++)
        emit(&a, "ABCD", 4);
    emit(&a, "\x00", 1);
    load_dsdt(&f, &a, 0);
    cr_expect(fx_has_note(&f.p, "scope name climbs 0x2 levels above the root"));
    for (unsigned s = 0; s < 6; s++)
        cr_expect_eq(f.p.sx[s].kind, ACPI_SX_ABSENT);
    fx_free(&f);
}

Test(acpi_malformed, a_full_method_table_is_said)
{
    static struct fx f;
    static struct aml a;

    /* 200 External (Mnnn, MethodObj, 2) declarations, then
     * If (M199 (One, One)) { Name (_S3, ...) }: with the smallest scratch
     * M199 is not remembered, which is said, and \_S3_ is still found. */
    a.n = 0;
    for (int i = 0; i < 200; i++) {
        char ext[8] = {0x15, 'M', (char)('0' + i / 100), (char)('0' + i / 10 % 10), (char)('0' + i % 10), 8, 2};

        emit(&a, ext, 7);
    }
    size_t at = a.n;

    emit(&a, "M199\x01\x01", 6);
    emit(&a, NAME_S3, sizeof NAME_S3);
    wrap(&a, at, (const uint8_t *)"\xa0", 1);
    load_dsdt(&f, &a, 0);
    cr_expect(fx_lacks_note(&f.p, "methods"), "ACPI_SCRATCH_GOOD holds 200 methods");
    cr_expect_eq(f.p.sx[3].kind, ACPI_SX_CONDITIONAL);
    f.st = acpi_discover(&f.p, &f.io, f.m.rsdp, 0, f.scratch, ACPI_SCRATCH_MIN, &f.err);
    cr_assert_eq(f.st, ACPI_OK);
    cr_expect(fx_has_note(&f.p, "scratch holds only 35 methods"));
    cr_expect_eq(f.p.sx[3].kind, ACPI_SX_CONDITIONAL);
    cr_expect_eq(f.p.sx[3].def[0].slp_typa, 5);
    fx_free(&f);
}

Test(acpi_malformed, undecided_ifs_without_sleep_states_are_not_kept)
{
    static struct fx f;
    static struct aml a;

    /* 40 × If (UNKN) { Noop }, then If (SS3X) { Name (_S3, ...) }: only
     * the last predicate is one a state depends on, and it must be kept
     * however many came before (ACPI_MAX_CONDS is 16). */
    a.n = 0;
    for (int i = 0; i < 40; i++) {
        size_t at = a.n;

        emit(&a, "UNKN\xa3", 5);
        wrap(&a, at, (const uint8_t *)"\xa0", 1);
    }
    size_t at = a.n;

    emit(&a, "SS3X", 4);
    emit(&a, NAME_S3, sizeof NAME_S3);
    wrap(&a, at, (const uint8_t *)"\xa0", 1);
    load_dsdt(&f, &a, 0);
    cr_assert_eq(f.p.n_conds, 1);
    cr_expect_eq(f.p.conds_lost, 0);
    cr_assert_eq(f.p.sx[3].kind, ACPI_SX_CONDITIONAL);
    cr_assert_eq(f.p.sx[3].def[0].cond, 1);
    cr_expect_str_eq(f.p.conds[0].field, "reads an object not defined before it");
    fx_free(&f);
}

Test(acpi_malformed, a_false_if_inside_an_undecided_one)
{
    static struct fx f;
    static struct aml a;

    /* If (UNKN) { If (Zero) { Name (_S3, ...) } }: \_S3_ is dead at load
     * time whatever UNKN is; it names no predicate read on this machine. */
    a.n = 0;
    emit(&a, "UNKN", 4);
    size_t inner = a.n;

    emit(&a, "\x00", 1);
    emit(&a, NAME_S3, sizeof NAME_S3);
    wrap(&a, inner, (const uint8_t *)"\xa0", 1);
    wrap(&a, 0, (const uint8_t *)"\xa0", 1);
    load_dsdt(&f, &a, 0);
    cr_expect_eq(f.p.sx[3].kind, ACPI_SX_ABSENT);
    cr_expect_eq(f.p.sx[3].dead, 1);
    cr_expect_eq(f.p.sx[3].first_dead.cond, 0);
    cr_expect_eq(f.p.n_conds, 0, "the outer If is kept for nothing");
    fx_free(&f);
}
