/* SPDX-License-Identifier: MIT */
/*
 * The local APIC, as far as the VMM sends and decodes inter-processor
 * interrupts. Intel SDM vol. 3 §11 (xAPIC registers §11.4.1, Table 11-1;
 * ICR §11.6.1, Figure 11-12; x2APIC §11.12, MSR 0x830 §11.12.9) and
 * AMD APM vol. 2 §16.
 */
#ifndef SMX_APIC_H
#define SMX_APIC_H

#include <stdbool.h>
#include <stdint.h>

#define MSR_APIC_BASE 0x1bu
#define APIC_BASE_BSP (1ull << 8)   /* this is the bootstrap processor */
#define APIC_BASE_EXTD (1ull << 10) /* x2APIC mode */
#define APIC_BASE_EN (1ull << 11)
#define APIC_BASE_ADDR 0x000ffffffffff000ull
#define MSR_X2APIC_ICR 0x830u

#define APIC_REG_ICR_LO 0x300
#define APIC_REG_ICR_HI 0x310
#define APIC_ICR_VECTOR 0xffu
#define APIC_ICR_DM_SHIFT 8
#define APIC_ICR_DM_MASK (7u << 8)
#define APIC_DM_FIXED (0u << 8)
#define APIC_DM_NMI (4u << 8)
#define APIC_DM_INIT (5u << 8)
#define APIC_DM_STARTUP (6u << 8)
#define APIC_ICR_LOGICAL (1u << 11)
#define APIC_ICR_BUSY (1u << 12)  /* delivery status (xAPIC only) */
#define APIC_ICR_ASSERT (1u << 14)
#define APIC_ICR_LEVEL (1u << 15)
#define APIC_ICR_SH_SHIFT 18
#define APIC_ICR_SH_MASK (3u << 18)
#define APIC_SH_NONE (0u << 18)
#define APIC_SH_SELF (1u << 18)
#define APIC_SH_ALL (2u << 18)
#define APIC_SH_OTHERS (3u << 18)
#define APIC_XAPIC_DEST_SHIFT 24  /* ICR high, physical destination */

/* Find this CPU's APIC (the boot CPU, at start): mode and base. */
void apic_init(void);
bool apic_x2(void);
uint64_t apic_base(void);
/* This CPU's APIC ID. */
uint32_t apic_id(void);

/* Send an IPI from this CPU: `icr` holds the vector, delivery mode and
 * shorthand; `dest` the physical APIC ID when there is no shorthand. The
 * guest's ICR high (xAPIC) is put back afterwards. */
void apic_send(uint32_t dest, uint32_t icr);

#endif
