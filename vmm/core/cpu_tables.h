/* SPDX-License-Identifier: MIT */
/*
 * The VMM's own GDT, TSS and IDT (host side). Exceptions in the VMM are
 * bugs: they end in smx_panic with the faulting state. An NMI that arrives
 * while the VMM runs is either another CPU's kick (pcpu.kick) or the
 * guest's, re-injected at the next entry.
 */
#ifndef SMX_CPU_TABLES_H
#define SMX_CPU_TABLES_H

#include <stdint.h>

#define SEL_CODE64 0x08
#define SEL_DATA 0x10
#define SEL_TSS 0x18

struct pcpu;

/* Tables for another CPU (the boot CPU's are static); NULL when out of
 * memory. The boot CPU allocates them, before the CPU starts. */
void *cpu_tables_alloc(void);
/* Load this CPU's GDT, segments, TSS and IDT, and point %gs at c; safe to
 * call again after S3. */
void cpu_tables_load(struct pcpu *c);

/* Wait with interrupts off until *until is non-zero or an NMI arrives
 * (exceptions.S); the caller loops. */
void cpu_idle_wait(volatile uint32_t *until);

#endif
