/*
 * sleepmux.efi — the UEFI loader (DESIGN.md, "Boot flow"): read the config,
 * start the VMM so that the firmware and everything after it run as its
 * guest, then start the configured OS's boot loader. Any failure of the
 * VMM path is reported and the OS boots without it: a machine with sleepmux
 * installed must never become unbootable because of sleepmux.
 */
#include <efi.h>
#include <efilib.h>

#include "chain.h"
#include "config.h"
#include "console.h"
#include "debug.h"
#include "version.h"
#include "vmm_load.h"

/* gnu-efi's crt0 passes SysV arguments: efi_main is declared without EFIAPI. */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab);

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
    static struct pol_config cfg;
    static char why[320];
    uint8_t os;
    EFI_LOADED_IMAGE *self;

    InitializeLib(image, systab);
    loader_log("sleepmux loader %s", SMX_VERSION);
    EFI_STATUS st = uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol, (void **)&self);
    if (EFI_ERROR(st)) {
        loader_log("cannot find my own device: %s", efi_status_str(st));
        return st;
    }
    st = loader_config_load(self->DeviceHandle, &cfg, &os, why, sizeof why);
    if (EFI_ERROR(st)) {
        loader_log("%s", why);
        loader_log("no OS to boot: returning to the firmware's boot menu");
        return st;
    }
    const struct pol_os_config *oc = &cfg.os[os];
    loader_log_uart(cfg.log_port);
    loader_log("sleepmux loader %s: booting OS %c, %s (%s)", SMX_VERSION, os == POL_OS_A ? 'A' : 'B', oc->name,
               oc->loader);
    struct loader_vmm_params vp = { .region_mib = cfg.vmm_mib, .log_port = cfg.log_port, .config = &cfg, .os = os,
                                    .flags = loader_debug_flags(self->DeviceHandle) };
    st = loader_start_vmm(self->DeviceHandle, &vp, why, sizeof why);
    if (EFI_ERROR(st))
        loader_log("%s; booting without sleepmux", why);
    else
        loader_log("running under the sleepmux VMM");
    return loader_chain(image, self->DeviceHandle, oc->loader, oc->args);
}
