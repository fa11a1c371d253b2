/* SPDX-License-Identifier: MIT */
#include "vars.h"

#include <efilib.h>

#include "console.h"
#include "fmt.h"

static EFI_GUID vendor = SMX_VENDOR_GUID;

static const char *ascii(const CHAR16 *name, char *out, UINTN len)
{
    UINTN i = 0;
    for (; name[i] && i + 1 < len; i++)
        out[i] = (char)name[i];
    out[i] = 0;
    return out;
}

EFI_STATUS loader_var_get(const CHAR16 *name, void *buf, UINTN size)
{
    UINT32 attrs = 0;
    UINTN got = size;
    char what[32];
    EFI_STATUS st = uefi_call_wrapper(RT->GetVariable, 5, (CHAR16 *)name, &vendor, &attrs, &got, buf);

    if (EFI_ERROR(st) && st != EFI_BUFFER_TOO_SMALL)
        return st;
    if (st == EFI_SUCCESS && got == size && !(attrs & EFI_VARIABLE_RUNTIME_ACCESS))
        return EFI_SUCCESS;
    /* Not one sleepmux wrote: an OS can create a runtime-accessible
     * variable of this name (and so know or choose its content) only while
     * ours does not exist, since it cannot see a boot-services-only one.
     * Remove it and treat the name as free. */
    SetMem(buf, size, 0);
    st = uefi_call_wrapper(RT->SetVariable, 5, (CHAR16 *)name, &vendor, 0, 0, NULL);
    loader_log("UEFI variable %s has the wrong size or runtime access, so sleepmux did not write it: %s",
               ascii(name, what, sizeof what), EFI_ERROR(st) ? efi_status_str(st) : "removed");
    return EFI_ERROR(st) ? EFI_COMPROMISED_DATA : EFI_NOT_FOUND;
}

EFI_STATUS loader_var_set(const CHAR16 *name, const void *buf, UINTN size)
{
    return uefi_call_wrapper(RT->SetVariable, 5, (CHAR16 *)name, &vendor, SMX_VAR_ATTRS, size, (void *)buf);
}

/* EFI_RNG_PROTOCOL (UEFI 2.10 §37.5), the firmware's default algorithm. */
static int rng_protocol(uint8_t *out, UINTN len)
{
    EFI_GUID guid = EFI_RNG_PROTOCOL_GUID;
    EFI_RNG_PROTOCOL *rng;

    if (EFI_ERROR(LibLocateProtocol(&guid, (void **)&rng)))
        return 0;
    return !EFI_ERROR(uefi_call_wrapper(rng->GetRNG, 4, rng, NULL, len, out));
}

#define CPUID1_ECX_RDRAND (1u << 30) /* Intel SDM vol. 2, CPUID leaf 01H ECX; AMD APM vol. 3 E.3.2 */
#define RDRAND_RETRIES 10            /* Intel DRNG guide §5.2.1: 10 tries make a failure an error */

static int rdrand(uint8_t *out, UINTN len)
{
    uint32_t a, b, c, d;

    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1u), "c"(0));
    if (!(c & CPUID1_ECX_RDRAND))
        return 0;
    for (UINTN i = 0; i < len; i += 8) {
        uint64_t v = 0;
        uint8_t ok = 0;
        for (int t = 0; t < RDRAND_RETRIES && !ok; t++)
            __asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
        if (!ok)
            return 0;
        for (UINTN k = 0; k < 8 && i + k < len; k++)
            out[i + k] = (uint8_t)(v >> (8 * k));
    }
    return 1;
}

EFI_STATUS loader_master_key(uint8_t key[32], char *why, UINTN whylen)
{
    EFI_STATUS st = loader_var_get(L"SleepmuxKey", key, 32);
    const char *src;

    if (!EFI_ERROR(st))
        return EFI_SUCCESS;
    if (st != EFI_NOT_FOUND) {
        smx_snprintf(why, whylen, "the UEFI variable SleepmuxKey is unreadable or not sleepmux's: %s",
                     efi_status_str(st));
        return st;
    }
    if (rng_protocol(key, 32))
        src = "the firmware's RNG protocol";
    else if (rdrand(key, 32))
        src = "RDRAND";
    else {
        smx_snprintf(why, whylen, "cannot create the master key: no RNG protocol and no working RDRAND");
        return EFI_UNSUPPORTED;
    }
    st = loader_var_set(L"SleepmuxKey", key, 32);
    if (EFI_ERROR(st)) {
        SetMem(key, 32, 0);
        smx_snprintf(why, whylen, "cannot store the master key in the UEFI variable SleepmuxKey: %s",
                     efi_status_str(st));
        return st;
    }
    loader_log("master key created from %s (UEFI variable SleepmuxKey)", src);
    return EFI_SUCCESS;
}
