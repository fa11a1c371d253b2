/* sleepmux-acpi's report and verdict (report.c, verdict.c). */
#ifndef SLEEPMUX_ACPI_REPORT_H
#define SLEEPMUX_ACPI_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "acpi_sleep.h"
#include "acpimem.h"

/* Print everything; returns the exit status (0 can run, 1 cannot, 2 the
 * tables were unreadable: fatal is discovery's error, or NULL). */
int report(FILE *out, const struct acpi_platform *p, const struct acpi_io *io, const struct acpimem *m,
           bool live, const struct acpi_error *fatal);

/* Why sleepmux cannot run here (blockers) and what it cannot do
 * (limits); each list is lines of text. Returns the number of blockers. */
struct verdict {
    unsigned n_block, n_limit;
    char block[8][160];
    char limit[8][160];
};
unsigned verdict(const struct acpi_platform *p, const struct acpi_io *io, bool live, struct verdict *v);

#endif
