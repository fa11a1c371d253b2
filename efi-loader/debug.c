/* SPDX-License-Identifier: MIT */
/*
 * Debug switches for the VMM, set by files on the ESP so a test (or a
 * support engineer) can turn one on without editing the config:
 *
 *   \EFI\sleepmux\debug-store-selftest   SMX_BOOT_STORE_SELFTEST: at each
 *       S3 request the VMM writes part of the OS's RAM to the store, reads
 *       it back and verifies it (vmm/store/selftest.c)
 *   \EFI\sleepmux\debug-bench   SMX_BOOT_BENCH: after saving or restoring
 *       an image the VMM reads its slot again without decrypting, and after
 *       saving it writes as many raw bytes to the other slot without
 *       committing them, so `make bench` has the raw rates of the same
 *       store (disk or TFTP server) through the same driver
 */
#include <efi.h>
#include <efilib.h>

#include "bootinfo.h"
#include "console.h"
#include "debug.h"
#include "files.h"

static const struct {
    const CHAR16 *path;
    uint16_t flag;
    const char *what;
} switches[] = {
    { L"\\EFI\\sleepmux\\debug-store-selftest", SMX_BOOT_STORE_SELFTEST, "store self-test at each S3 request" },
    { L"\\EFI\\sleepmux\\debug-bench", SMX_BOOT_BENCH, "raw store rates after each save and restore" },
};

uint16_t loader_debug_flags(EFI_HANDLE device)
{
    uint16_t flags = 0;

    for (unsigned i = 0; i < sizeof switches / sizeof switches[0]; i++) {
        void *data;
        UINTN size;
        if (EFI_ERROR(loader_read_file(device, switches[i].path, &data, &size)))
            continue;
        FreePool(data);
        flags |= switches[i].flag;
        loader_log("debug: %s", switches[i].what);
    }
    return flags;
}
