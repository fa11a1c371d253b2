/* SPDX-License-Identifier: MIT */
/* Test helpers for acpi-sleep (helpers.h). */
#include "helpers.h"

#include <criterion/criterion.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Absolute, since acpixtract runs in a temporary directory. */
static const char *abs_env(const char *var, const char *fallback, char *buf)
{
    const char *v = getenv(var);

    return realpath(v ? v : fallback, buf) ? buf : (v ? v : fallback);
}

const char *fx_root(void)
{
    static char buf[4096];

    return abs_env("SMX_ROOT", ".", buf);
}

const char *fx_build(void)
{
    static char buf[4096];

    return abs_env("SMX_BUILD", "build", buf);
}

/* acpidump output of a real machine (q35, pc, q35-nos3) */
static bool is_real(const char *name)
{
    return !strcmp(name, "q35") || !strcmp(name, "pc") || !strcmp(name, "q35-nos3");
}

/* a real machine's /sys/firmware/acpi/tables, kept in the source tree */
static bool is_sysfs(const char *name)
{
    return !strcmp(name, "firecracker");
}

void fx_discover(struct fx *f, unsigned flags)
{
    f->io = acpimem_io(&f->m);
    f->st = acpi_discover(&f->p, &f->io, f->m.rsdp, flags, f->scratch, sizeof f->scratch, &f->err);
}

void fx_load(struct fx *f, const char *name, unsigned flags)
{
    char path[4096], err[512];
    int rc;

    acpimem_init(&f->m);
    if (is_real(name)) {
        snprintf(path, sizeof path, "%s/tests/fixtures/acpi-sleep/%s/acpidump.txt", fx_root(), name);
        rc = acpimem_load_acpidump(&f->m, path, err, sizeof err);
    } else {
        if (is_sysfs(name))
            snprintf(path, sizeof path, "%s/tests/fixtures/acpi-sleep/%s", fx_root(), name);
        else
            snprintf(path, sizeof path, "%s/fixtures/acpi-sleep/%s", fx_build(), name);
        rc = acpimem_load_dir(&f->m, path, err, sizeof err);
    }
    cr_assert_eq(rc, 0, "loading %s: %s", name, err);
    fx_discover(f, flags);
}

void fx_free(struct fx *f)
{
    acpimem_free(&f->m);
}

const char *fx_errstr(const struct acpi_error *e)
{
    static char buf[256];

    acpi_error_format(e, buf, sizeof buf);
    return buf;
}

bool fx_lacks_note(const struct acpi_platform *p, const char *needle)
{
    for (unsigned i = 0; i < p->n_notes; i++)
        if (strstr(fx_errstr(&p->notes[i]), needle))
            return false;
    return true;
}

bool fx_has_note(const struct acpi_platform *p, const char *needle)
{
    if (!fx_lacks_note(p, needle))
        return true;
    /* Say what there was, for the failure report. */
    fprintf(stderr, "no note contains \"%s\"; the %u notes are:\n", needle, p->n_notes);
    for (unsigned i = 0; i < p->n_notes; i++)
        fprintf(stderr, "    %s\n", fx_errstr(&p->notes[i]));
    return false;
}

/* The definition blocks of a fixture, as files acpiexec takes. */
static void definition_blocks(const char *name, char *files, size_t size, char *tmpdir)
{
    char cmd[8192];

    files[0] = 0;
    if (is_real(name)) {
        strcpy(tmpdir, "/tmp/smx-acpiexec-XXXXXX");
        cr_assert_not_null(mkdtemp(tmpdir));
        snprintf(cmd, sizeof cmd, "cd %s && acpixtract -a %s/tests/fixtures/acpi-sleep/%s/acpidump.txt >/dev/null 2>&1",
                 tmpdir, fx_root(), name);
        cr_assert_eq(system(cmd), 0, "acpixtract failed: %s", cmd);
        snprintf(files, size, "%s/dsdt.dat", tmpdir);
        snprintf(cmd, sizeof cmd, "ls %s/ssdt*.dat 2>/dev/null", tmpdir);
    } else if (is_sysfs(name)) {
        tmpdir[0] = 0;
        snprintf(files, size, "%s/tests/fixtures/acpi-sleep/%s/DSDT", fx_root(), name);
        snprintf(cmd, sizeof cmd, "ls %s/tests/fixtures/acpi-sleep/%s/SSDT* 2>/dev/null | sort -V", fx_root(), name);
    } else {
        tmpdir[0] = 0;
        snprintf(files, size, "%s/fixtures/acpi-sleep/%s/dsdt.aml", fx_build(), name);
        snprintf(cmd, sizeof cmd, "ls %s/fixtures/acpi-sleep/%s/ssdt*.aml 2>/dev/null | sort -V", fx_build(), name);
    }
    FILE *ls = popen(cmd, "r");
    char line[4096];

    cr_assert_not_null(ls);
    while (fgets(line, sizeof line, ls)) {
        line[strcspn(line, "\n")] = 0;
        strncat(files, " ", size - strlen(files) - 1);
        strncat(files, line, size - strlen(files) - 1);
    }
    pclose(ls);
}

void acpiexec_sleep_states(const char *name, struct acpiexec_sx out[6])
{
    char files[8192], tmpdir[64], cmd[9000], line[512];
    int cur = -1, seen = 0;
    unsigned ints = 0;
    uint64_t v[2] = {0, 0};
    bool is_int[2] = {false, false};

    memset(out, 0, 6 * sizeof *out);
    definition_blocks(name, files, sizeof files, tmpdir);
    snprintf(cmd, sizeof cmd,
             "acpiexec -b 'evaluate \\_S0_; evaluate \\_S1_; evaluate \\_S2_; evaluate \\_S3_; evaluate \\_S4_; "
             "evaluate \\_S5_' %s 2>&1", files);
    FILE *p = popen(cmd, "r");

    cr_assert_not_null(p);
    /* Evaluating \_S3_
     * Evaluation of \_S3_ returned object 0x..., external buffer length 78
     *   [Package] Contains 4 Elements:
     *     [Integer] = 0000000000000005
     * or: Evaluation of \_S1_ failed with status AE_NOT_FOUND */
    while (fgets(line, sizeof line, p)) {
        unsigned s, n;
        unsigned long long x;
        char *t = line;

        while (isspace((unsigned char)*t))
            t++;
        if (sscanf(t, "Evaluating \\_S%u_", &s) == 1 && s < 6) {
            cur = (int)s;
            seen++;
            ints = 0;
            is_int[0] = is_int[1] = false;
        } else if (cur >= 0 && sscanf(t, "[Package] Contains %u Elements", &n) == 1) {
            out[cur].present = true;
            out[cur].elements = n;
        } else if (cur >= 0 && out[cur].present && !strncmp(t, "[", 1) && ints < 2) {
            if (sscanf(t, "[Integer] = %llx", &x) == 1) {
                v[ints] = x;
                is_int[ints] = true;
            }
            ints++;
            /* acpi_get_sleep_type_data's reduction */
            struct acpiexec_sx *o = &out[cur];

            if (o->elements == 1 && is_int[0]) {
                o->valid = true;
                o->a = (uint8_t)v[0];
                o->b = (uint8_t)(v[0] >> 8);
            } else if (o->elements >= 2 && ints == 2) {
                o->valid = is_int[0] && is_int[1];
                o->a = (uint8_t)v[0];
                o->b = (uint8_t)v[1];
            }
        }
    }
    int rc = pclose(p);

    cr_assert_eq(seen, 6, "acpiexec evaluated %d of 6 states (exit %d): %s", seen, rc, cmd);
    if (tmpdir[0]) {
        snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
        (void)!system(cmd);
    }
}
