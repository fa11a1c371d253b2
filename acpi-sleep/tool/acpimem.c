/*
 * acpimem's regions and the acpi_io over them (see acpimem.h).
 */
#include "acpimem.h"

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

struct acpi_io acpimem_io(struct acpimem *m)
{
    struct acpi_io io = {.ctx = m, .read_phys = read_phys, .write_phys = write_phys};

    return io;
}
