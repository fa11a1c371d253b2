/* SPDX-License-Identifier: MIT */
/*
 * The loader's messages go to the firmware console (screen, and the serial
 * port where firmware mirrors it) and to the VMM's log UART once the config
 * names one, so the VMM log holds the whole story of a boot.
 */
#ifndef SMX_LOADER_CONSOLE_H
#define SMX_LOADER_CONSOLE_H

#include <stdint.h>

#include <efi.h>

void loader_log_uart(uint16_t port);
/* A readable name for a UEFI status code (UEFI 2.10 appendix D). */
const char *efi_status_str(EFI_STATUS st);
void loader_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
