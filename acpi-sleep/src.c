/* SPDX-License-Identifier: MIT */
/*
 * The window through which tables are read. read_phys is called for at
 * most win_cap bytes at a time and never beyond the object's length, so a
 * table of any size is read with a fixed, caller-provided buffer, and a
 * corrupt length can make the walk fail but never make it read elsewhere.
 */
#include "internal.h"

void acpi_src_init(struct src *s, const struct acpi_io *io, uint64_t pa, uint32_t len, uint8_t *win,
                   uint32_t win_cap)
{
    s->io = io;
    s->pa = pa;
    s->len = len;
    s->win = win;
    s->win_cap = win_cap;
    s->win_off = 0;
    s->win_len = 0;
    s->failed = false;
}

int acpi_src_byte_slow(struct src *s, uint32_t off)
{
    if (off >= s->len || s->failed)
        return -1;
    uint32_t n = s->len - off < s->win_cap ? s->len - off : s->win_cap;

    if (!s->io->read_phys(s->io->ctx, s->pa + off, s->win, n)) {
        s->failed = true;
        s->win_len = 0;
        return -1;
    }
    s->win_off = off;
    s->win_len = n;
    return s->win[0];
}

bool acpi_src_read(struct src *s, uint32_t off, void *buf, uint32_t n)
{
    uint8_t *out = buf;

    if (off > s->len || n > s->len - off)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        int c = acpi_src_byte(s, off + i);

        if (c < 0)
            return false;
        out[i] = (uint8_t)c;
    }
    return true;
}

bool acpi_src_checksum(struct src *s, uint8_t *sum)
{
    uint8_t acc = 0;

    for (uint32_t i = 0; i < s->len; i++) {
        int c = acpi_src_byte(s, i);

        if (c < 0)
            return false;
        acc = (uint8_t)(acc + c);
    }
    *sum = acc;
    return true;
}
