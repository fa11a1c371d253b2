/* SPDX-License-Identifier: MIT */
/* Reading the root and the headers of description tables (tables.c). */
#ifndef ACPI_SLEEP_TABLES_H
#define ACPI_SLEEP_TABLES_H

#include "internal.h"

struct table_ctx {
    struct acpi_platform *p;
    const struct acpi_io *io;
    unsigned flags;             /* ACPI_DISCOVER_* */
    uint8_t *win;
    uint32_t win_cap;
};

/* Validate the RSDP at pa; *rsdt and *xsdt (0 when absent). */
enum acpi_status acpi_rsdp_read(const struct acpi_io *io, uint64_t pa, uint8_t *revision, uint64_t *rsdt,
                                uint64_t *xsdt, struct acpi_error *err);
/* Validate the table at pa: signature sig (any if NULL), header, length
 * (<= max), checksum (a note unless ACPI_DISCOVER_STRICT). index >= 0 names
 * it "SIG[index] at pa". */
enum acpi_status acpi_table_check(struct table_ctx *c, uint64_t pa, const char *sig, int index, uint32_t max,
                                  struct acpi_table *t, struct acpi_error *err);
uint32_t acpi_root_count(const struct acpi_table *root, bool xsdt);
bool acpi_root_entry(const struct table_ctx *c, const struct acpi_table *root, bool xsdt, uint32_t i,
                     uint64_t *pa);

#endif
