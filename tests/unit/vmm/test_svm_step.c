/* SPDX-License-Identifier: MIT */
/*
 * How the SVM back end leaves an exit and enters again
 * (vmm/arch/x86/svm/svm_step.c): next-RIP from the VMCB where the CPU saves
 * it, the instruction's length where it does not (QEMU's TCG); a TLB flush
 * on the first entry and when the memory view changes, none otherwise.
 */
#include <criterion/criterion.h>

#include "../../../vmm/arch/x86/svm/svm_step.h"
#include "../../../vmm/arch/x86/svm/vmcb.h"

Test(svm_step, next_rip_comes_from_the_vmcb_where_saved)
{
    /* A CPUID with a redundant prefix (3e 0f a2) is 3 bytes: only nRIP
     * knows. */
    cr_assert_eq(svm_next_rip(1, 0x1003, 0x1000, 2), 0x1003);
}

Test(svm_step, without_next_rip_save_the_length_is_used)
{
    /* nRIP holds whatever it held: with NRIPS absent it is never read. */
    cr_assert_eq(svm_next_rip(0, 0xdeadbeef, 0x1000, 2), 0x1002);
    cr_assert_eq(svm_next_rip(0, 0, 0xfff0, 2), 0xfff2);
}

Test(svm_step, a_next_rip_the_cpu_left_unwritten_is_not_trusted)
{
    cr_assert_eq(svm_next_rip(1, 0, 0x1000, 2), 0x1002);
}

Test(svm_step, tlb_flushed_on_the_first_entry)
{
    cr_assert_eq(svm_tlb_control(0, 0x5000), SVM_TLB_FLUSH_ALL);
}

Test(svm_step, tlb_kept_while_the_view_stays)
{
    cr_assert_eq(svm_tlb_control(0x5000, 0x5000), SVM_TLB_FLUSH_NOTHING);
}

Test(svm_step, tlb_flushed_when_the_view_changes)
{
    /* Switching OSes: the other view hides different memory, so any
     * translation cached under the old one may point into the other OS's
     * private range. */
    cr_assert_eq(svm_tlb_control(0x5000, 0x9000), SVM_TLB_FLUSH_ALL);
    cr_assert_eq(svm_tlb_control(0x9000, 0x5000), SVM_TLB_FLUSH_ALL);
}

Test(svm_step, an_entry_sequence_flushes_only_where_needed)
{
    const uint64_t views[] = { 0x5000, 0x5000, 0x5000, 0x9000, 0x9000, 0x5000 };
    const uint8_t want[] = { SVM_TLB_FLUSH_ALL, SVM_TLB_FLUSH_NOTHING, SVM_TLB_FLUSH_NOTHING,
                             SVM_TLB_FLUSH_ALL, SVM_TLB_FLUSH_NOTHING, SVM_TLB_FLUSH_ALL };
    uint64_t entered = 0;

    for (unsigned i = 0; i < 6; i++) {
        cr_assert_eq(svm_tlb_control(entered, views[i]), want[i], "entry %u", i);
        entered = views[i];
    }
}
