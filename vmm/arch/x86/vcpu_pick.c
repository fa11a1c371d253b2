/* SPDX-License-Identifier: MIT */
/*
 * Which back end runs: by the CPU's vendor string (CPUID leaf 0, EBX EDX
 * ECX: AMD APM vol. 3 §E.3.1, Intel SDM vol. 2A CPUID). Hygon's Dhyana
 * implements AMD's SVM; nothing else is known to have either.
 */
#include <string.h>

#include "../../core/log.h"
#include "../../core/vcpu.h"
#include "cpu.h"

const struct vcpu_ops *vcpu_pick(void)
{
    struct cpuid_regs r = cpuid(0, 0);
    char vendor[13];

    memcpy(vendor, &r.ebx, 4);
    memcpy(vendor + 4, &r.edx, 4);
    memcpy(vendor + 8, &r.ecx, 4);
    vendor[12] = 0;
    if (!memcmp(vendor, "AuthenticAMD", 12) || !memcmp(vendor, "HygonGenuine", 12))
        return &svm_ops;
    if (!memcmp(vendor, "GenuineIntel", 12))
        return &vmx_ops;
    smx_log("vmm", "CPU vendor \"%s\": neither AMD's SVM nor Intel's VMX back end applies", vendor);
    return NULL;
}
