/* SPDX-License-Identifier: MIT */
/*
 * Every CPU under the VMM (DESIGN.md, "SMP"). The VMM owns the application
 * processors (APs) from its start: the boot CPU sends them INIT and start-up
 * IPIs aimed at the trampoline page, and each one arrives in the VMM on its
 * own stack, tables and control block, and waits there as a CPU waits after
 * INIT. The guests' INIT and start-up IPIs never reach the hardware: the
 * VMM traps the ICR (a read-only APIC page in every view, or the x2APIC
 * ICR MSR) and delivers them itself: INIT makes the target leave the guest
 * (an NMI kicks it out) and wait; a start-up IPI enters the guest on it in
 * real mode at the vector's page, exactly as the hardware would. This one
 * path serves the firmware's AP start-up before the OS, the OS's, CPU
 * offline/online, and the return of the APs after every S3.
 */
#ifndef SMX_SMP_H
#define SMX_SMP_H

#include <stdbool.h>
#include <stdint.h>

#include "vcpu.h"

/* What the trampoline needs to start an AP in the VMM (s3.c copies it
 * into the trampoline page). */
struct smp_ap_start {
    uint64_t entry;      /* smp_ap_entry(arrival, stack_top) */
    uint64_t stacks;     /* AP stacks, stack_size apart; arrival i takes the (i+1)th top */
    uint32_t stack_size;
    uint32_t max;        /* arrivals beyond stay halted outside the VMM */
};
extern struct smp_ap_start smp_ap_start;

/* On the boot CPU, with its tables loaded: bring every AP into the VMM
 * (at start, and after each S3, where the platform reset them). */
void smp_start_aps(void);

/* Before the platform sleeps or an OS is switched: every other CPU leaves
 * the guest and waits in the VMM, as the OS's own INIT would leave it. The
 * OS parked them already when it sleeps as ACPI asks; one still running
 * OS code is named in the log. */
void smp_park_others(const char *why);

/* From the back end after every exit: a pending INIT takes the CPU out of
 * the guest (never returns then). */
void smp_after_exit(struct pcpu *c);

/* A guest's write of the ICR (low half, and the destination): true when it
 * was an INIT or start-up IPI the VMM delivered itself, false when the
 * write goes to the hardware as it is. */
bool smp_guest_ipi(struct pcpu *from, uint32_t icr, uint32_t dest);

/* The CPU the platform wakes on and the firmware starts on. */
static inline bool smp_is_boot_cpu(const struct pcpu *c)
{
    return c->id == 0;
}

#endif
