/* SPDX-License-Identifier: MIT */
#include "efer.h"

#include "cpu.h"

uint64_t efer_guest_writable(const struct efer_cpuid *c)
{
    uint64_t ok = EFER_LMA;

    if (c->ext1_edx & CPUID_80000001_EDX_SYSCALL)
        ok |= EFER_SCE;
    if (c->ext1_edx & CPUID_80000001_EDX_LM) {
        ok |= EFER_LME;
        /* Long-mode segment limits have no feature bit of their own: AMD's
         * long-mode CPUs with SVM had them until CPUID said they were
         * dropped (80000008H EBX[20], Zen 3 on); Intel never had them. */
        if ((c->ext1_ecx & CPUID_80000001_ECX_SVM) && !(c->ext8_ebx & CPUID_80000008_EBX_LMSLE_UNSUPPORTED))
            ok |= EFER_LMSLE;
    }
    if (c->ext1_edx & CPUID_80000001_EDX_NX)
        ok |= EFER_NXE;
    if (c->ext1_edx & CPUID_80000001_EDX_FFXSR)
        ok |= EFER_FFXSR;
    if (c->ext1_ecx & CPUID_80000001_ECX_TCE)
        ok |= EFER_TCE;
    if (c->ext8_ebx & CPUID_80000008_EBX_MCOMMIT)
        ok |= EFER_MCOMMIT;
    if (c->ext21_eax & CPUID_80000021_EAX_UAI)
        ok |= EFER_UAIE;
    if (c->ext21_eax & CPUID_80000021_EAX_AUTOIBRS)
        ok |= EFER_AIBRSE;
    return ok & ~EFER_SVME;
}
