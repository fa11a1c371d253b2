/*
 * Reading acpidump's text output (ACPICA's acpidump, also what
 * `acpidump > file` on any Linux machine gives):
 *
 *   DSDT @ 0x000000003F779000
 *       0000: 44 53 44 54 5D 20 00 00 01 0D 42 4F 43 48 53 20  DSDT] ....BOCHS
 *
 * Each table is mapped at its address; the RSDP (printed as "RSD ") becomes
 * the image's RSDP.
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

static int flush(struct acpimem *m, uint64_t pa, const char *sig, uint8_t *buf, size_t len, char *err,
                 size_t errlen)
{
    if (!len)
        return 0;
    if (!acpimem_map(m, pa, buf, len, sig)) {
        snprintf(err, errlen, "%s at 0x%llx: overlaps another table (or out of memory)", sig,
                 (unsigned long long)pa);
        return -1;
    }
    if (len >= 8 && memcmp(buf, "RSD PTR ", 8) == 0 && !m->rsdp)
        m->rsdp = pa;
    return 0;
}

int acpimem_load_acpidump(struct acpimem *m, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    char line[512], sig[8] = "";
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0, lineno = 0, tables = 0;
    uint64_t pa = 0;
    int rc = -1;

    if (!f) {
        snprintf(err, errlen, "%s: cannot open", path);
        return -1;
    }
    while (fgets(line, sizeof line, f)) {
        char *at = strstr(line, " @ 0x");

        lineno++;
        if (at && !isspace((unsigned char)line[0])) {
            if (flush(m, pa, sig, buf, len, err, errlen))
                goto out;
            tables += len != 0;
            len = 0;
            snprintf(sig, sizeof sig, "%.4s", line);
            pa = strtoull(at + 3, NULL, 16);
            continue;
        }
        char *colon = strchr(line, ':');

        if (!colon || !sig[0])
            continue;
        /* "    OFFS: XX XX ... XX  ascii": up to 16 "XX " groups. */
        char *end;
        unsigned long off = strtoul(line, &end, 16);

        if (end != colon)
            continue;
        if (off != len) {
            snprintf(err, errlen, "%s:%zu: %s data at offset 0x%lx, expected 0x%zx", path, lineno, sig, off, len);
            goto out;
        }
        char *p = colon + 1;

        for (int k = 0; k < 16; k++) {
            if (p[0] != ' ' || !isxdigit((unsigned char)p[1]) || !isxdigit((unsigned char)p[2]) ||
                !(p[3] == ' ' || p[3] == '\n' || p[3] == '\r' || p[3] == 0))
                break;
            if (len == cap) {
                cap = cap ? 2 * cap : 4096;
                uint8_t *nb = realloc(buf, cap);

                if (!nb) {
                    snprintf(err, errlen, "%s: out of memory", path);
                    goto out;
                }
                buf = nb;
            }
            buf[len++] = (uint8_t)(hexval(p[1]) << 4 | hexval(p[2]));
            p += 3;
        }
    }
    if (flush(m, pa, sig, buf, len, err, errlen))
        goto out;
    tables += len != 0;
    if (!tables) {
        snprintf(err, errlen, "%s: no tables in acpidump format", path);
        goto out;
    }
    snprintf(m->source, sizeof m->source, "acpidump output %s (%zu tables)", path, tables);
    rc = 0;
out:
    free(buf);
    fclose(f);
    return rc;
}
