/* SPDX-License-Identifier: MIT */
#ifndef SMX_LOADER_CHAIN_H
#define SMX_LOADER_CHAIN_H

#include <efi.h>

/*
 * Start the OS's boot loader `path` (a UEFI path such as
 * "\EFI\debian\grubx64.efi") with load options `args`: first on the
 * loader's own device, then on every other file system. Returns only if
 * it could not be started or came back.
 */
EFI_STATUS loader_chain(EFI_HANDLE self, EFI_HANDLE own_device, const char *path, const char *args);

#endif
