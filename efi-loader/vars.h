/* SPDX-License-Identifier: MIT */
/*
 * sleepmux's UEFI variables (UEFI 2.10 §8.2): all under one vendor GUID, all
 * EFI_VARIABLE_NON_VOLATILE | EFI_VARIABLE_BOOTSERVICE_ACCESS and never
 * runtime-accessible, so no OS can read or change them once it runs.
 *
 *   SleepmuxKey         the 32-byte master key of the image store
 *   SleepmuxGeneration  the newest committed generation the loader has seen
 *                       (u64): a store older than this was rolled back
 *   SleepmuxLayout      struct layout_record: where each OS, the VMM and the
 *                       trampoline live. The layout was meant for the store's
 *                       superblock (DESIGN.md, "Memory model"), but format
 *                       version 1 of the superblock has no room for it, and
 *                       a machine without a store partition needs it too.
 */
#ifndef SMX_LOADER_VARS_H
#define SMX_LOADER_VARS_H

#include <efi.h>
#include <stdint.h>

#define SMX_VENDOR_GUID { 0xb55776e5, 0xc612, 0x49f9, { 0xaf, 0x51, 0xaa, 0x06, 0x05, 0xd6, 0x56, 0x06 } }
#define SMX_VAR_ATTRS (EFI_VARIABLE_NON_VOLATILE | EFI_VARIABLE_BOOTSERVICE_ACCESS)

/*
 * Read a variable of exactly `size` bytes. EFI_NOT_FOUND when absent, and
 * also when one of that name had another size or runtime access (not one
 * sleepmux wrote): that one is removed and logged. EFI_COMPROMISED_DATA
 * when it could not be removed.
 */
EFI_STATUS loader_var_get(const CHAR16 *name, void *buf, UINTN size);
EFI_STATUS loader_var_set(const CHAR16 *name, const void *buf, UINTN size);

/* The master key: read, or created once from the firmware's RNG protocol
 * (else RDRAND). Its bytes are never logged. */
EFI_STATUS loader_master_key(uint8_t key[32], char *why, UINTN whylen);

#endif
