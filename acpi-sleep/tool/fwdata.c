/* SPDX-License-Identifier: MIT */
/*
 * What sleepmux-acpi, run as root on the machine, lets acpi_discover_live
 * read: SystemMemory through /dev/mem, but only inside the ranges the
 * firmware memory map (/sys/firmware/memmap) marks as firmware's own
 * (reserved, ACPI NVS, ACPI tables), where GNVS-style data lives and
 * never RAM an OS owns or a device's MMIO; SystemIO through port I/O
 * (iopl), the same byte reads an OS makes when it loads the table.
 */
#include "fwdata.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ports.h"

#define MEMMAP "/sys/firmware/memmap"

static bool firmware_type(const char *t)
{
    return !strcmp(t, "Reserved") || !strcmp(t, "reserved") || !strcmp(t, "ACPI Non-volatile Storage") ||
           !strcmp(t, "ACPI Tables") || !strcmp(t, "Unusable memory");
}

static bool read_line(const char *dir, const char *name, char *buf, size_t size)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s/%s", MEMMAP, dir, name);
    if (!(f = fopen(path, "r")))
        return false;
    bool ok = fgets(buf, (int)size, f) != NULL;

    fclose(f);
    buf[strcspn(buf, "\n")] = 0;
    return ok;
}

static void memmap(struct fwdata *d)
{
    DIR *dir = opendir(MEMMAP);
    struct dirent *e;

    if (!dir)
        return;
    while ((e = readdir(dir)) && d->n < FWDATA_MAX_RANGES) {
        char start[32], end[32], type[64];

        if (e->d_name[0] == '.' || !read_line(e->d_name, "start", start, sizeof start) ||
            !read_line(e->d_name, "end", end, sizeof end) || !read_line(e->d_name, "type", type, sizeof type) ||
            !firmware_type(type))
            continue;
        d->r[d->n].start = strtoull(start, NULL, 0);
        d->r[d->n].end = strtoull(end, NULL, 0) + 1;
        d->n++;
    }
    closedir(dir);
}

static bool may_read(void *ctx, uint8_t space, uint64_t address, uint64_t len)
{
    struct fwdata *d = ctx;

    if (space == ACPI_SPACE_IO)
        return d->ports;
    if (space != ACPI_SPACE_MEMORY || d->devmem < 0 || address + len < address)
        return false;
    for (unsigned i = 0; i < d->n; i++)
        if (address >= d->r[i].start && address + len <= d->r[i].end)
            return true;
    return false;
}

static bool read_phys(void *ctx, uint64_t pa, void *buf, size_t len)
{
    struct fwdata *d = ctx;

    return d->devmem >= 0 && pa <= INT64_MAX && pread(d->devmem, buf, len, (off_t)pa) == (ssize_t)len;
}

bool fwdata_open(struct fwdata *d)
{
    char err[160] = "";
    const char *mem_why = NULL;

    memset(d, 0, sizeof *d);
    d->devmem = open("/dev/mem", O_RDONLY | O_CLOEXEC);
    if (d->devmem < 0)
        mem_why = strerror(errno);
    memmap(d);
    d->io.ctx = d;
    d->io.read_phys = read_phys;
    d->ports = ports_open(&d->io, err, sizeof err) == 0;
    d->fw = (struct acpi_fw_access){.io = &d->io, .ctx = d, .may_read = may_read};
    if (d->devmem < 0 && !d->ports) {
        snprintf(d->how, sizeof d->how, "not read (/dev/mem: %s; %s): firmware-data predicates stay undecided",
                 mem_why, err);
        return false;
    }
    if (d->devmem < 0)
        snprintf(d->how, sizeof d->how, "SystemIO through port I/O; SystemMemory not read (/dev/mem: %s)", mem_why);
    else
        snprintf(d->how, sizeof d->how, "SystemMemory through /dev/mem within the %u firmware ranges of %s; %s%s",
                 d->n, MEMMAP, d->ports ? "SystemIO through port I/O" : "SystemIO not read: ", d->ports ? "" : err);
    return true;
}

void fwdata_close(struct fwdata *d)
{
    if (d->devmem >= 0)
        close(d->devmem);
    d->devmem = -1;
}
