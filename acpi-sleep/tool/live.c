/* SPDX-License-Identifier: MIT */
/*
 * The running machine's tables: the RSDP from the EFI system table
 * (/sys/firmware/efi/systab) or, on a BIOS machine, the areas ACPI 6.5
 * §5.2.5.1 names (the EBDA's first KiB, 0xE0000-0xFFFFF); every table
 * through /dev/mem. Kernels that refuse /dev/mem for ACPI memory (lockdown,
 * IO_STRICT_DEVMEM without iomem=relaxed) leave /sys/firmware/acpi/tables,
 * which the caller can read as a directory instead.
 */
#include "acpimem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t efi_rsdp(void)
{
    FILE *f = fopen("/sys/firmware/efi/systab", "r");
    char line[128];
    uint64_t acpi20 = 0, acpi10 = 0;

    if (!f)
        return 0;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "ACPI20=", 7))
            acpi20 = strtoull(line + 7, NULL, 0);
        else if (!strncmp(line, "ACPI=", 5))
            acpi10 = strtoull(line + 5, NULL, 0);
    }
    fclose(f);
    return acpi20 ? acpi20 : acpi10;
}

int acpimem_load_live(struct acpimem *m, char *err, size_t errlen)
{
    struct acpi_io io;
    uint64_t rsdp = efi_rsdp();
    const char *how = "the EFI system table";

    m->devmem = open("/dev/mem", O_RDONLY | O_CLOEXEC);
    if (m->devmem < 0) {
        snprintf(err, errlen, "/dev/mem: %s", strerror(errno));
        return -1;
    }
    io = acpimem_io(m);
    if (!rsdp) {
        uint8_t ebda_seg[2];
        uint64_t ebda = 0;

        how = "a scan of the BIOS areas";
        if (io.read_phys(io.ctx, 0x40e, ebda_seg, 2))
            ebda = (uint64_t)(ebda_seg[0] | ebda_seg[1] << 8) << 4;
        if (!(ebda && acpi_find_rsdp(&io, ebda, 1024, &rsdp)) && !acpi_find_rsdp(&io, 0xe0000, 0x20000, &rsdp)) {
            snprintf(err, errlen, "no RSDP: not in /sys/firmware/efi/systab, and /dev/mem shows none in the BIOS areas");
            return -1;
        }
    }
    char sig[8];

    if (!io.read_phys(io.ctx, rsdp, sig, sizeof sig)) {
        snprintf(err, errlen, "/dev/mem: cannot read the RSDP at 0x%llx (kernel lockdown or strict /dev/mem?)",
                 (unsigned long long)rsdp);
        return -1;
    }
    m->rsdp = rsdp;
    snprintf(m->source, sizeof m->source, "this machine (/dev/mem, RSDP at 0x%llx from %s)",
             (unsigned long long)rsdp, how);
    return 0;
}
