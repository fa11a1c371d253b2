/* SPDX-License-Identifier: MIT */
/*
 * A directory (or list) of table files turned into a memory image. Files
 * hold no addresses, so the image is laid out here: the DSDT and FACS go
 * where the FADT says (X_ field first, ACPI 6.5 §5.2.9), everything else
 * page by page from ACPIMEM_SYNTH_BASE, listed in a synthetic XSDT and
 * RSDT (FADT first, then SSDTs in their files' numeric order, which is
 * the root-table order for both /sys/firmware/acpi/tables and acpixtract),
 * behind a synthetic revision-2 RSDP. RSDP/XSDT/RSDT files are ignored:
 * their entries point at addresses the files do not give.
 */
#include "acpimem.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../spec.h"

#define file acpimem_file

static uint8_t checksum_fix(const uint8_t *b, size_t n, size_t at)
{
    uint8_t s = 0;

    for (size_t i = 0; i < n; i++)
        if (i != at)
            s = (uint8_t)(s + b[i]);
    return (uint8_t)-s;
}

/* Natural order: SSDT2 before SSDT10. */
static int natcmp(const void *pa, const void *pb)
{
    const char *a = ((const struct file *)pa)->name, *b = ((const struct file *)pb)->name;

    while (*a && *b) {
        if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
            unsigned long x = strtoul(a, (char **)&a, 10), y = strtoul(b, (char **)&b, 10);

            if (x != y)
                return x < y ? -1 : 1;
            continue;
        }
        int ca = tolower((unsigned char)*a++), cb = tolower((unsigned char)*b++);

        if (ca != cb)
            return ca - cb;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

static int read_file(const char *path, struct file *f, char *err, size_t errlen)
{
    FILE *fp = fopen(path, "rb");
    size_t cap = 0;

    f->data = NULL;
    f->len = 0;
    if (!fp) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    for (;;) {
        if (f->len == cap) {
            cap = cap ? 2 * cap : 65536;
            uint8_t *nb = realloc(f->data, cap);

            if (!nb) {
                fclose(fp);
                snprintf(err, errlen, "%s: out of memory", path);
                return -1;
            }
            f->data = nb;
        }
        size_t got = fread(f->data + f->len, 1, cap - f->len, fp);

        f->len += got;
        if (!got)
            break;
    }
    fclose(fp);
    return 0;
}

static bool sig_is(const struct file *f, const char *sig)
{
    return f->len >= 4 && memcmp(f->data, sig, 4) == 0;
}

static int layout(struct acpimem *m, struct file *files, size_t n, char *err, size_t errlen)
{
    if (!n) {
        snprintf(err, errlen, "no ACPI tables among the files");
        return -1;
    }
    struct file *fadt = NULL, *dsdt = NULL, *facs = NULL;
    uint64_t next = ACPIMEM_SYNTH_BASE + 0x1000;  /* the first page holds RSDP, XSDT, RSDT */
    uint64_t entries[256];
    size_t ne = 0;

    for (size_t i = 0; i < n; i++) {
        struct file *f = &files[i];

        if (sig_is(f, "FACP") && !fadt)
            fadt = f;
        else if (sig_is(f, "DSDT") && !dsdt)
            dsdt = f;
        else if (sig_is(f, "FACS") && !facs)
            facs = f;
    }
    if (!fadt) {
        snprintf(err, errlen, "no FACP (FADT) among the tables");
        return -1;
    }
    struct fadt fa;

    memset(&fa, 0, sizeof fa);
    memcpy(&fa, fadt->data, fadt->len < sizeof fa ? fadt->len : sizeof fa);
    uint64_t dsdt_pa = fa.x_dsdt ? fa.x_dsdt : fa.dsdt;
    uint64_t facs_pa = fa.x_firmware_ctrl ? fa.x_firmware_ctrl : fa.firmware_ctrl;

    if (dsdt && dsdt_pa && !acpimem_map(m, dsdt_pa, dsdt->data, dsdt->len, "DSDT")) {
        snprintf(err, errlen, "DSDT: cannot place it at 0x%llx, where the FADT says", (unsigned long long)dsdt_pa);
        return -1;
    }
    if (facs && facs_pa && !acpimem_map(m, facs_pa, facs->data, facs->len, "FACS")) {
        snprintf(err, errlen, "FACS: cannot place it at 0x%llx, where the FADT says", (unsigned long long)facs_pa);
        return -1;
    }
    /* FADT first, then SSDTs in order, then the rest (the caller sorted). */
    for (int pass = 0; pass < 3; pass++)
        for (size_t i = 0; i < n; i++) {
            struct file *f = &files[i];
            bool is_ssdt = sig_is(f, "SSDT") || sig_is(f, "PSDT") || sig_is(f, "OSDT");

            if (f == dsdt || f == facs || sig_is(f, "RSD ") || sig_is(f, "XSDT") || sig_is(f, "RSDT") ||
                f->len < 4 || (pass == 0) != (f == fadt) || (pass == 1) != is_ssdt)
                continue;
            if (ne == sizeof entries / sizeof entries[0]) {
                snprintf(err, errlen, "more than %zu tables", ne);
                return -1;
            }
            char label[8];

            snprintf(label, sizeof label, "%.4s", (const char *)f->data);
            if (!acpimem_map(m, next, f->data, f->len, label)) {
                snprintf(err, errlen, "%s: cannot place it", f->name);
                return -1;
            }
            entries[ne++] = next;
            next += (f->len + 0xfff) & ~(uint64_t)0xfff;
        }

    /* RSDP (36 bytes) + XSDT + RSDT on the first page. */
    uint8_t page[0x1000];
    size_t xsdt_len = sizeof(struct sdt_header) + 8 * ne, rsdt_len = sizeof(struct sdt_header) + 4 * ne;
    struct rsdp *r = (struct rsdp *)page;
    uint64_t xsdt_pa = ACPIMEM_SYNTH_BASE + 64, rsdt_pa = xsdt_pa + xsdt_len;

    if (64 + xsdt_len + rsdt_len > sizeof page) {
        snprintf(err, errlen, "too many tables (%zu) for the synthetic root", ne);
        return -1;
    }
    memset(page, 0, sizeof page);
    struct sdt_header *x = (struct sdt_header *)(page + 64), *rt = (struct sdt_header *)(page + 64 + xsdt_len);

    memcpy(x->signature, "XSDT", 4);
    memcpy(rt->signature, "RSDT", 4);
    x->length = (uint32_t)xsdt_len;
    rt->length = (uint32_t)rsdt_len;
    x->revision = rt->revision = 1;
    memcpy(x->oem_id, "SMXDIR", 6);
    memcpy(rt->oem_id, "SMXDIR", 6);
    for (size_t i = 0; i < ne; i++) {
        uint32_t lo = (uint32_t)entries[i];

        memcpy(page + 64 + sizeof *x + 8 * i, &entries[i], 8);
        memcpy(page + 64 + xsdt_len + sizeof *rt + 4 * i, &lo, 4);
    }
    x->checksum = checksum_fix((uint8_t *)x, xsdt_len, offsetof(struct sdt_header, checksum));
    rt->checksum = checksum_fix((uint8_t *)rt, rsdt_len, offsetof(struct sdt_header, checksum));
    memcpy(r->signature, "RSD PTR ", 8);
    memcpy(r->oem_id, "SMXDIR", 6);
    r->revision = 2;
    r->rsdt = (uint32_t)rsdt_pa;
    r->length = sizeof *r;
    r->xsdt = xsdt_pa;
    r->checksum = checksum_fix(page, RSDP_V1_LEN, offsetof(struct rsdp, checksum));
    r->ext_checksum = checksum_fix(page, sizeof *r, offsetof(struct rsdp, ext_checksum));
    if (!acpimem_map(m, ACPIMEM_SYNTH_BASE, page, sizeof page, "RSDP+XSDT+RSDT")) {
        snprintf(err, errlen, "cannot place the synthetic RSDP");
        return -1;
    }
    m->rsdp = ACPIMEM_SYNTH_BASE;
    m->synthetic = true;
    return 0;
}

int acpimem_layout(struct acpimem *m, struct file *files, size_t n, char *err, size_t errlen)
{
    if (n)      /* qsort's array must not be NULL, even for nothing */
        qsort(files, n, sizeof *files, natcmp);
    return layout(m, files, n, err, errlen);
}

/* Keep files[i] if it is a table; else say so and drop it. */
static bool keep_table(struct acpimem *m, struct file *f)
{
    char why[160];

    if (!acpimem_not_table(f->data, f->len, why, sizeof why))
        return true;
    acpimem_note(m, "%s: not an ACPI table (%s); left out", f->name, why);
    free(f->name);
    free(f->data);
    f->name = NULL;
    f->data = NULL;
    return false;
}

static void free_files(struct file *files, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(files[i].name);
        free(files[i].data);
    }
    free(files);
}

int acpimem_load_files(struct acpimem *m, const char *const *paths, size_t n, char *err, size_t errlen)
{
    struct file *files = calloc(n ? n : 1, sizeof *files);
    int rc = -1;
    size_t i;

    if (!files) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t kept = 0;

    for (i = 0; i < n; i++) {
        const char *base = strrchr(paths[i], '/');

        files[kept].name = strdup(base ? base + 1 : paths[i]);
        if (!files[kept].name || read_file(paths[i], &files[kept], err, errlen)) {
            kept++;
            goto out;
        }
        kept += keep_table(m, &files[kept]);
    }
    rc = acpimem_layout(m, files, kept, err, errlen);
    if (!rc)
        snprintf(m->source, sizeof m->source, "%zu table files (addresses synthetic)", kept);
out:
    free_files(files, kept);
    return rc;
}

int acpimem_load_dir(struct acpimem *m, const char *dir, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    struct file *files = NULL;
    size_t n = 0, cap = 0;
    int rc = -1;

    if (!d) {
        snprintf(err, errlen, "%s: cannot open: %s", dir, strerror(errno));
        return -1;
    }
    while ((e = readdir(d))) {
        char path[4096];
        struct stat st;

        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (e->d_name[0] == '.' || stat(path, &st) || !S_ISREG(st.st_mode))
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 32;
            struct file *nf = realloc(files, cap * sizeof *nf);

            if (!nf)
                goto out;
            files = nf;
        }
        memset(&files[n], 0, sizeof files[n]);
        files[n].name = strdup(e->d_name);
        n++;
        if (!files[n - 1].name || read_file(path, &files[n - 1], err, errlen))
            goto out;
        /* Not a table (a README, a .dsl): say so and leave it out. */
        if (!keep_table(m, &files[n - 1]))
            n--;
    }
    rc = acpimem_layout(m, files, n, err, errlen);
    if (rc && !n)
        snprintf(err, errlen, "%s: no ACPI table files in it", dir);
    if (!rc)
        snprintf(m->source, sizeof m->source, "directory %s (%zu tables, addresses synthetic except DSDT/FACS)",
                 dir, n);
out:
    closedir(d);
    free_files(files, n);
    return rc;
}
