/* SPDX-License-Identifier: MIT */
#include "console.h"

#include <efi.h>
#include <efilib.h>
#include <stdarg.h>

#include "uart.h"
#include "fmt.h"

static uint16_t uart;

/* Does the firmware console already reach a serial port? Then it mirrors
 * every line there itself, and writing the UART too would print each line
 * twice. The "ConOut" variable (UEFI 2.10 §3.3) lists the console devices;
 * a UART node (§10.3.4.12, messaging type 3, subtype 14) marks a serial one. */
static int console_has_uart(void)
{
    UINTN size = 0;
    EFI_DEVICE_PATH *dp = LibGetVariableAndSize(L"ConOut", &EfiGlobalVariable, &size);
    int found = 0;

    if (!dp)
        return 0;
    for (EFI_DEVICE_PATH *n = dp; (UINT8 *)n + sizeof *n <= (UINT8 *)dp + size; n = NextDevicePathNode(n)) {
        UINTN len = DevicePathNodeLength(n);
        if (len < sizeof *n)
            break;
        if (DevicePathType(n) == MESSAGING_DEVICE_PATH && DevicePathSubType(n) == MSG_UART_DP)
            found = 1;
        if (DevicePathType(n) == END_DEVICE_PATH_TYPE && DevicePathSubType(n) == END_ENTIRE_DEVICE_PATH_SUBTYPE)
            break;
    }
    FreePool(dp);
    return found;
}

void loader_log_uart(uint16_t port)
{
    uart = port && !console_has_uart() && smx_uart_init(port) ? port : 0;
}

void loader_log(const char *fmt, ...)
{
    char line[512];
    CHAR16 wide[sizeof line + 2];
    va_list ap;

    int n = smx_snprintf(line, sizeof line, "sleepmux: ");
    va_start(ap, fmt);
    smx_vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    size_t len = 0;
    while (line[len])
        len++;
    for (size_t i = 0; i < len; i++)
        wide[i] = (unsigned char)line[i];
    wide[len] = L'\r';
    wide[len + 1] = L'\n';
    wide[len + 2] = 0;
    uefi_call_wrapper(ST->ConOut->OutputString, 2, ST->ConOut, wide);
    if (uart) {
        line[len] = '\n';
        smx_uart_write(uart, line, len + 1);
    }
}

const char *efi_status_str(EFI_STATUS st)
{
    static char other[24];

    switch (st) {
    case EFI_SUCCESS: return "success";
    case EFI_LOAD_ERROR: return "load error";
    case EFI_INVALID_PARAMETER: return "invalid parameter";
    case EFI_UNSUPPORTED: return "unsupported";
    case EFI_BUFFER_TOO_SMALL: return "buffer too small";
    case EFI_DEVICE_ERROR: return "device error";
    case EFI_OUT_OF_RESOURCES: return "out of resources";
    case EFI_VOLUME_CORRUPTED: return "volume corrupted";
    case EFI_NOT_FOUND: return "not found";
    case EFI_ACCESS_DENIED: return "access denied";
    case EFI_SECURITY_VIOLATION: return "security violation";
    case EFI_END_OF_FILE: return "end of file";
    case EFI_COMPROMISED_DATA: return "wrong size or attributes";
    case EFI_WRITE_PROTECTED: return "write protected";
    default:
        smx_snprintf(other, sizeof other, "status %#llx", (unsigned long long)st);
        return other;
    }
}
