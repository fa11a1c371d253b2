/* SPDX-License-Identifier: MIT */
#include "chain.h"

#include <efilib.h>

#include "console.h"
#include "policy.h"

#define PATH_MAX16 512
#define ARGS_MAX16 2048

static EFI_STATUS try_device(EFI_HANDLE self, EFI_HANDLE dev, const CHAR16 *path, EFI_HANDLE *child)
{
    EFI_DEVICE_PATH *dp = FileDevicePath(dev, (CHAR16 *)path);

    if (!dp)
        return EFI_OUT_OF_RESOURCES;
    EFI_STATUS st = uefi_call_wrapper(BS->LoadImage, 6, FALSE, self, dp, NULL, 0, child);
    FreePool(dp);
    return st;
}

EFI_STATUS loader_chain(EFI_HANDLE self, EFI_HANDLE own_device, const char *path, const char *args)
{
    static CHAR16 path16[PATH_MAX16], args16[ARGS_MAX16];
    EFI_HANDLE child = NULL;
    EFI_STATUS st;

    if (!pol_to_ucs2(path, path16, PATH_MAX16) || !pol_to_ucs2(args, args16, ARGS_MAX16)) {
        loader_log("OS loader path or arguments too long for UEFI");
        return EFI_INVALID_PARAMETER;
    }
    st = try_device(self, own_device, path16, &child);
    if (EFI_ERROR(st)) {
        UINTN n = 0;
        EFI_HANDLE *all = NULL;
        if (!EFI_ERROR(LibLocateHandle(ByProtocol, &FileSystemProtocol, NULL, &n, &all))) {
            for (UINTN i = 0; i < n && EFI_ERROR(st); i++)
                if (all[i] != own_device)
                    st = try_device(self, all[i], path16, &child);
            FreePool(all);
        }
    }
    if (EFI_ERROR(st)) {
        loader_log("cannot load OS loader %s: %s", path, efi_status_str(st));
        return st;
    }
    EFI_LOADED_IMAGE *li;
    st = uefi_call_wrapper(BS->HandleProtocol, 3, child, &LoadedImageProtocol, (void **)&li);
    if (!EFI_ERROR(st)) {
        li->LoadOptions = args16;
        li->LoadOptionsSize = (UINT32)(StrLen(args16) + 1) * sizeof(CHAR16);
    }
    loader_log("starting %s %s", path, args);
    st = uefi_call_wrapper(BS->StartImage, 3, child, NULL, NULL);
    loader_log("OS loader %s returned: %s", path, efi_status_str(st));
    return st;
}
