/* SPDX-License-Identifier: MIT */
/*
 * A simulated MC146818-compatible CMOS RTC (ports 0x70/0x71, Intel's
 * register D with VRT) and a PM1a event block (status write-1-to-clear,
 * enable), for the RTC tests of acpi-sleep and of the VMM's power-on hook.
 */
#ifndef SMX_TEST_CMOS_SIM_H
#define SMX_TEST_CMOS_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "acpi_sleep.h"

struct cmos_sim {
    uint8_t cmos[128];
    uint8_t index;
    unsigned uip_reads;         /* register A reads that still show an update */
    unsigned tick_after;        /* data reads after which the seconds advance once */
    uint16_t pm1_base;          /* PM1a event block: status, enable */
    uint16_t sts, en;
    unsigned sts_writes;
    uint16_t sts_written;
    struct acpi_io phys;        /* memory behind the ports, if any */
};

/* The acpi_io of the simulated hardware; physical memory goes to `phys`
 * (may be NULL: then there is none). */
struct acpi_io cmos_sim_io(struct cmos_sim *s, const struct acpi_io *phys, uint16_t pm1_base);

/* Store a time the way the RTC holds it under register B = regb
 * (bit 1: 24 h, bit 2: binary); the century goes to century_index if set. */
void cmos_sim_set(struct cmos_sim *s, struct acpi_time t, uint8_t regb, uint8_t century_index);

#endif
