/* SPDX-License-Identifier: MIT */
#include "files.h"

#include <efilib.h>

EFI_STATUS loader_read_file(EFI_HANDLE device, const CHAR16 *path, void **data, UINTN *size)
{
    EFI_FILE_HANDLE root = LibOpenRoot(device), f;
    EFI_STATUS st;

    *data = NULL;
    *size = 0;
    if (!root)
        return EFI_NOT_FOUND;
    st = uefi_call_wrapper(root->Open, 5, root, &f, (CHAR16 *)path, EFI_FILE_MODE_READ, 0);
    uefi_call_wrapper(root->Close, 1, root);
    if (EFI_ERROR(st))
        return st;
    EFI_FILE_INFO *info = LibFileInfo(f);
    if (!info) {
        uefi_call_wrapper(f->Close, 1, f);
        return EFI_DEVICE_ERROR;
    }
    UINTN n = info->FileSize;
    FreePool(info);
    void *buf = AllocatePool(n ? n : 1);
    if (!buf) {
        uefi_call_wrapper(f->Close, 1, f);
        return EFI_OUT_OF_RESOURCES;
    }
    UINTN got = n;
    st = uefi_call_wrapper(f->Read, 3, f, &got, buf);
    uefi_call_wrapper(f->Close, 1, f);
    if (!EFI_ERROR(st) && got != n)
        st = EFI_END_OF_FILE;
    if (EFI_ERROR(st)) {
        FreePool(buf);
        return st;
    }
    *data = buf;
    *size = n;
    return EFI_SUCCESS;
}
