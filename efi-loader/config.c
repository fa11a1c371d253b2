#include "config.h"

#include <efilib.h>

#include "fmt.h"
#include "console.h"
#include "files.h"

EFI_STATUS loader_config_load(EFI_HANDLE device, struct pol_config *cfg, uint8_t *os, char *err, UINTN errlen)
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
    /* Nothing can be parked in the store yet: switching comes with the
     * store support. When it does, the store's contents go here, and an
     * unreadable store (negative) forbids booting either OS fresh. */
    const int stored = 0, hint = -1;
    ps = pol_boot_choice(cfg, stored, hint, os);
    if (ps != POL_OK) {
        smx_snprintf(err, errlen, "%s: cannot choose an OS to boot: %s", LOADER_CONF_PATH, pol_status_name(ps));
        return EFI_ABORTED;
    }
    return EFI_SUCCESS;
}
