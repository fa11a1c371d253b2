/* SPDX-License-Identifier: MIT */
/*
 * The registers a VMM intercepts, named once (enum acpi_reg_id).
 */
#include "internal.h"

const char *acpi_reg_name(enum acpi_reg_id id)
{
    switch (id) {
    case ACPI_REG_PM1A_CNT: return "PM1a_CNT";
    case ACPI_REG_PM1B_CNT: return "PM1b_CNT";
    case ACPI_REG_SLEEP_CONTROL: return "SLEEP_CONTROL";
    case ACPI_REG_PM1A_STS: return "PM1a_STS";
    case ACPI_REG_PM1A_EN: return "PM1a_EN";
    case ACPI_REG_PM1B_STS: return "PM1b_STS";
    case ACPI_REG_PM1B_EN: return "PM1b_EN";
    case ACPI_REG_SLEEP_STATUS: return "SLEEP_STATUS";
    case ACPI_REG_COUNT: break;
    }
    return "?";
}

const struct acpi_reg *acpi_platform_reg(const struct acpi_platform *p, enum acpi_reg_id id)
{
    switch (id) {
    case ACPI_REG_PM1A_CNT: return &p->pm1a_cnt;
    case ACPI_REG_PM1B_CNT: return &p->pm1b_cnt;
    case ACPI_REG_SLEEP_CONTROL: return &p->sleep_control;
    case ACPI_REG_PM1A_STS: return &p->pm1a_sts;
    case ACPI_REG_PM1A_EN: return &p->pm1a_en;
    case ACPI_REG_PM1B_STS: return &p->pm1b_sts;
    case ACPI_REG_PM1B_EN: return &p->pm1b_en;
    case ACPI_REG_SLEEP_STATUS: return &p->sleep_status;
    case ACPI_REG_COUNT: break;
    }
    return NULL;
}

unsigned acpi_traps(const struct acpi_platform *p, unsigned which, struct acpi_trap out[ACPI_MAX_TRAPS])
{
    unsigned n = 0;

    for (unsigned id = 0; id < ACPI_REG_COUNT; id++) {
        const struct acpi_reg *r = acpi_platform_reg(p, (enum acpi_reg_id)id);
        unsigned cls = id <= ACPI_REG_SLEEP_CONTROL ? ACPI_TRAP_SLEEP : ACPI_TRAP_EVENTS;

        if (!(which & cls) || !r->address || (r->space != ACPI_SPACE_IO && r->space != ACPI_SPACE_MEMORY))
            continue;
        out[n].address = r->address;
        out[n].space = r->space;
        out[n].size = r->size;
        out[n].reg = (uint8_t)id;
        n++;
    }
    return n;
}
