/* SPDX-License-Identifier: MIT */
#include "fixture.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *pol_test_read(const char *rel, size_t *len)
{
    const char *root = getenv("SMX_ROOT");
    char path[4096];

    if (strncmp(rel, "docs/", 5) == 0)
        snprintf(path, sizeof path, "%s/%s", root ? root : ".", rel);
    else
        snprintf(path, sizeof path, "%s/tests/fixtures/policy/%s", root ? root : ".", rel);
    FILE *f = fopen(path, "rb");
    cr_assert(f, "cannot open fixture %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    cr_assert(buf && fread(buf, 1, (size_t)n, f) == (size_t)n, "cannot read %s", path);
    fclose(f);
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

enum pol_status pol_test_parse(const char *rel, struct pol_config *cfg, char *msg, size_t n)
{
    size_t len;
    char *text = pol_test_read(rel, &len);
    struct pol_error err;
    const char *base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
    enum pol_status st = pol_parse(text, len, cfg, &err);

    free(text);
    msg[0] = '\0';
    if (st != POL_OK)
        pol_error_format(&err, base, msg, n);
    return st;
}

void pol_test_config(struct pol_config *cfg)
{
    static const char text[] = "[store]\n"
                               "partition = 6e0c2a4f-3b1d-4c8e-9f27-5a81d0c4e9b2\n"
                               "[os A]\n"
                               "loader = \\EFI\\debian\\shimx64.efi\n"
                               "[os B]\n"
                               "loader = \\EFI\\Microsoft\\Boot\\bootmgfw.efi\n";
    struct pol_error err;

    cr_assert_eq(pol_parse(text, sizeof text - 1, cfg, &err), POL_OK, "%s", err.msg);
}
