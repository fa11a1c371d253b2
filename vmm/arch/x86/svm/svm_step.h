/* SPDX-License-Identifier: MIT */
/*
 * Two decisions every SVM entry and exit makes, pure so they are tested
 * hosted (tests/unit/vmm/test_svm_step.c).
 */
#ifndef SMX_SVM_STEP_H
#define SMX_SVM_STEP_H

#include <stdint.h>

/* Where the guest resumes after an intercepted instruction the VMM
 * emulated. A CPU with next-RIP save (CPUID 8000000AH EDX[3], NRIPS) puts
 * the address of the next instruction in the VMCB's nRIP (offset 0C8h, APM
 * vol. 2 §15.7.1), which is right whatever prefixes the instruction had;
 * without it (QEMU's TCG among others) RIP advances by the instruction's
 * known length. */
uint64_t svm_next_rip(int nrips, uint64_t nrip, uint64_t rip, unsigned len);

/* TLB_CONTROL for the next VMRUN (APM vol. 2 §15.16.1). The guest's
 * translations are tagged with its ASID and combine its own tables with
 * the nested ones; the VMM changes no nested entry once a view is built,
 * so they only go stale when the view changes. `entered` is the view the
 * last entry ran under (0: none since this CPU's control block was set
 * up), `next` the one the next entry uses. */
uint8_t svm_tlb_control(uint64_t entered, uint64_t next);

#endif
