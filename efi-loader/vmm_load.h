/* SPDX-License-Identifier: MIT */
#ifndef SMX_LOADER_VMM_LOAD_H
#define SMX_LOADER_VMM_LOAD_H

#include <efi.h>
#include <stdint.h>

#include "bootinfo.h"
#include "policy.h"

struct loader_vmm_params {
    uint64_t region_bytes; /* a multiple of 2 MiB */
    uint16_t log_port;
    uint16_t flags; /* SMX_BOOT_* */
    const struct pol_config *config;
    uint8_t os; /* the OS booting now, POL_OS_A/B */
    /* Switching: the layout loader_layout_reserve() reserved (region and
     * trampoline included), or NULL to run this OS alone, the region then
     * placed anywhere below 4 GiB. */
    const struct smx_layout *layout;
    const struct smx_store_info *store;
    const uint8_t *master_key; /* 32 bytes */
};

/*
 * Load \EFI\sleepmux\vmm.elf from `device`, give it its memory and start
 * it. On success this returns EFI_SUCCESS *as the VMM's guest*; on failure
 * nothing it allocated is left (the layout's reservations are the caller's),
 * and `why` says what went wrong.
 */
EFI_STATUS loader_start_vmm(EFI_HANDLE device, const struct loader_vmm_params *p, char *why, UINTN whylen);

#endif
