/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <efilib.h>

#include "fmt.h"
#include "console.h"
#include "files.h"

EFI_STATUS loader_config_load(EFI_HANDLE device, struct pol_config *cfg, char *err, UINTN errlen)
{
    char *text;
    UINTN size;
    struct pol_error perr;
    EFI_STATUS st = loader_read_file(device, L"\\EFI\\sleepmux\\sleepmux.conf", (void **)&text, &size);

    if (EFI_ERROR(st)) {
        smx_snprintf(err, errlen, "cannot read %s: %s", LOADER_CONF_PATH, efi_status_str(st));
        return st;
    }
    enum pol_status ps = pol_parse(text, size, cfg, &perr);
    FreePool(text);
    if (ps != POL_OK) {
        pol_error_format(&perr, LOADER_CONF_PATH, err, errlen);
        return EFI_INVALID_PARAMETER;
    }
    return EFI_SUCCESS;
}

EFI_STATUS loader_config_choose(const struct pol_config *cfg, int stored, int hint, uint8_t *os, char *err,
                                UINTN errlen)
{
    enum pol_status ps = pol_boot_choice(cfg, stored, hint, os);

    if (ps == POL_OK)
        return EFI_SUCCESS;
    if (stored < 0)
        smx_snprintf(err, errlen, "cannot choose an OS to boot: the store cannot be trusted (above), and an "
                                  "image of either OS may wait there");
    else if (stored == 3)
        smx_snprintf(err, errlen, "cannot choose an OS to boot: images of both OSes wait in the store");
    else
        smx_snprintf(err, errlen, "%s: cannot choose an OS to boot: %s", LOADER_CONF_PATH, pol_status_name(ps));
    return EFI_ABORTED;
}
