#ifndef SMX_LOADER_VMM_LOAD_H
#define SMX_LOADER_VMM_LOAD_H

#include <efi.h>
#include <stdint.h>

#include "policy.h"

struct loader_vmm_params {
    uint64_t region_mib;
    uint16_t log_port;
    uint16_t flags; /* SMX_BOOT_* */
    const struct pol_config *config;
    uint8_t os; /* the OS booting now, POL_OS_A/B */
};

/*
 * Load \EFI\sleepmux\vmm.elf from `device`, give it its memory and start
 * it. On success this returns EFI_SUCCESS *as the VMM's guest*; on failure
 * nothing is left allocated or changed, and `why` says what went wrong.
 */
EFI_STATUS loader_start_vmm(EFI_HANDLE device, const struct loader_vmm_params *p, char *why, UINTN whylen);

#endif
