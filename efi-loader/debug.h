/* SPDX-License-Identifier: MIT */
/* Debug flags for the VMM from marker files on the ESP (debug.c). */
#ifndef SMX_LOADER_DEBUG_H
#define SMX_LOADER_DEBUG_H

#include <efi.h>
#include <stdint.h>

/* SMX_BOOT_* flags whose marker file exists on `device`. */
uint16_t loader_debug_flags(EFI_HANDLE device);

#endif
