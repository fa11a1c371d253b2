/* SPDX-License-Identifier: MIT */
/* The VMX back end's internal state, shared by its files. */
#ifndef SMX_VMX_H
#define SMX_VMX_H

#include <stdbool.h>
#include <stdint.h>

#include "../../../core/vcpu.h"
#include "vmcs.h"

/* Guest registers the VMCS does not hold (RSP and RIP are in it); order
 * fixed by vmx_run.S. */
struct vmx_gprs {
    uint64_t rax, rcx, rdx, rbx, rsp_unused, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15;
};
_Static_assert(sizeof(struct vmx_gprs) == 16 * 8, "vmx_run.S offsets");

/* What every CPU shares: the permission maps (one set for all CPUs, so a
 * trap added at run time reaches every CPU at its next entry) and the
 * controls chosen once from the capability MSRs. */
struct vmx_shared {
    uint8_t *io_bitmap;     /* 8 KiB: bitmap A (ports 0-7fff) then B */
    uint8_t *msr_bitmap;    /* 4 KiB: read low, read high, write low, write high */
    void *sink;             /* the page every hidden guest-physical page maps to */
    uint32_t revision;      /* IA32_VMX_BASIC[30:0]: first word of VMXON region and VMCS */
    uint32_t pin, proc, proc2, exit, entry;
    uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
    uint64_t cr0_mask, cr4_mask; /* the bits the guest cannot own (fixed by VMX) */
    uint64_t ept_cap;
    int page1g;             /* EPT 1 GiB pages: views use them, else 2 MiB */
};

/* One CPU's VMX state (struct pcpu.arch). */
struct vmx_cpu {
    void *vmxon;            /* VMXON region */
    void *vmcs;
    struct vmx_gprs gprs;
    int launched;           /* VMLAUNCH done on the current VMCS: VMRESUME next */
    uint64_t entered_view;  /* EPTP root of the last entry, 0 before the first */
};

extern struct vmx_shared vmx;

static inline struct vmx_cpu *vmx_of(struct pcpu *c)
{
    return c->arch;
}

/* The VMX instructions (SDM vol. 3C §30.3). Each reports failure (CF or
 * ZF set, VMfailInvalid/VMfailValid) as a nonzero return. */
static inline int vmx_on(uint64_t pa)
{
    uint8_t fail;
    __asm__ volatile("vmxon %1; setbe %0" : "=q"(fail) : "m"(pa) : "cc", "memory");
    return fail;
}

static inline int vmx_clear(uint64_t pa)
{
    uint8_t fail;
    __asm__ volatile("vmclear %1; setbe %0" : "=q"(fail) : "m"(pa) : "cc", "memory");
    return fail;
}

static inline int vmx_ptrld(uint64_t pa)
{
    uint8_t fail;
    __asm__ volatile("vmptrld %1; setbe %0" : "=q"(fail) : "m"(pa) : "cc", "memory");
    return fail;
}

static inline uint64_t vmread(enum vmcs_field f)
{
    uint64_t v;
    __asm__ volatile("vmread %1, %0" : "=r"(v) : "r"((uint64_t)f) : "cc");
    return v;
}

static inline void vmwrite(enum vmcs_field f, uint64_t v)
{
    __asm__ volatile("vmwrite %1, %0" : : "r"((uint64_t)f), "r"(v) : "cc", "memory");
}

static inline void vmx_invept(unsigned type, uint64_t eptp)
{
    struct { uint64_t eptp, zero; } d = { eptp, 0 };
    __asm__ volatile("invept %0, %1" : : "m"(d), "r"((uint64_t)type) : "cc", "memory");
}

/* One guest entry; returns 0 after a VM exit, nonzero when VMLAUNCH or
 * VMRESUME itself failed (vmx_run.S). */
int vmx_run(struct vmx_gprs *g, int launched);

/* An EPT view: identity map of guest-physical memory with the holes
 * redirected to the sink page (vmx_ept.c). Returns its root or 0. */
uint64_t vmx_view_build(const struct mem_hole *holes, unsigned n);

/* An EPT violation on a trapped device page: emulate the access
 * (vmx_mmio.c). False when it is not one, or cannot be emulated. */
bool vmx_mmio_exit(struct pcpu *c, uint64_t qualification);

/* One exit: decode, act, advance RIP (vmx_exit.c). */
void vmx_handle_exit(struct pcpu *c);

void vmx_inject(struct pcpu *c, uint8_t vector, int has_error, uint32_t error);

/* A general register by its number in exit qualifications (table 27-3):
 * 0 RAX .. 15 R15, 4 being RSP (in the VMCS). */
uint64_t vmx_gpr_get(struct pcpu *c, unsigned n);
void vmx_gpr_set(struct pcpu *c, unsigned n, uint64_t v);

#endif
