/* SPDX-License-Identifier: MIT */
/* Files on UEFI simple file systems. */
#ifndef SMX_LOADER_FILES_H
#define SMX_LOADER_FILES_H

#include <efi.h>

/* Read a whole file into pool memory (caller frees with FreePool). */
EFI_STATUS loader_read_file(EFI_HANDLE device, const CHAR16 *path, void **data, UINTN *size);

#endif
