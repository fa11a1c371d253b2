/* SPDX-License-Identifier: MIT */
/* Port I/O on this machine for sleepmux-acpi (ports.c). */
#ifndef SLEEPMUX_ACPI_PORTS_H
#define SLEEPMUX_ACPI_PORTS_H

#include <stddef.h>

#include "acpi_sleep.h"

/* Fill io's port callbacks; -1 with a message if this process cannot. */
int ports_open(struct acpi_io *io, char *err, size_t errlen);

#endif
