/* SPDX-License-Identifier: MIT */
/*
 * The image store as the loader sees it before any OS runs (DESIGN.md,
 * "Boot flow", step 2): which partition, behind which controller, and
 * which OS has a committed image waiting there. Read only: the loader
 * never writes the store.
 */
#ifndef SMX_LOADER_STORE_H
#define SMX_LOADER_STORE_H

#include <efi.h>

#include "bootinfo.h"
#include "policy.h"

/*
 * Find the store the config names, open it with the master key and check
 * it against SleepmuxGeneration (anti-rollback, docs/image-format.md),
 * raising that variable when the store is newer. *stored is the bitmask
 * pol_boot_choice() wants: bit POL_OS_x when OS x has a committed image
 * waiting, negative when the store exists but cannot be trusted (unreadable,
 * another key, rolled back). Everything worth saying is logged.
 */
void loader_store_read(const struct pol_config *cfg, const uint8_t key[32], struct smx_store_info *info,
                       int *stored);

#endif
