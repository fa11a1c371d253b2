/* SPDX-License-Identifier: MIT */
/*
 * x86-64 registers, MSRs and instructions the VMM uses, each defined once
 * with the manual section it comes from: AMD64 Architecture Programmer's
 * Manual vol. 2 (APM) and Intel SDM vol. 3.
 */
#ifndef SMX_X86_CPU_H
#define SMX_X86_CPU_H

#include <stdint.h>

/* Control registers (APM vol. 2 §3.1). */
#define CR0_PE (1ull << 0)
#define CR0_MP (1ull << 1)
#define CR0_ET (1ull << 4)
#define CR0_NE (1ull << 5)
#define CR0_WP (1ull << 16)
#define CR0_NW (1ull << 29)
#define CR0_CD (1ull << 30)
#define CR0_PG (1ull << 31)
#define CR4_PAE (1ull << 5)
#define CR4_PGE (1ull << 7)
#define CR4_OSFXSR (1ull << 9)

/* RFLAGS (APM vol. 2 §3.1.6). */
#define RFLAGS_IF (1ull << 9)
#define RFLAGS_RESERVED1 (1ull << 1)

/* MSRs (APM vol. 2 appendix A). */
#define MSR_EFER 0xc0000080u
#define EFER_SCE (1ull << 0)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)
#define EFER_SVME (1ull << 12)
#define EFER_LMSLE (1ull << 13)
#define EFER_FFXSR (1ull << 14)
#define EFER_TCE (1ull << 15)
#define EFER_MCOMMIT (1ull << 17)
#define EFER_UAIE (1ull << 20)   /* upper address ignore */
#define EFER_AIBRSE (1ull << 21) /* automatic IBRS */
#define MSR_STAR 0xc0000081u
#define MSR_LSTAR 0xc0000082u
#define MSR_CSTAR 0xc0000083u
#define MSR_SFMASK 0xc0000084u
#define MSR_FS_BASE 0xc0000100u
#define MSR_GS_BASE 0xc0000101u
#define MSR_KERNEL_GS_BASE 0xc0000102u
#define MSR_SYSENTER_CS 0x174u
#define MSR_SYSENTER_ESP 0x175u
#define MSR_SYSENTER_EIP 0x176u
#define MSR_PAT 0x277u
#define MSR_VM_CR 0xc0010114u /* APM vol. 2 §15.30.1 */
#define VM_CR_LOCK (1ull << 3)
#define VM_CR_SVMDIS (1ull << 4)
#define MSR_VM_HSAVE_PA 0xc0010117u /* APM vol. 2 §15.30.4 */

/* CPUID (APM vol. 3 appendix E). */
#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define CPUID_80000001_ECX_SVM (1u << 2)
#define CPUID_80000001_ECX_TCE (1u << 17)
#define CPUID_80000001_EDX_SYSCALL (1u << 11)
#define CPUID_80000001_EDX_NX (1u << 20)
#define CPUID_80000001_EDX_FFXSR (1u << 25)
#define CPUID_80000001_EDX_PAGE1GB (1u << 26)
#define CPUID_80000001_EDX_LM (1u << 29)
#define CPUID_80000008_EBX_MCOMMIT (1u << 8)
#define CPUID_80000008_EBX_LMSLE_UNSUPPORTED (1u << 20)
#define CPUID_80000021_EAX_UAI (1u << 7)
#define CPUID_80000021_EAX_AUTOIBRS (1u << 8)
#define CPUID_8000000A_EDX_NP (1u << 0)
#define CPUID_8000000A_EDX_NRIPS (1u << 3)

/* Exception vectors (APM vol. 2 §8.2). */
enum {
    X86_DE = 0, X86_DB = 1, X86_NMI = 2, X86_BP = 3, X86_UD = 6, X86_DF = 8,
    X86_GP = 13, X86_PF = 14, X86_MC = 18,
};

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

struct cpuid_regs {
    uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t sub)
{
    struct cpuid_regs r;
    __asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(sub));
    return r;
}

#define DEFINE_CR(n)                                                              \
    static inline uint64_t read_cr##n(void)                                       \
    {                                                                             \
        uint64_t v;                                                               \
        __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                         \
        return v;                                                                 \
    }                                                                             \
    static inline void write_cr##n(uint64_t v) { __asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); }
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
#undef DEFINE_CR

static inline void wbinvd(void) { __asm__ volatile("wbinvd" : : : "memory"); }
static inline void cli(void) { __asm__ volatile("cli"); }

struct __attribute__((packed)) dtr {
    uint16_t limit;
    uint64_t base;
};

#endif
