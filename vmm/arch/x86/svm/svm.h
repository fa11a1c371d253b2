/* SPDX-License-Identifier: MIT */
/* The SVM back end's internal state, shared by its files. */
#ifndef SMX_SVM_H
#define SMX_SVM_H

#include <stdbool.h>
#include <stdint.h>

#include "../../../core/vcpu.h"
#include "vmcb.h"

/* Guest registers VMRUN does not swap (order fixed by svm_run.S). */
struct svm_gprs {
    uint64_t rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
};
_Static_assert(sizeof(struct svm_gprs) == 14 * 8, "svm_run.S offsets");

/* What every CPU shares: the permission maps (one set for all CPUs, so a
 * trap added at run time reaches every CPU at its next entry). */
struct svm_shared {
    uint8_t *iopm, *msrpm;
    void *sink;             /* the page every hidden guest-physical page maps to */
    int page1g;             /* 1 GiB pages: nested tables use them, else 2 MiB */
    int nrips;              /* the CPU saves next-RIP in the VMCB (nRIP, §15.7.1) */
    uint64_t efer_writable; /* what a guest's WRMSR to EFER may set (x86/efer.h) */
};

/* One CPU's SVM state (struct pcpu.arch). */
struct svm_cpu {
    struct vmcb *vmcb;      /* the guest's */
    struct vmcb *host;      /* host state for VMSAVE/VMLOAD */
    void *hsave;            /* VM_HSAVE_PA page */
    struct svm_gprs gprs;
    uint64_t entered_view;  /* n_cr3 of the last VMRUN, 0 before the first (TLB_CONTROL) */
};

extern struct svm_shared svm;

static inline struct svm_cpu *svm_of(struct pcpu *c)
{
    return c->arch;
}

void svm_run(uint64_t guest_vmcb, uint64_t host_vmcb, struct svm_gprs *g);

/* A nested page table: identity map of guest-physical memory with the
 * holes redirected to the sink page (svm_npt.c). Returns its root or 0. */
uint64_t svm_view_build(const struct mem_hole *holes, unsigned n);

/* One exit: decode, act, advance RIP (svm_exit.c). */
void svm_handle_exit(struct pcpu *c);

/* A nested page fault on a trapped device page: emulate the access
 * (svm_mmio.c). False when it is not one, or cannot be emulated. */
bool svm_mmio_exit(struct pcpu *c);

void svm_inject(struct pcpu *c, uint8_t vector, int has_error, uint32_t error);

#endif
