/* SPDX-License-Identifier: MIT */
/*
 * The loader's view of \EFI\sleepmux\sleepmux.conf: policy parses it (the
 * same parser `sleepmux-config check` runs on a user's desk), the loader
 * reads it from the ESP and decides which OS boots now.
 */
#ifndef SMX_LOADER_CONFIG_H
#define SMX_LOADER_CONFIG_H

#include <efi.h>

#include "policy.h"

#define LOADER_CONF_PATH "\\EFI\\sleepmux\\sleepmux.conf"

/* Reads and parses the config; on failure `err` says where and why, in
 * sleepmux-config's "FILE:LINE:COL: message" form. */
EFI_STATUS loader_config_load(EFI_HANDLE device, struct pol_config *cfg, char *err, UINTN errlen);

/* The OS to boot, given what the store holds (loader_store_read's stored:
 * a bitmask, or negative when the store cannot be trusted). */
EFI_STATUS loader_config_choose(const struct pol_config *cfg, int stored, int hint, uint8_t *os, char *err,
                                UINTN errlen);

#endif
