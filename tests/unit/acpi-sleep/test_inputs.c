/* SPDX-License-Identifier: MIT */
/*
 * What sleepmux-acpi is given: acpidump text as hardware databases store it
 * (no addresses, a warning line first), directories with files that are
 * not tables, an empty directory.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

/* q35's dump with every address 0 and a firmware warning first. */
static void addressless_dump(char *path, size_t size)
{
    char src[4096], line[512];

    snprintf(src, sizeof src, "%s/tests/fixtures/acpi-sleep/q35/acpidump.txt", fx_root());
    snprintf(path, size, "/tmp/smx-acpidump-XXXXXX");
    int fd = mkstemp(path);

    cr_assert(fd >= 0);
    FILE *in = fopen(src, "r"), *out = fdopen(fd, "w");

    cr_assert(in && out);
    fprintf(out, "Firmware Warning (ACPI): Optional FADT field Pm2ControlBlock has valid Length but zero Address: "
                 "0x0000000000000000/0x1 (20230628/tbfadt-615)\n");
    while (fgets(line, sizeof line, in)) {
        char *at = strstr(line, " @ 0x");

        if (at && at == line + 4)
            snprintf(at, sizeof line - 4, " @ 0x0000000000000000\n");
        fputs(line, out);
    }
    fclose(in);
    fclose(out);
}

Test(acpi_inputs, acpidump_without_addresses_is_laid_out)
{
    static struct fx f, real;
    char path[64], err[512];

    addressless_dump(path, sizeof path);
    cr_assert(acpimem_is_acpidump_header("DSDT @ 0x0000000000000000\n"));
    cr_assert(!acpimem_is_acpidump_header("Firmware Warning (ACPI): ... @ 0x0\n"));
    acpimem_init(&f.m);
    cr_assert_eq(acpimem_load_acpidump(&f.m, path, err, sizeof err), 0, "%s", err);
    unlink(path);
    cr_expect(strstr(f.m.source, "laid out synthetically"), "%s", f.m.source);
    fx_discover(&f, 0);
    cr_assert_eq(f.st, ACPI_OK, "%s", fx_errstr(&f.err));
    fx_load(&real, "q35", 0);
    for (unsigned s = 0; s < 6; s++) {
        cr_expect_eq(f.p.sx[s].kind, real.p.sx[s].kind, "S%u", s);
        cr_expect_eq(f.p.sx[s].def[0].slp_typa, real.p.sx[s].def[0].slp_typa, "S%u", s);
    }
    cr_expect_eq(f.p.pm1a_cnt.address, real.p.pm1a_cnt.address);
    cr_expect_eq(f.p.n_ssdt, real.p.n_ssdt);
    cr_expect_eq(f.p.facs.length, real.p.facs.length, "the FACS is found where the FADT says");
    fx_free(&real);
    fx_free(&f);
}

static void write_file(const char *dir, const char *name, const void *data, size_t len)
{
    char path[4096];
    FILE *fp;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    cr_assert_not_null(fp = fopen(path, "wb"));
    cr_assert_eq(fwrite(data, 1, len, fp), len);
    fclose(fp);
}

static void copy_file(const char *from, const char *dir, const char *name)
{
    static uint8_t buf[1 << 16];
    FILE *fp = fopen(from, "rb");

    cr_assert_not_null(fp, "%s", from);
    size_t n = fread(buf, 1, sizeof buf, fp);

    fclose(fp);
    write_file(dir, name, buf, n);
}

Test(acpi_inputs, files_that_are_not_tables_are_named)
{
    struct acpimem m;
    char dir[] = "/tmp/smx-tables-XXXXXX", src[4096], err[512], cmd[4200];
    uint8_t junk[300];

    cr_assert_not_null(mkdtemp(dir));
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t)(i * 151 + 7);
    write_file(dir, "DSDT", junk, sizeof junk);
    write_file(dir, "README", "tables from a Dell\n", 19);
    snprintf(src, sizeof src, "%s/fixtures/acpi-sleep/common/facp.aml", fx_build());
    copy_file(src, dir, "FACP");
    acpimem_init(&m);
    int rc = acpimem_load_dir(&m, dir, err, sizeof err);

    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    (void)!system(cmd);
    cr_expect_eq(rc, 0, "%s", err);
    cr_assert_eq(m.n_notes, 2, "DSDT and README");
    bool dsdt = false, readme = false;

    for (unsigned i = 0; i < m.n_notes; i++) {
        dsdt |= !strcmp(m.notes[i], "DSDT: not an ACPI table (its first bytes 07 9e 35 cc are not a table "
                                    "signature); left out");
        readme |= strstr(m.notes[i], "README: not an ACPI table") != NULL;
    }
    cr_expect(dsdt && readme, "%s | %s", m.notes[0], m.notes[1]);
    acpimem_free(&m);
}

Test(acpi_inputs, an_empty_directory_is_said)
{
    struct acpimem m;
    char dir[] = "/tmp/smx-empty-XXXXXX", err[512];

    cr_assert_not_null(mkdtemp(dir));
    acpimem_init(&m);
    cr_expect_eq(acpimem_load_dir(&m, dir, err, sizeof err), -1);
    rmdir(dir);
    cr_expect(strstr(err, ": no ACPI table files in it"), "%s", err);
    acpimem_free(&m);
}
