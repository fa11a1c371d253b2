/* SPDX-License-Identifier: MIT */
/*
 * acpimem's regions and the acpi_io over them (see acpimem.h).
 */
#include "acpimem.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void acpimem_init(struct acpimem *m)
{
    memset(m, 0, sizeof *m);
    m->devmem = -1;
}

void acpimem_free(struct acpimem *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->r[i].data);
    free(m->r);
    if (m->devmem >= 0)
        close(m->devmem);
    acpimem_init(m);
}

bool acpimem_map(struct acpimem *m, uint64_t pa, const void *data, size_t len, const char *label)
{
    if (!len || pa + len < pa)
        return false;
    for (size_t i = 0; i < m->n; i++)
        if (pa < m->r[i].pa + m->r[i].len && m->r[i].pa < pa + len)
            return false;
    if (m->n == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 16;
        struct acpimem_region *r = realloc(m->r, cap * sizeof *r);

        if (!r)
            return false;
        m->r = r;
        m->cap = cap;
    }
    struct acpimem_region *r = &m->r[m->n];

    if (!(r->data = malloc(len)))
        return false;
    memcpy(r->data, data, len);
    r->pa = pa;
    r->len = len;
    snprintf(r->label, sizeof r->label, "%s", label ? label : "");
    m->n++;
    return true;
}

struct acpimem_region *acpimem_find(struct acpimem *m, uint64_t pa, size_t len)
{
    for (size_t i = 0; i < m->n; i++)
        if (pa >= m->r[i].pa && pa - m->r[i].pa <= m->r[i].len && len <= m->r[i].len - (pa - m->r[i].pa))
            return &m->r[i];
    return NULL;
}

static bool read_phys(void *ctx, uint64_t pa, void *buf, size_t len)
{
    struct acpimem *m = ctx;
    struct acpimem_region *r = acpimem_find(m, pa, len);

    if (r) {
        memcpy(buf, r->data + (pa - r->pa), len);
        return true;
    }
    if (m->devmem >= 0 && pa <= INT64_MAX)
        return pread(m->devmem, buf, len, (off_t)pa) == (ssize_t)len;
    return false;
}

static bool write_phys(void *ctx, uint64_t pa, const void *buf, size_t len)
{
    struct acpimem_region *r = acpimem_find(ctx, pa, len);

    /* Never /dev/mem: the tool only looks. */
    if (!r)
        return false;
    memcpy(r->data + (pa - r->pa), buf, len);
    return true;
}

void acpimem_note(struct acpimem *m, const char *fmt, ...)
{
    va_list ap;

    if (m->n_notes >= ACPIMEM_NOTES) {
        m->notes_lost++;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(m->notes[m->n_notes++], sizeof m->notes[0], fmt, ap);
    va_end(ap);
}

/* ACPI 6.5 §5.2.6: a 4-character signature and a length covering at least
 * the 36-byte header; the RSDP (§5.2.5.3) and FACS (§5.2.10) have their own
 * shapes. A file can be longer than its table (padding), not shorter. */
const char *acpimem_not_table(const uint8_t *d, size_t len, char *why, size_t size)
{
    if (len >= 20 && !memcmp(d, "RSD PTR ", 8))
        return NULL;
    if (len < 8) {
        snprintf(why, size, "%zu bytes, shorter than any table header", len);
        return why;
    }
    for (int i = 0; i < 4; i++)
        if (!(isupper(d[i]) || isdigit(d[i]) || d[i] == '_')) {
            snprintf(why, size, "its first bytes %02x %02x %02x %02x are not a table signature", d[0], d[1], d[2],
                     d[3]);
            return why;
        }
    uint32_t tlen = (uint32_t)(d[4] | d[5] << 8 | d[6] << 16 | (uint32_t)d[7] << 24);
    bool facs = !memcmp(d, "FACS", 4);

    if (tlen < (facs ? 64u : 36u) || tlen > len) {
        snprintf(why, size, "%.4s with length %u in a file of %zu bytes", (const char *)d, tlen, len);
        return why;
    }
    return NULL;
}

struct acpi_io acpimem_io(struct acpimem *m)
{
    struct acpi_io io = {.ctx = m, .read_phys = read_phys, .write_phys = write_phys};

    return io;
}
