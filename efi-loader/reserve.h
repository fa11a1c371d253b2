/* SPDX-License-Identifier: MIT */
/*
 * The memory layout applied (efi-loader/layout.h computes it): read the
 * recorded layout, or compute and record it, then reserve what the booting
 * OS must never use, before the loader makes any large allocation.
 */
#ifndef SMX_LOADER_RESERVE_H
#define SMX_LOADER_RESERVE_H

#include <efi.h>
#include <stdint.h>

#include "bootinfo.h"
#include "policy.h"

/*
 * For a boot of `os`: reserve (EfiReservedMemoryType, UEFI 2.10 §7.2.1) the
 * other OS's private range, the VMM region, the trampoline page and every
 * other free page above 1 MiB outside os's own private range, at the
 * recorded addresses. image_waiting: an OS image waits in the store, so the
 * recorded layout must stay even if `memory =` changed. Returns 1 with *out
 * filled when switching is possible; 0 when not (the log says why, nothing
 * stays reserved).
 */
/* The OS the VMM's last reset asked for (struct smx_reset_hint in its
 * recorded region, read once and cleared), or -1. */
int loader_reset_hint(void);

/* The unassigned ranges this boot reserved (none when switching is off). */
const struct smx_mem_range *loader_unassigned(size_t *k);

int loader_layout_reserve(const struct pol_config *cfg, uint8_t os, uint64_t vmm_bytes, int image_waiting,
                          struct smx_layout *out);

/* Give back everything loader_layout_reserve() took (the VMM refused to start). */
void loader_layout_release(void);

#endif
