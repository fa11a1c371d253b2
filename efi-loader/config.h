/*
 * What the loader takes from \EFI\sleepmux\sleepmux.conf: which OS to boot
 * now, how to start it, and the VMM's parameters.
 */
#ifndef SMX_LOADER_CONFIG_H
#define SMX_LOADER_CONFIG_H

#include <efi.h>
#include <stdint.h>

#define LOADER_PATH_MAX 256
#define LOADER_ARGS_MAX 1024

struct loader_config {
    char os_name[32];
    char os_loader[LOADER_PATH_MAX];
    char os_args[LOADER_ARGS_MAX];
    int vmm_enabled;
    uint64_t vmm_mib;
    uint16_t log_port;
    uint16_t flags; /* SMX_BOOT_* */
};

/* Reads and parses the config; on failure `err` says where and why. */
EFI_STATUS loader_config_load(EFI_HANDLE device, struct loader_config *c, char *err, UINTN errlen);

#endif
