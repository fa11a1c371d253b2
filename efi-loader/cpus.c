/* SPDX-License-Identifier: MIT */
/*
 * The firmware's count of processors: EFI_MP_SERVICES_PROTOCOL (UEFI PI
 * 1.7 vol. 2 §13.4), GetNumberOfProcessors. gnu-efi does not define the
 * protocol; only its first member is used here.
 */
#include "cpus.h"

#include <efi.h>
#include <efilib.h>

#include "console.h"

#define MP_SERVICES_GUID                                                                 \
    { 0x3fdda605, 0xa76e, 0x4f46, { 0xad, 0x29, 0x12, 0xf4, 0x53, 0x1b, 0x3d, 0x08 } }

struct mp_services {
    EFI_STATUS(EFIAPI *get_number_of_processors)(struct mp_services *self, UINTN *all, UINTN *enabled);
};

uint32_t loader_cpu_count(void)
{
    EFI_GUID guid = MP_SERVICES_GUID;
    struct mp_services *mp = NULL;
    UINTN all = 0, enabled = 0;

    if (EFI_ERROR(LibLocateProtocol(&guid, (void **)&mp)) || !mp ||
        EFI_ERROR(uefi_call_wrapper(mp->get_number_of_processors, 3, mp, &all, &enabled)) || !enabled) {
        loader_log("the firmware does not count its processors (no MP services): the VMM looks for them itself");
        return 0;
    }
    loader_log("%llu processor(s), %llu enabled", (unsigned long long)all, (unsigned long long)enabled);
    return (uint32_t)enabled;
}
