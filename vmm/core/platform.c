/* SPDX-License-Identifier: MIT */
#include "platform.h"

#include <string.h>

#include "io.h"
#include "init.h"
#include "log.h"
#include "mem.h"
#include "vmm.h"

struct acpi_platform platform;
/* AML scanning window; ACPI_SCRATCH_GOOD lets every real DSDT be scanned
 * without degrading. Only needed at start. */
static uint8_t scratch[ACPI_SCRATCH_GOOD];

/* Physical memory through the VMM's identity map. Register-sized accesses
 * are single accesses of that size, as MMIO registers require. */
static bool in_range(uint64_t pa, size_t len)
{
    return pa + len >= pa && pa + len <= vmm.bi->max_phys;
}

static bool read_phys(void *ctx, uint64_t pa, void *buf, size_t len)
{
    if (!in_range(pa, len))
        return false;
    volatile void *p = phys_ptr(pa);
    switch (len) {
    case 1: *(uint8_t *)buf = *(volatile uint8_t *)p; break;
    case 2: *(uint16_t *)buf = *(volatile uint16_t *)p; break;
    case 4: *(uint32_t *)buf = *(volatile uint32_t *)p; break;
    case 8: *(uint64_t *)buf = *(volatile uint64_t *)p; break;
    default: memcpy(buf, (const void *)p, len); break;
    }
    return true;
}

static bool write_phys(void *ctx, uint64_t pa, const void *buf, size_t len)
{
    if (!in_range(pa, len))
        return false;
    volatile void *p = phys_ptr(pa);
    switch (len) {
    case 1: *(volatile uint8_t *)p = *(const uint8_t *)buf; break;
    case 2: *(volatile uint16_t *)p = *(const uint16_t *)buf; break;
    case 4: *(volatile uint32_t *)p = *(const uint32_t *)buf; break;
    case 8: *(volatile uint64_t *)p = *(const uint64_t *)buf; break;
    default: memcpy((void *)p, buf, len); break;
    }
    return true;
}

static bool port_in(void *ctx, uint16_t port, unsigned size, uint32_t *v)
{
    *v = size == 1 ? inb(port) : size == 2 ? inw(port) : inl(port);
    return size == 1 || size == 2 || size == 4;
}

static bool port_out(void *ctx, uint16_t port, unsigned size, uint32_t v)
{
    if (size == 1)
        outb(port, (uint8_t)v);
    else if (size == 2)
        outw(port, (uint16_t)v);
    else if (size == 4)
        outl(port, v);
    else
        return false;
    return true;
}

const struct acpi_io platform_io = {
    .read_phys = read_phys, .write_phys = write_phys, .port_in = port_in, .port_out = port_out,
};

const char *platform_error_text(const struct acpi_error *e)
{
    static char text[160];

    acpi_error_format(e, text, sizeof text);
    return text;
}

/* The firmware data If predicates test (acpi_discover_live) may be read
 * only inside the firmware's own memory, as its memory map says, never in
 * RAM an OS owns or a device's MMIO; SystemIO fields are the ports the
 * firmware's own load-time code reads, as an OS would. */
static bool may_read(void *ctx, uint8_t space, uint64_t address, uint64_t len)
{
    const struct smx_bootinfo *bi = ctx;

    if (space == ACPI_SPACE_IO)
        return true;
    if (space != ACPI_SPACE_MEMORY || address + len < address || !in_range(address, len))
        return false;
    for (uint32_t i = 0; i < bi->memmap_count && i < SMX_MEMMAP_MAX; i++) {
        const struct smx_mem_range *r = &bi->memmap[i];

        if ((r->type == SMX_EFI_RESERVED_MEMORY || r->type == SMX_EFI_ACPI_RECLAIM_MEMORY ||
             r->type == SMX_EFI_ACPI_MEMORY_NVS) &&
            address >= r->base && address + len <= r->base + r->pages * 4096)
            return true;
    }
    return false;
}

static void log_reg(const char *name, const struct acpi_reg *r)
{
    if (acpi_reg_present(r))
        smx_log("acpi", "%s at %s %#llx (%u bytes)", name, r->space == ACPI_SPACE_IO ? "port" : "memory",
                (unsigned long long)r->address, r->size);
}

static int platform_init(const struct smx_bootinfo *bi)
{
    struct acpi_error err;

    if (!bi->rsdp) {
        smx_log("acpi", "the firmware published no ACPI tables: cannot watch for sleep");
        return SMX_START_NO_ACPI;
    }
    const struct acpi_fw_access fw = {.io = &platform_io, .ctx = (void *)bi, .may_read = may_read};

    if (acpi_discover_live(&platform, &platform_io, bi->rsdp, 0, &fw, scratch, sizeof scratch, &err) != ACPI_OK) {
        smx_log("acpi", "%s", platform_error_text(&err));
        return SMX_START_NO_ACPI;
    }
    for (unsigned i = 0; i < platform.n_notes; i++)
        smx_log("acpi", "note: %s", platform_error_text(&platform.notes[i]));
    uint64_t facs = platform.facs.pa;
    if (facs && facs < bi->region_base + bi->region_size && bi->region_base < facs + platform.facs.length) {
        smx_log("acpi", "FACS at %#llx lies in the VMM's own region", (unsigned long long)facs);
        return SMX_START_NO_ACPI;
    }
    smx_log("acpi", "FADT rev %u.%u%s, FACS at %#llx (version %u), %u SSDTs", platform.fadt_revision,
            platform.fadt_minor, platform.hw_reduced ? " (hardware-reduced)" : "", (unsigned long long)facs,
            platform.facs_version, platform.n_ssdt);
    log_reg("PM1a_CNT", &platform.pm1a_cnt);
    log_reg("PM1b_CNT", &platform.pm1b_cnt);
    log_reg("SLEEP_CONTROL", &platform.sleep_control);
    for (unsigned s = 0; s <= 5; s++) {
        uint8_t a, b;
        if (acpi_sx_values(&platform, s, &a, &b))
            smx_log("acpi", "S%u: SLP_TYPa %u, SLP_TYPb %u", s, a, b);
        else if (platform.sx[s].kind == ACPI_SX_CONDITIONAL)
            smx_log("acpi", "S%u: conditional, %u candidate definitions", s, platform.sx[s].n);
        else if (platform.sx[s].kind == ACPI_SX_ABSENT && platform.sx[s].dead)
            smx_log("acpi", "S%u: absent, behind an If that is false %s", s,
                    platform.sx[s].first_dead.cond ? "on this machine" : "at load time");
    }
    for (unsigned i = 0; i < platform.n_conds; i++) {
        char text[160];

        acpi_cond_format(&platform.conds[i], text, sizeof text);
        smx_log("acpi", "an If %s", text);
    }
    return 0;
}
SMX_INIT("10", platform_init);
