/* SPDX-License-Identifier: MIT */
/*
 * Which EFER bits a guest may set (AMD APM vol. 2 §3.1.7): each is there
 * when CPUID says the CPU has its feature (APM vol. 3 appendix E), so a
 * kernel enabling a feature the CPU announces (say AutomaticIBRS, which
 * Linux >= 6.3 turns on at boot on Zen 4) is not given #GP, and a bit the
 * CPU lacks is refused before VMRUN would refuse the whole guest state
 * (EFER reserved bits, APM vol. 2 §15.5.1). Pure: the caller reads CPUID.
 */
#ifndef SMX_X86_EFER_H
#define SMX_X86_EFER_H

#include <stdint.h>

/* The CPUID words EFER depends on; a leaf beyond the CPU's highest
 * extended leaf (80000000H EAX) reads as 0. */
struct efer_cpuid {
    uint32_t ext1_ecx, ext1_edx; /* 80000001H */
    uint32_t ext8_ebx;           /* 80000008H */
    uint32_t ext21_eax;          /* 80000021H */
};

/* The bits a WRMSR to EFER may set. LMA is in it (the CPU sets it and the
 * VMM keeps the CPU's value whatever is written); SVME never is: the guest
 * sees a CPU whose SVM is disabled. */
uint64_t efer_guest_writable(const struct efer_cpuid *c);

#endif
