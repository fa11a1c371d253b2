/* The SVM back end's internal state, shared by its files. */
#ifndef SMX_SVM_H
#define SMX_SVM_H

#include <stdint.h>

#include "vmcb.h"

/* Guest registers VMRUN does not swap (order fixed by svm_run.S). */
struct svm_gprs {
    uint64_t rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
};
_Static_assert(sizeof(struct svm_gprs) == 14 * 8, "svm_run.S offsets");

struct svm {
    struct vmcb *vmcb;      /* the guest's */
    struct vmcb *host;      /* host state for VMSAVE/VMLOAD */
    void *hsave;            /* VM_HSAVE_PA page */
    uint8_t *iopm, *msrpm;
    uint64_t npt;           /* nested PML4 */
    struct svm_gprs gprs;
};

extern struct svm svm;

void svm_run(uint64_t guest_vmcb, uint64_t host_vmcb, struct svm_gprs *g);

/* Nested page tables: identity map of guest-physical memory with the VMM's
 * region and trampoline redirected to one sink page (svm_npt.c). */
int svm_npt_build(const struct smx_bootinfo *bi);

/* One exit: decode, act, advance RIP (svm_exit.c). */
void svm_handle_exit(void);

void svm_inject(uint8_t vector, int has_error, uint32_t error);

#endif
