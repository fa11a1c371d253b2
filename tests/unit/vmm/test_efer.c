/* SPDX-License-Identifier: MIT */
/*
 * Which EFER bits a guest may set (vmm/arch/x86/efer.c), from CPUID values
 * of real CPUs: a Zen 4 kernel's AutomaticIBRS is allowed where CPUID has
 * it (Linux >= 6.3 sets EFER bit 21 at boot and would get #GP from a fixed
 * list), bits the CPU lacks are refused, and SVME never passes.
 */
#include <criterion/criterion.h>

#include "../../../vmm/arch/x86/cpu.h"
#include "../../../vmm/arch/x86/efer.h"

/* CPUID words modelled on a Zen 4 part (Ryzen 7000): AutomaticIBRS and
 * UpperAddressIgnore in 80000021H, EferLmsleUnsupported in 80000008H. */
static const struct efer_cpuid zen4 = {
    .ext1_ecx = 0x75c237ff, .ext1_edx = 0x2fd3fbff, .ext8_ebx = 0x791ef257, .ext21_eax = 0x00062fcf,
};
/* Modelled on Zen 1 (EPYC 7001): no 80000021H leaf, LMSLE still there. */
static const struct efer_cpuid zen1 = {
    .ext1_ecx = 0x35c233ff, .ext1_edx = 0x2fd3fbff, .ext8_ebx = 0x00001007, .ext21_eax = 0,
};
/* Intel's usual 80000001H words: no SVM, FFXSR, TCE or LMSLE. */
static const struct efer_cpuid intel = {
    .ext1_ecx = 0x00000121, .ext1_edx = 0x2c100800, .ext8_ebx = 0, .ext21_eax = 0,
};

#define LINUX_BOOT (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)

Test(efer, zen4_kernel_may_enable_automatic_ibrs)
{
    uint64_t ok = efer_guest_writable(&zen4);

    cr_assert_eq((LINUX_BOOT | EFER_AIBRSE) & ~ok, 0, "writable %#llx", (unsigned long long)ok);
    cr_assert(ok & EFER_FFXSR);
    cr_assert(ok & EFER_TCE);
    cr_assert_not(ok & EFER_LMSLE, "Zen 4 says EferLmsleUnsupported");
}

Test(efer, zen1_has_no_automatic_ibrs)
{
    uint64_t ok = efer_guest_writable(&zen1);

    cr_assert_eq(LINUX_BOOT & ~ok, 0);
    cr_assert_not(ok & EFER_AIBRSE);
    cr_assert_not(ok & EFER_UAIE);
    cr_assert(ok & EFER_LMSLE, "LMSLE is there until CPUID says it is not");
}

Test(efer, intel_gets_only_what_it_has)
{
    uint64_t ok = efer_guest_writable(&intel);

    cr_assert_eq(ok, LINUX_BOOT, "writable %#llx", (unsigned long long)ok);
}

Test(efer, svme_is_never_writable)
{
    struct efer_cpuid all = { ~0u, ~0u, 0, ~0u };

    cr_assert_not(efer_guest_writable(&all) & EFER_SVME);
    cr_assert_not(efer_guest_writable(&zen4) & EFER_SVME);
}

Test(efer, each_bit_follows_its_cpuid_bit)
{
    static const struct {
        struct efer_cpuid c;
        uint64_t bit;
    } rows[] = {
        { { .ext1_edx = CPUID_80000001_EDX_SYSCALL }, EFER_SCE },
        { { .ext1_edx = CPUID_80000001_EDX_LM }, EFER_LME },
        { { .ext1_edx = CPUID_80000001_EDX_NX }, EFER_NXE },
        { { .ext1_edx = CPUID_80000001_EDX_FFXSR }, EFER_FFXSR },
        { { .ext1_ecx = CPUID_80000001_ECX_TCE }, EFER_TCE },
        { { .ext8_ebx = CPUID_80000008_EBX_MCOMMIT }, EFER_MCOMMIT },
        { { .ext21_eax = CPUID_80000021_EAX_UAI }, EFER_UAIE },
        { { .ext21_eax = CPUID_80000021_EAX_AUTOIBRS }, EFER_AIBRSE },
    };
    const struct efer_cpuid none = { 0 };

    cr_assert_eq(efer_guest_writable(&none), EFER_LMA, "a CPU with nothing: only LMA, which the CPU owns");
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        cr_assert_eq(efer_guest_writable(&rows[i].c), EFER_LMA | rows[i].bit, "row %zu", i);
}
