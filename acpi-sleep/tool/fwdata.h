/* SPDX-License-Identifier: MIT */
/* Firmware data for live predicate evaluation in sleepmux-acpi (fwdata.c). */
#ifndef SLEEPMUX_ACPI_FWDATA_H
#define SLEEPMUX_ACPI_FWDATA_H

#include <stdbool.h>
#include <stdint.h>

#include "acpi_sleep.h"

#define FWDATA_MAX_RANGES 128

struct fwdata {
    int devmem;                 /* /dev/mem, or -1 */
    bool ports;                 /* port I/O available */
    unsigned n;
    struct { uint64_t start, end; } r[FWDATA_MAX_RANGES];  /* firmware ranges, end exclusive */
    struct acpi_io io;
    struct acpi_fw_access fw;
    char how[200];              /* what was (or could not be) used, for the report */
};

/* true if fw can be passed to acpi_discover_live; how says why (not). */
bool fwdata_open(struct fwdata *d);
void fwdata_close(struct fwdata *d);

#endif
