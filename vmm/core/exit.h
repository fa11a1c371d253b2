/* SPDX-License-Identifier: MIT */
/*
 * What the VMM core does for a guest action, whichever back end trapped it.
 * A back end decodes its exit (VMCB/VMCS), calls one of these, writes the
 * results back and advances the guest's RIP.
 */
#ifndef SMX_EXIT_H
#define SMX_EXIT_H

#include <stdint.h>

#include "../arch/x86/cpu.h"

/* Port I/O to a trapped port; size is 1, 2 or 4. */
uint32_t vmm_io_in(uint16_t port, unsigned size);
void vmm_io_out(uint16_t port, unsigned size, uint32_t value);

/* CPUID as the guest sees it. */
void vmm_cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r);

/* The guest triple-faulted (or otherwise cannot continue). */
__attribute__((noreturn)) void vmm_guest_dead(const char *why);

/* Exit accounting: every exit is counted by kind, per CPU; totals appear
 * in the sleep log lines and in CPUID leaf 0x40000001. */
enum exit_kind {
    EXIT_IO, EXIT_CPUID, EXIT_MSR, EXIT_SMI, EXIT_NMI, EXIT_VIRT_INSN, EXIT_OTHER, EXIT_MMIO, EXIT_KINDS
};
void vmm_count_exit(enum exit_kind k);
uint64_t vmm_exits_total(void);
void vmm_exit_counts(uint64_t sum[EXIT_KINDS]); /* over every CPU */

#endif
