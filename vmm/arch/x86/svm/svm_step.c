/* SPDX-License-Identifier: MIT */
#include "svm_step.h"

#include "vmcb.h"

uint64_t svm_next_rip(int nrips, uint64_t nrip, uint64_t rip, unsigned len)
{
    /* nRIP is 0 when the CPU did not write it (an exit it is not defined
     * for): then the length is all there is. */
    return nrips && nrip ? nrip : rip + len;
}

uint8_t svm_tlb_control(uint64_t entered, uint64_t next)
{
    /* Flush everything (1) rather than this ASID (3): flush-by-ASID is
     * optional (CPUID 8000000AH EDX[6]) and this happens once per launch
     * and per switch, not per exit. */
    return entered && entered == next ? SVM_TLB_FLUSH_NOTHING : SVM_TLB_FLUSH_ALL;
}
