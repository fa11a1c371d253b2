/* SPDX-License-Identifier: MIT */
/* What the acpi-sleep tests share: fixtures as memory images, ACPICA's own
 * answers (acpiexec), a simulated CMOS RTC and PM1 block. */
#ifndef ACPI_SLEEP_TEST_HELPERS_H
#define ACPI_SLEEP_TEST_HELPERS_H

#include <stdbool.h>
#include <stdint.h>

#include "acpi_sleep.h"
#include "../../../acpi-sleep/tool/acpimem.h"

/* A fixture loaded and discovered. */
struct fx {
    struct acpimem m;
    struct acpi_io io;
    struct acpi_platform p;
    struct acpi_error err;
    enum acpi_status st;
    uint8_t scratch[ACPI_SCRATCH_GOOD];
};

/* "q35" / "pc": the acpidump of a real guest; anything else: the iasl
 * fixture platform of that name. Discovery runs with `flags`. */
void fx_load(struct fx *f, const char *name, unsigned flags);
void fx_discover(struct fx *f, unsigned flags);
void fx_free(struct fx *f);
/* The error's text. */
const char *fx_errstr(const struct acpi_error *e);
/* True if some note's text contains `needle` (if not, the notes there are
 * go to stderr for the failure report); or if none does. */
bool fx_has_note(const struct acpi_platform *p, const char *needle);
bool fx_lacks_note(const struct acpi_platform *p, const char *needle);

/* ACPICA's own evaluation of \_S0_..\_S5_ over a fixture's definition
 * blocks (acpiexec -b), reduced the way acpi_get_sleep_type_data reduces
 * it. */
struct acpiexec_sx {
    bool present;           /* evaluated to a package */
    bool valid;             /* a package acpi_get_sleep_type_data accepts */
    unsigned elements;
    uint8_t a, b;
};
void acpiexec_sleep_states(const char *name, struct acpiexec_sx out[6]);

/* Paths */
const char *fx_root(void);
const char *fx_build(void);

#endif
