/* SPDX-License-Identifier: MIT */
/*
 * The machine's ACPI sleep description, found once at start through
 * acpi-sleep and kept for the VMM's life. Also the acpi_io through which
 * the VMM lets acpi-sleep touch memory and ports.
 */
#ifndef SMX_PLATFORM_H
#define SMX_PLATFORM_H

#include "acpi_sleep.h"

extern struct acpi_platform platform;
extern const struct acpi_io platform_io;

/* An acpi-sleep error as one line of text, for a log message. The buffer
 * is reused by the next call (the VMM runs one thing at a time). */
const char *platform_error_text(const struct acpi_error *e);

#endif
