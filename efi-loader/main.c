/*
 * sleepmux.efi — the UEFI loader. For now it proves the toolchain and the
 * ESP layout: it reports its version on the console (which OVMF mirrors to
 * the serial port) and returns to the firmware's boot manager.
 */
#include <efi.h>
#include <efilib.h>

#include "version.h"

/* gnu-efi's crt0 passes SysV arguments: efi_main is declared without EFIAPI. */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab);

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
    InitializeLib(image, systab);
    Print(L"sleepmux loader %a\r\n", SMX_VERSION);
    return EFI_SUCCESS;
}
