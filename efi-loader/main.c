/* SPDX-License-Identifier: MIT */
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
#include "reserve.h"
#include "store.h"
#include "vars.h"
#include "version.h"
#include "vmm_load.h"

/* gnu-efi's crt0 passes SysV arguments: efi_main is declared without EFIAPI. */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab);

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
    static struct pol_config cfg;
    static struct smx_store_info store;
    static struct smx_layout layout;
    static uint8_t key[32];
    static char why[320];
    uint8_t os;
    int stored;
    EFI_LOADED_IMAGE *self;

    InitializeLib(image, systab);
    loader_log("sleepmux loader %s", SMX_VERSION);
    EFI_STATUS st = uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol, (void **)&self);
    if (EFI_ERROR(st)) {
        loader_log("cannot find my own device: %s", efi_status_str(st));
        return st;
    }
    st = loader_config_load(self->DeviceHandle, &cfg, why, sizeof why);
    if (EFI_ERROR(st)) {
        loader_log("%s", why);
        loader_log("no OS to boot: returning to the firmware's boot menu");
        return st;
    }
    loader_log_uart(cfg.log_port);

    /* Which OS boots depends on the store, and what this boot reserves on
     * which OS boots: store first, then the layout, before any large
     * allocation of the loader's (DESIGN.md, "Boot flow", step 2). */
    int have_key = !EFI_ERROR(loader_master_key(key, why, sizeof why));
    if (!have_key)
        loader_log("%s; no switching this boot", why); /* a zero key opens no store */
    loader_store_read(&cfg, key, &store, &stored);
    st = loader_config_choose(&cfg, stored, loader_reset_hint(), &os, why, sizeof why);
    if (EFI_ERROR(st)) {
        loader_log("%s", why);
        loader_log("no OS to boot: returning to the firmware's boot menu");
        SetMem(key, sizeof key, 0);
        return st;
    }
    const struct pol_os_config *oc = &cfg.os[os];
    loader_log("sleepmux loader %s: booting OS %c, %s (%s)", SMX_VERSION, os == POL_OS_A ? 'A' : 'B', oc->name,
               oc->loader);
    uint64_t vmm_mib = cfg.vmm_mib < POL_VMM_MIB_MIN ? POL_VMM_MIB_MIN : cfg.vmm_mib;
    uint64_t vmm_bytes = ((vmm_mib + 1) & ~1ull) << 20; /* whole 2 MiB pages */
    int switching = have_key && loader_layout_reserve(&cfg, os, vmm_bytes, stored > 0, &layout);

    struct loader_vmm_params vp = {
        .region_bytes = vmm_bytes, .log_port = cfg.log_port, .config = &cfg, .os = os,
        .layout = switching ? &layout : NULL, .store = &store, .master_key = have_key ? key : NULL,
        .flags = loader_debug_flags(self->DeviceHandle),
    };
    st = loader_start_vmm(self->DeviceHandle, &vp, why, sizeof why);
    SetMem(key, sizeof key, 0);
    if (EFI_ERROR(st)) {
        loader_log("%s; booting without sleepmux", why);
        loader_layout_release();
    } else {
        loader_log("running under the sleepmux VMM%s", switching ? "" : ", without switching");
    }
    return loader_chain(image, self->DeviceHandle, oc->loader, oc->args);
}
