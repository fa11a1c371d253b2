/* SPDX-License-Identifier: MIT */
/*
 * Reading acpidump's text output (ACPICA's acpidump, also what
 * `acpidump > file` on any Linux machine gives):
 *
 *   DSDT @ 0x000000003F779000
 *       0000: 44 53 44 54 5D 20 00 00 01 0D 42 4F 43 48 53 20  DSDT] ....BOCHS
 *
 * Each table is mapped at its address; the RSDP (printed as "RSD ") becomes
 * the image's RSDP. Dumps as hardware databases publish them have no
 * addresses (every one 0) and no RSDP: their tables are laid out as a
 * directory's are (tabledir.c), in the dump's order. Lines before the
 * first table (a firmware warning acpidump printed) are skipped; a table
 * whose bytes are not a table is said and left out.
 */
#include "acpimem.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hexval(int c)
{
    return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

struct dumped {
    char sig[8];
    uint64_t pa;
    uint8_t *data;
    size_t len, cap;
};

bool acpimem_is_acpidump_header(const char *line)
{
    /* "SIGN @ 0x..." with a 4-character signature ("RSD " for the RSDP). */
    for (int i = 0; i < 4; i++)
        if (!(isupper((unsigned char)line[i]) || isdigit((unsigned char)line[i]) || line[i] == '_' ||
              (i == 3 && line[i] == ' ')))
            return false;
    return !strncmp(line + 4, " @ 0x", 5) && isxdigit((unsigned char)line[9]);
}

static bool append(struct dumped *t, uint8_t b)
{
    if (t->len == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 4096;
        uint8_t *nb = realloc(t->data, cap);

        if (!nb)
            return false;
        t->data = nb;
        t->cap = cap;
    }
    t->data[t->len++] = b;
    return true;
}

/* Every table at its own address; false (m emptied) if that cannot be. */
static bool at_addresses(struct acpimem *m, const struct dumped *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!t[i].pa || !acpimem_map(m, t[i].pa, t[i].data, t[i].len, t[i].sig))
            goto synthetic;
        if (t[i].len >= 8 && memcmp(t[i].data, "RSD PTR ", 8) == 0 && !m->rsdp)
            m->rsdp = t[i].pa;
    }
    if (m->rsdp)
        return true;
synthetic:
    acpimem_free(m);
    return false;
}

int acpimem_load_acpidump(struct acpimem *m, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    char line[512];
    struct dumped *t = NULL, *cur = NULL;
    size_t n = 0, cap = 0, lineno = 0;
    int rc = -1;

    if (!f) {
        snprintf(err, errlen, "%s: cannot open", path);
        return -1;
    }
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (acpimem_is_acpidump_header(line)) {
            if (n == cap) {
                cap = cap ? 2 * cap : 32;
                struct dumped *nt = realloc(t, cap * sizeof *nt);

                if (!nt)
                    goto oom;
                t = nt;
            }
            cur = &t[n++];
            memset(cur, 0, sizeof *cur);
            snprintf(cur->sig, sizeof cur->sig, "%.4s", line);
            cur->pa = strtoull(line + 7, NULL, 16);
            continue;
        }
        char *colon = strchr(line, ':');

        if (!colon || !cur)
            continue;
        /* "    OFFS: XX XX ... XX  ascii": up to 16 "XX " groups. */
        char *end;
        unsigned long off = strtoul(line, &end, 16);

        if (end != colon)
            continue;
        if (off != cur->len) {
            snprintf(err, errlen, "%s:%zu: %s data at offset 0x%lx, expected 0x%zx", path, lineno, cur->sig, off,
                     cur->len);
            goto out;
        }
        char *p = colon + 1;

        for (int k = 0; k < 16; k++) {
            if (p[0] != ' ' || !isxdigit((unsigned char)p[1]) || !isxdigit((unsigned char)p[2]) ||
                !(p[3] == ' ' || p[3] == '\n' || p[3] == '\r' || p[3] == 0))
                break;
            if (!append(cur, (uint8_t)(hexval(p[1]) << 4 | hexval(p[2]))))
                goto oom;
            p += 3;
        }
    }

    /* Tables only: say what is not one. */
    size_t kept = 0;

    for (size_t i = 0; i < n; i++) {
        char why[160];

        if (!t[i].len)
            continue;
        if (acpimem_not_table(t[i].data, t[i].len, why, sizeof why)) {
            acpimem_note(m, "%s: %s @ 0x%llx is not an ACPI table (%s); left out", path, t[i].sig,
                         (unsigned long long)t[i].pa, why);
            free(t[i].data);
            continue;
        }
        t[kept++] = t[i];
    }
    n = kept;
    if (!n) {
        snprintf(err, errlen, "%s: no tables in acpidump format", path);
        goto out;
    }
    if (at_addresses(m, t, n)) {
        snprintf(m->source, sizeof m->source, "acpidump output %s (%zu tables)", path, n);
        rc = 0;
        goto out;
    }
    /* No usable addresses: lay the tables out in the dump's order. */
    struct acpimem_file *files = calloc(n, sizeof *files);

    if (!files)
        goto oom;
    for (size_t i = 0; i < n; i++) {
        char name[32];

        snprintf(name, sizeof name, "%06zu-%.4s", i, t[i].sig);
        files[i].name = strdup(name);
        files[i].data = t[i].data;
        files[i].len = t[i].len;
    }
    rc = acpimem_layout(m, files, n, err, errlen);
    for (size_t i = 0; i < n; i++)
        free(files[i].name);
    free(files);
    if (!rc)
        snprintf(m->source, sizeof m->source,
                 "acpidump output %s (%zu tables; it has no usable addresses, so they are laid out synthetically)",
                 path, n);
    goto out;
oom:
    snprintf(err, errlen, "%s: out of memory", path);
out:
    for (size_t i = 0; i < n; i++)
        free(t[i].data);
    free(t);
    fclose(f);
    return rc;
}
