/* SPDX-License-Identifier: MIT */
/* sleepmux-acpi's report and verdict (report.c, verdict.c). */
#ifndef SLEEPMUX_ACPI_REPORT_H
#define SLEEPMUX_ACPI_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "acpi_sleep.h"
#include "acpimem.h"

/* Print everything; returns the exit status (0 can run, 1 cannot, 2 the
 * tables were unreadable: fatal is discovery's error, or NULL; 3
 * uncertain). fw_how: on this machine, how firmware data was read (NULL:
 * not this machine). */
int report(FILE *out, const struct acpi_platform *p, const struct acpi_io *io, const struct acpimem *m,
           const char *fw_how, const struct acpi_error *fatal);

/* The three verdicts (README, "Verdicts"); the values are exit statuses. */
enum verdict_kind { VERDICT_CAN = 0, VERDICT_CANNOT = 1, VERDICT_UNCERTAIN = 3 };

/* Why sleepmux cannot run here (blockers), what leaves it uncertain and
 * would settle it, and what it cannot do (limits); lines of text. */
#define VERDICT_LINES 8
#define VERDICT_LINE 320
struct verdict {
    unsigned n_block, n_unsure, n_limit;
    char block[VERDICT_LINES][VERDICT_LINE];
    char unsure[VERDICT_LINES][VERDICT_LINE];
    char limit[VERDICT_LINES][VERDICT_LINE];
};
enum verdict_kind verdict(const struct acpi_platform *p, const struct acpi_io *io, const struct acpimem *m,
                          bool live, struct verdict *v);

#endif
