/* SPDX-License-Identifier: MIT */
/*
 * The VMM's own GDT, TSS and IDT (host side). Exceptions in the VMM are
 * bugs: they end in smx_panic with the faulting state. NMIs that arrive
 * while the VMM runs belong to the guest and are re-injected.
 */
#ifndef SMX_CPU_TABLES_H
#define SMX_CPU_TABLES_H

#include <stdint.h>

#define SEL_CODE64 0x08
#define SEL_DATA 0x10
#define SEL_TSS 0x18

/* Load GDT, segments, TSS and IDT; safe to call again after S3. */
void cpu_tables_load(void);
/* An NMI hit the VMM and has not been handed to the guest yet. */
int cpu_nmi_pending(void);
void cpu_nmi_delivered(void);

#endif
